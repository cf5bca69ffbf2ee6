// (being written) fused native kernels (RMSNorm, sparse softmax cross-entropy, AdamW).
import type { NativeAddon } from './addon.js';

export function registerFusedKernels(k: NativeAddon, backendName: string): void {
  void k; void backendName;
}
