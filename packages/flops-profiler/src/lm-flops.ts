// Analytic FLOPs of model-core's decoder-only MoE language model (packages/model-core/src/decoder-lm.ts:
// the adaptive-span / CompeteSMoE family, Transformer or GLaM) per token, written out term by
// term as analytic.ts does for the Switch encoder-decoder, with the same conventions:
// multiply-add = 2 FLOPs; `matmul` terms are the matrix products, `elementwise` terms add norms,
// softmaxes, biases, activations, residuals, the MoE combine and the loss; training = 3 × forward
// for every term plus the embedding's backward scatter-add, plus the extra expert evaluations a
// router declares for training steps (CompeteSMoE's competition) times their probability.
//
// What one block of M tokens of one stream costs, divided by M (the model processes the stream
// block by block; the cache of the previous L layer inputs is re-projected to keys and values in
// every block, as decoder-lm.ts does — that is real work and is counted):
//   attention per layer: Q and O projections 2·M·d² each; K and V projections over the L + M rows of
//   [cache; block] 2·(L+M)·d² each (no biases); content scores q·Kᵀ over all L+M columns
//   2·M·(L+M)·d (decoder-lm.ts computes them all, then unskews to L); position scores q·key_pe
//   2·M·L·d; the weighted sum with the re-skewed probabilities 2·M·(L+M)·d. Per kept score element
//   (H·M·L): content + position 1, /√K 1, softmax 5. The stream-start mask (only while fewer
//   than L positions precede) and dropout are not counted.
//   FFN (one expert or GLaM's dense FFN) per token: fc1 2·d·F, fc2 2·F·d; bias F, ReLU F, bias d.
//   MoE per token: the router (router-cost.ts, from the router's own description), a·(FFN) for
//   a active experts, and per active (token, expert) the combine's multiply and accumulate 2d.
//   LayerNorm per token: mean d, subtract d, square d, mean d, +ε and rsqrt 2, normalise d,
//   weight d, bias d = 7d + 2 (plus the division of each mean, 2) = 7d + 4.
//   Residual adds d per sub-layer. Head: 2·d·V + bias V; cross-entropy 4V + 2.
// Dims: d dModel, H heads, K = d/H, F dFf, E experts, V vocab, M block, L span.
import type { RouterDescription } from '@switchyard/routers';
import type { FlopsTerm, TermGroup } from './analytic.js';
import { routerCost, type RouterCostSpec } from './router-cost.js';

/** The numbers of a decoder LM config.json (model-core's LmConfig keys) the count reads. */
export interface LmShape {
  vocabSize: number;
  dModel: number;
  numHeads: number;
  dFf: number;
  blockSize: number;
  attnSpan: number;
  /** Per layer: what follows the attention (model-core's lmLayerKinds). */
  layerKinds: ('moe' | 'dense' | 'none')[];
  numExperts: number;
  /** The reference's second residual + LayerNorm around the MoE output (compatDoubleMoeNorm). */
  doubleMoeNorm: boolean;
}

/** One MoE layer: its router's priced description and the experts computing each token. */
export interface LmMoeLayerCost {
  /** Layer name as in routing.arrow (`layers.<i>.moe`). */
  layer: string;
  router: RouterCostSpec;
  /** Mean experts computing a token at inference (k, or the measured support size). */
  activeEval: number;
  /** Mean experts computing a token in training (measured during training when known, else activeEval). */
  activeTraining: number;
}

export interface LmFlopsReport {
  /** Tokens per block M; every per-token number is a block's count divided by M. */
  blockSize: number;
  terms: FlopsTerm[];
  /** Per token: forward (eval mode) and one training step (forward + backward). */
  perToken: { forwardMatmul: number; forwardAll: number; trainingMatmul: number; trainingAll: number };
  /** Token-weighted mean active experts over the MoE layers (eval). */
  meanActiveExperts: number;
  /** Same, during training. */
  meanActiveExpertsTraining: number;
}

export class LmFlopsError extends Error {}

/** LayerNorm FLOPs per token (see the header). */
export function layerNormFlops(d: number): number {
  return 7 * d + 4;
}

/**
 * FLOPs per token of the decoder LM `shape` whose MoE layers are `moe` (one entry per 'moe' layer
 * of shape.layerKinds, in order).
 */
