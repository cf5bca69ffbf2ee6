// Sum over leading axes on WASM (docs/design.md §4). Every bias and LayerNorm-scale gradient sums a
// [N, D] cotangent over N; the stock kernel first transposes the input (generic C++ transpose)
// so the reduced axes are innermost. Here rows are accumulated in place, in float64.
import * as tf from '@tensorflow/tfjs';
import { asWasm, sizeOf, type HeapArray, type KernelArgs } from './wasm-backend.js';

/** out[j] = Σ_i x[i·inner + j] for a [rows, inner] view. */
export function sumRows(x: HeapArray, rows: number, inner: number, out: HeapArray): void {
  const acc = new Float64Array(inner);
  for (let i = 0, p = 0; i < rows; i++, p += inner) for (let j = 0; j < inner; j++) acc[j]! += x[p + j]!;
  for (let j = 0; j < inner; j++) out[j] = acc[j]!;
}

export function makeSumKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    const { axis, keepDims } = attrs as { axis: number | number[]; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    // Only reductions over a leading block of axes (0..k−1), with something left over.
    const leading = axes.length > 0 && axes.length < x.shape.length && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== 'float32') return fallback(args);
    const k = axes.length;
    const rows = sizeOf(x.shape.slice(0, k)), inner = sizeOf(x.shape.slice(k));
    const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...x.shape.slice(k)] : x.shape.slice(k);
    const w = asWasm(backend);
    const out = w.makeOutput(outShape, 'float32');
    if (inner > 0) sumRows(w.typedArrayFromHeap(x), rows, inner, w.typedArrayFromHeap(out));
    return out;
  };
}
