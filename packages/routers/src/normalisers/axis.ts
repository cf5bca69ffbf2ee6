// Normalisers are written for the last axis; this moves any axis there and back.
// A swap permutation is its own inverse, so the same `perm` restores the layout.
import * as tf from '@tensorflow/tfjs';

export function alongAxis<T extends tf.Tensor>(x: T, axis: number, fn: (lastAxis: tf.Tensor) => tf.Tensor): T {
  const rank = x.rank;
  if (rank === 0) throw new Error('normaliser needs a tensor of rank >= 1');
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  if (a === rank - 1) return fn(x) as T;
  const perm = [...Array(rank).keys()];
  perm[a] = rank - 1;
  perm[rank - 1] = a;
  return tf.tidy(() => tf.transpose(fn(tf.transpose(x, perm)), perm)) as T;
}

/** Values at position `idx` (int32, shape = x without its last axis, keepDims) of the last axis. */
export function pickLast(x: tf.Tensor, idx: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const n = x.shape[x.rank - 1]!;
    const hit = tf.equal(tf.range(0, n, 1, 'int32'), idx); // broadcast over the last axis
    // where() rather than multiply-by-one-hot, so -inf entries elsewhere do not turn into NaN.
    return tf.sum(tf.where(hit, x, tf.zerosLike(x)), -1, true);
  });
}
