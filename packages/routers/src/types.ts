// The contract between routers and the MoE layer that calls them (docs/style.md §1).
// Dims: N tokens (batch × sequence, flattened row-major so each group of `groupSize`
// consecutive rows is one sequence), D d_model, E experts.
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';

export interface RouterContext {
  /** Training mode: jitter, noise, sampling and competition apply only when true. */
  training: boolean;
  /** Source of every random draw of this call. */
  rng: Rng;
  /** Tokens per capacity/balance group (one sequence); N must be a multiple. Defaults to N. */
  groupSize?: number;
  /** Optimiser step, for schedules (SMoE-Dropout's k, CompeteSMoE's frequency, StableMoE's stages). */
  step?: number;
  /** Token ids of the N tokens, for routers that route on ids (StableMoE's distilled gate). [N] int32 */
  tokenIds?: tf.Tensor1D;
  /** Runs every expert on every token, for routers that need expert responses (CompeteSMoE). [N, D] → [E, N, D] */
  allExpertOutputs?: (x: tf.Tensor2D) => tf.Tensor3D;
}

/** Routing statistics every router reports (flaxformer's set), computed on the host (metrics.ts). */
export interface RoutingMetrics {
  /** Tokens (token, expert) pairs dispatched to each expert, after capacity. [E] */
  expertLoad: number[];
  /** Fraction of selected (token, expert) pairs dropped by capacity. */
  droppedFraction: number;
  /** Mean number of experts a token is computed by (support size for sparse normalisers). */
  meanActiveExperts: number;
  /** Histogram of experts per token: index a = number of tokens with a active experts (0..E). */
  activeExpertsHistogram: number[];
  /** Mean entropy (nats) of the normalised router distribution `probs`. */
  routerEntropy: number;
  /** Mean of the largest normalised router score per token. */
  routerConfidence: number;
  /** Experts computing each counted token, in token order. */
  activePerToken: Int32Array;
}

export interface RouterOutput {
  /** Raw gate scores. [N, E] */
  logits: tf.Tensor2D;
  /** Normalised scores over all experts before selection (softmax, sparsemax, …). [N, E] */
  probs: tf.Tensor2D;
  /**
   * Combine weights after selection and capacity: y_n = Σ_e weights[n,e]·f_e(x_n) (+ inputWeight[n]·x_n).
   * Differentiable with respect to the router's parameters. [N, E]
   */
  weights: tf.Tensor2D;
  /** 1 where token n is computed by expert e (after capacity), else 0. No gradient. [N, E] */
  dispatch: tf.Tensor2D;
  /** 1 where token n selected expert e before capacity, else 0. No gradient. [N, E] */
  selected: tf.Tensor2D;
  /** Optional pass-through term added to the MoE output: + inputWeight[n]·x_n (StableMoE, HF v4.36 dropped tokens). [N] */
  inputWeight?: tf.Tensor1D;
  /** Expert index as HF reports it for top-1 routers (0 for dropped tokens). [N] int32 */
  hfExpertIndex?: tf.Tensor1D;
  /**
   * The router's jittered input, only when requested (switch-top1 `exposeJitteredInput`) and jitter
   * was applied: HF v4.36 in fp32 multiplies in place, so its experts also see this. [N, D]
   */
  jitteredInput?: tf.Tensor2D;
  /** Auxiliary losses of this call, unweighted. */
  losses: Record<string, tf.Scalar>;
  /** The coefficient each loss is multiplied by in the total loss. */
  lossCoefficients: Record<string, number>;
  /** Whether the layer computed every expert on every token for this call (dense compute). */
  denseCompute: boolean;
}

/** A trainable parameter with its HF state-dict name relative to the MoE layer's router slot. */
export interface NamedParameter {
  /** e.g. `classifier.weight` (→ `...mlp.router.classifier.weight`). */
  name: string;
  variable: tf.Variable;
  /** `linear`: stored [in, out] in tfjs, [out, in] in torch checkpoints; `raw`: same layout in both. */
  layout: 'linear' | 'raw';
  /** Excluded from gradient updates (frozen gates of SMoE-Dropout, StableMoE stage 2). */
  frozen?: boolean;
}

export interface Router {
  /** Registered type name, e.g. `switch-top1`. */
  readonly type: string;
  /** Resolved options (schema-checked, defaults applied). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly numExperts: number;
  /** Route N tokens. Call inside tf.tidy or dispose the outputs. x: [N, D] */
  route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput;
  parameters(): NamedParameter[];
  dispose(): void;
}

export interface RouterInit {
  dModel: number;
  numExperts: number;
  /** Initialisation randomness. */
  rng: Rng;
  /** Vocabulary size, for routers with token-id gates. */
  vocabSize?: number;
}
