#!/usr/bin/env node
// The module boundaries of the repository, checked by reading every import (static, dynamic,
// require) of packages/*/{src,test,lib} and tools/**. Run by `npm test`
// (tools/test/module-boundaries.test.ts) and on its own: `node tools/boundaries/check-boundaries.mjs`.
//
//   1. The stage contract (@switchyard/runtime) needs no tensors: no @tensorflow/*, no tensor engine.
//   2. Routers never import the model, training or data preparation.
//   3. The model never imports training, evaluation or the report.
//   4. No package reaches into another's src/ or dist/ by path (package entry points only).
//   5. The Nx plugin and the pipeline tools load without tensors: no @tensorflow/*, no engine.
//   6. Every import of a package is declared: in dependencies (or optionalDependencies) for
//      shipped code, also devDependencies for tests.
//   7. Test helpers (a package's `/testing` entry) are imported by tests only.
import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const TENSORS = [/^@tensorflow\//, /^@switchyard\/tensor-engine(\/|$)/];

/** [where the importing file lives (path prefix), forbidden specifiers, why]. */
export const RULES = [
  ['packages/runtime/', TENSORS, 'the stage contract must not depend on tensors (tfjs or @switchyard/tensor-engine)'],
  ['packages/routers/', [/^@switchyard\/(model-core|train|data-prep)(\/|$)/], 'routers must not import the model, training or data preparation'],
  ['packages/model-core/', [/^@switchyard\/(train|eval-[a-z-]+|report)(\/|$)/], 'the model must not import training, evaluation or the report'],
  ['tools/nx-plugin/', TENSORS, 'the Nx plugin must load without tensors'],
  ['tools/pipeline/', TENSORS, 'the pipeline tools must load without tensors'],
];

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'build' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out); else if (CODE.test(name)) out.push(p);
  }
  return out;
}

/** Each import of a file: { spec, line }. Comment lines are skipped. */
export function importsOf(text) {
  const out = [];
  const lines = text.split('\n');
  let inBlock = false;
  const kept = lines.map((l) => {
    const t = l.trim();
    if (inBlock) { if (t.includes('*/')) inBlock = false; return ''; }
    if (t.startsWith('/*')) { if (!t.includes('*/')) inBlock = true; return ''; }
    return t.startsWith('//') || t.startsWith('*') ? '' : l;
  }).join('\n');
  // import … from 'x' / export … from 'x' (statements may span lines), import 'x', import('x'), require('x').
  const re = /^[ \t]*(?:import|export)\b[^;'"]*?\bfrom\s*(['"])([^'"\n]+)\1|^[ \t]*import\s*(['"])([^'"\n]+)\3|\b(?:import|require)\s*\(\s*(['"])([^'"\n]+)\5/gm;
  for (let m; (m = re.exec(kept));) out.push({ spec: m[2] ?? m[4] ?? m[6], line: kept.slice(0, m.index + m[0].length).split('\n').length });
  return out;
}

function packageNameOf(spec) {
  if (spec.startsWith('.') || spec.startsWith('/') || builtins.has(spec) || spec.startsWith('node:') || builtins.has(spec.split('/')[0])) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every boundary violation under `root`: { file, line, spec, rule }. */
export function findViolations(root) {
  const rel = (p) => relative(root, p).split(sep).join('/');
  const pkgDirs = existsSync(join(root, 'packages')) ? readdirSync(join(root, 'packages')).filter((d) => existsSync(join(root, 'packages', d, 'package.json'))) : [];
  const manifests = new Map(pkgDirs.map((d) => [d, JSON.parse(readFileSync(join(root, 'packages', d, 'package.json'), 'utf8'))]));
  const files = [...pkgDirs.flatMap((d) => ['src', 'test', 'lib'].flatMap((s) => walk(join(root, 'packages', d, s)))), ...walk(join(root, 'tools'))];
  const out = [];
  for (const file of files) {
    const r = rel(file);
    const ownPkg = r.startsWith('packages/') ? r.split('/')[1] : null;
    const inTest = ownPkg !== null && r.split('/')[2] === 'test';
    const manifest = ownPkg ? manifests.get(ownPkg) : null;
    for (const { spec, line } of importsOf(readFileSync(file, 'utf8'))) {
      const add = (rule) => out.push({ file: r, line, spec, rule });
      for (const [prefix, forbidden, why] of RULES) if (r.startsWith(prefix) && forbidden.some((f) => f.test(spec))) add(why);
      // 4. Internals by path: a package specifier with src/ or dist/, or a relative path into another package.
      if (/^@switchyard\/[a-z-]+\/(src|dist)(\/|$)/.test(spec)) add(`import ${spec.split('/').slice(0, 2).join('/')} through its entry point, not its ${spec.split('/')[2]}/ folder`);
      if (spec.startsWith('.')) {
        const target = rel(resolve(dirname(file), spec));
        const m = /^packages\/([^/]+)\/(src|dist)(\/|$)/.exec(target);
        if (m && m[1] !== ownPkg) add(`reaches into packages/${m[1]}/${m[2]}/ by path; import ${manifests.get(m[1])?.name ?? m[1]} instead`);
      }
      // 7. Test-helper entries from tests only.
      const isTestCode = inTest || r.startsWith('tools/test/');
      if (/^@switchyard\/[a-z-]+\/testing$/.test(spec) && !isTestCode) add('test helpers (a /testing entry) are for tests only; shipped code uses the package\'s public entry');
      // 6. Declared dependencies.
      const name = packageNameOf(spec);
      if (manifest && name && name !== manifest.name) {
        const declared = { ...manifest.dependencies, ...manifest.optionalDependencies, ...(inTest ? manifest.devDependencies : {}) };
        if (!(name in declared)) add(`${name} is imported but not declared in packages/${ownPkg}/package.json ${inTest ? '(dependencies or devDependencies)' : '(dependencies)'}`);
      }
    }
  }
  return out;
}

export function formatViolation(v) {
  return `${v.file}:${v.line}: imports '${v.spec}': ${v.rule}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '../..'));
  const found = findViolations(root);
  for (const v of found) process.stderr.write(`${formatViolation(v)}\n`);
  process.stdout.write(found.length ? `${found.length} module-boundary violation(s)\n` : 'module boundaries: ok\n');
  process.exit(found.length ? 1 : 0);
}
