// Native shape and indexing kernels for the WASM backend, on the addon's shape.c.
// Transpose, Slice, SplitV, Unpack, Concat, Pack, PadV2 and Tile are each described as one or
// more boxes for `copyStrided` (extents with source and destination strides; shape.c merges and
// tiles them); GatherV2, UnsortedSegmentSum and OneHot have their own loops. 4-byte
// (float32/int32) and 1-byte (bool) tensors run natively, anything else goes to the fallback.
// Permutations and slices that move no byte (identity order, whole tensor) return the input's
// buffer with the new shape, as Identity does (fast-misc.ts): tfjs tensors are immutable.
import * as tf from '@tensorflow/tfjs';
import { checkIndices } from '../fast-gather.js';
import { splitPieces } from '../fast-slice.js';
import { asWasm, sizeOf, stridesOf, type KernelArgs, type WasmBackend } from '../wasm-backend.js';
import { heapOffset, syncHeap, type KernelMaker, type NativeAddon } from './addon.js';

interface ShapeAddon extends NativeAddon {
  /** dst[Σ i·dstStride] = src[Σ i·srcStride] over the box; `dims` = (n, srcStride, dstStride)
   * triples in elements, at most 9; offsets in bytes; esz 1 or 4. */
  copyStrided(esz: number, rank: number, srcOff: number, dstOff: number, ...dims: number[]): void;
  /** count elements of kind 0 float32 / 1 int32 / 2 bool set to value. */
  fillValue(kind: number, off: number, count: number, value: number): void;
  /** x [outer, dim, inner], int32 indices [count] → out [outer, count, inner]; throws GatherV2's
   * error for an index outside [0, dim). */
  gather(esz: number, outer: number, dim: number, inner: number, xOff: number, idxOff: number, count: number, outOff: number): void;
  /** out [numSegments, inner] = Σ rows of x [n, inner] by int32 ids [n]; ids outside [0, numSegments) dropped. */
  unsortedSegmentSum(isInt: boolean, n: number, inner: number, xOff: number, idsOff: number, numSegments: number, outOff: number): void;
  /** int32 indices [n] → out [n, depth] of kind 0/1/2: offValue, onValue where 0 ≤ index < depth. */
  oneHot(kind: number, n: number, depth: number, idxOff: number, outOff: number, onValue: number, offValue: number): void;
}

/** copyStrided's box rank limit (its argument count stays within the addon's 32). */
const MAX_DIMS = 9;
const ELEM: Partial<Record<tf.DataType, number>> = { float32: 4, int32: 4, bool: 1 };
const KIND: Partial<Record<tf.DataType, number>> = { float32: 0, int32: 1, bool: 2 };

