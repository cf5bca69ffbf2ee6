// Loss parts of one LM block: the mean next-token NLL over the B·M positions (adaptive-span's
// `nll_loss` on log-softmax outputs) and every MoE router's auxiliary losses, unweighted, each
// with its coefficient and layer — the shape `@switchyard/train`'s LossPart has, so an LM
// TrainTask returns these as they are.
import * as tf from '@tensorflow/tfjs';
import { sparseSoftmaxCrossEntropy } from '@switchyard/tensor-engine';
import type { LmOutputs } from './decoder-lm.js';

export interface LmLossPart {
  name: string;
  value: tf.Scalar;
  coefficient: number;
  layer?: string;
}

/** Σ_n −log p(target_n) · scale: logits [B, M, V], targets [B, M] int32 → [] (sum over positions). */
export function lmNllSum(logits: tf.Tensor3D, targets: tf.Tensor2D, scale = 1): tf.Scalar {
  const [b, m, v] = logits.shape;
  if (targets.shape[0] !== b || targets.shape[1] !== m) throw new Error(`lmNllSum: targets [${targets.shape.join(', ')}] do not match logits [${b}, ${m}, ${v}]`);
  const n = b * m;
  return sparseSoftmaxCrossEntropy(logits.reshape([n, v]) as tf.Tensor2D, targets.reshape([n]) as tf.Tensor1D, tf.fill([n], scale) as tf.Tensor1D);
}

/** `nll` (mean over the block's positions, coefficient 1) followed by each router's losses. */
export function lmLossParts(out: LmOutputs, targets: tf.Tensor2D): LmLossPart[] {
  const [b, m] = targets.shape;
  const parts: LmLossPart[] = [{ name: 'nll', value: lmNllSum(out.logits, targets, 1 / (b * m)), coefficient: 1 }];
  for (const rec of out.moeLayers) {
    for (const [name, value] of Object.entries(rec.router.losses)) {
      parts.push({ name, value, coefficient: rec.router.lossCoefficients[name] ?? 0, layer: rec.name });
    }
  }
  return parts;
}

/** Σ coefficient · value. */
export function lmTotalLoss(parts: LmLossPart[]): tf.Scalar {
  return tf.tidy(() => parts.reduce<tf.Scalar>((acc, p) => tf.add(acc, tf.mul(p.value, p.coefficient)) as tf.Scalar, tf.scalar(0)));
}
