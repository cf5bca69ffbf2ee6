// MOESART sampling of k distinct experts without replacement (docs/routers.md R9 step 2):
// for each of k draws, u ~ U(0,1), pick the smallest e with u < cumsum(p)_e, zero p_e, renormalise.
import type { Rng } from '@switchyard/tensor-engine';

/**
 * probs [N, E] → chosen [N, k] in draw order.
 * Deviation: when float error leaves u ≥ the total mass, the last expert with mass left is
 * taken (fairseq's argmax of an all-false row would pick expert 0, possibly twice).
 */
export function sampleWithoutReplacement(probs: ArrayLike<number>, n: number, e: number, k: number, rng: Rng): Int32Array {
  const out = new Int32Array(n * k);
  const p = new Float64Array(e);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < e; j++) p[j] = probs[t * e + j]!;
    for (let r = 0; r < k; r++) {
      const u = rng.uniform();
      let acc = 0;
      let pick = -1;
      let lastPositive = -1;
      for (let j = 0; j < e; j++) {
        if (p[j]! > 0) lastPositive = j;
        acc += p[j]!;
        if (pick < 0 && u < acc) pick = j;
      }
      if (pick < 0) pick = lastPositive >= 0 ? lastPositive : 0;
      out[t * k + r] = pick;
      p[pick] = 0;
      let s = 0;
      for (let j = 0; j < e; j++) s += p[j]!;
      for (let j = 0; j < e; j++) p[j] = p[j]! / (s + 1e-10);
    }
  }
  return out;
}
