// Routing metrics every router reports (flaxformer's set), computed on the host from a
// RouterOutput: expert load after capacity, dropped fraction, active experts per token,
// entropy and confidence of the normalised router distribution.
import type { RouterOutput, RoutingMetrics } from './types.js';

export function computeRoutingMetrics(out: RouterOutput): RoutingMetrics {
  const [n, e] = out.dispatch.shape;
  const dispatch = out.dispatch.dataSync();
  const selected = out.selected.dataSync();
  const probs = out.probs.dataSync();
  const expertLoad = new Array<number>(e).fill(0);
  const hist = new Array<number>(e + 1).fill(0);
  let nSelected = 0, nKeptSelected = 0, active = 0, entropy = 0, confidence = 0;
  for (let t = 0; t < n; t++) {
    let a = 0, h = 0, mx = -Infinity;
    for (let j = 0; j < e; j++) {
      const i = t * e + j;
      if (dispatch[i]! > 0) { a++; expertLoad[j]! += 1; }
      if (selected[i]! > 0) { nSelected++; if (dispatch[i]! > 0) nKeptSelected++; }
      const p = probs[i]!;
      if (p > 0) h -= p * Math.log(p);
      if (p > mx) mx = p;
    }
    hist[a]! += 1;
    active += a;
    entropy += h;
    confidence += mx;
  }
  return {
    expertLoad,
    droppedFraction: nSelected > 0 ? (nSelected - nKeptSelected) / nSelected : 0,
    meanActiveExperts: n > 0 ? active / n : 0,
    activeExpertsHistogram: hist,
    routerEntropy: n > 0 ? entropy / n : 0,
    routerConfidence: n > 0 ? confidence / n : 0,
  };
}
