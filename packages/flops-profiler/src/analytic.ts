// Analytic FLOPs of one Switch-Transformers encoder-decoder pass over one sequence pair
// (S source tokens, T teacher-forced target tokens), written out term by term like nanoGPT's
// estimate_mfu. Multiply-add = 2 FLOPs. Conventions (README "FLOPs model"):
// - `matmul` terms are the matrix products (what torch.profiler with_flops reports for
//   mm/bmm/addmm); `elementwise` terms add norms, softmaxes, biases, activations, residuals,
//   the MoE combine and the loss. all = matmul + elementwise.
// - forward: eval mode (no competition, no dropout), loss computed (as in docs/routers.md §4).
// - training: train-mode forward + backward ≈ 3 × forward for every term: each matmul
//   Y = XW has two backward matmuls of the same size (dX = dY Wᵀ, dW = Xᵀ dY); elementwise
//   terms are given the same factor by convention (their backward is 1–2 ops per element).
//   The one exception is the embedding gather: 0 FLOPs forward, a scatter-add of d per token
//   backward. Extra expert evaluations a router declares for training steps (CompeteSMoE's
//   competition) are added with their probability, also × 3. Dropout is not counted.
// Dims: d d_model, h heads, dk d_kv, i = h·dk, F d_ff, E experts, V vocab, S source, T target.
import { resolveModel, layerName, type ModelSpec, type ResolvedModel } from './model-config.js';
import { routerCost, type RouterCostSpec } from './router-cost.js';
import type { RoutingSummary } from './routing-stats.js';

export type TermGroup = 'embeddings' | 'attention' | 'dense-ffn' | 'experts' | 'router' | 'training-extra' | 'norms' | 'residual' | 'head' | 'loss';

export interface FlopsTerm {
  /** e.g. `encoder.attention.projections`. */
  name: string;
  group: TermGroup;
  kind: 'matmul' | 'elementwise';
  /** Eval-mode forward FLOPs. */
  forward: number;
  /** Train-mode forward + backward FLOPs. */
  training: number;
}

export interface LayerExperts {
  layer: string;
  /** Tokens through this layer in one sequence pair (S or T). */
  tokens: number;
  /** Mean active experts per token used for this layer (k, or from routing statistics). */
  meanActive: number;
  /** Where meanActive came from. */
  source: 'fixed-k' | 'routing-stats';
  /** Expert FFN matmul FLOPs of the layer (forward). */
  expertFlops: number;
}

export interface FlopsOptions {
  /** model-core preset name (`switch-base-16`) or an HF config.json object. */
  model: ModelSpec;
  sourceLength: number;
  targetLength: number;
  router: RouterCostSpec;
  /**
   * Experts computing each token: a fixed k for every token of every sparse layer, or routing
   * statistics (per layer; the layer's mean support size is used, times the layer's tokens).
   */
  activeExperts: number | RoutingSummary;
  /** With routing statistics: what to do for a sparse layer without statistics. Defaults to error. */
  missingLayerK?: number;
}

export interface FlopsReport {
  model: ResolvedModel;
  sourceLength: number;
  targetLength: number;
  router: RouterCostSpec;
  terms: FlopsTerm[];
  layers: LayerExperts[];
  forward: { matmul: number; all: number };
  training: { matmul: number; all: number };
  /** Token-weighted mean active experts over all sparse layers. */
  meanActiveExperts: number;
  /** The totals divided by the S + T tokens of the pair. */
  perToken: { forwardMatmul: number; forwardAll: number; trainingMatmul: number; trainingAll: number };
}

export class FlopsModelError extends Error {}

/** FLOPs of one expert (or dense) FFN on one token: F·d per matrix, 2 per multiply-add. */
export function ffnFlopsPerToken(m: ResolvedModel): number {
  return 2 * m.ffnMatrices * m.d * m.dFf;
}

/**
 * The FLOPs one extra active expert per token adds to a forward pass:
 * Σ_sparse layers tokens · 2·(matrices)·d·F (= (6·S + 6·T)·4·d·F for switch-base).
 */
export function deltaFlopsPerExpert(model: ModelSpec, sourceLength: number, targetLength: number): number {
  const m = resolveModel(model);
  return (m.encoderSparse.length * sourceLength + m.decoderSparse.length * targetLength) * ffnFlopsPerToken(m);
}

function checkLength(name: string, v: number): void {
  if (!Number.isInteger(v) || v <= 0) throw new FlopsModelError(`${name} must be a positive integer, got ${v}`);
}

