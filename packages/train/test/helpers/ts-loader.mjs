// Node ESM loader hooks for child processes spawned by the tests: compile .ts on the fly with
// SWC (as Jest does) and resolve `@switchyard/<pkg>` to packages/<pkg>/src/index.ts and
// relative `.js` specifiers to their `.ts` sources, so a runner needs no build step.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, resolve as resolvePath } from 'node:path';
import { transformSync } from '@swc/core';

const repoRoot = resolvePath(dirname(fileURLToPath(import.meta.url)), '../../../..');

export async function resolve(specifier, context, next) {
  const m = /^@switchyard\/([a-z-]+)$/.exec(specifier);
  if (m) return { url: pathToFileURL(resolvePath(repoRoot, 'packages', m[1], 'src/index.ts')).href, shortCircuit: true };
  if ((specifier.startsWith('.') || specifier.startsWith('/')) && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
    const js = fileURLToPath(new URL(specifier, context.parentURL));
    const ts = js.replace(/\.js$/, '.ts');
    if (!existsSync(js) && existsSync(ts)) return { url: pathToFileURL(ts).href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    const src = readFileSync(fileURLToPath(url), 'utf8');
    const out = transformSync(src, { filename: fileURLToPath(url), jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } });
    return { format: 'module', source: out.code, shortCircuit: true };
  }
  return next(url, context);
}
