// V-MoE auxiliary losses (Riquelme et al. 2021, arXiv 2106.05974, appendix A; Shazeer et al.
// 2017, arXiv 1701.06538, eq. 6–10), as in google-research/vmoe `routing.py` (docs/routers.md R10).
import * as tf from '@tensorflow/tfjs';

/** CV²(v) = Var(v)/Mean(v)² (population variance). */
export function coefficientOfVariationSquared(v: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const m = tf.mean(v);
    return tf.div(tf.mean(tf.square(tf.sub(v, m))), tf.add(tf.square(m), 1e-10)) as tf.Scalar;
  });
}

/** Importance loss CV²(Σ_t softmax(h)_{t,·}) on the clean gates. cleanProbs [T, E]. */
export function vmoeImportanceLoss(cleanProbs: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => coefficientOfVariationSquared(tf.sum(cleanProbs, 0) as tf.Tensor1D));
}

/** Standard normal CDF via erf. */
function normalCdf(x: tf.Tensor): tf.Tensor {
  return tf.mul(0.5, tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
}

/**
 * Load loss: θ_t = k-th largest noisy logit, P_{t,e} = 1 − Φ((θ_t − h_{t,e})/σ), L = CV²(mean_t P).
 * cleanLogits [T, E], thresholdK [T, 1] (vmoe lets gradient flow through both), sigma > 0.
 */
export function vmoeLoadLoss(cleanLogits: tf.Tensor2D, thresholdK: tf.Tensor2D, sigma: number): tf.Scalar {
  return tf.tidy(() => {
    const p = tf.sub(1, normalCdf(tf.div(tf.sub(thresholdK, cleanLogits), sigma)));  // [T, E]
    return coefficientOfVariationSquared(tf.mean(p, 0) as tf.Tensor1D);
  });
}
