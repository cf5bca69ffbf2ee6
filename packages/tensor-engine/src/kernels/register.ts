// Kernels tfjs 4.22 lacks (or has in unusable form) for the backends Switchyard trains on.
// All registrations live behind this one module so a native implementation can replace them
// (docs/design.md §8).
import * as tf from '@tensorflow/tfjs';
import { makeGatherKernel } from './fast-gather.js';
import { makeBatchMatMulKernel, makeFusedMatMulKernel } from './fast-matmul.js';
import { COMPARE_KERNELS, makeCompareKernel, makeIdentityKernel } from './fast-misc.js';
import { registerFastGradients } from './fast-grads.js';
import { makeSumKernel } from './fast-sum.js';
import { describeNative, loadNativeKernels, type NativeInfo } from './native/addon.js';
import { nativeKernelMakers, registerFusedKernels } from './native/index.js';
import { makeSliceKernel, makeSplitVKernel, makeUnpackKernel } from './fast-slice.js';
import { makeTransposeKernel } from './fast-transpose.js';
import { makeUnsortedSegmentSumKernel } from './unsorted-segment-sum.js';

const done = new Set<string>();
let native: NativeInfo | null = null;

/** The native kernels in use on WASM (OpenBLAS version, addon threads), or null (also while switched off). */
export function nativeKernelInfo(): NativeInfo | null {
  return nativeOn ? native : null;
}

/** WASM kernels replaced for speed (docs/design.md §4), each built around the stock kernelFunc. */
const WASM_FIXES: Record<string, (stock: tf.KernelFunc) => tf.KernelFunc> = {
  BatchMatMul: makeBatchMatMulKernel,
  _FusedMatMul: makeFusedMatMulKernel,
  Transpose: makeTransposeKernel,
  Slice: makeSliceKernel,
  SplitV: makeSplitVKernel,
  Unpack: makeUnpackKernel,
  GatherV2: makeGatherKernel,
  Identity: makeIdentityKernel,
  Sum: makeSumKernel,
  ...Object.fromEntries(COMPARE_KERNELS.map((k) => [k, makeCompareKernel(k)])),
};

export const WASM_KERNEL_FIXES: readonly string[] = Object.keys(WASM_FIXES);

/** Swap a registered kernel for `make(stockKernelFunc)`, keeping its setupFunc/disposeFunc. */
function replaceKernel(kernelName: string, backendName: string, make: (stock: tf.KernelFunc) => tf.KernelFunc): void {
  const stock = tf.getKernel(kernelName, backendName);
  if (!stock) return;
  tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...stock, kernelFunc: make(stock.kernelFunc) });
}

/** The kernel configs of one backend by name (a snapshot of the registry). */
function kernelsOf(backendName: string): Map<string, tf.KernelConfig> {
  return new Map(tf.getKernelsForBackend(backendName).map((k) => [k.kernelName, k]));
}

/** Kernels as they were before the native ones went in, and the native ones: for useNativeKernels. */
let withoutNative: Map<string, tf.KernelConfig> | null = null;
let withNative: Map<string, tf.KernelConfig> | null = null;
let nativeOn = false;

function swapKernels(from: Map<string, tf.KernelConfig>, to: Map<string, tf.KernelConfig>): void {
  for (const [name, k] of from) {
    if (to.get(name) === k) continue;
    tf.unregisterKernel(name, k.backendName);
  }
  for (const [name, k] of to) {
    if (from.get(name) === k) continue;
    tf.registerKernel(k);
  }
}

/**
 * Switch the native kernels on WASM off (the JS/WASM kernels they replaced come back) and on
 * again, in this process: for tests and benchmarks that compare both paths on the same model.
 * Returns whether native kernels are active afterwards (false when the addon is not loaded).
 */
export function useNativeKernels(on: boolean): boolean {
  if (!withoutNative || !withNative) return false;
  if (on !== nativeOn) {
    swapKernels(on ? withoutNative : withNative, on ? withNative : withoutNative);
    nativeOn = on;
  }
  return nativeOn;
}

/**
 * Register Switchyard's kernels for `backendName` (once per process). On WASM this adds
 * UnsortedSegmentSum and, unless `SWITCHYARD_WASM_FIXES=0` (for stock-vs-fixed benchmarks),
 * replaces the slow stock kernels listed in WASM_KERNEL_FIXES; then, if packages/native-kernels
 * was built and SWITCHYARD_NATIVE≠0, BatchMatMul/_FusedMatMul run on OpenBLAS (the JS-fixed
 * kernels stay as their fallback for other dtypes/activations).
 */
export function registerMissingKernels(backendName: string): void {
  if (done.has(backendName)) return;
  done.add(backendName);
  if (backendName === 'wasm' || backendName === 'cpu') {
    // Replace CPU's quadratic kernel too; WASM has none.
    if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
    tf.registerKernel(makeUnsortedSegmentSumKernel(backendName));
  }
  if (backendName === 'wasm' && process.env.SWITCHYARD_WASM_FIXES !== '0') {
    for (const [name, make] of Object.entries(WASM_FIXES)) replaceKernel(name, backendName, make);
    registerFastGradients();
  }
  if (backendName === 'wasm') {
    const k = loadNativeKernels();
    if (k) {
      withoutNative = kernelsOf(backendName);
      for (const [name, make] of Object.entries(nativeKernelMakers(k))) replaceKernel(name, backendName, make);
      registerFusedKernels(k, backendName);
      withNative = kernelsOf(backendName);
      nativeOn = true;
      native = describeNative(k);
    }
  }
}
