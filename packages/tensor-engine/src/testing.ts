// @switchyard/tensor-engine/testing: switches for tests, kept out of the public entry. They turn
// the fused ops and the native kernels off and on, so a test can compare the fast path with the
// composed tfjs one, and list the stock WASM kernels the engine replaces.
export { setFusedOps, fusedOpActive } from './fused-ops.js';
export type { FusedOp } from './fused-ops.js';
export { useNativeKernels, WASM_KERNEL_FIXES } from './kernels/register.js';
