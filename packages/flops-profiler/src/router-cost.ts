// FLOPs of the router (gate + normaliser + selection) of one sparse layer, per token and per
// layer call. Multiply-add = 2 FLOPs. Dims: d d_model, E experts, r a gate's inner width.
// The router's cost class comes from its own description in @switchyard/routers (`describeRouter`,
// gate formulas of docs/routers.md §3); this file prices it: the numbers are what a profiler
// counting matrix products sees (`matmul`) plus the elementwise work (`elementwise`, all-FLOPs only).
import {
  GATE_KINDS, NORMALISER_KINDS, type GateKind, type NormaliserKind, type RouterDescription,
} from '@switchyard/routers';

/** The priced part of a router description, flat (the top-k curve rows build one directly). */
export interface RouterCostSpec {
  /** Gate producing the logits (see GATE_KINDS in @switchyard/routers for the formulas). */
  gate: GateKind;
  /** `low-rank-cosine`: reduction width r (default 16); `token-embedding`: embedding width (default 50). */
  innerDim?: number;
  /** Normalisation of the logits. Defaults to softmax. */
  normaliser?: NormaliserKind;
  /** `entmax-bisect`: bisection steps. Defaults to 50. */
  normaliserIterations?: number;
  /** Whether selecting the experts sorts the E scores beyond the normaliser. Defaults to false. */
  selectionSort?: boolean;
  /** Expert evaluations a training step adds (CompeteSMoE's competition), with their probability. */
  extraTraining?: { expertsPerToken: number; probability: number; elementwisePerToken: number };
}

/** The RouterCostSpec of a router's own description. */
export function costSpecOf(desc: RouterDescription): RouterCostSpec {
  const spec: RouterCostSpec = { gate: desc.gate.kind, normaliser: desc.normaliser.kind, selectionSort: desc.selectionSort };
  if (desc.gate.innerDim !== undefined) spec.innerDim = desc.gate.innerDim;
  if (desc.normaliser.iterations !== undefined) spec.normaliserIterations = desc.normaliser.iterations;
  const x = desc.extraTrainingEvaluations;
  if (x) spec.extraTraining = { expertsPerToken: x.expertsPerToken, probability: x.probability, elementwisePerToken: x.elementwisePerToken };
  return spec;
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
 * α-entmax by bisection (§1.4): max and (α−1)·z (2E), then per step τ update (2) and
 * p = clamp(z − τ)^(1/(α−1)) with its sum (4E), finally a divide by the sum (E).
 */
export function normaliserFlops(kind: NormaliserKind, E: number, iterations = 50): number {
  switch (kind) {
    case 'softmax': return 5 * E;
    case 'sparsemax': return sortFlops(E) + E + 3 * E + 2 + 2 * E;
    case 'entmax15': return sortFlops(E) + E + 3 * E + 6 * E + 3 * E;
    case 'entmax-bisect': return 2 * E + iterations * (4 * E + 2) + E;
    case 'none': return 0;
  }
}

/** Router FLOPs for one sparse layer with d_model `d` and `E` experts. */
export function routerCost(spec: RouterCostSpec, d: number, E: number): RouterCost {
  const normaliser = spec.normaliser ?? 'softmax';
  if (!(NORMALISER_KINDS as readonly string[]).includes(normaliser)) {
    throw new RouterCostError(`unknown normaliser "${normaliser}"; allowed: ${NORMALISER_KINDS.join(', ')}`);
  }
  const select = spec.selectionSort ? sortFlops(E) : 0;
  const norm = normaliserFlops(normaliser, E, spec.normaliserIterations) + select;
  switch (spec.gate) {
    case 'linear':
      // xW [N, E]: 2·d·E; bias add E.
      return { matmulPerToken: 2 * d * E, elementwisePerToken: E + norm, matmulPerCall: 0, elementwisePerCall: 0 };
    case 'linear-no-bias':
      // xW without bias (Switch router_bias=False, V-MoE).
      return { matmulPerToken: 2 * d * E, elementwisePerToken: norm, matmulPerCall: 0, elementwisePerCall: 0 };
    case 'attention':
      // q = xW_q + b_q [N, d]: 2·d², bias d; h = q Kᵀ [N, E]: 2·d·E (no 1/√d scale in the HEAD version).
      return { matmulPerToken: 2 * d * d + 2 * d * E, elementwisePerToken: d + norm, matmulPerCall: 0, elementwisePerCall: 0 };
    case 'attention-keyproj':
      // As `attention`, plus K' = K W_kᵀ + b_k [E, d] once per call: 2·E·d², bias E·d.
      return { matmulPerToken: 2 * d * d + 2 * d * E, elementwisePerToken: d + norm, matmulPerCall: 2 * E * d * d, elementwisePerCall: E * d };
    case 'low-rank-cosine': {
      const r = spec.innerDim ?? 16;
      if (!Number.isInteger(r) || r <= 0) throw new RouterCostError(`low-rank-cosine innerDim must be a positive integer, got ${r}`);
      // r = xW_r [N, r]: 2·d·r; h = r êᵀ [N, E]: 2·r·E. Per call: each of the E embeddings rescaled to
      // norm 1.5 (square r, sum r, sqrt 1, scale r) and normalised again for the score (same again).
      return { matmulPerToken: 2 * d * r + 2 * r * E, elementwisePerToken: norm, matmulPerCall: 0, elementwisePerCall: 2 * E * (3 * r + 1) };
    }
    case 'cosine':
      // h = x ĉᵀ [N, E]: 2·d·E; per call ĉ = c/‖c‖ (square d, sum d, sqrt 1, divide d per centroid).
      return { matmulPerToken: 2 * d * E, elementwisePerToken: norm, matmulPerCall: 0, elementwisePerCall: E * (3 * d + 1) };
    case 'token-embedding': {
      const r = spec.innerDim ?? 50;
      if (!Number.isInteger(r) || r <= 0) throw new RouterCostError(`token-embedding innerDim must be a positive integer, got ${r}`);
      // a' = v_id cᵀ [N, E]: 2·r·E; α = σ(<x_t, c_e>) [N]: 2·d, sigmoid 4 (exp, add, divide, negate)
      return { matmulPerToken: 2 * r * E + 2 * d, elementwisePerToken: norm + 4, matmulPerCall: 0, elementwisePerCall: 0 };
    }
    default:
      throw new RouterCostError(`unknown gate "${String((spec as { gate: unknown }).gate)}"; allowed: ${GATE_KINDS.join(', ')}`);
  }
}
