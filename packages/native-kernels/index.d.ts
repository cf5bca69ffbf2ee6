/**
 * The N-API addon's common functions. Each kernel family declares its own functions where it is
 * used (packages/tensor-engine/src/kernels/native/*.ts): the addon is one object of numeric-argument
 * functions that address tensors by byte offset into the heap given to setHeap.
 */
export interface NativeKernels {
  /** A Uint8Array over the whole WASM memory (call again after the memory grows). */
  setHeap(heap: Uint8Array): void;
  /** The addon's OpenMP team size; OpenBLAS stays at 1 thread. */
  setThreads(n: number): void;
  getThreads(): number;
  blasThreads(): number;
  /** OpenBLAS build configuration string. */
  config(): string;
  [kernel: string]: (...args: never[]) => unknown;
}
export function loadNativeKernels(): NativeKernels | null;
