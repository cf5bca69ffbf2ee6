// The optional native addon (packages/native-kernels): loading, OpenBLAS core-type
// selection, and the heap handshake every native kernel relies on.
//
// tfjs-backend-wasm 4.22 keeps every tensor in the WASM linear memory; the addon gets one
// Uint8Array over that memory (setHeap) and kernels address tensors by byte offset, so operands
// are never copied. The memory's ArrayBuffer is replaced when it grows (allocation of an output
// may grow it), so `syncHeap` must run after a kernel's last allocation and before the addon call.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { asWasm, type WasmBackend } from '../wasm-backend.js';

/** Functions every build of the addon has; the kernel files declare their own on top. */
export interface NativeAddon {
  setHeap(heap: Uint8Array): void;
  /** The addon's OpenMP team size (OpenBLAS itself stays at 1 thread). */
  setThreads(n: number): void;
  getThreads(): number;
  blasThreads(): number;
  /** OpenBLAS build configuration string. */
  config(): string;
  /** C_i = op(A_i)·op(B_i) + beta·C_i for i < batch; byte offsets and strides (0 = shared). */
  gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, batch: number,
    aOff: number, aStride: number, bOff: number, bStride: number, cOff: number, beta: number): void;
}

export interface NativeInfo { library: string; threads: number; coreType: string }

/** OpenBLAS 0.3.21 does not know recent CPUs and falls back to SSE3 kernels (4× slower). */
function pickCoreType(): void {
  if (process.env.OPENBLAS_CORETYPE || process.platform !== 'linux') return;
  try {
    const flags = /^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
    const has = (f: string) => new RegExp(`\\b${f}\\b`).test(flags);
    if (has('avx512f') && has('avx512bw') && has('avx512vl')) process.env.OPENBLAS_CORETYPE = 'SkylakeX';
    else if (has('avx2') && has('fma')) process.env.OPENBLAS_CORETYPE = 'Haswell';
  } catch { /* keep OpenBLAS's own detection */ }
}

/** Team size from SWITCHYARD_NATIVE_THREADS (default 1). */
export function requestedNativeThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SWITCHYARD_NATIVE_THREADS;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`SWITCHYARD_NATIVE_THREADS must be an integer in [1, 256], got "${raw}"`);
  return n;
}

let loaded: NativeAddon | null | undefined;

/**
 * The addon, or null when it is disabled (SWITCHYARD_NATIVE=0), not built, fails to load, or is
 * an older build without the kernels this runtime needs. Loaded once per process.
 */
export function loadNativeKernels(env: NodeJS.ProcessEnv = process.env): NativeAddon | null {
  if (env.SWITCHYARD_NATIVE === '0') return null;
  if (loaded !== undefined) return loaded;
  const threads = requestedNativeThreads(env); // a bad value is an error, not a silent fallback
  loaded = null;
  const require = createRequire(import.meta.url);
  // As a workspace dependency, or beside this package in the monorepo (src/ or dist/).
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = ['@switchyard/native-kernels', path.resolve(here, '../../../../native-kernels/index.cjs')];
  pickCoreType();
  for (const c of candidates) {
    try {
      const mod = require(c) as { loadNativeKernels?: () => NativeAddon | null };
      const k = mod.loadNativeKernels?.();
      if (k && typeof k.gemm === 'function' && typeof k.setHeap === 'function') {
        k.setThreads(threads);
        loaded = k;
        break;
      }
    } catch { /* try the next place */ }
  }
  return loaded;
}

export function describeNative(k: NativeAddon): NativeInfo {
  const cfg = k.config();
  return { library: cfg.split(' ').slice(0, 2).join(' '), threads: k.getThreads(), coreType: cfg.split(' ').find((w) => /^(SkylakeX|Haswell|Sandybridge|Prescott|Zen|Cooperlake|SapphireRapids|Nehalem)$/.test(w)) ?? 'unknown' };
}

type WasmWithHeap = WasmBackend & { wasm: { HEAPU8: Uint8Array } };
let heapBuffer: ArrayBufferLike | null = null;

/**
 * Hand the current WASM memory to the addon if it changed since the last call, and return the
 * backend. Call after the kernel's last makeOutput and before the addon runs.
 */
export function syncHeap(k: NativeAddon, backend: tf.KernelBackend): WasmBackend {
  const w = asWasm(backend) as WasmWithHeap;
  const buf = w.wasm.HEAPU8.buffer;
  if (buf !== heapBuffer) {
    k.setHeap(new Uint8Array(buf));
    heapBuffer = buf;
  }
  return w;
}

/** Make the next syncHeap hand the WASM memory over again (after a test pointed the addon elsewhere). */
export function forgetHeap(): void {
  heapBuffer = null;
}

/** Byte offset of a tensor's data in the WASM heap. */
export function heapOffset(w: WasmBackend, t: tf.TensorInfo): number {
  return w.dataIdMap.get(t.dataId).memoryOffset;
}

/** A kernel replacement: given the kernel registered before it (the fallback), the new one. */
export type KernelMaker = (fallback: tf.KernelFunc) => tf.KernelFunc;