/** The input's buffer under another shape of the same size (refcounted, no copy). */
function share(w: WasmBackend, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  w.incRef(x.dataId);
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

/** Byte offset of a tensor, 0 for an empty one (it has no memory; nothing is read from it). */
function offsetOf(w: WasmBackend, t: tf.TensorInfo): number {
  return sizeOf(t.shape) === 0 ? 0 : heapOffset(w, t);
}

/** Row-major box (n, srcStride, dstStride) triples copying x[begin : begin + size] to a fresh [size] tensor. */
function sliceDims(shape: readonly number[], size: readonly number[]): number[] {
  const inStr = stridesOf(shape), outStr = stridesOf(size);
  const dims: number[] = [];
  for (let i = 0; i < shape.length; i++) dims.push(size[i]!, inStr[i]!, outStr[i]!);
  return dims;
}

/** Byte offset of x[begin] inside x. */
function beginOffset(shape: readonly number[], begin: readonly number[], esz: number): number {
  const s = stridesOf(shape);
  let off = 0;
  for (let i = 0; i < shape.length; i++) off += begin[i]! * s[i]!;
  return off * esz;
}

export function shapeKernelMakers(addon: NativeAddon): Record<string, KernelMaker> {
  const k = addon as ShapeAddon;
  // An addon built before shape.c had these kernels: keep the JS/stock ones.
  if (typeof k.copyStrided !== 'function' || typeof k.gather !== 'function') return {};

  /** x[begin : begin + size] as a new tensor of `outShape` (same size as `size`); whole x is shared. */
  const slice = (backend: tf.KernelBackend, x: tf.TensorInfo, esz: number, begin: readonly number[], size: readonly number[], outShape: number[]): tf.TensorInfo => {
    const w = asWasm(backend);
    if (size.every((d, i) => d === x.shape[i])) return share(w, x, outShape);
    const out = w.makeOutput(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    syncHeap(k, backend);
    const dims = sliceDims(x.shape, size);
    k.copyStrided(esz, dims.length / 3, heapOffset(w, x) + beginOffset(x.shape, begin, esz), heapOffset(w, out), ...dims);
    return out;
  };

  /** Concat of same-dtype tensors along `axis`; each input is one [outer, row] box into [outer, Σ row]. */
  const concat = (backend: tf.KernelBackend, ts: tf.TensorInfo[], esz: number, axis: number, outShape: number[]): tf.TensorInfo => {
    const w = asWasm(backend);
    const out = w.makeOutput(outShape, ts[0]!.dtype);
    if (sizeOf(outShape) === 0) return out;
    syncHeap(k, backend);
    const outer = sizeOf(outShape.slice(0, axis)), outRow = sizeOf(outShape.slice(axis));
    const oOff = heapOffset(w, out);
    let col = 0;
    for (const t of ts) {
      const row = sizeOf(t.shape) / outer;
      if (row > 0) k.copyStrided(esz, 2, heapOffset(w, t), oOff + col * esz, outer, row, outRow, row, 1, 1);
      col += row;
    }
    return out;
  };

  const Transpose: KernelMaker = (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    const perm = (attrs as { perm: number[] }).perm;
    const esz = ELEM[x.dtype];
    if (!esz || perm.length > MAX_DIMS) return fallback(args);
    const outShape = perm.map((p) => x.shape[p]!);
    const w = asWasm(backend);
    // Only size-1 dims move: same bytes in the same order.
    let last = -1, moves = false;
    for (const p of perm) if (x.shape[p] !== 1) { if (p < last) moves = true; last = p; }
    if (!moves) return share(w, x, outShape);
    const out = w.makeOutput(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    syncHeap(k, backend);
    const inStr = stridesOf(x.shape), outStr = stridesOf(outShape);
    const dims: number[] = [];
    for (let j = 0; j < perm.length; j++) dims.push(outShape[j]!, inStr[perm[j]!]!, outStr[j]!);
    k.copyStrided(esz, perm.length, heapOffset(w, x), heapOffset(w, out), ...dims);
    return out;
  };

  const Slice: KernelMaker = (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    const esz = ELEM[x.dtype];
    if (!esz || x.shape.length > MAX_DIMS) return fallback(args);
    const a = attrs as { begin: number | number[]; size: number | number[] };
    const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, a.begin, a.size);
    return slice(backend, x, esz, begin, size, [...size]);
  };

  const SplitV: KernelMaker = (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    const esz = ELEM[x.dtype];
    if (!esz || x.shape.length > MAX_DIMS) return fallback(args);
    return splitPieces(x, attrs).map(({ begin, size }) => slice(backend, x, esz, begin, size, [...size]));
  };

  const Unpack: KernelMaker = (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.value!;
    const esz = ELEM[x.dtype];
    if (!esz || x.shape.length > MAX_DIMS) return fallback(args);
    const axis = tf.util.parseAxisParam((attrs as { axis: number }).axis, x.shape)[0]!;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    const size = [...x.shape];
    size[axis] = 1;
    const outs: tf.TensorInfo[] = [];
    for (let i = 0; i < x.shape[axis]!; i++) {
      begin[axis] = i;
      outs.push(slice(backend, x, esz, begin, size, [...outShape]));
    }
    return outs;
  };

  const Concat: KernelMaker = (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const ts = Object.values(inputs) as tf.TensorInfo[];
    const esz = ELEM[ts[0]!.dtype];
    if (!esz || ts.some((t) => t.dtype !== ts[0]!.dtype)) return fallback(args);
    const axis = tf.util.parseAxisParam((attrs as { axis: number }).axis, ts[0]!.shape)[0]!;
    const shapes = ts.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const outShape = tf.backend_util.computeOutShape(shapes, axis);
    const full = ts.filter((t) => sizeOf(t.shape) > 0);
    // One non-empty input: the others are empty along `axis`, so the output is that input.
    if (full.length === 1) return share(asWasm(backend), full[0]!, outShape);
    return concat(backend, ts, esz, axis, outShape);
  };

  const Pack: KernelMaker = (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const ts = Object.values(inputs) as tf.TensorInfo[];
    const shape = ts[0]!.shape;
    const esz = ELEM[ts[0]!.dtype];
    if (!esz || ts.some((t) => t.dtype !== ts[0]!.dtype || !tf.util.arraysEqual(t.shape, shape))) return fallback(args);
    const a = (attrs as { axis: number }).axis;
    const axis = a < 0 ? a + shape.length + 1 : a; // as ExpandDims reads a negative dim
    const outShape = [...shape.slice(0, axis), ts.length, ...shape.slice(axis)];
    if (ts.length === 1) return share(asWasm(backend), ts[0]!, outShape);
    return concat(backend, ts, esz, axis, outShape);
  };

  const PadV2: KernelMaker = (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    const esz = ELEM[x.dtype];
    if (!esz || x.shape.length > MAX_DIMS) return fallback(args);
    const { paddings, constantValue } = attrs as unknown as { paddings: Array<[number, number]>; constantValue: number };
    const outShape = paddings.map((p, i) => p[0] + x.shape[i]! + p[1]);
    const w = asWasm(backend);
    if (paddings.every((p) => p[0] === 0 && p[1] === 0)) return share(w, x, outShape);
    const out = w.makeOutput(outShape, x.dtype);
    const total = sizeOf(outShape);
    if (total === 0) return out;
    syncHeap(k, backend);
    const oOff = heapOffset(w, out);
    k.fillValue(KIND[x.dtype]!, oOff, total, constantValue);
    if (sizeOf(x.shape) > 0) {
      const inStr = stridesOf(x.shape), outStr = stridesOf(outShape);
      const dims: number[] = [];
      let at = 0;
      for (let i = 0; i < x.shape.length; i++) {
        dims.push(x.shape[i]!, inStr[i]!, outStr[i]!);
        at += paddings[i]![0] * outStr[i]!;
      }
      k.copyStrided(esz, x.shape.length, heapOffset(w, x), oOff + at * esz, ...dims);
    }
    return out;
  };

  const Tile: KernelMaker = (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    const esz = ELEM[x.dtype];
    const reps = (attrs as { reps: number[] }).reps;
    if (!esz) return fallback(args);
    const outShape = x.shape.map((d, i) => d * reps[i]!);
    // Output dim i of size reps·d splits into (repeat, element): destination strides (d·outStride,
    // outStride), source strides (0, inStride). Size-1 parts are left out.
    const inStr = stridesOf(x.shape), outStr = stridesOf(outShape);
    const dims: number[] = [];
    for (let i = 0; i < x.shape.length; i++) {
      if (reps[i] !== 1) dims.push(reps[i]!, 0, x.shape[i]! * outStr[i]!);
      if (x.shape[i] !== 1) dims.push(x.shape[i]!, inStr[i]!, outStr[i]!);
    }
    if (dims.length / 3 > MAX_DIMS) return fallback(args);
    const w = asWasm(backend);
    if (reps.every((r) => r === 1)) return share(w, x, outShape);
    const out = w.makeOutput(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    syncHeap(k, backend);
    k.copyStrided(esz, dims.length / 3, heapOffset(w, x), heapOffset(w, out), ...dims);
    return out;
  };

  const GatherV2: KernelMaker = (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { x, indices } = inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const a = attrs as { axis: number; batchDims: number };
    const esz = ELEM[x.dtype];
    if (!esz || (a.batchDims ?? 0) !== 0 || indices.dtype !== 'int32') return fallback(args);
    const axis = tf.util.parseAxisParam(a.axis, x.shape)[0]!;
    const outer = sizeOf(x.shape.slice(0, axis)), dim = x.shape[axis]!, inner = sizeOf(x.shape.slice(axis + 1));
    const count = sizeOf(indices.shape);
    const outShape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    const w = asWasm(backend);
    if (sizeOf(outShape) === 0) {
      // Nothing to copy, but the indices must still be valid (x may be [0, dim]).
      if (count > 0) checkIndices(w.typedArrayFromHeap(indices), dim);
      return w.makeOutput(outShape, x.dtype);
    }
    const out = w.makeOutput(outShape, x.dtype);
    syncHeap(k, backend);
    try {
      k.gather(esz, outer, dim, inner, heapOffset(w, x), heapOffset(w, indices), count, heapOffset(w, out));
    } catch (e) {
      w.disposeData(out.dataId, true);
      throw e;
    }
    return out;
  };

  const UnsortedSegmentSum: KernelMaker = (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as unknown as { numSegments: number };
    const n = sizeOf(segmentIds.shape), innerShape = x.shape.slice(segmentIds.shape.length), inner = sizeOf(innerShape);
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || segmentIds.dtype !== 'int32' || sizeOf(x.shape) !== n * inner) return fallback(args);
    const w = asWasm(backend);
    const out = w.makeOutput([numSegments, ...innerShape], x.dtype);
    if (numSegments * inner === 0) return out;
    syncHeap(k, backend);
    k.unsortedSegmentSum(x.dtype === 'int32', n, inner, offsetOf(w, x), offsetOf(w, segmentIds), numSegments, heapOffset(w, out));
    return out;
  };

  const OneHot: KernelMaker = (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const indices = inputs.indices!;
    const { dtype, depth, onValue, offValue } = attrs as unknown as { dtype: tf.DataType; depth: number; onValue: number; offValue: number };
    const kind = KIND[dtype];
    if (kind === undefined || indices.dtype !== 'int32') return fallback(args);
    const w = asWasm(backend);
    const out = w.makeOutput([...indices.shape, depth], dtype);
    const n = sizeOf(indices.shape);
    if (n * depth === 0) return out;
    syncHeap(k, backend);
    k.oneHot(kind, n, depth, heapOffset(w, indices), heapOffset(w, out), onValue, offValue);
    return out;
  };

  return { Transpose, Slice, SplitV, Unpack, Concat, Pack, PadV2, Tile, GatherV2, UnsortedSegmentSum, OneHot };
}
