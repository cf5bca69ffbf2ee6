// GatherV2 on the WASM heap (docs/design.md §4): gather dispatch moves whole token rows, so the
// kernel is a loop of row copies, x viewed as [outer, dim, inner] → out [outer, n, inner].
// The stock kernel took ≈87 ms for 4096 rows of 256 floats; this is a few ms.
import * as tf from '@tensorflow/tfjs';
import { asWasm, sizeOf, type HeapArray, type KernelArgs } from './wasm-backend.js';

export function checkIndices(indices: ArrayLike<number>, dim: number): void {
  for (let i = 0; i < indices.length; i++) {
    const ix = indices[i]!;
    if (!(ix >= 0 && ix < dim)) throw new Error(`GatherV2: the index value ${ix} is not in [0, ${dim - 1}]`);
  }
}

/** Indices must be in range (checkIndices). */
export function gatherRows(src: HeapArray, outer: number, dim: number, inner: number, indices: ArrayLike<number>, dst: HeapArray): void {
  const n = indices.length;
  for (let o = 0; o < outer; o++) {
    const sBase = o * dim * inner;
    let d = o * n * inner;
    if (inner >= 16) {
      for (let i = 0; i < n; i++, d += inner) {
        const s = sBase + indices[i]! * inner;
        dst.set(src.subarray(s, s + inner), d);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const s = sBase + indices[i]! * inner;
        for (let t = 0; t < inner; t++) dst[d++] = src[s + t]!;
      }
    }
  }
}

export function makeGatherKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const a = attrs as { axis: number; batchDims: number };
    if ((a.batchDims ?? 0) !== 0 || x.dtype === 'string' || x.dtype === 'complex64') return fallback(args);
    const axis = tf.util.parseAxisParam(a.axis, x.shape)[0]!;
    const outer = sizeOf(x.shape.slice(0, axis));
    const dim = x.shape[axis]!;
    const inner = sizeOf(x.shape.slice(axis + 1));
    const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const b = asWasm(backend);
    checkIndices(b.typedArrayFromHeap(indices), dim);
    const out = b.makeOutput(outShape, x.dtype);
    // Views are taken again after makeOutput: an allocation may grow (and detach) the heap.
    if (sizeOf(outShape) > 0) gatherRows(b.typedArrayFromHeap(x), outer, dim, inner, b.typedArrayFromHeap(indices), b.typedArrayFromHeap(out));
    return out;
  };
}
