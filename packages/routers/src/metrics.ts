// Routing metrics every router reports (flaxformer's set), computed on the host from a router's
// probs/dispatch/selected, over every token or only the real ones (`tokenMask`): expert load after
// capacity, dropped fraction, active experts per token, entropy and confidence of the normalised
// router distribution. The one implementation: the train loop's logged metrics and routing.arrow
// come from here too. Dims: N tokens, E experts.
import type * as tf from '@tensorflow/tfjs';
import type { RouterOutput, RoutingMetrics } from './types.js';

/**
 * Metrics of one routing call. `tokenMask` [N] (1 = real token, 0 = padding) restricts every
 * metric to the real tokens; without it every token counts.
 */
export function computeRoutingMetrics(out: Pick<RouterOutput, 'probs' | 'dispatch' | 'selected'>, tokenMask?: tf.Tensor1D): RoutingMetrics {
  const [n, e] = out.dispatch.shape;
  const dispatch = out.dispatch.dataSync();
  const selected = out.selected.dataSync();
  const probs = out.probs.dataSync();
  const mask = tokenMask?.dataSync();
  const expertLoad = new Array<number>(e).fill(0);
  const hist = new Array<number>(e + 1).fill(0);
  const activePerToken: number[] = [];
  let nSelected = 0, nKeptSelected = 0, active = 0, entropy = 0, confidence = 0;
  for (let t = 0; t < n; t++) {
    if (mask && mask[t]! === 0) continue;
    // probabilities are ≥ 0, so the row maximum starts at 0
    let a = 0, h = 0, mx = 0;
    for (let j = 0; j < e; j++) {
      const i = t * e + j;
      if (dispatch[i]! > 0) { a++; expertLoad[j]! += 1; }
      if (selected[i]! > 0) { nSelected++; if (dispatch[i]! > 0) nKeptSelected++; }
      const p = probs[i]!;
      if (p > 0) h -= p * Math.log(p);
      if (p > mx) mx = p;
    }
    hist[a]! += 1;
    activePerToken.push(a);
    active += a;
    entropy += h;
    confidence += mx;
  }
  const m = activePerToken.length;
  return {
    expertLoad,
    droppedFraction: nSelected > 0 ? (nSelected - nKeptSelected) / nSelected : 0,
    meanActiveExperts: m > 0 ? active / m : 0,
    activeExpertsHistogram: hist,
    routerEntropy: m > 0 ? entropy / m : 0,
    routerConfidence: m > 0 ? confidence / m : 0,
    activePerToken: Int32Array.from(activePerToken),
  };
}
