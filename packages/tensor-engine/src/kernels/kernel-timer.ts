// Per-kernel wall time by wrapping the registered kernelFuncs (docs/design.md §4). tf.profile is no
// use on WASM: with no backend timer it reads every output back. WASM kernels run
// synchronously, so the time around a kernelFunc is the kernel's time.
import * as tf from '@tensorflow/tfjs';

export interface KernelTiming { kernel: string; calls: number; ms: number }

export interface KernelTimer {
  /** Totals since start (or the last reset), slowest first. */
  report(): KernelTiming[];
  reset(): void;
  /** Put the unwrapped kernels back. */
  stop(): void;
}

export function startKernelTimer(backendName: string): KernelTimer {
  const totals = new Map<string, { calls: number; ms: number }>();
  const originals = tf.getKernelsForBackend(backendName);
  for (const k of originals) {
    const inner = k.kernelFunc;
    const acc = { calls: 0, ms: 0 };
    totals.set(k.kernelName, acc);
    tf.unregisterKernel(k.kernelName, backendName);
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        const t0 = performance.now();
        try { return inner(args); } finally { acc.calls++; acc.ms += performance.now() - t0; }
      },
    });
  }
  return {
    report: () => [...totals].filter(([, v]) => v.calls > 0)
      .map(([kernel, v]) => ({ kernel, calls: v.calls, ms: v.ms }))
      .sort((a, b) => b.ms - a.ms),
    reset: () => { for (const v of totals.values()) { v.calls = 0; v.ms = 0; } },
    stop: () => {
      for (const k of originals) { tf.unregisterKernel(k.kernelName, backendName); tf.registerKernel(k); }
    },
  };
}
