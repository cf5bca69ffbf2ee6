// (being written) native elementwise kernels for the WASM backend.
import type { KernelMaker, NativeAddon } from './addon.js';

export function elementwiseKernelMakers(k: NativeAddon): Record<string, KernelMaker> {
  void k;
  return {};
}
