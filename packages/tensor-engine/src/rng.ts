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

  /**
   * The dropout mask of `rate` as a float32 tensor: 1/(1 − rate) where a U(0, 1) draw is ≥ rate,
   * else 0. Bit for bit `tf.mul(tf.cast(tf.greaterEqual(this.uniformTensor(shape), rate),
   * 'float32'), 1 / (1 − rate))` and the same generator state after it (test/rng-dropout.test.ts),
   * without the intermediate draws tensor and its three kernels: one loop over the xoshiro128**
   * state held in int32 locals, each draw compared as an integer (keepThreshold).
   */
  dropoutMaskTensor(shape: number[], rate: number): tf.Tensor {
    if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
    const size = shape.reduce((a, d) => a * d, 1);
    const mask = new Float32Array(size);
    const keepFrom = keepThreshold(rate);
    const scale = Math.fround(1 / (1 - rate));
    const st = this.s;
    let s0 = st[0]! | 0, s1 = st[1]! | 0, s2 = st[2]! | 0, s3 = st[3]! | 0;
    for (let i = 0; i < size; i++) {
      // nextU32 of SeededStream (packages/runtime/src/seeded-stream.ts) on int32 locals: the same
      // 32 bits the Uint32Array holds, without boxing.
      const m = Math.imul(s1, 5);
      const r = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      mask[i] = r >>> 0 >= keepFrom ? scale : 0;
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
    return tf.tensor(mask, shape, 'float32');
  }

  /** A float32 tensor of N(mean, std²) draws. */
  normalTensor(shape: number[], mean = 0, std = 1): tf.Tensor {
    return tf.tensor(this.normalArray(shape.reduce((a, d) => a * d, 1), mean, std), shape, 'float32');
  }
}

/**
 * The smallest 32-bit draw r whose float32 uniform fround(r / 2^32) is ≥ fround(rate): a draw is
 * kept exactly when r ≥ this (fround of r / 2^32 does not decrease with r), so the mask compares
 * integers and still equals greaterEqual(uniformTensor, rate) bit for bit.
 */
export function keepThreshold(rate: number): number {
  const threshold = Math.fround(rate);
  let lo = 0, hi = 4294967296;                   // fround(hi / 2^32) = 1 > any rate < 1
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (Math.fround(mid / 4294967296) >= threshold) hi = mid; else lo = mid + 1;
  }
  return lo;
}
