// A minimal MoE FFN layer for timing: E ReLU experts (wi [D, F], wo [F, D], bias-free as in
// Switch), dispatched by gathering each expert's routed rows, running its FFN, weighting and
// scatter-adding back (tf.unsortedSegmentSum; the runtime registers it for WASM). The dense
// variant runs every expert on every token, as SparTMoE's patched MLP did.
// Dims: N tokens, D d_model, F d_ff, E experts, n_e tokens routed to expert e.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';

export interface MoeExperts {
  readonly numExperts: number;
  readonly dModel: number;
  readonly dFf: number;
  /** wi[e]: [D, F] */
  readonly wi: tf.Variable[];
  /** wo[e]: [F, D] */
  readonly wo: tf.Variable[];
  dispose(): void;
}

/** Experts with N(0, 1/fan_in) weights drawn from `rng` (variables unnamed: tfjs names must be unique per process). */
export function createExperts(rng: Rng, numExperts: number, dModel: number, dFf: number): MoeExperts {
  const wi: tf.Variable[] = [];
  const wo: tf.Variable[] = [];
  // tf.variable keeps its own reference to the data, so the initial tensors are disposed.
  const own = (t: tf.Tensor): tf.Variable => { const v = tf.variable(t, true); t.dispose(); return v; };
  for (let e = 0; e < numExperts; e++) {
    wi.push(own(rng.normalTensor([dModel, dFf], 0, 1 / Math.sqrt(dModel))));
    wo.push(own(rng.normalTensor([dFf, dModel], 0, 1 / Math.sqrt(dFf))));
  }
  return {
    numExperts, dModel, dFf, wi, wo,
    dispose() { for (const v of [...wi, ...wo]) v.dispose(); },
  };
}

/** Host-side dispatch plan: for each expert, the token rows it computes. */
export interface GatherPlan {
  tokens: number;
  /** rows[e]: ascending token indices routed to expert e. */
  rows: Int32Array[];
  /** Σ_e n_e / N. */
  meanActive: number;
  /** histogram[a] = tokens computed by a experts. */
  histogram: number[];
}

/** Build the plan from a dispatch mask [N, E] (1 = computed), read on the host. */
export function planFromMask(mask: ArrayLike<number>, tokens: number, numExperts: number): GatherPlan {
  if (mask.length !== tokens * numExperts) throw new Error(`dispatch mask has ${mask.length} entries, expected ${tokens}×${numExperts}`);
  const lists: number[][] = Array.from({ length: numExperts }, () => []);
  const histogram = new Array<number>(numExperts + 1).fill(0);
  let pairs = 0;
  for (let n = 0; n < tokens; n++) {
    let a = 0;
    for (let e = 0; e < numExperts; e++) if (mask[n * numExperts + e]! > 0) { lists[e]!.push(n); a++; }
    histogram[a]! += 1;
    pairs += a;
  }
  return { tokens, rows: lists.map((l) => Int32Array.from(l)), meanActive: pairs / tokens, histogram };
}

function ffn(x: tf.Tensor2D, wi: tf.Tensor2D, wo: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(tf.relu(tf.matMul(x, wi)), wo); // [n, F] → [n, D]
}

/**
 * y = Σ_e scatter(rows_e, w[rows_e, e] · f_e(x[rows_e])). x: [N, D], weights: [N, E] → [N, D].
 * Differentiable in x, weights and the expert variables; the plan is a constant.
 */
export function gatherDispatchForward(x: tf.Tensor2D, weights: tf.Tensor2D, plan: GatherPlan, experts: MoeExperts): tf.Tensor2D {
  return tf.tidy(() => {
    const [N, D] = x.shape;
    const E = experts.numExperts;
    const flatW = tf.reshape(weights, [N * E]); // [N·E]
    const parts: tf.Tensor2D[] = [];
    for (let e = 0; e < E; e++) {
      const rows = plan.rows[e]!;
      if (rows.length === 0) continue;
      const idx = tf.tensor1d(rows, 'int32'); // [n_e]
      const xe = tf.gather(x, idx) as tf.Tensor2D; // [n_e, D]
      const flatIdx = tf.tensor1d(rows.map((n) => n * E + e), 'int32'); // [n_e] positions of (n, e) in [N·E]
      const we = tf.gather(flatW, flatIdx); // [n_e]
      const ye = tf.mul(ffn(xe, experts.wi[e] as tf.Tensor2D, experts.wo[e] as tf.Tensor2D), tf.expandDims(we, 1)); // [n_e, D]
      parts.push(tf.unsortedSegmentSum(ye, idx, N) as tf.Tensor2D); // [N, D]
    }
    if (parts.length === 0) return tf.zeros([N, D]) as tf.Tensor2D;
    return (parts.length === 1 ? parts[0]! : tf.addN(parts)) as tf.Tensor2D;
  });
}

/** Every expert on every token: y = Σ_e w[:, e] · f_e(x). x: [N, D], weights: [N, E] → [N, D]. */
export function denseForward(x: tf.Tensor2D, weights: tf.Tensor2D, experts: MoeExperts): tf.Tensor2D {
  return tf.tidy(() => {
    const cols = tf.split(weights, experts.numExperts, 1); // E × [N, 1]
    const parts = cols.map((w, e) => tf.mul(ffn(x, experts.wi[e] as tf.Tensor2D, experts.wo[e] as tf.Tensor2D), w));
    return (parts.length === 1 ? parts[0]! : tf.addN(parts)) as tf.Tensor2D;
  });
}
