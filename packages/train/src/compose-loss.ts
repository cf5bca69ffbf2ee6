// Loss parts summarised for logs (the total itself is model-core's totalLoss, the one place the
// loss is summed; docs/style.md §7).
import type { LossPart } from './types.js';

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
