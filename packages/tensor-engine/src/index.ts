// @switchyard/tensor-engine: tensors on tfjs — backend selection (which also fills the stage
// contract's tensor-backend slot, so the runner can start a backend for stages that use tensors),
// the WASM kernel fixes and the optional native kernels, fused ops, and the tensor-drawing Rng.
// The stage contract (runner, manifest, Arrow IO, configs, seeds) is @switchyard/runtime.
export { initBackend, backendInfo, parseBackendName, BackendError } from './backend.js';
export { Rng } from './rng.js';
export { registerMissingKernels, nativeKernelInfo } from './kernels/register.js';
export { enableWasmThreads, requestedWasmThreads } from './kernels/wasm-threads.js';
export { startKernelTimer } from './kernels/kernel-timer.js';
export { unsortedSegmentSumValues } from './kernels/unsorted-segment-sum.js';
export { rmsNorm, sparseSoftmaxCrossEntropy, adamwStep, globalL2Norm, finiteFlags } from './fused-ops.js';
export type { AdamWStepOptions } from './fused-ops.js';
// Test switches (fused ops and native kernels on/off): @switchyard/tensor-engine/testing.
