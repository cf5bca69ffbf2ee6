// StableMoE stage-1 losses (Dai et al. 2022, arXiv 2204.08396, eq. 4–6), as in
// Hunter-DDM/stablemoe `moe_layer.py` (docs/routers.md R7).
import * as tf from '@tensorflow/tfjs';

/**
 * Distillation: CE(a'_t, argmax_e a_{t,e}) summed over tokens.
 * distilledLogits [N, E] (with gradient), targetExpert [N] int32 (constant).
 */
export function stableMoEDistillLoss(distilledLogits: tf.Tensor2D, targetExpert: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const e = distilledLogits.shape[1];
    const logp = tf.logSoftmax(distilledLogits);
    return tf.neg(tf.sum(tf.mul(logp, tf.oneHot(tf.cast(targetExpert, 'int32'), e)))) as tf.Scalar;
  });
}

/**
 * Balance: Σ_e ((n_e − n̄)/n̄) · Σ_{t→e} σ(a_{t,e}), n_e tokens assigned to e, n̄ = N/E.
 * affinities [N, E] (with gradient), assignment [N, E] 0/1 one-hot (constant).
 */
export function stableMoEBalanceLoss(affinities: tf.Tensor2D, assignment: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [n, e] = affinities.shape;
    const nBar = n / e;
    const counts = tf.sum(assignment, 0);                              // [E]
    const scale = tf.div(tf.sub(counts, nBar), nBar);                  // [E]
    const mass = tf.sum(tf.mul(tf.sigmoid(affinities), assignment), 0); // [E]
    return tf.sum(tf.mul(scale, mass)) as tf.Scalar;
  });
}
