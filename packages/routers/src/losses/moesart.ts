// MOESART trimmed-lasso penalty (Ibrahim et al. 2023, arXiv 2310.18217, eq. 7):
//   R = mean_n Σ_{e ∉ topk(g_n)} g_{n,e}   — the mass outside each token's k largest gates.
import * as tf from '@tensorflow/tfjs';

/** probs [N, E], topKMask [N, E] 0/1 marking each row's k largest (constant). */
export function trimmedLassoLoss(probs: tf.Tensor2D, topKMask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.sum(tf.mul(probs, tf.sub(1, topKMask)), 1)) as tf.Scalar);
}
