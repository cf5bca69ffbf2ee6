// Gradient accumulation and clipping by global norm (torch.nn.utils.clip_grad_norm_ semantics:
// coefficient = maxNorm / (‖g‖ + 1e-6), applied only when it is below 1).
import * as tf from '@tensorflow/tfjs';
import { globalL2Norm } from '@switchyard/tensor-engine';

export type GradMap = Record<string, tf.Tensor>;

/**
 * ‖g‖₂ over every gradient (in name order), as a scalar tensor: one fused kernel on WASM with the
 * native addon (sums of squares in float64), else Square/Sum per gradient. NaN or ±Inf in any
 * gradient makes it non-finite either way.
 */
export function globalNorm(grads: GradMap): tf.Scalar {
  return globalL2Norm(Object.keys(grads).sort().map((k) => grads[k]!));
}

/** torch's clip coefficient: min(1, maxNorm / (‖g‖ + 1e-6)); 1 when maxNorm ≤ 0 (no clipping). */
export function clipCoefficient(maxNorm: number, norm: number): number {
  return maxNorm > 0 ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
}

/**
 * Scale gradients so their global norm is at most `maxNorm` (no-op when maxNorm ≤ 0 or the norm
 * is already below). Returns new tensors (caller disposes both maps) and the pre-clip norm.
 */
export function clipByGlobalNorm(grads: GradMap, maxNorm: number, norm: number): GradMap {
  const coef = clipCoefficient(maxNorm, norm);
  const out: GradMap = {};
  for (const [k, g] of Object.entries(grads)) out[k] = coef < 1 ? tf.mul(g, coef) : g.clone();
  return out;
}

/** acc ← acc + g (acc may be empty). Disposes the replaced accumulator tensors, not `g`. */
export function accumulate(acc: GradMap, grads: GradMap): void {
  for (const [k, g] of Object.entries(grads)) {
    const old = acc[k];
    acc[k] = old ? tf.add(old, g) : g.clone();
    old?.dispose();
  }
}

/** g / n for every gradient (new tensors). */
export function scaleGrads(grads: GradMap, factor: number): GradMap {
  const out: GradMap = {};
  for (const [k, g] of Object.entries(grads)) out[k] = factor === 1 ? g.clone() : tf.mul(g, factor);
  return out;
}

export function disposeGrads(grads: GradMap): void {
  for (const g of Object.values(grads)) g.dispose();
}
