// fix-citations: skip (this file quotes bad citations on purpose)
// What a comment cites lives in the repository, so a clone resolves every citation: a document
// path in a comment (`docs/routers.md §2`, `README.md`, `../README.md`) must exist —
// relative to the file, its package or the repository root (so `docs/routers.md`, not a bare
// `routers.md`) — a bare `README` means the
// package's README, and comments do not cite this project's issue numbers (say the fact instead).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './nx-env.js';

const CODE = /\.(ts|mts|cts|js|mjs|cjs|py|sh|c|h|cc)$/;
const SKIP = new Set(['node_modules', 'dist', '.nx', 'artifacts', '.git', 'build', 'coverage']);

function codeFiles(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) codeFiles(p, out);
    else if (CODE.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The comment part of a line ('' if none): from `//` (not `://`), or a `*`, `/*` or (py, sh) `#` line. */
function commentOf(line: string, file: string): string {
  const t = line.trimStart();
  if (t.startsWith('*') || t.startsWith('/*') || t.startsWith('//')) return t;
  const hash = /\.(py|sh)$/.test(file);
  if (hash && t.startsWith('#')) return t;
  for (let i = line.indexOf('//'); i >= 0; i = line.indexOf('//', i + 2)) if (line[i - 1] !== ':') return line.slice(i);
  if (hash) { const i = line.indexOf(' # '); if (i >= 0) return line.slice(i); }
  return '';
}

/** Nearest folder at or above `dir` with a package.json (the repository root at the latest). */
function packageRoot(dir: string): string {
  for (let d = dir; d.startsWith(repoRoot); d = dirname(d)) if (existsSync(join(d, 'package.json'))) return d;
  return repoRoot;
}

/** Documents the stages write (named in comments as outputs, not cited). */
const OUTPUT_DOCUMENTS = new Set(['report.md']);

const DOC = /(?<![\w@-])((?:\.{1,2}\/|[\w@-]+\/)*[\w.-]+\.md)\b/g;
const BARE_README = /\bREADME\b(?![.\w-])/g;
// this project's issues; an external tracker is named (`tfjs issue #3830`) and keeps its number
const ISSUE = /(?<!\w )\b[Ii]ssues? \d+\b|\bmust-show \d+/g;

function problems(file: string, text: string): string[] {
  const out: string[] = [];
  const dir = dirname(file);
  const pkg = packageRoot(dir);
  text.split('\n').forEach((line, i) => {
    const comment = commentOf(line, file).replace(/\w+:\/\/\S+/g, ''); // URLs resolve elsewhere
    if (!comment) return;
    const where = `${relative(repoRoot, file)}:${i + 1}`;
    for (const m of comment.matchAll(DOC)) {
      const p = m[1]!;
      if (OUTPUT_DOCUMENTS.has(p)) continue;
      const candidates = [join(dir, p), join(pkg, p), join(repoRoot, p)];
      if (!candidates.some((c) => existsSync(c))) out.push(`${where}: cites ${p}, which is not in the repository`);
    }
    if (BARE_README.test(comment) && !existsSync(join(pkg, 'README.md'))) out.push(`${where}: cites README, but ${relative(repoRoot, pkg) || '.'} has none`);
    BARE_README.lastIndex = 0;
    for (const m of comment.matchAll(ISSUE)) {
      if (/\b(tfjs|tensorflow|pytorch|torch|nx|node|github)\s+issues?\s/i.test(comment.slice(Math.max(0, m.index! - 12), m.index! + m[0].length))) continue;
      out.push(`${where}: cites "${m[0]}" (an issue of this project); say the fact instead`);
    }
  });
  return out;
}

describe('comment citations resolve inside the repository', () => {
  it('the check fails on a missing document, a README-less package and an issue number', () => {
    const here = join(repoRoot, 'packages', 'routers', 'src', 'x.ts');
    expect(problems(here, '// see routers.md §2 and docs/nowhere.md')).toEqual([
      'packages/routers/src/x.ts:1: cites routers.md, which is not in the repository',
      'packages/routers/src/x.ts:1: cites docs/nowhere.md, which is not in the repository',
    ]);
    expect(problems(here, '// see docs/routers.md §2, the README and ../README.md')).toEqual([]);
    expect(problems(here, 'const x = 1; // (issue 10, must-show 2)')).toHaveLength(2);
    expect(problems(here, '// multi-threaded WASM (tfjs issue #3830)')).toEqual([]);
    expect(problems(join(repoRoot, 'tools', 'x.mjs'), "const u = 'https://example.org/a.md'; // see docs/design.md")).toEqual([]);
    // files the stages write are named, not cited
    expect(problems(here, '// Heading of report.md / report.html.')).toEqual([]);
  });

  it('every comment in packages/, tools/ and .ci/ cites only documents that exist', () => {
    const files = [...codeFiles(join(repoRoot, 'packages')), ...codeFiles(join(repoRoot, 'tools')), ...codeFiles(join(repoRoot, '.ci'))];
    expect(files.length).toBeGreaterThan(100);
    const found = files.filter((f) => f !== fileURLToPath(import.meta.url)).flatMap((f) => problems(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });
});
