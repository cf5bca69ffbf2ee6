// Every native kernel, by the tfjs kernel name it replaces on the WASM backend. Each maker gets
// the kernel registered before it (Switchyard's JS/WASM fix or the stock one) as its fallback
// for dtypes, shapes or attributes it does not handle. Fused kernels (new kernel names, used by
// model-core and train when present) are registered by fused.ts.
import { makeNativeBatchMatMulKernel, makeNativeFusedMatMulKernel } from './matmul.js';
import { elementwiseKernelMakers } from './elementwise.js';
import { reduceKernelMakers } from './reduce.js';
import { shapeKernelMakers } from './shape.js';
import type { KernelMaker, NativeAddon } from './addon.js';

export { registerFusedKernels } from './fused.js';

export function nativeKernelMakers(k: NativeAddon): Record<string, KernelMaker> {
  return {
    BatchMatMul: makeNativeBatchMatMulKernel(k),
    _FusedMatMul: makeNativeFusedMatMulKernel(k),
    ...elementwiseKernelMakers(k),
    ...reduceKernelMakers(k),
    ...shapeKernelMakers(k),
  };
}
