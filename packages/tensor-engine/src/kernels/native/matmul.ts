// Native BatchMatMul/_FusedMatMul for the WASM backend (docs/design.md §8): OpenBLAS sgemm
// on the WASM heap through the addon's batched `gemm` (one call per product list, split over the
// addon's OpenMP team). WASM SIMD caps tfjs near 25 GFLOP/s per core; OpenBLAS reaches most of
// the CPU's peak. Other dtypes and activations go to the kernel registered before (the fallback).
import * as tf from '@tensorflow/tfjs';
import { broadcastIndex, sizeOf, type KernelArgs, type WasmBackend } from '../wasm-backend.js';
import { heapOffset, syncHeap, type KernelMaker, type NativeAddon } from './addon.js';

interface Geometry {
  M: number; N: number; K: number; batchA: number; batchB: number;
  aOuter: number[]; bOuter: number[]; outer: number[];
}

function geometry(a: tf.TensorInfo, b: tf.TensorInfo, ta: boolean, tb: boolean): Geometry {
  const ra = a.shape.length, rb = b.shape.length;
  const M = ta ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const K = ta ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const Kb = tb ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const N = tb ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (K !== Kb) throw new Error(`Error in matMul: inner shapes (${K}) and (${Kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${ta} and transposeB=${tb} must match.`);
  const aOuter = a.shape.slice(0, -2), bOuter = b.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  return { M, N, K, batchA: sizeOf(aOuter), batchB: sizeOf(bOuter), aOuter, bOuter, outer };
}

/** C = op(A)·op(B) + beta·C for every output batch, on the WASM heap. */
function gemmOnHeap(k: NativeAddon, w: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo, out: tf.TensorInfo, ta: boolean, tb: boolean, g: Geometry, beta: number): void {
  const aOff = heapOffset(w, a), bOff = heapOffset(w, b), cOff = heapOffset(w, out);
  const { M, N, K } = g;
  const total = sizeOf(g.outer), aMat = M * K * 4, bMat = K * N * 4;
  if (g.batchB === 1 && !ta) {
    // One B: all of A's matrices are one tall row-major matrix. [batchA·M, K]·[K, N]
    k.gemm(false, tb, g.batchA * M, N, K, 1, aOff, 0, bOff, 0, cOff, beta);
  } else if ((g.batchA === total || g.batchA === 1) && (g.batchB === total || g.batchB === 1)) {
    k.gemm(ta, tb, M, N, K, total, aOff, g.batchA === 1 ? 0 : aMat, bOff, g.batchB === 1 ? 0 : bMat, cOff, beta);
  } else {
    // Both sides broadcast over different dims ([2,1] against [1,3]): one product at a time.
    for (let i = 0; i < total; i++) {
      const ai = broadcastIndex(i, g.outer, g.aOuter), bi = broadcastIndex(i, g.outer, g.bOuter);
      k.gemm(ta, tb, M, N, K, 1, aOff + ai * aMat, 0, bOff + bi * bMat, 0, cOff + i * M * N * 4, beta);
    }
  }
}

export function makeNativeBatchMatMulKernel(k: NativeAddon): KernelMaker {
  return (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const { transposeA: ta, transposeB: tb } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const g = geometry(a, b, ta, tb);
    const out = (backend as unknown as WasmBackend).makeOutput([...g.outer, g.M, g.N], 'float32');
    if (sizeOf(out.shape) === 0) return out;
    const w = syncHeap(k, backend);
    gemmOnHeap(k, w, a, b, out, ta, tb, g, 0);
    return out;
  };
}

/** _FusedMatMul with an optional rank-1 bias and linear/relu; other activations go to `fallback`. */
export function makeNativeFusedMatMulKernel(k: NativeAddon): KernelMaker {
  return (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    const at = attrs as unknown as { transposeA: boolean; transposeB: boolean; activation: string };
    const act = at.activation ?? 'linear';
    if (a!.dtype !== 'float32' || b!.dtype !== 'float32' || preluActivationWeights || (act !== 'linear' && act !== 'relu')) return fallback(args);
    const g = geometry(a!, b!, at.transposeA, at.transposeB);
    if (bias && (bias.dtype !== 'float32' || (sizeOf(bias.shape) !== g.N && sizeOf(bias.shape) !== 1))) return fallback(args);
    const out = (backend as unknown as WasmBackend).makeOutput([...g.outer, g.M, g.N], 'float32');
    const rows = sizeOf(g.outer) * g.M;
    if (rows * g.N === 0) return out;
    const w = syncHeap(k, backend);
    const o = w.typedArrayFromHeap(out) as Float32Array;
    // Seed C with the bias rows so sgemm adds the product onto it (beta = 1).
    if (bias) {
      const bv = w.typedArrayFromHeap(bias) as Float32Array;
      if (bv.length === 1) o.fill(bv[0]!);
      else for (let r = 0; r < rows; r++) o.set(bv, r * g.N);
    }
    gemmOnHeap(k, w, a!, b!, out, at.transposeA, at.transposeB, g, bias ? 1 : 0);
    if (act === 'relu') for (let i = 0; i < o.length; i++) if (o[i]! < 0) o[i] = 0;
    return out;
  };
}
