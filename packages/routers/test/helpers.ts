// Test helpers: backend setup and array comparison.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@switchyard/tensor-engine';

export async function setupBackend(): Promise<void> {
  await initBackend('wasm', { quiet: true });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return Infinity;
    m = Math.max(m, d);
  }
  return m;
}

export function values(t: tf.Tensor): number[] { return Array.from(t.dataSync()); }