/** Attention sub-layer FLOPs: nq query tokens attending over nk key tokens (nk = nq for self-attention). */
function attentionTerms(m: ResolvedModel, nq: number, nk: number, prefix: string, blocks: number): FlopsTerm[] {
  // Q [nq, i] and O [nq, d]: 2·nq·d·i each; K, V [nk, i]: 2·nk·d·i each.
  const proj = 2 * nq * m.d * m.inner * 2 + 2 * nk * m.d * m.inner * 2;
  // scores QKᵀ [h, nq, nk]: 2·h·nq·nk·dk; weighted sum P·V [h, nq, dk]: the same.
  const scores = 2 * m.heads * nq * nk * m.dKv;
  const weighted = 2 * m.heads * nq * nk * m.dKv;
  // per score element: + position bias (mask folded in) 1, softmax 5.
  const softmax = 6 * m.heads * nq * nk;
  return [
    mm(`${prefix}.projections`, 'attention', blocks * proj),
    mm(`${prefix}.scores`, 'attention', blocks * scores),
    mm(`${prefix}.weighted-sum`, 'attention', blocks * weighted),
    ew(`${prefix}.bias-softmax`, 'attention', blocks * softmax),
  ];
}

function mm(name: string, group: TermGroup, forward: number): FlopsTerm {
  return { name, group, kind: 'matmul', forward, training: 3 * forward };
}
function ew(name: string, group: TermGroup, forward: number): FlopsTerm {
  return { name, group, kind: 'elementwise', forward, training: 3 * forward };
}

/** Mean active experts of one sparse layer, from k or the statistics. */
function layerActivity(opts: FlopsOptions, name: string, E: number): { mean: number; source: LayerExperts['source'] } {
  if (typeof opts.activeExperts === 'number') return { mean: opts.activeExperts, source: 'fixed-k' };
  const a = opts.activeExperts[name] ?? opts.activeExperts['*'];
  if (!a || a.tokens === 0) {
    if (opts.missingLayerK !== undefined) return { mean: opts.missingLayerK, source: 'fixed-k' };
    throw new FlopsModelError(`routing statistics have no tokens for sparse layer ${name} (have: ${Object.keys(opts.activeExperts).join(', ') || 'none'})`);
  }
  if (a.histogram.length - 1 > E) throw new FlopsModelError(`routing statistics of ${name} have tokens with ${a.histogram.length - 1} active experts, more than num_experts ${E}`);
  return { mean: a.totalActive / a.tokens, source: 'routing-stats' };
}

