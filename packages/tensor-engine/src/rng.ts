// The seeded generator of the tensor engine: the stage contract's SeededStream
// (packages/runtime/src/seeded-stream.ts: xoshiro128**, fork, state) plus tensor-valued draws.
// `fork` returns an Rng, so a forked stream keeps the tensor draws.
import * as tf from '@tensorflow/tfjs';
import { SeededStream } from '@switchyard/runtime';

export class Rng extends SeededStream {
  /** A float32 tensor of U(lo, hi) draws. */
  uniformTensor(shape: number[], lo = 0, hi = 1): tf.Tensor {
    return tf.tensor(this.uniformArray(shape.reduce((a, d) => a * d, 1), lo, hi), shape, 'float32');
  }

  /** A float32 tensor of N(mean, std²) draws. */
  normalTensor(shape: number[], mean = 0, std = 1): tf.Tensor {
    return tf.tensor(this.normalArray(shape.reduce((a, d) => a * d, 1), mean, std), shape, 'float32');
  }
}
