// Router names are interpreted only by @switchyard/routers: every other package asks the registry
// (describeRouter, routerConfigSchema). (1) No source file outside packages/routers matches a
// string against a fragment of a router type name (`.includes('sparsemax')`,
// `.startsWith('attention')`, `/entmax/.test(…)`, …). (2) An unknown router type in a pipeline
// file fails validation with the file named.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { routerTypes } from '@switchyard/routers';
import { childEnv, repoRoot } from './nx-env.js';

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** Source files (not tests, not build output) of every package but routers, and of tools/. */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (['node_modules', 'dist', 'test', 'build', 'bench-results'].includes(name)) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const pkg of readdirSync(join(repoRoot, 'packages'))) {
    if (pkg === 'routers' || !statSync(join(repoRoot, 'packages', pkg)).isDirectory()) continue;
    walk(join(repoRoot, 'packages', pkg));
  }
  walk(join(repoRoot, 'tools'));
  return out;
}

/** The words router type names are made of (`linear-softmax-topk` → linear, softmax, topk). */
function nameWords(): Set<string> {
  return new Set(routerTypes().flatMap((type) => type.split('-')));
}

// `x.includes('…')`, `.startsWith("…")`, `.endsWith`, `.indexOf`, `.lastIndexOf`, `.search`
const CALL = /\.(?:includes|startsWith|endsWith|indexOf|lastIndexOf|search)\(\s*(['"`])([^'"`]*)\1/g;
// `/…/.test(`, `.match(/…/)`, `.exec(` on a regex literal, `new RegExp('…')`
const REGEX = /\/((?:[^/\\\n]|\\.)+)\/[a-z]*\s*\.(?:test|exec)\(|\.(?:match|matchAll|replace|search)\(\s*\/((?:[^/\\\n]|\\.)+)\/|new RegExp\(\s*(['"`])([^'"`]*)\3/g;

/**
 * Lines comparing against a literal made only of router-name words (`'sparsemax'`,
 * `'-softmax-topk'`, `/entmax/`); a literal with any other word (`'.mlp.experts.'`,
 * `'@switchyard/'`, a log line) is not a router name.
 */
function offences(text: string, words: Set<string>): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (/^\s*(\/\/|\*)/.test(line)) return; // comments
    const literals: string[] = [];
    for (const m of line.matchAll(CALL)) literals.push(m[2]!);
    for (const m of line.matchAll(REGEX)) literals.push(m[1] ?? m[2] ?? m[4] ?? '');
    for (const lit of literals) {
      const tokens = lit.split(/[^a-z0-9]+/).filter(Boolean);
      if (tokens.length > 0 && tokens.some((t) => t.length >= 4) && tokens.every((t) => words.has(t))) {
        found.push(`${i + 1}: ${line.trim()}  (compares with router-name words ${JSON.stringify(lit)})`);
      }
    }
  });
  return found;
}

describe('router names are interpreted only inside packages/routers', () => {
  const words = nameWords();

  it('the scan would catch the matching it forbids', () => {
    // the mapping that used to classify routers in flops-profiler and the pipeline generator
    expect(offences(`if (type.includes('sparsemax')) return 'sparsemax';`, words)).toHaveLength(1);
    expect(offences(`const gate = router.type.startsWith('attention') ? 'attention' : 'linear';`, words)).toHaveLength(1);
    expect(offences(`const n = /entmax/.test(router.type) ? 'entmax15' : 'softmax';`, words)).toHaveLength(1);
    expect(offences(`if (t.endsWith('-softmax-topk')) draw();`, words)).toHaveLength(1);
    expect(offences(`if (name.includes('.json')) read();`, words)).toEqual([]);
    expect(offences(`if (name.includes('.mlp.experts.')) return 'experts';`, words)).toEqual([]);
  });

  it('no source file outside packages/routers matches strings against router names', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(50);
    const report: string[] = [];
    for (const f of files) {
      for (const o of offences(readFileSync(f, 'utf8'), words)) report.push(`${relative(repoRoot, f)}:${o}`);
    }
    expect(report).toEqual([]);
  });
});

describe('pipeline validation', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'router-names-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects an unknown router type, naming the file, the JSON path and the allowed types', async () => {
    // A gating pipeline as its own file: the base with the typo'd router in train.
    const p = JSON.parse(readFileSync(join(repoRoot, 'pipelines', 'bases', 'samsum-gating.json'), 'utf8'));
    delete p.$schema;
    p.stages.train.config.router = { type: 'linear-sparsmax' };
    const file = join(dir, 'typo-router.json');
    writeFileSync(file, JSON.stringify(p, null, 2));
    const r = await execa('node', [join(repoRoot, 'tools', 'pipeline', 'validate.mjs'), file], { cwd: repoRoot, env: childEnv(), extendEnv: false, reject: false, all: true });
    expect(r.exitCode).toBe(1);
    expect(r.all).toContain(`${file}: /stages/train/config/router/type: "linear-sparsmax" is not allowed`);
    expect(r.all).toContain('"linear-sparsemax"');
  }, 60000);
});
