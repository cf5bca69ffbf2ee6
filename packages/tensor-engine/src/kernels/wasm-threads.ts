// Opt-in multi-threaded tfjs WASM in Node (docs/design.md §4, tfjs issue #3830). tfjs 4.22 never
// picks its threaded binary in Node, and if forced it fails twice: the pthread worker script is
// handed to worker_threads as a `blob:` URL (Node cannot load those), and the C++ side sizes its
// pool at half the logical cores (1 on a 2-core machine). Here, before the backend starts:
//   1. the worker script and the Emscripten main script go to a temp dir as real files, and
//      URL.createObjectURL returns their paths for exactly those two blobs;
//   2. os.cpus(), when called from the tfjs WASM bundle, reports 2·n cores so the pool gets n;
//   3. the pool's workers are unref'd so they do not keep the process alive at exit.
// This depends on tfjs-backend-wasm 4.22 internals (pinned in package.json); any failure while
// preparing leaves the single-threaded binary in place.
import * as tf from '@tensorflow/tfjs';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import workerThreads from 'node:worker_threads';

const require = createRequire(import.meta.url);
let armed = 0;

/** Threads asked for by SWITCHYARD_WASM_THREADS (default 1). */
export function requestedWasmThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SWITCHYARD_WASM_THREADS;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`SWITCHYARD_WASM_THREADS must be a positive integer, got "${raw}"`);
  return n;
}

/**
 * Prepare the WASM backend to run `threads` XNNPACK threads; call before `tf.setBackend('wasm')`.
 * Returns the thread count prepared for (1 when threads ≤ 1, or when this tfjs build or runtime
 * cannot do it; the reason goes to `onFallback`). Check `getThreadsCount()` after init.
 */
export function enableWasmThreads(threads = requestedWasmThreads(), onFallback: (why: string) => void = () => {}): number {
  if (threads <= 1) return 1;
  if (armed) return armed;
  try {
    const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
    if (registry.wasm) throw new Error('the WASM backend is already initialised');
    if (typeof SharedArrayBuffer === 'undefined') throw new Error('no SharedArrayBuffer');
    const pkgDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    const out = path.join(pkgDir, 'wasm-out');
    const { wasmWorkerContents } = require(path.join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
    if (typeof wasmWorkerContents !== 'string') throw new Error('worker script not found in tfjs-backend-wasm');
    // tfjs escapes newlines before making the blob (they sit inside string literals); so do we.
    const workerSource = wasmWorkerContents.replace(/\n/g, '\\n');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-wasm-'));
    const mainPath = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
    fs.copyFileSync(path.join(out, 'tfjs-backend-wasm-threaded-simd.js'), mainPath);
    const workerPath = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
    // Inside each worker the main script arrives as a Blob too: map that one to its file.
    fs.writeFileSync(workerPath, `URL.createObjectURL=()=>${JSON.stringify(mainPath)};URL.revokeObjectURL=()=>{};\n${workerSource}`);

    const workerBytes = Buffer.byteLength(workerSource);
    const createObjectURL = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (obj: Blob) => (obj instanceof Blob && obj.size === workerBytes ? workerPath : createObjectURL(obj));

    const cpus = os.cpus.bind(os);
    os.cpus = () => {
      const list = cpus();
      if (!(new Error().stack ?? '').includes('tf-backend-wasm')) return list;
      return Array.from({ length: 2 * threads }, (_, i) => list[i % list.length]!);
    };

    const Base = workerThreads.Worker;
    class PoolWorker extends Base {
      constructor(file: string | URL, options?: workerThreads.WorkerOptions) {
        super(file, options);
        if (file === workerPath) { this.unref(); this.ref = () => {}; }
      }
    }
    (workerThreads as { Worker: typeof Base }).Worker = PoolWorker;

    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasmBackend.setThreadsCount(threads);
    armed = threads;
    return threads;
  } catch (e) {
    onFallback((e as Error).message);
    return 1;
  }
}
