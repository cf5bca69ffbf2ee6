/** The N-API addon: OpenBLAS sgemm on a Float32Array addressed by element offsets (row-major). */
export interface NativeKernels {
  /** C[M×N] = op(A)·op(B) + beta·C inside `heap`. */
  sgemm(heap: Float32Array, transA: boolean, transB: boolean, M: number, N: number, K: number,
    aOff: number, lda: number, bOff: number, ldb: number, cOff: number, ldc: number, beta: number): void;
  setThreads(n: number): void;
  getThreads(): number;
  /** OpenBLAS build configuration string. */
  config(): string;
}
export function loadNativeKernels(): NativeKernels | null;
