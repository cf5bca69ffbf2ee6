// Small WASM kernels whose stock versions cost more than their work (docs/design.md §4).
import * as tf from '@tensorflow/tfjs';
import { asWasm, sizeOf, stridesOf, type HeapArray, type KernelArgs } from './wasm-backend.js';

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

/** Element-wise kernels the stock backend runs through a generic per-element index loop. */
export const COMPARE_KERNELS = ['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'LogicalAnd', 'LogicalOr', 'Maximum', 'Minimum'] as const;
type CompareKernel = (typeof COMPARE_KERNELS)[number];

/** out[j] = op(a[pa + j·ia], b[pb + j·ib]) for j < n; one loop per op keeps each loop monomorphic. */
function applyRow(op: CompareKernel, a: HeapArray, pa: number, ia: number, b: HeapArray, pb: number, ib: number, o: HeapArray, po: number, n: number): void {
  switch (op) {
    case 'Equal': for (let j = 0; j < n; j++) o[po + j] = a[pa + j * ia]! === b[pb + j * ib]! ? 1 : 0; break;
    case 'NotEqual': for (let j = 0; j < n; j++) o[po + j] = a[pa + j * ia]! !== b[pb + j * ib]! ? 1 : 0; break;
    case 'Greater': for (let j = 0; j < n; j++) o[po + j] = a[pa + j * ia]! > b[pb + j * ib]! ? 1 : 0; break;
    case 'GreaterEqual': for (let j = 0; j < n; j++) o[po + j] = a[pa + j * ia]! >= b[pb + j * ib]! ? 1 : 0; break;
    case 'Less': for (let j = 0; j < n; j++) o[po + j] = a[pa + j * ia]! < b[pb + j * ib]! ? 1 : 0; break;
    case 'LessEqual': for (let j = 0; j < n; j++) o[po + j] = a[pa + j * ia]! <= b[pb + j * ib]! ? 1 : 0; break;
    case 'LogicalAnd': for (let j = 0; j < n; j++) o[po + j] = a[pa + j * ia]! && b[pb + j * ib]! ? 1 : 0; break;
    case 'LogicalOr': for (let j = 0; j < n; j++) o[po + j] = a[pa + j * ia]! || b[pb + j * ib]! ? 1 : 0; break;
    // Math.max/min propagate NaN, as the CPU backend does.
    case 'Maximum': for (let j = 0; j < n; j++) o[po + j] = Math.max(a[pa + j * ia]!, b[pb + j * ib]!); break;
    case 'Minimum': for (let j = 0; j < n; j++) o[po + j] = Math.min(a[pa + j * ia]!, b[pb + j * ib]!); break;
  }
}

/**
 * Comparisons, logical ops and Maximum/Minimum with broadcasting, in JS on heap views. The
 * stock kernels take ≈30 ns per element, and ≈120+ ns when broadcasting: the gradient of
 * logSumExp/max runs Equal on [N, V] logits against [N, 1], and the gradient of
 * UnsortedSegmentSum runs LogicalAnd on a [T, D] mask.
 */
export function makeCompareKernel(op: CompareKernel): (fallback: tf.KernelFunc) => tf.KernelFunc {
  const boolOut = op !== 'Maximum' && op !== 'Minimum';
  return (fallback) => (args) => {
    const { inputs, backend } = args as KernelArgs;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const plain = (t: tf.TensorInfo) => t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool';
    if (!plain(a) || !plain(b) || (!boolOut && a.dtype !== b.dtype)) return fallback(args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const w = asWasm(backend);
    const out = w.makeOutput(outShape, boolOut ? 'bool' : a.dtype);
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
    for (let c = 0; c < outerCount; c++, po += inner) {
      applyRow(op, av, pa, ia, bv, pb, ib, ov, po, inner);
      for (let d = r - 2; d >= 0; d--) {
        idx[d]!++; pa += sa[d]!; pb += sb[d]!;
        if (idx[d]! < outShape[d]!) break;
        pa -= sa[d]! * outShape[d]!; pb -= sb[d]! * outShape[d]!; idx[d] = 0;
      }
    }
    return out;
  };
}
