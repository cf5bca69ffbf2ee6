import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transformSync } from '@swc/core';
import { requestedWasmThreads } from '../src/kernels/wasm-threads.js';

// Two-thread WASM must be a real second thread and give the single-thread (CPU) answers.
// It runs in a child process: the thread pool is fixed when the backend starts, and Jest's
// process already has a single-threaded WASM backend in other suites. The child imports the
// kernels compiled here with SWC (tests need no build).
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const outDir = path.join(repoRoot, 'node_modules/.cache/switchyard-kernels-test');

function compileKernels(src = path.join(here, '../src/kernels'), out = outDir): void {
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'package.json'), '{"type":"module"}\n');
  for (const f of fs.readdirSync(src)) {
    // Subfolders (kernels/native/) keep their relative imports.
    if (fs.statSync(path.join(src, f)).isDirectory()) { compileKernels(path.join(src, f), path.join(out, f)); continue; }
    if (!f.endsWith('.ts')) continue;
    const { code } = transformSync(fs.readFileSync(path.join(src, f), 'utf8'), {
      filename: f, jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' },
    });
    fs.writeFileSync(path.join(out, f.replace(/\.ts$/, '.js')), code);
  }
}

// Deterministic inputs both sides can rebuild: a 2-layer MLP's loss and gradients.
const CASE = `
  const x = tf.sin(tf.range(0, 96 * 64).mul(0.37)).reshape([96, 64]);
  const w1 = tf.cos(tf.range(0, 64 * 128).mul(0.11)).mul(0.1).reshape([64, 128]);
  const w2 = tf.sin(tf.range(0, 128 * 32).mul(0.23)).mul(0.1).reshape([128, 32]);
  const f = (a, b) => tf.relu(tf.matMul(x, a)).matMul(b).square().mean();
  const [g1, g2] = tf.grads(f)([w1, w2]);
  const big = tf.matMul(tf.sin(tf.range(0, 256 * 256)).reshape([256, 256]), tf.cos(tf.range(0, 256 * 256)).reshape([256, 256]), false, true);
  const result = { loss: Array.from(f(w1, w2).dataSync()), g1: Array.from(g1.dataSync()), g2: Array.from(g2.dataSync()), big: Array.from(big.dataSync()) };
`;

function relErr(got: number[], want: ArrayLike<number>): number {
  let d = 0, s = 1e-30;
  for (let i = 0; i < want.length; i++) { d = Math.max(d, Math.abs(got[i]! - want[i]!)); s = Math.max(s, Math.abs(want[i]!)); }
  return d / s;
}

describe('SWITCHYARD_WASM_THREADS', () => {
  it('parses the thread count', () => {
    expect(requestedWasmThreads({})).toBe(1);
    expect(requestedWasmThreads({ SWITCHYARD_WASM_THREADS: '2' })).toBe(2);
    expect(() => requestedWasmThreads({ SWITCHYARD_WASM_THREADS: 'two' })).toThrow(/positive integer/);
    expect(() => requestedWasmThreads({ SWITCHYARD_WASM_THREADS: '0' })).toThrow(/positive integer/);
  });

  it('runs two real threads with the same values and gradients as the CPU backend', async () => {
    compileKernels();
    const url = (f: string) => pathToFileURL(path.join(outDir, f)).href;
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import * as wasm from '@tensorflow/tfjs-backend-wasm';
      const { enableWasmThreads } = await import(${JSON.stringify(url('wasm-threads.js'))});
      const { registerMissingKernels } = await import(${JSON.stringify(url('register.js'))});
      const prepared = enableWasmThreads(undefined, (why) => console.error('fallback: ' + why));
      await tf.setBackend('wasm'); await tf.ready(); registerMissingKernels('wasm');
      ${CASE}
      process.stdout.write(JSON.stringify({ prepared, threads: wasm.getThreadsCount(), ...result }));
    `;
    const text = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: repoRoot, encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20, env: { ...process.env, SWITCHYARD_WASM_THREADS: '2' },
    });
    const child = JSON.parse(text) as Record<string, number | number[]>;
    expect(child.prepared).toBe(2);
    expect(child.threads).toBe(2);

    await tf.setBackend('cpu');
    const want = new Function('tf', `${CASE}; return result;`)(tf) as Record<string, number[]>;
    for (const k of ['loss', 'g1', 'g2', 'big']) {
      expect({ k, ok: relErr(child[k] as number[], want[k]!) <= 1e-5 }).toEqual({ k, ok: true });
    }
  });
});
