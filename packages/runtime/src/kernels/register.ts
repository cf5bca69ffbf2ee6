// Kernels tfjs 4.22 lacks (or has in unusable form) for the backends Switchyard trains on.
// All registrations live behind this one module so a native implementation can replace them
// (design.md §8).
import * as tf from '@tensorflow/tfjs';
import { makeUnsortedSegmentSumKernel } from './unsorted-segment-sum.js';

const done = new Set<string>();

export function registerMissingKernels(backendName: string): void {
  if (done.has(backendName)) return;
  done.add(backendName);
  if (backendName === 'wasm' || backendName === 'cpu') {
    // Replace CPU's quadratic kernel too; WASM has none.
    if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
    tf.registerKernel(makeUnsortedSegmentSumKernel(backendName));
  }
}
