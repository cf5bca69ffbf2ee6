// What a router costs and what it needs from the MoE layer, as data each registered router
// returns from its resolved options (`RouterDefinition.describe`). Consumers: flops-profiler
// prices it (no router names are interpreted outside this package); model files read `needs`
// to know what to pass in RouterContext. Dims: d d_model, E experts.

/**
 * How the logits are computed (the cost classes of docs/routers.md §3):
 * - `linear`: h = xW + b (R2, R4, R5, R8, R9, R11) — 2·d·E per token, bias E.
 * - `linear-no-bias`: h = xW (R1 Switch, R10 V-MoE) — 2·d·E per token.
 * - `attention`: h = (xW_q + b_q)Kᵀ (R3, SparTMoE HEAD) — 2·d² + 2·d·E per token.
 * - `attention-keyproj`: as `attention`, keys projected once per call (older notebook) — + 2·E·d² per call.
 * - `low-rank-cosine`: r = xW_r (d → innerDim), h = <r, ê_e> with embeddings renormalised per call (R6 X-MoE).
 * - `cosine`: h = <x, c_e/‖c_e‖>, centroids normalised per call (R7 as CompeteSMoE's baseline).
 * - `token-embedding`: h = <v_id, c'_e> on a token-id embedding of width innerDim (gather, no
 *   FLOPs), then the combine gate α = σ(<x, c_e>) of the chosen expert (R7 distilled router).
 */
export const GATE_KINDS = ['linear', 'linear-no-bias', 'attention', 'attention-keyproj', 'low-rank-cosine', 'cosine', 'token-embedding'] as const;
export type GateKind = (typeof GATE_KINDS)[number];

/** Row-wise normalisation of the logits (docs/routers.md §1); `none` when the router only takes an argmax. */
export const NORMALISER_KINDS = ['softmax', 'sparsemax', 'entmax15', 'entmax-bisect', 'none'] as const;
export type NormaliserKind = (typeof NORMALISER_KINDS)[number];

export interface GateDescription {
  kind: GateKind;
  dModel: number;
  numExperts: number;
  /** Width of the gate's own space: X-MoE's reduction r, StableMoE's token-embedding width. */
  innerDim?: number;
}

export interface NormaliserDescription {
  kind: NormaliserKind;
  /** Bisection steps of `entmax-bisect`. */
  iterations?: number;
}

/**
 * Experts computing one token at inference:
 * - `fixed`: exactly k (before capacity drops),
 * - `support`: data dependent (a sparse normaliser's support, expert choice's 0…E): only routing
 *   statistics or a probe can tell the mean,
 * - `all`: every expert (dense softmax; `denseCompute`).
 */
export type ActiveExperts = { kind: 'fixed'; k: number } | { kind: 'support' } | { kind: 'all' };

/** Expert evaluations a training step adds beyond the active experts (CompeteSMoE's competition). */
export interface ExtraTrainingEvaluations {
  /** Expert evaluations per token on such a step (CompeteSMoE: all E). */
  expertsPerToken: number;
  /** Probability that a training forward is such a step. */
  probability: number;
  /** Winners kept from the responses (the top-k of the competition). */
  winners: number;
  /** Elementwise FLOPs per token of such a step besides the evaluations (responses, their softmax, the router loss). */
  elementwisePerToken: number;
  /** Why, in words (shown in reports). */
  reason: string;
}

/** What the router reads from the MoE layer besides x (fields of RouterContext / RouterInit). */
export interface RouterNeeds {
  /** `ctx.tokenIds` and `init.vocabSize` (token-id gates). */
  tokenIds: boolean;
  /** `ctx.allExpertOutputs` on some training calls. */
  allExpertOutputs: boolean;
  /** `ctx.step` (schedules). */
  step: boolean;
}

export interface RouterDescription {
  gate: GateDescription;
  normaliser: NormaliserDescription;
  /**
   * Whether selecting the experts sorts E scores beyond what the normaliser does (top-k after
   * softmax). False for no selection, for an argmax (folded into the softmax's max pass) and for
   * sparse normalisers (they sort already).
   */
  selectionSort: boolean;
  activeExperts: ActiveExperts;
  /** Extra expert evaluations of training steps, or null. */
  extraTrainingEvaluations: ExtraTrainingEvaluations | null;
  needs: RouterNeeds;
}

/** The layer dimensions a description depends on. */
export interface DescribeDims {
  dModel: number;
  numExperts: number;
}

export const NEEDS_NOTHING: RouterNeeds = Object.freeze({ tokenIds: false, allExpertOutputs: false, step: false });

