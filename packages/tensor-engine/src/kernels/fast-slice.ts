// Slice / SplitV / Unpack on the WASM heap (docs/design.md §4). The stock Slice starts with
// `readSync(x)`, which copies the whole input out of the heap for every slice; here the input
// is read through a heap view and only the selected runs are copied (one copy for a
// contiguous row range).
import * as tf from '@tensorflow/tfjs';
import { asWasm, sizeOf, stridesOf, type HeapArray, type KernelArgs } from './wasm-backend.js';

/** Copy x[begin : begin+size] (row-major) into dst. */
export function sliceValues(src: HeapArray, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: HeapArray): void {
  const r = shape.length;
  const strides = stridesOf(shape);
  // Trailing dims taken whole merge into one contiguous run with the first partial dim.
  let k = r - 1;
  while (k > 0 && size[k] === shape[k] && begin[k] === 0) k--;
  const run = r === 0 ? 1 : size[k]! * (strides[k] ?? 1);
  let base = 0;
  for (let i = 0; i < r; i++) base += begin[i]! * strides[i]!;
  if (k <= 0) { dst.set(src.subarray(base, base + run)); return; }
  const outer = size.slice(0, k);
  const total = sizeOf(outer);
  const idx = new Array<number>(k).fill(0);
  let so = base;
  for (let c = 0, dO = 0; c < total; c++, dO += run) {
    if (run >= 16) dst.set(src.subarray(so, so + run), dO);
    else for (let t = 0; t < run; t++) dst[dO + t] = src[so + t]!;
    for (let t = k - 1; t >= 0; t--) {
      idx[t]!++;
      so += strides[t]!;
      if (idx[t]! < outer[t]!) break;
      so -= strides[t]! * outer[t]!;
      idx[t] = 0;
    }
  }
}

export function sliceOnHeap(backend: tf.KernelBackend, x: tf.TensorInfo, begin: readonly number[], size: readonly number[]): tf.TensorInfo {
  const b = asWasm(backend);
  const out = b.makeOutput([...size], x.dtype);
  if (sizeOf(size) > 0) sliceValues(b.typedArrayFromHeap(x), x.shape, begin, size, b.typedArrayFromHeap(out));
  return out;
}

function plain(x: tf.TensorInfo): boolean {
  return x.dtype !== 'string' && x.dtype !== 'complex64';
}

export function makeSliceKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    if (!plain(x)) return fallback(args);
    const a = attrs as { begin: number | number[]; size: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, a.begin, a.size);
    return sliceOnHeap(backend, x, begin, size);
  };
}

/** SplitV's pieces of `x` as slices: begin and size of each, from the kernel's attrs. */
export function splitPieces(x: tf.TensorInfo, attrs: tf.NamedAttrMap | undefined): Array<{ begin: number[]; size: number[] }> {
  const a = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number | number[] };
  const axis = tf.util.parseAxisParam(a.axis, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, a.numOrSizeSplits, axis);
  let at = 0;
  return sizes.map((s) => {
    const begin = new Array<number>(x.shape.length).fill(0);
    const size = [...x.shape];
    begin[axis] = at;
    size[axis] = s;
    at += s;
    return { begin, size };
  });
}

export function makeSplitVKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    if (!plain(x)) return fallback(args);
    return splitPieces(x, attrs).map(({ begin, size }) => sliceOnHeap(backend, x, begin, size));
  };
}

export function makeUnpackKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.value!;
    if (!plain(x)) return fallback(args);
    const axis = tf.util.parseAxisParam((attrs as { axis: number }).axis, x.shape)[0]!;
    const n = x.shape[axis]!;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    const size = [...x.shape];
    size[axis] = 1;
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < n; i++) {
      begin[axis] = i;
      const out = sliceOnHeap(backend, x, begin, size);
      outs.push({ ...out, shape: outShape });
    }
    return outs;
  };
}
