// (being written) native shape kernels for the WASM backend.
import type { KernelMaker, NativeAddon } from './addon.js';

export function shapeKernelMakers(k: NativeAddon): Record<string, KernelMaker> {
  void k;
  return {};
}
