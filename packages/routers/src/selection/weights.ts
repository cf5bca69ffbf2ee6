// Combine weights of the top-k flavours (docs/routers.md §2.1), differentiable in probs / logits;
// the masks are constants built from host-side choices.
import * as tf from '@tensorflow/tfjs';

/** TK-A softmax→mask (SparTMoE) and TK-C Switch top-1: kept probabilities, no renormalisation. */
export function maskedProbs(probs: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(probs, mask);
}

/** TK-B mask→softmax (fastmoe): softmax of the logits over the selected experts only. */
export function softmaxOverSelected(logits: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.softmax(tf.where(tf.greater(mask, 0), logits, tf.fill(logits.shape, -1e30))) as tf.Tensor2D);
}

/** TK-D (GShard): kept probabilities renormalised to sum 1 after dropping (0 rows stay 0). */
export function renormalisedKept(probs: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const kept = tf.mul(probs, mask);
    // torchscale divides by clamp(sum, min=eps) with eps = float32 machine epsilon.
    return tf.div(kept, tf.maximum(tf.sum(kept, 1, true), 1.1920928955078125e-7)) as tf.Tensor2D;
  });
}