export function lmFlopsModel(shape: LmShape, moe: LmMoeLayerCost[]): LmFlopsReport {
  const { dModel: d, numHeads: H, dFf: F, vocabSize: V, blockSize: M, attnSpan: L, numExperts: E } = shape;
  for (const [k, v] of Object.entries({ vocabSize: V, dModel: d, numHeads: H, dFf: F, blockSize: M, attnSpan: L, numExperts: E })) {
    if (!Number.isInteger(v) || v < 1) throw new LmFlopsError(`${k} must be a positive integer, got ${v}`);
  }
  const moeLayers = shape.layerKinds.filter((k) => k === 'moe').length;
  if (moe.length !== moeLayers) throw new LmFlopsError(`the model has ${moeLayers} MoE layers but ${moe.length} layer costs were given`);
  for (const l of moe) {
    for (const [name, a] of [['activeEval', l.activeEval], ['activeTraining', l.activeTraining]] as const) {
      if (!(a >= 0 && a <= E)) throw new LmFlopsError(`${l.layer}: ${name} must be in [0, ${E}], got ${a}`);
    }
  }
  const layers = shape.layerKinds.length;
  const dense = shape.layerKinds.filter((k) => k === 'dense').length;
  const terms: FlopsTerm[] = [];
  // Per-block counts, divided by M at the end. fwd = eval forward; trn = forward + backward.
  const mm = (name: string, group: TermGroup, forward: number, training = 3 * forward) => terms.push({ name, group, kind: 'matmul', forward: forward / M, training: training / M });
  const ew = (name: string, group: TermGroup, forward: number, training = 3 * forward) => terms.push({ name, group, kind: 'elementwise', forward: forward / M, training: training / M });

  // Embedding: a gather; its backward scatter-adds d per token.
  ew('embeddings.gather', 'embeddings', 0, M * d);

  // Span attention, every layer.
  mm('attention.projections', 'attention', layers * (2 * 2 * M * d * d + 2 * 2 * (L + M) * d * d));
  mm('attention.content-scores', 'attention', layers * 2 * M * (L + M) * d);
  mm('attention.position-scores', 'attention', layers * 2 * M * L * d);
  mm('attention.weighted-sum', 'attention', layers * 2 * M * (L + M) * d);
  ew('attention.scale-softmax', 'attention', layers * H * M * L * 7);

  // GLaM's dense FFN layers.
  const ffn = 2 * 2 * d * F;
  const ffnEw = F + F + d; // fc1 bias, ReLU, fc2 bias
  mm('dense-ffn', 'dense-ffn', dense * M * ffn);
  ew('dense-ffn.bias-activation', 'dense-ffn', dense * M * ffnEw);

  // MoE layers: router on every token, experts on the active (token, expert) pairs.
  let expMmF = 0, expMmT = 0, expEwF = 0, expEwT = 0, rMm = 0, rEw = 0, xMm = 0, xEw = 0;
  for (const l of moe) {
    const rc = routerCost(l.router, d, E);
    rMm += M * rc.matmulPerToken + rc.matmulPerCall;
    rEw += M * rc.elementwisePerToken + rc.elementwisePerCall;
    expMmF += M * l.activeEval * ffn;
    expMmT += 3 * M * l.activeTraining * ffn;
    expEwF += M * l.activeEval * (ffnEw + 2 * d);
    expEwT += 3 * M * l.activeTraining * (ffnEw + 2 * d);
    const extra = l.router.extraTraining;
    if (extra) {
      const p = extra.probability;
      if (!(p >= 0 && p <= 1)) throw new LmFlopsError(`${l.layer}: extra training evaluations: probability must be in [0, 1], got ${p}`);
      xMm += 3 * p * M * extra.expertsPerToken * ffn;
      xEw += 3 * p * M * (extra.expertsPerToken * ffnEw + extra.elementwisePerToken);
    }
  }
  mm('moe.experts', 'experts', expMmF, expMmT);
  ew('moe.experts.bias-activation-combine', 'experts', expEwF, expEwT);
  mm('moe.router', 'router', rMm);
  ew('moe.router.bias-normalise-select', 'router', rEw);
  mm('training-extra.expert-evaluations', 'training-extra', 0, xMm);
  ew('training-extra.elementwise', 'training-extra', 0, xEw);

  // LayerNorms: after attention in every layer, after the FFN/MoE where there is one, and the
  // reference's extra one inside the MoE sub-layer (compatDoubleMoeNorm).
  const norms = layers + (layers - shape.layerKinds.filter((k) => k === 'none').length) + (shape.doubleMoeNorm ? moeLayers : 0);
  ew('norms', 'norms', norms * M * layerNormFlops(d));
  const residuals = layers + dense + moeLayers * (shape.doubleMoeNorm ? 2 : 1);
  ew('residual', 'residual', residuals * M * d);

  // Output layer and loss.
  mm('head.out-projection', 'head', M * 2 * d * V);
  ew('head.bias', 'head', M * V);
  ew('loss.cross-entropy', 'loss', M * (4 * V + 2));

  const sum = (all: boolean, f: 'forward' | 'training') => terms.reduce((a, t) => a + (all || t.kind === 'matmul' ? t[f] : 0), 0);
  const mean = (f: (l: LmMoeLayerCost) => number) => (moe.length === 0 ? 0 : moe.reduce((a, l) => a + f(l), 0) / moe.length);
  return {
    blockSize: M,
    terms,
    perToken: { forwardMatmul: sum(false, 'forward'), forwardAll: sum(true, 'forward'), trainingMatmul: sum(false, 'training'), trainingAll: sum(true, 'training') },
    meanActiveExperts: mean((l) => l.activeEval),
    meanActiveExpertsTraining: mean((l) => l.activeTraining),
  };
}

/** Fixed k of a description (`all` = E), or null when the support size is data dependent. */
export function fixedActive(desc: RouterDescription, E: number): number | null {
  if (desc.activeExperts.kind === 'fixed') return desc.activeExperts.k;
  if (desc.activeExperts.kind === 'all') return E;
  return null;
}
