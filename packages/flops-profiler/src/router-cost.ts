// FLOPs of the router (gate + normaliser + selection) of one sparse layer, per token and per
// layer call. Multiply-add = 2 FLOPs. Dims: d d_model, E experts, r X-MoE reduction width.
// Gate formulas from routers.md §3 (R1–R8); the numbers are what a profiler counting matrix
// products sees (`matmul`) plus the elementwise work (`elementwise`, all-FLOPs only).

export const GATE_KINDS = ['linear', 'switch', 'attention', 'attention-keyproj', 'xmoe', 'stablemoe', 'stablemoe-distilled', 'competesmoe'] as const;
export type GateKind = (typeof GATE_KINDS)[number];

export const NORMALISER_KINDS = ['softmax', 'sparsemax', 'entmax15', 'none'] as const;
export type NormaliserKind = (typeof NORMALISER_KINDS)[number];

export interface RouterCostSpec {
  /**
   * Gate producing the logits:
   * - `linear`: SparTMoE LinearRouter / SMoE `xW + b` (R2, R4) — 2·d·E, bias E.
   * - `switch`: HF Switch top-1 `xW`, no bias (R1) — 2·d·E.
   * - `attention`: SparTMoE AttentionRouter HEAD, `q = xW_q + b_q`, `h = qKᵀ` (R3) — 2·d² + 2·d·E.
   * - `attention-keyproj`: the older AttentionRouter, keys projected once per call: + 2·E·d² per call.
   * - `xmoe`: `r = xW_r` then `<r, ê_e>` (R6) — 2·(d·r + r·E), embeddings renormalised per call.
   * - `stablemoe`: CompeteSMoE's StableMoE, `<x, c_e/‖c_e‖>` (R7) — 2·d·E, centroids normalised per call.
   * - `stablemoe-distilled`: StableMoE's distilled router at inference, `<v_id(t), c'_e>` on a token-id
   *   embedding of width `distillDim` (gather, no FLOPs) — 2·r·E, plus the combine gate
   *   α = σ(<x_t, c_e>) of the chosen expert — 2·d (R7).
   * - `competesmoe`: R4 gate (`xW + b`); competition steps add E expert evaluations per token (R8).
   */
  gate: GateKind;
  /** Normalisation of the logits. Defaults to softmax. */
  normaliser?: NormaliserKind;
  /** Whether a top-k selection (a sort over E) follows the normaliser. Defaults to true. */
  topK?: boolean;
  /** X-MoE reduction width r. Defaults to 16 (torchscale; CompeteSMoE's copy uses 8). */
  reductionDim?: number;
  /** StableMoE distilled router: width of the token-id embedding. Defaults to 50. */
  distillDim?: number;
  /** CompeteSMoE: probability that a training forward is a competition step (R8 `freq`). Defaults to 1. */
  competitionFrequency?: number;
}

export interface RouterCost {
  /** Matrix-product FLOPs per routed token. */
  matmulPerToken: number;
  /** Elementwise FLOPs per routed token (bias, normaliser, selection). */
  elementwisePerToken: number;
  /** Matrix-product FLOPs once per layer call, independent of the token count. */
  matmulPerCall: number;
  /** Elementwise FLOPs once per layer call. */
  elementwisePerCall: number;
}

export class RouterCostError extends Error {}

/** Comparisons of a comparison sort over n items, counted as n·⌈log2 n⌉ (1 FLOP each). */
export function sortFlops(n: number): number {
  return n <= 1 ? 0 : n * Math.ceil(Math.log2(n));
}

/**
 * Elementwise FLOPs of normalising one row of E logits.
 * softmax: max (E) + subtract (E) + exp (E) + sum (E) + divide (E) = 5E.
 * sparsemax (§1.2): sort + cumsum (E) + test 1 + k·u_k > s_k (3E) + τ (2) + subtract and clamp (2E).
 * entmax-1.5 (§1.3): sort + halving (E) + running means of u and u² (3E) + δ, τ per k (6E) + (z−τ)² clamped (3E).
 */
export function normaliserFlops(kind: NormaliserKind, E: number): number {
  switch (kind) {
    case 'softmax': return 5 * E;
    case 'sparsemax': return sortFlops(E) + E + 3 * E + 2 + 2 * E;
    case 'entmax15': return sortFlops(E) + E + 3 * E + 6 * E + 3 * E;
    case 'none': return 0;
  }
}

