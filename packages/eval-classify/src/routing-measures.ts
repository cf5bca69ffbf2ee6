// MOESART's routing measures (Ibrahim et al. 2023, arXiv 2310.18217: "k-sparse in training and
// inference", "a better k-sparse approximation of the dense softmax router"), on host arrays of
// one MoE layer. Masks and weights are row-major [N, E] (N examples = routed tokens, E experts),
// e.g. from `RouterOutput.dispatch` / `.selected` / `.weights` / `.logits` via dataSync().
//
// Definitions (ours; the paper states the ideas, not these formulas):
// * active experts of example n: |{e : mask[n,e] ≠ 0}|, with mask = dispatch (experts that
//   compute the example). A router that computes every expert (`denseCompute`) has E for all n.
// * k-sparse distance of example n: d_n = ½ Σ_e |w[n,e] − p[n,e]|, w the router's combine weights
//   and p = softmax(logits[n]) the dense softmax router on the same gate. It is the total variation
//   distance when w_n sums to 1, lies in [0, 1] whenever w_n ≥ 0 sums to at most 1, and is 0 only
//   when the sparse router combines exactly like the dense one. Reported as the mean over n.
// * routing change between two epochs: over the same examples in the same order, the fraction
//   whose chosen expert set {e : selected[n,e] ≠ 0} differs (any element), and the mean Jaccard
//   similarity |A∩B|/|A∪B| of the two sets (two empty sets count as 1).
// * expert load: examples dispatched to each expert (Σ_n mask[n,e]), their shares, the squared
//   coefficient of variation CV² = Var/Mean² (population variance) and max/mean.

function checkShape(a: ArrayLike<number>, n: number, e: number, what: string): void {
  if (!Number.isInteger(n) || !Number.isInteger(e) || n < 0 || e < 1) throw new Error(`${what}: bad shape [${n}, ${e}]`);
  if (a.length !== n * e) throw new Error(`${what}: ${a.length} values for [${n}, ${e}]`);
}

export interface ActiveExperts {
  /** Experts computing each example. [N] */
  perExample: Int32Array;
  mean: number;
  max: number;
  /** histogram[a] = examples with a active experts, a = 0..E. */
  histogram: number[];
}

export function activeExperts(dispatch: ArrayLike<number>, n: number, e: number, denseCompute = false): ActiveExperts {
  checkShape(dispatch, n, e, 'activeExperts');
  const per = new Int32Array(n);
  const hist = new Array<number>(e + 1).fill(0);
  let sum = 0, max = 0;
  for (let i = 0; i < n; i++) {
    let c = 0;
    if (denseCompute) c = e;
    else for (let j = 0; j < e; j++) if (dispatch[i * e + j]! !== 0) c++;
    per[i] = c; hist[c]! += 1; sum += c; max = Math.max(max, c);
  }
  return { perExample: per, mean: n > 0 ? sum / n : NaN, max, histogram: hist };
}

/** Row-wise softmax of logits [N, E] in float64 (the dense softmax router's weights). */
export function softmaxRows(logits: ArrayLike<number>, n: number, e: number): Float64Array {
  checkShape(logits, n, e, 'softmaxRows');
  const out = new Float64Array(n * e);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < e; j++) m = Math.max(m, logits[i * e + j]!);
    let z = 0;
    for (let j = 0; j < e; j++) { const v = Math.exp(logits[i * e + j]! - m); out[i * e + j] = v; z += v; }
    for (let j = 0; j < e; j++) out[i * e + j]! /= z;
  }
  return out;
}

export interface SparseDistance {
  /** d_n for each example. [N] */
  perExample: Float64Array;
  mean: number;
}

/** d_n = ½ Σ_e |w[n,e] − p[n,e]| against the dense reference p (e.g. softmaxRows(logits)). */
export function kSparseDistance(weights: ArrayLike<number>, dense: ArrayLike<number>, n: number, e: number): SparseDistance {
  checkShape(weights, n, e, 'kSparseDistance weights');
  checkShape(dense, n, e, 'kSparseDistance dense');
  const per = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let d = 0;
    for (let j = 0; j < e; j++) d += Math.abs(weights[i * e + j]! - dense[i * e + j]!);
    per[i] = d / 2; sum += d / 2;
  }
  return { perExample: per, mean: n > 0 ? sum / n : NaN };
}

export interface RoutingChange {
  /** Fraction of examples whose chosen set differs between the two epochs. */
  changedFraction: number;
  /** Mean Jaccard similarity of the two sets. */
  meanJaccard: number;
  changed: number;
  examples: number;
}

/** Compare the chosen expert sets of the same N examples (same order) at two epochs. */
export function routingChange(setsA: ArrayLike<number>, setsB: ArrayLike<number>, n: number, e: number): RoutingChange {
  checkShape(setsA, n, e, 'routingChange (epoch A)');
  checkShape(setsB, n, e, 'routingChange (epoch B)');
  let changed = 0, jac = 0;
  for (let i = 0; i < n; i++) {
    let inter = 0, union = 0;
    for (let j = 0; j < e; j++) {
      const a = setsA[i * e + j]! !== 0, b = setsB[i * e + j]! !== 0;
      if (a && b) inter++;
      if (a || b) union++;
    }
    if (inter !== union) changed++;
    jac += union === 0 ? 1 : inter / union;
  }
  return { changedFraction: n > 0 ? changed / n : NaN, meanJaccard: n > 0 ? jac / n : NaN, changed, examples: n };
}

/** routingChange between each pair of consecutive epochs (masks[0] vs masks[1], …). */
export function routingChangeAcrossEpochs(masks: ArrayLike<number>[], n: number, e: number): RoutingChange[] {
  const out: RoutingChange[] = [];
  for (let t = 1; t < masks.length; t++) out.push(routingChange(masks[t - 1]!, masks[t]!, n, e));
  return out;
}

export interface ExpertLoad {
  /** Σ_n mask[n,e]. [E] */
  counts: number[];
  /** counts / Σ counts. [E] */
  shares: number[];
  /** Var(counts)/Mean(counts)² (population variance); 0 for perfect balance. */
  cv2: number;
  /** max(counts)/mean(counts); 1 for perfect balance. */
  maxOverMean: number;
}

export function expertLoad(dispatch: ArrayLike<number>, n: number, e: number): ExpertLoad {
  checkShape(dispatch, n, e, 'expertLoad');
  const counts = new Array<number>(e).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < e; j++) if (dispatch[i * e + j]! !== 0) counts[j]! += 1;
  const total = counts.reduce((a, b) => a + b, 0);
  const mean = total / e;
  const variance = counts.reduce((a, c) => a + (c - mean) ** 2, 0) / e;
  return {
    counts,
    shares: counts.map((c) => (total > 0 ? c / total : NaN)),
    cv2: mean > 0 ? variance / mean ** 2 : NaN,
    maxOverMean: mean > 0 ? Math.max(...counts) / mean : NaN,
  };
}