/** The full term-by-term FLOPs of one (S, T) pair. */
export function flopsModel(opts: FlopsOptions): FlopsReport {
  checkLength('sourceLength', opts.sourceLength);
  checkLength('targetLength', opts.targetLength);
  if (typeof opts.activeExperts === 'number' && !(opts.activeExperts >= 0)) {
    throw new FlopsModelError(`activeExperts must be >= 0, got ${opts.activeExperts}`);
  }
  const m = resolveModel(opts.model);
  const S = opts.sourceLength, T = opts.targetLength, d = m.d, F = m.dFf, E = m.experts;
  if (typeof opts.activeExperts === 'number' && opts.activeExperts > E) {
    throw new FlopsModelError(`activeExperts ${opts.activeExperts} exceeds num_experts ${E}`);
  }
  const encDense = m.encoderLayers - m.encoderSparse.length;
  const decDense = m.decoderLayers - m.decoderSparse.length;
  const ffn = ffnFlopsPerToken(m);
  // ReLU: 1 per hidden unit; gated activations: activation + gate product.
  const actPerToken = (m.ffnMatrices === 3 ? 2 : 1) * F;
  const terms: FlopsTerm[] = [];

  // Embeddings: a gather (no FLOPs); backward scatter-adds d per token into the shared table.
  terms.push({ name: 'embeddings.gather', group: 'embeddings', kind: 'elementwise', forward: 0, training: (S + T) * d });

  // Attention: encoder self (S over S), decoder self (T over T, causal mask in the bias),
  // decoder cross (T over S; HF recomputes K, V from the encoder output in every block).
  terms.push(...attentionTerms(m, S, S, 'encoder.self-attention', m.encoderLayers));
  terms.push(...attentionTerms(m, T, T, 'decoder.self-attention', m.decoderLayers));
  terms.push(...attentionTerms(m, T, S, 'decoder.cross-attention', m.decoderLayers));

  // Dense FFN blocks: wi [d, F] (+ wi_1 when gated), wo [F, d].
  terms.push(mm('encoder.dense-ffn', 'dense-ffn', encDense * S * ffn));
  terms.push(mm('decoder.dense-ffn', 'dense-ffn', decDense * T * ffn));
  terms.push(ew('encoder.dense-ffn.activation', 'dense-ffn', encDense * S * actPerToken));
  terms.push(ew('decoder.dense-ffn.activation', 'dense-ffn', decDense * T * actPerToken));

  // Sparse blocks: router on every token, experts on the active (token, expert) pairs.
  const rc = routerCost(opts.router, d, E);
  const layers: LayerExperts[] = [];
  const expertMm = { encoder: 0, decoder: 0 };
  const expertEw = { encoder: 0, decoder: 0 };
  const routerMm = { encoder: 0, decoder: 0 };
  const routerEw = { encoder: 0, decoder: 0 };
  for (const [stack, blocks, n] of [['encoder', m.encoderSparse, S], ['decoder', m.decoderSparse, T]] as const) {
    for (const b of blocks) {
      const name = layerName(stack, b);
      const { mean, source } = layerActivity(opts, name, E);
      const pairs = mean * n; // Σ_t |S_t| over the layer's tokens
      layers.push({ layer: name, tokens: n, meanActive: mean, source, expertFlops: pairs * ffn });
      expertMm[stack] += pairs * ffn;
      // per active pair: activation F, combine weight multiply d, accumulate d.
      expertEw[stack] += pairs * (actPerToken + 2 * d);
      routerMm[stack] += n * rc.matmulPerToken + rc.matmulPerCall;
      routerEw[stack] += n * rc.elementwisePerToken + rc.elementwisePerCall;
    }
  }
  for (const stack of ['encoder', 'decoder'] as const) {
    terms.push(mm(`${stack}.experts`, 'experts', expertMm[stack]));
    terms.push(ew(`${stack}.experts.activation-combine`, 'experts', expertEw[stack]));
    terms.push(mm(`${stack}.router`, 'router', routerMm[stack]));
    terms.push(ew(`${stack}.router.bias-normalise-select`, 'router', routerEw[stack]));
  }

  // Extra expert evaluations of training steps (CompeteSMoE's competition: every expert on every
  // token, E evaluations on top of the k used for the output), with their probability.
  const extra = opts.router.extraTraining;
  if (extra) {
    const p = extra.probability;
    if (!(p >= 0 && p <= 1)) throw new FlopsModelError(`extra training evaluations: probability must be in [0, 1], got ${p}`);
    const tokens = m.encoderSparse.length * S + m.decoderSparse.length * T;
    const extraMm = p * tokens * extra.expertsPerToken * ffn;
    const extraEw = p * tokens * (extra.expertsPerToken * actPerToken + extra.elementwisePerToken);
    terms.push({ name: 'training-extra.expert-evaluations', group: 'training-extra', kind: 'matmul', forward: 0, training: 3 * extraMm });
    terms.push({ name: 'training-extra.elementwise', group: 'training-extra', kind: 'elementwise', forward: 0, training: 3 * extraEw });
  }

  // T5 RMS norm per token: square d, sum d, /d 1, +eps 1, rsqrt 1, scale d, weight d = 4d + 3.
  // Encoder: 2 per block + final; decoder: 3 per block + final.
  const norm = 4 * d + 3;
  terms.push(ew('encoder.norms', 'norms', (2 * m.encoderLayers + 1) * S * norm));
  terms.push(ew('decoder.norms', 'norms', (3 * m.decoderLayers + 1) * T * norm));
  terms.push(ew('encoder.residual', 'residual', 2 * m.encoderLayers * S * d));
  terms.push(ew('decoder.residual', 'residual', 3 * m.decoderLayers * T * d));

  // LM head [T, V]: 2·T·d·V (+ the d^-0.5 rescale when embeddings are tied).
  terms.push(mm('head.lm-head', 'head', 2 * T * d * m.vocab));
  terms.push(ew('head.rescale', 'head', m.tieWordEmbeddings ? T * d : 0));
  // Cross-entropy: log-softmax over V (max, subtract, exp, sum = 4V) + log 1, pick + mean 1.
  terms.push(ew('loss.cross-entropy', 'loss', T * (4 * m.vocab + 2)));

  const sum = (kind: 'matmul' | 'all', f: 'forward' | 'training') =>
    terms.reduce((a, t) => a + (kind === 'all' || t.kind === 'matmul' ? t[f] : 0), 0);
  const forward = { matmul: sum('matmul', 'forward'), all: sum('all', 'forward') };
  const training = { matmul: sum('matmul', 'training'), all: sum('all', 'training') };
  const tokensInSparse = layers.reduce((a, l) => a + l.tokens, 0);
  const meanActiveExperts = tokensInSparse === 0 ? 0 : layers.reduce((a, l) => a + l.meanActive * l.tokens, 0) / tokensInSparse;
  const n = S + T;
  return {
    model: m, sourceLength: S, targetLength: T, router: opts.router, terms, layers, forward, training, meanActiveExperts,
    perToken: { forwardMatmul: forward.matmul / n, forwardAll: forward.all / n, trainingMatmul: training.matmul / n, trainingAll: training.all / n },
  };
}