/** Router FLOPs for one sparse layer with d_model `d` and `E` experts. */
export function routerCost(spec: RouterCostSpec, d: number, E: number): RouterCost {
  const normaliser = spec.normaliser ?? 'softmax';
  if (!(NORMALISER_KINDS as readonly string[]).includes(normaliser)) {
    throw new RouterCostError(`unknown normaliser "${normaliser}"; allowed: ${NORMALISER_KINDS.join(', ')}`);
  }
  // Sparse normalisers sort already; a top-k after softmax sorts once more.
  const select = (spec.topK ?? true) && normaliser === 'softmax' ? sortFlops(E) : 0;
  const norm = normaliserFlops(normaliser, E) + select;
  switch (spec.gate) {
    case 'linear':
      // xW [N, E]: 2·d·E; bias add E.
      return { matmulPerToken: 2 * d * E, elementwisePerToken: E + norm, matmulPerCall: 0, elementwisePerCall: 0 };
    case 'switch':
      // xW without bias (router_bias=False).
      return { matmulPerToken: 2 * d * E, elementwisePerToken: norm, matmulPerCall: 0, elementwisePerCall: 0 };
    case 'attention':
      // q = xW_q + b_q [N, d]: 2·d², bias d; h = q Kᵀ [N, E]: 2·d·E (no 1/√d scale in the HEAD version).
      return { matmulPerToken: 2 * d * d + 2 * d * E, elementwisePerToken: d + norm, matmulPerCall: 0, elementwisePerCall: 0 };
    case 'attention-keyproj':
      // As `attention`, plus K' = K W_kᵀ + b_k [E, d] once per call: 2·E·d², bias E·d.
      return { matmulPerToken: 2 * d * d + 2 * d * E, elementwisePerToken: d + norm, matmulPerCall: 2 * E * d * d, elementwisePerCall: E * d };
    case 'xmoe': {
      const r = spec.reductionDim ?? 16;
      if (!Number.isInteger(r) || r <= 0) throw new RouterCostError(`xmoe reductionDim must be a positive integer, got ${r}`);
      // r = xW_r [N, r]: 2·d·r; h = r êᵀ [N, E]: 2·r·E. Per call: each of the E embeddings rescaled to
      // norm 1.5 (square r, sum r, sqrt 1, scale r) and normalised again for the score (same again).
      return { matmulPerToken: 2 * d * r + 2 * r * E, elementwisePerToken: norm, matmulPerCall: 0, elementwisePerCall: 2 * E * (3 * r + 1) };
    }
    case 'stablemoe':
      // h = x ĉᵀ [N, E]: 2·d·E; per call ĉ = c/‖c‖ (square d, sum d, sqrt 1, divide d per centroid).
      return { matmulPerToken: 2 * d * E, elementwisePerToken: norm, matmulPerCall: 0, elementwisePerCall: E * (3 * d + 1) };
    case 'stablemoe-distilled': {
      const r = spec.distillDim ?? 50;
      if (!Number.isInteger(r) || r <= 0) throw new RouterCostError(`stablemoe distillDim must be a positive integer, got ${r}`);
      // a' = v_id cᵀ [N, E]: 2·r·E; α = σ(<x_t, c_e>) [N]: 2·d, sigmoid 4 (exp, add, divide, negate)
      return { matmulPerToken: 2 * r * E + 2 * d, elementwisePerToken: norm + 4, matmulPerCall: 0, elementwisePerCall: 0 };
    }
    case 'competesmoe':
      // Ordinary step = SMoE gate (`linear`); the competition's extra work is counted by the caller,
      // which knows the expert cost (see competitionCost).
      return { matmulPerToken: 2 * d * E, elementwisePerToken: E + norm, matmulPerCall: 0, elementwisePerCall: 0 };
    default:
      throw new RouterCostError(`unknown gate "${String((spec as { gate: unknown }).gate)}"; allowed: ${GATE_KINDS.join(', ')}`);
  }
}

/**
 * Extra elementwise FLOPs per token of one CompeteSMoE competition step besides the E extra expert
 * evaluations (R8): response norms ‖o_e‖₂ (square d, sum d, sqrt 1 per expert), softmax over all E
 * logits (5E), top-k of the responses (sort E), softmax over the k winners (5k), MSE over E (3E).
 */
export function competitionElementwisePerToken(d: number, E: number, k: number): number {
  return E * (2 * d + 1) + 5 * E + sortFlops(E) + 5 * k + 3 * E;
}
