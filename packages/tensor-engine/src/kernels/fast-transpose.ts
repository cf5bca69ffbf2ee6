// Transpose on the WASM heap in JS (docs/design.md §4): the stock C++ kernel is generic and slow
// (≈12 ms for a 1024² float matrix). Dims of size 1 are dropped and runs of dims that stay
// adjacent are merged, so most permutations become a (batched) 2-D transpose done in cache
// tiles, or a copy of contiguous runs when the last dim stays last.
import * as tf from '@tensorflow/tfjs';
import { asWasm, sizeOf, stridesOf, type HeapArray, type KernelArgs } from './wasm-backend.js';

const TILE = 32;

/** Drop size-1 dims and merge input dims that remain neighbours in `perm`. */
export function simplifyPermutation(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const keep = shape.map((d) => d !== 1);
  const oldToNew = new Array<number>(shape.length).fill(-1);
  let k = 0;
  for (let i = 0; i < shape.length; i++) if (keep[i]) oldToNew[i] = k++;
  const s1 = shape.filter((_, i) => keep[i]);
  const p1 = perm.filter((p) => keep[p]).map((p) => oldToNew[p]!);
  // Merge: output positions j, j+1 with p1[j+1] === p1[j] + 1 form one input dim.
  const groups: number[][] = [];
  for (const p of p1) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1]! + 1 === p) last.push(p);
    else groups.push([p]);
  }
  // Groups ordered by their first input dim give the merged input shape.
  const byInput = groups.map((g, j) => ({ g, j })).sort((a, b) => a.g[0]! - b.g[0]!);
  const mergedShape = byInput.map(({ g }) => g.reduce((a, p) => a * s1[p]!, 1));
  const inputPos = new Array<number>(groups.length);
  byInput.forEach(({ j }, i) => { inputPos[j] = i; });
  return { shape: mergedShape, perm: inputPos };
}

/** 4-byte data is moved as Int32 (exact bits, one element type for the JIT); bools as bytes. */
function bits(a: HeapArray): Int32Array | Uint8Array {
  return a.BYTES_PER_ELEMENT === 4 ? new Int32Array(a.buffer, a.byteOffset, a.length) : (a as Uint8Array);
}

/** dst[dO + i·dq + j] = src[so + i + j·sL] for i < Q, j < L, in TILE×TILE blocks. */
function tile2d(src: Int32Array | Uint8Array, so: number, dst: Int32Array | Uint8Array, dO: number, Q: number, L: number, dq: number, sL: number): void {
  for (let i0 = 0; i0 < Q; i0 += TILE) {
    const i1 = Math.min(Q, i0 + TILE);
    for (let j0 = 0; j0 < L; j0 += TILE) {
      const j1 = Math.min(L, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        const d = dO + i * dq;
        let sIdx = so + i + j0 * sL;
        for (let j = j0; j < j1; j++, sIdx += sL) dst[d + j] = src[sIdx]!;
      }
    }
  }
}

/** dst[out index] = src[permuted index]; `shape` is the input shape. */
export function transposeValues(srcIn: HeapArray, shape: readonly number[], perm: readonly number[], dstIn: HeapArray): void {
  const { shape: s, perm: p } = simplifyPermutation(shape, perm);
  const r = s.length;
  if (r <= 1 || p.every((v, i) => v === i)) { dstIn.set(srcIn.subarray(0, dstIn.length)); return; }
  const src = bits(srcIn), dst = bits(dstIn);
  const inStrides = stridesOf(s);
  const outShape = p.map((v) => s[v]!);
  const outStrides = stridesOf(outShape);
  // srcStride[j] = input stride of output dim j.
  const srcStride = p.map((v) => inStrides[v]!);
  const last = r - 1;
  if (p[last] === last) {
    // Last dim stays last (and is not merged with its neighbour): copy runs of length s[last].
    const run = s[last]!;
    forEachOuter(outShape, srcStride, outStrides, [last], (so, dO) => {
      if (run >= 16) dst.set(src.subarray(so, so + run), dO);
      else for (let t = 0; t < run; t++) dst[dO + t] = src[so + t]!;
    });
    return;
  }
  // q: the output dim that is contiguous in the input. Tile the (q, last) plane.
  const q = p.indexOf(last);
  const Q = outShape[q]!, L = outShape[last]!;
  const dq = outStrides[q]!, sL = srcStride[last]!;
  if (r === 2) { tile2d(src, 0, dst, 0, Q, L, dq, sL); return; }
  forEachOuter(outShape, srcStride, outStrides, [q, last], (so, dO) => tile2d(src, so, dst, dO, Q, L, dq, sL));
}

/** Visit every combination of the output dims not in `skip`, with matching src/dst offsets. */
function forEachOuter(
  outShape: readonly number[], srcStride: readonly number[], dstStride: readonly number[],
  skip: readonly number[], visit: (srcOffset: number, dstOffset: number) => void,
): void {
  const dims = outShape.map((_, j) => j).filter((j) => !skip.includes(j));
  const n = dims.length;
  const total = dims.reduce((a, j) => a * outShape[j]!, 1);
  const idx = new Array<number>(n).fill(0);
  let so = 0, dO = 0;
  for (let c = 0; c < total; c++) {
    visit(so, dO);
    for (let t = n - 1; t >= 0; t--) {
      const j = dims[t]!;
      idx[t]!++;
      so += srcStride[j]!; dO += dstStride[j]!;
      if (idx[t]! < outShape[j]!) break;
      so -= srcStride[j]! * outShape[j]!; dO -= dstStride[j]! * outShape[j]!;
      idx[t] = 0;
    }
  }
}

/** Transpose a WASM tensor into a new heap tensor (caller owns the result). */
export function transposeOnHeap(backend: tf.KernelBackend, x: tf.TensorInfo, perm: readonly number[]): tf.TensorInfo {
  const b = asWasm(backend);
  const outShape = perm.map((p) => x.shape[p]!);
  const out = b.makeOutput(outShape, x.dtype);
  if (sizeOf(outShape) > 0) transposeValues(b.typedArrayFromHeap(x), x.shape, perm, b.typedArrayFromHeap(out));
  return out;
}

export function makeTransposeKernel(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    if (x.dtype === 'string' || x.dtype === 'complex64') return fallback(args);
    return transposeOnHeap(backend, x, (attrs as { perm: number[] }).perm);
  };
}
