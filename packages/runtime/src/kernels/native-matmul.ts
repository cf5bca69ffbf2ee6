// Optional native BatchMatMul/_FusedMatMul for the WASM backend (design.md §8, issue 10):
// OpenBLAS sgemm from packages/native-kernels, run directly on the WASM heap (no copies).
// WASM SIMD caps tfjs near 25 GFLOP/s per core; OpenBLAS reaches most of the CPU's peak.
// Loaded only when the addon was built; SWITCHYARD_NATIVE=0 keeps the WASM kernels.
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { asWasm, broadcastIndex, sizeOf, type KernelArgs } from './wasm-backend.js';

export interface NativeKernels {
  sgemm(heap: Float32Array, transA: boolean, transB: boolean, M: number, N: number, K: number,
    aOff: number, lda: number, bOff: number, ldb: number, cOff: number, ldc: number, beta: number): void;
  setThreads(n: number): void;
  getThreads(): number;
  config(): string;
}

export interface NativeInfo { library: string; threads: number; coreType: string }

/** OpenBLAS 0.3.21 does not know recent Xeons and falls back to SSE3 kernels (4× slower). */
function pickCoreType(): void {
  if (process.env.OPENBLAS_CORETYPE || process.platform !== 'linux') return;
  try {
    const flags = /^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    const has = (f: string) => new RegExp(`\\b${f}\\b`).test(flags);
    if (has('avx512f') && has('avx512bw') && has('avx512vl')) process.env.OPENBLAS_CORETYPE = 'SkylakeX';
    else if (has('avx2') && has('fma')) process.env.OPENBLAS_CORETYPE = 'Haswell';
  } catch { /* keep OpenBLAS's own detection */ }
}

/** The addon, or null when it is disabled (SWITCHYARD_NATIVE=0), not built, or fails to load. */
export function loadNativeKernels(env: NodeJS.ProcessEnv = process.env): NativeKernels | null {
  if (env.SWITCHYARD_NATIVE === '0') return null;
  const require = createRequire(import.meta.url);
  // As a workspace dependency, or beside this package in the monorepo (src/ or dist/).
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = ['@switchyard/native-kernels', path.resolve(here, '../../../native-kernels/index.cjs')];
  pickCoreType();
  for (const c of candidates) {
    try {
      const mod = require(c) as { loadNativeKernels?: () => NativeKernels | null };
      const k = mod.loadNativeKernels?.();
      if (k) {
        const threads = Number(env.SWITCHYARD_NATIVE_THREADS ?? '1');
        // One BLAS thread by default: its spinning workers would compete with JS for 2 cores.
        k.setThreads(Number.isInteger(threads) && threads > 0 ? threads : 1);
        return k;
      }
    } catch { /* try the next place */ }
  }
  return null;
}

export function describeNative(k: NativeKernels): NativeInfo {
  const cfg = k.config();
  return { library: cfg.split(' ').slice(0, 2).join(' '), threads: k.getThreads(), coreType: cfg.split(' ').find((w) => /^(SkylakeX|Haswell|Sandybridge|Prescott|Zen|Cooperlake|SapphireRapids|Nehalem)$/.test(w)) ?? 'unknown' };
}

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

/** C = op(A)·op(B) (+ C when beta = 1) for every output batch, on the WASM heap. */
function gemmOnHeap(k: NativeKernels, backend: tf.KernelBackend, a: tf.TensorInfo, b: tf.TensorInfo, out: tf.TensorInfo, ta: boolean, tb: boolean, g: Geometry, beta: number): void {
  const w = asWasm(backend) as ReturnType<typeof asWasm> & { wasm: { HEAPU8: Uint8Array } };
  const heap = new Float32Array(w.wasm.HEAPU8.buffer);
  const aBase = w.dataIdMap.get(a.dataId).memoryOffset / 4;
  const bBase = w.dataIdMap.get(b.dataId).memoryOffset / 4;
  const cBase = w.dataIdMap.get(out.dataId).memoryOffset / 4;
  const { M, N, K } = g;
  const lda = ta ? M : K, ldb = tb ? K : N;
  if (g.batchB === 1 && !ta) {
    // One B: all of A's matrices are one tall row-major matrix. [batchA·M, K]·[K, N]
    k.sgemm(heap, false, tb, g.batchA * M, N, K, aBase, lda, bBase, ldb, cBase, N, beta);
    return;
  }
  const total = sizeOf(g.outer);
  for (let i = 0; i < total; i++) {
    const ai = broadcastIndex(i, g.outer, g.aOuter), bi = broadcastIndex(i, g.outer, g.bOuter);
    k.sgemm(heap, ta, tb, M, N, K, aBase + ai * M * K, lda, bBase + bi * K * N, ldb, cBase + i * M * N, N, beta);
  }
}

export function makeNativeBatchMatMulKernel(k: NativeKernels): (fallback: tf.KernelFunc) => tf.KernelFunc {
  return (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const { transposeA: ta, transposeB: tb } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const g = geometry(a, b, ta, tb);
    const out = asWasm(backend).makeOutput([...g.outer, g.M, g.N], 'float32');
    if (sizeOf(out.shape) === 0) return out;
    if (g.K === 0) { asWasm(backend).typedArrayFromHeap(out).fill(0); return out; }
    gemmOnHeap(k, backend, a, b, out, ta, tb, g, 0);
    return out;
  };
}

/** _FusedMatMul with an optional rank-1 bias and linear/relu; other activations go to `fallback`. */
export function makeNativeFusedMatMulKernel(k: NativeKernels): (fallback: tf.KernelFunc) => tf.KernelFunc {
  return (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    const at = attrs as unknown as { transposeA: boolean; transposeB: boolean; activation: string };
    const act = at.activation ?? 'linear';
    if (a!.dtype !== 'float32' || b!.dtype !== 'float32' || preluActivationWeights || (act !== 'linear' && act !== 'relu')) return fallback(args);
    const g = geometry(a!, b!, at.transposeA, at.transposeB);
    if (bias && (bias.dtype !== 'float32' || (sizeOf(bias.shape) !== g.N && sizeOf(bias.shape) !== 1))) return fallback(args);
    const w = asWasm(backend);
    const out = w.makeOutput([...g.outer, g.M, g.N], 'float32');
    const rows = sizeOf(g.outer) * g.M;
    if (rows * g.N === 0) return out;
    const o = w.typedArrayFromHeap(out) as Float32Array;
    // Seed C with the bias rows so sgemm adds the product onto it (beta = 1).
    if (bias) {
      const bv = w.typedArrayFromHeap(bias) as Float32Array;
      if (bv.length === 1) o.fill(bv[0]!);
      else for (let r = 0; r < rows; r++) o.set(bv, r * g.N);
    } else if (g.K === 0) o.fill(0);
    if (g.K > 0) gemmOnHeap(k, backend, a!, b!, out, at.transposeA, at.transposeB, g, bias ? 1 : 0);
    if (act === 'relu') {
      const v = w.typedArrayFromHeap(out) as Float32Array;
      for (let i = 0; i < v.length; i++) if (v[i]! < 0) v[i] = 0;
    }
    return out;
  };
}
