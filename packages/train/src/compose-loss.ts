// The one place the total loss is assembled (style.md §7): total = Σ_i coefficient_i · part_i.
// With the Switch defaults this is HF's CE + 0.001·Σ z-losses + 0.001·Σ balance losses.
import * as tf from '@tensorflow/tfjs';
import type { LossPart } from './types.js';

/** Weighted sum of the loss parts. Scalar. */
export function composeLoss(parts: readonly LossPart[]): tf.Scalar {
  if (parts.length === 0) throw new Error('composeLoss: no loss parts');
  return tf.tidy(() => {
    let total: tf.Scalar | undefined;
    for (const p of parts) {
      const term = p.coefficient === 1 ? p.value : tf.mul(p.value, p.coefficient) as tf.Scalar;
      total = total === undefined ? term : tf.add(total, term) as tf.Scalar;
    }
    return total!;
  });
}

/** Host values of the parts, summarised for logs: total, main (`ce`), and each aux name summed over layers (unweighted). */
export interface LossSummary {
  total: number;
  ce: number;
  /** aux name → Σ over layers of the unweighted value. */
  aux: Record<string, number>;
  /** `layer/name` → unweighted value. */
  perLayer: Record<string, number>;
}

export function summarizeLossParts(parts: readonly LossPart[], values: readonly number[]): LossSummary {
  let total = 0;
  let ce = 0;
  const aux: Record<string, number> = {};
  const perLayer: Record<string, number> = {};
  parts.forEach((p, i) => {
    const v = values[i]!;
    total += p.coefficient * v;
    if (p.layer === undefined) { if (p.name === 'ce') ce += v; else aux[p.name] = (aux[p.name] ?? 0) + v; return; }
    aux[p.name] = (aux[p.name] ?? 0) + v;
    perLayer[`${p.layer}/${p.name}`] = v;
  });
  return { total, ce, aux, perLayer };
}
