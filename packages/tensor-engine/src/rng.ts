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
   * without the intermediate draws tensor and its three kernels: the draw, the float32 rounding
   * and the comparison happen in one loop over the xoshiro128** state held in locals.
   */
  dropoutMaskTensor(shape: number[], rate: number): tf.Tensor {
    if (!(rate >= 0 && rate < 1)) throw new Error(`dropout rate must be in [0, 1), got ${rate}`);
    const size = shape.reduce((a, d) => a * d, 1);
    const mask = new Float32Array(size);
    const threshold = Math.fround(rate);
    const scale = Math.fround(1 / (1 - rate));
    const st = this.s;
    let s0 = st[0]!, s1 = st[1]!, s2 = st[2]!, s3 = st[3]!;
    for (let i = 0; i < size; i++) {
      // nextU32 of SeededStream (packages/runtime/src/seeded-stream.ts), inlined; xors on signed
      // locals keep the same 32 bits the Uint32Array holds.
      const m = Math.imul(s1, 5);
      const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      mask[i] = Math.fround(result / 4294967296) >= threshold ? scale : 0;
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
    return tf.tensor(mask, shape, 'float32');
  }

  /** A float32 tensor of N(mean, std²) draws. */
  normalTensor(shape: number[], mean = 0, std = 1): tf.Tensor {
    return tf.tensor(this.normalArray(shape.reduce((a, d) => a * d, 1), mean, std), shape, 'float32');
  }
}
