// Router z-loss (Zoph et al. 2022, ST-MoE, arXiv 2202.08906, eq. 5):
//   L_z = (1/(G·T)) Σ_{g,t} (log Σ_e exp h_{g,t,e})²   — the mean over all tokens.
import * as tf from '@tensorflow/tfjs';

/** logits [..., E] (any leading shape; HF passes [G, T, E]). */
export function routerZLoss(logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.logSumExp(logits, -1))) as tf.Scalar);
}
