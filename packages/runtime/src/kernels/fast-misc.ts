// Small WASM kernels whose stock versions cost more than their work (design.md §4).
import * as tf from '@tensorflow/tfjs';
import { asWasm, sizeOf, stridesOf, type KernelArgs } from './wasm-backend.js';

/**
 * Identity without a copy, as the CPU backend does it: tfjs tensors are immutable, so the
 * output can share the input's heap buffer (refcounted). The engine clones every tensor it
 * saves for backward through this kernel.
 */
export function makeIdentityKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args as KernelArgs;
    const x = inputs.x!;
    if (x.dtype === 'string' || x.dtype === 'complex64') return fallback(args);
    asWasm(backend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/**
 * LogicalAnd with broadcasting. The stock one takes ≈200 ns per element when broadcasting,
 * and the gradient of UnsortedSegmentSum (gather-dispatch combine) runs it on a [T, D] mask.
 */
export function makeLogicalAndKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args as KernelArgs;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'bool' || b.dtype !== 'bool') return fallback(args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const w = asWasm(backend);
    const out = w.makeOutput(outShape, 'bool');
    if (sizeOf(outShape) === 0) return out;
    const av = w.typedArrayFromHeap(a), bv = w.typedArrayFromHeap(b), ov = w.typedArrayFromHeap(out);
    const r = outShape.length;
    // Per-output-dim strides of a and b, 0 where broadcast.
    const bcast = (s: number[]): number[] => {
      const st = stridesOf(s), off = r - s.length;
      return outShape.map((_, d) => (d < off || s[d - off] === 1 ? 0 : st[d - off]!));
    };
    const sa = bcast(a.shape), sb = bcast(b.shape);
    const inner = outShape[r - 1] ?? 1, ia = sa[r - 1] ?? 0, ib = sb[r - 1] ?? 0;
    const outerCount = sizeOf(outShape.slice(0, -1));
    const idx = new Array<number>(Math.max(0, r - 1)).fill(0);
    let pa = 0, pb = 0, po = 0;
    for (let c = 0; c < outerCount; c++) {
      for (let j = 0; j < inner; j++) ov[po++] = av[pa + j * ia]! & bv[pb + j * ib]!;
      for (let d = r - 2; d >= 0; d--) {
        idx[d]!++; pa += sa[d]!; pb += sb[d]!;
        if (idx[d]! < outShape[d]!) break;
        pa -= sa[d]! * outShape[d]!; pb -= sb[d]! * outShape[d]!; idx[d] = 0;
      }
    }
    return out;
  };
}
