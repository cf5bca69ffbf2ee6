import * as tf from '@tensorflow/tfjs';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '@switchyard/tensor-engine';
import { forgetHeap, heapOffset, loadNativeKernels, requestedNativeThreads, syncHeap } from '../src/kernels/native/addon.js';
import { asWasm } from '../src/kernels/wasm-backend.js';

// The tfjs 4.22 internals the native kernels rely on ("pin the tfjs version the kernels
// rely on and test the internals they touch"). If an upgrade changes any of them, this fails
// before a kernel silently reads the wrong memory.
const here = path.dirname(fileURLToPath(import.meta.url));
const rootPkg = JSON.parse(fs.readFileSync(path.join(here, '../../../package.json'), 'utf8')) as { dependencies: Record<string, string> };
const native = loadNativeKernels();

describe('tfjs internals used by the native kernels', () => {
  beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

  it('tfjs and its WASM backend are pinned to the exact version the kernels were written for', () => {
    expect(rootPkg.dependencies['@tensorflow/tfjs']).toBe('4.22.0');
    expect(rootPkg.dependencies['@tensorflow/tfjs-backend-wasm']).toBe('4.22.0');
    expect(tf.version_core).toBe('4.22.0');
    expect(tfwasm.version_wasm).toBe('4.22.0');
  });

  it('a tensor\'s memoryOffset addresses its values in wasm.HEAPU8, and typedArrayFromHeap is a view', () => {
    const backend = tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } };
    const w = asWasm(backend);
    const t = tf.tensor1d([1.5, -2, 3.25, 7], 'float32');
    const off = heapOffset(w, { dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    expect(off % 4).toBe(0);
    expect(Array.from(new Float32Array(backend.wasm.HEAPU8.buffer, off, 4))).toEqual([1.5, -2, 3.25, 7]);
    const out = w.makeOutput([3], 'int32');
    const view = w.typedArrayFromHeap(out);
    expect(view).toBeInstanceOf(Int32Array);
    expect(view.buffer).toBe(backend.wasm.HEAPU8.buffer);
    view.set([4, 5, 6]);
    const o = tf.engine().makeTensorFromTensorInfo(out);
    expect(Array.from(o.dataSync())).toEqual([4, 5, 6]);
    tf.dispose([t, o]);
  });

  it('bool tensors take one byte per element on the heap', () => {
    const w = asWasm(tf.backend());
    const t = tf.tensor1d([true, false, true], 'bool');
    const v = w.typedArrayFromHeap({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    expect(v).toBeInstanceOf(Uint8Array);
    expect(Array.from(v)).toEqual([1, 0, 1]);
    t.dispose();
  });

  (native ? it : it.skip)('after the WASM memory grows, syncHeap hands the new buffer over and the native gemm reads it', () => {
    const backend = tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } };
    forgetHeap();
    syncHeap(native!, tf.backend());
    const before = backend.wasm.HEAPU8.buffer;
    // Grow the memory: allocate more than is free (the heap grows in whole pages).
    const big = tf.zeros([Math.ceil(before.byteLength / 4) + 1024], 'float32');
    expect(backend.wasm.HEAPU8.buffer).not.toBe(before);
    const a = tf.tensor2d([[1, 2], [3, 4]]), b = tf.tensor2d([[5, 6], [7, 8]]);
    const c = tf.matMul(a, b);
    expect(Array.from(c.dataSync())).toEqual([19, 22, 43, 50]);
    tf.dispose([big, a, b, c]);
  });

  it('SWITCHYARD_NATIVE_THREADS parses to a positive team size, 1 by default', () => {
    expect(requestedNativeThreads({})).toBe(1);
    expect(requestedNativeThreads({ SWITCHYARD_NATIVE_THREADS: '2' })).toBe(2);
    expect(() => requestedNativeThreads({ SWITCHYARD_NATIVE_THREADS: 'x' })).toThrow(/integer in \[1, 256\], got "x"/);
    expect(() => requestedNativeThreads({ SWITCHYARD_NATIVE_THREADS: '0' })).toThrow(/got "0"/);
  });
});
