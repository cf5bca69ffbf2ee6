// T5 relative position buckets (Raffel et al. 2020, §2.1; HF `_relative_position_bucket`).
// Offsets below max_exact get their own bucket; larger ones share log-spaced buckets up to
// max_distance. The log branch is evaluated in float32 step by step, as PyTorch does, so the
// bucket ids (and hence the bias entries) match the reference exactly at bucket boundaries.
import * as tf from '@tensorflow/tfjs';

const f32 = Math.fround;

/**
 * Bucket of one relative position (`key_pos − query_pos`).
 * bidirectional (encoder): half the buckets per sign, positive offsets shifted by numBuckets/2;
 * unidirectional (decoder): future positions map to bucket 0.
 */
export function relativePositionBucket(relativePosition: number, bidirectional: boolean, numBuckets: number, maxDistance: number): number {
  let nb = numBuckets;
  let base = 0;
  let n: number;
  if (bidirectional) {
    nb = Math.floor(nb / 2);
    if (relativePosition > 0) base = nb;
    n = Math.abs(relativePosition);
  } else {
    n = Math.max(-relativePosition, 0);
  }
  const maxExact = Math.floor(nb / 2);
  if (n < maxExact) return base + n;
  const ratio = f32(n / maxExact);
  const scaled = f32(f32(f32(Math.log(ratio)) / f32(Math.log(maxDistance / maxExact))) * (nb - maxExact));
  return base + Math.min(maxExact + Math.trunc(scaled), nb - 1);
}

// Tables depend only on the window and the config; training reuses a handful of shapes.
const tableCache = new Map<string, Int32Array>();
const TABLE_CACHE_LIMIT = 256;

/** Bucket ids for query positions [qStart, qStart+qLen) against keys [0, kLen). [qLen*kLen] row-major */
export function bucketTable(qStart: number, qLen: number, kLen: number, bidirectional: boolean, numBuckets: number, maxDistance: number): Int32Array {
  const key = `${qStart},${qLen},${kLen},${bidirectional},${numBuckets},${maxDistance}`;
  const hit = tableCache.get(key);
  if (hit) return hit;
  const out = new Int32Array(qLen * kLen);
  for (let i = 0; i < qLen; i++) {
    for (let j = 0; j < kLen; j++) out[i * kLen + j] = relativePositionBucket(j - (qStart + i), bidirectional, numBuckets, maxDistance);
  }
  if (tableCache.size >= TABLE_CACHE_LIMIT) tableCache.clear();
  tableCache.set(key, out);
  return out;
}

/**
 * Position bias from the bucket embedding (block 0 of a stack), no mask added.
 * table: [numBuckets, H] → [1, H, qLen, kLen]
 */
export function positionBias(table: tf.Tensor2D, qStart: number, qLen: number, kLen: number, bidirectional: boolean, maxDistance: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [numBuckets, heads] = table.shape;
    const ids = tf.tensor1d(bucketTable(qStart, qLen, kLen, bidirectional, numBuckets, maxDistance), 'int32');
    const rows = tf.gather(table, ids); // [qLen*kLen, H]
    return tf.transpose(rows.reshape([qLen, kLen, heads]), [2, 0, 1]).reshape([1, heads, qLen, kLen]) as tf.Tensor4D;
  });
}
