// StableMoE — Dai et al. 2022, "StableMoE: Stable Routing Strategy for Mixture of Experts",
// arXiv 2204.08396 (§2.1–2.2), as Hunter-DDM/stablemoe `BaseLayer` (docs/routers.md R7):
//   backbone affinities a = x cᵀ (c [E, D], orthogonal gain 0.1); distilled router
//   a' = v_{id} c'ᵀ (word embedding v [V, 50], c' [E, 50]).
//   Stage 1 (training, step < twoStageUpdates): greedy top-1 on a; losses distillation
//   CE(a', argmax a) (×0.3) and balance Σ_e ((n_e − n̄)/n̄)·Σ_{t→e} σ(a_{t,e}) (×0.3).
//   Stage 2 and inference: greedy top-1 on a' (a frozen routing; no losses).
//   Combine α = σ(<x_t, c_e>) with gradient; capacity int(n̄·cf) in position order.
// Deviations / mapping onto the router contract:
// * Only the greedy assignment (GA); balanced assignment (BA/GBA) is not implemented.
// * The paper's layer output is α·F_e(x) + (1−α)·x with F_e a residual block. With plain-FFN
//   experts f_e and the contract's residual (y = x + Σ w f_e(x) + inputWeight·x) that is w = α,
//   no inputWeight (`expertIsResidual: false`, default). With residual experts F_e
//   (`expertIsResidual: true`) inputWeight = −α on kept tokens. Dropped tokens pass unchanged.
// * `distill: false` routes on a at inference too (no word-embedding gate, no vocabSize needed).
// * Loss scale (`lossReduction`): the reference (fairseq) sums the task loss and these two losses
//   over tokens alike. Switchyard's trainers take the token MEAN of the task loss, so by default
//   ('mean') both losses are divided by the tokens N of the call, which keeps the reference's ratio
//   (task : 0.3·distill : 0.3·balance). 'sum' is the reference's own reduction, right only next to
//   a summed task loss: next to a mean one it weighs the routing losses N times too much (at N =
//   1,024 tokens the LM never learned in stage 1: BPC 4.9 against 3.8 for the other methods).
// `variant: 'competesmoe'`: CompeteSMoE's baseline — h = <x, c/‖c‖> (gain 0.32, trainable), TK-B
// k = 2, no stages, no distillation, no losses.
import * as tf from '@tensorflow/tfjs';
import type { RouterContext, RouterInit, RouterOutput } from '../types.js';
import { RouterBase, maskTensor, tidyRoute } from '../router-base.js';
import { CentroidGate, TokenEmbeddingGate } from '../gates/centroid.js';
import { choicesToMask, topKIndices } from '../selection/top-k.js';
import { tokensChooseDispatch } from '../selection/capacity.js';
import { softmaxOverSelected } from '../selection/weights.js';
import { stableMoEBalanceLoss, stableMoEDistillLoss } from '../losses/stablemoe.js';
import type { RouterDefinition } from '../registry.js';
import { NEEDS_NOTHING, type RouterDescription } from '../cost.js';

export interface StableMoEOptions {
  variant: 'two-stage' | 'competesmoe';
  twoStageUpdates: number;
  distill: boolean;
  distillDim: number;
  distillFactor: number;
  balanceFactor: number;
  lossReduction: 'mean' | 'sum';
  capacityFactor: number | null;
  expertIsResidual: boolean;
  topK: number;
}

export class StableMoERouter extends RouterBase {
  readonly gate: CentroidGate;
  readonly distilled: TokenEmbeddingGate | null;
  private readonly o: StableMoEOptions;

  constructor(options: Record<string, unknown>, init: RouterInit) {
    super('stablemoe', options, init);
    const o = options as unknown as StableMoEOptions;
    this.o = o;
    const competes = o.variant === 'competesmoe';
    if (competes && o.topK > init.numExperts) throw new Error('stablemoe: topK > numExperts');
    this.gate = this.own(new CentroidGate({ dModel: init.dModel, numExperts: init.numExperts, rng: init.rng, gain: competes ? 0.32 : 0.1, normalise: competes }));
    if (!competes && o.distill) {
      if (!init.vocabSize) throw new Error('stablemoe: distill needs RouterInit.vocabSize');
      this.distilled = this.own(new TokenEmbeddingGate({ vocabSize: init.vocabSize, numExperts: init.numExperts, rng: init.rng, dim: o.distillDim }));
    } else this.distilled = null;
  }

  /** 1 or 2 in training; 0 at inference. */
  stage(ctx: RouterContext): 0 | 1 | 2 {
    if (!ctx.training) return 0;
    return (ctx.step ?? 0) < this.o.twoStageUpdates ? 1 : 2;
  }

  route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput {
    return tidyRoute((): RouterOutput => {
      const n = x.shape[0], e = this.numExperts, g = this.groupSize(n, ctx);
      const a = this.gate.logits(x);                                          // [N, E] affinities
      if (this.o.variant === 'competesmoe') {
        const k = this.o.topK;
        const sel = choicesToMask(topKIndices(a.dataSync(), n, e, k), n, e, k);
        const selected = maskTensor(sel, n, e), dispatch = maskTensor(sel, n, e);
        return { logits: a, probs: tf.softmax(a) as tf.Tensor2D, weights: softmaxOverSelected(a, selected), dispatch, selected, losses: {}, lossCoefficients: {}, denseCompute: false };
      }
      const stage = this.stage(ctx);
      let distilled: tf.Tensor2D | null = null;
      if (this.distilled) {
        if (!ctx.tokenIds) throw new Error('stablemoe: distill needs ctx.tokenIds');
        distilled = this.distilled.logits(ctx.tokenIds);                      // [N, E]
      }
      const routeOn = stage === 1 || !distilled ? a : distilled;
      const choices = topKIndices(routeOn.dataSync(), n, e, 1);
      const capacity = this.o.capacityFactor === null ? null : Math.floor((g / e) * this.o.capacityFactor);
      const plan = tokensChooseDispatch(choices, n, e, 1, { capacity, groupSize: g, order: 'position' });
      const dispatch = maskTensor(plan.dispatch, n, e);
      const selected = maskTensor(plan.selected, n, e);
      const alpha = tf.sigmoid(a);                                             // [N, E]
      const weights = tf.mul(alpha, dispatch) as tf.Tensor2D;
      const losses: Record<string, tf.Scalar> = {};
      const lossCoefficients: Record<string, number> = {};
      if (stage === 1) {
        const per = this.o.lossReduction === 'mean' ? 1 / n : 1;                // [N, E] token sums → means
        if (distilled) {
          losses.distill = tf.mul(stableMoEDistillLoss(distilled, tf.tensor1d(choices, 'int32')), per) as tf.Scalar;
          lossCoefficients.distill = this.o.distillFactor;
        }
        losses.balance = tf.mul(stableMoEBalanceLoss(a, selected), per) as tf.Scalar;
        lossCoefficients.balance = this.o.balanceFactor;
      }
      const out: RouterOutput = { logits: routeOn, probs: tf.softmax(routeOn) as tf.Tensor2D, weights, dispatch, selected, losses, lossCoefficients, denseCompute: false };
      if (this.o.expertIsResidual) out.inputWeight = tf.neg(tf.sum(weights, 1)) as tf.Tensor1D;
      return out;
    });
  }
}

export const stableMoEDefinition: RouterDefinition = {
  type: 'stablemoe',
  paper: 'StableMoE (Dai et al. 2022, arXiv 2204.08396); Hunter-DDM/stablemoe BaseLayer',
  properties: {
    variant: { enum: ['two-stage', 'competesmoe'], default: 'two-stage' },
    twoStageUpdates: { type: 'integer', minimum: 0, default: 6000, description: 'Steps of stage 1.' },
    distill: { type: 'boolean', default: true, description: 'Word-embedding distilled router (needs vocabSize and ctx.tokenIds).' },
    distillDim: { type: 'integer', minimum: 1, default: 50 },
    distillFactor: { type: 'number', minimum: 0, default: 0.3 },
    balanceFactor: { type: 'number', minimum: 0, default: 0.3 },
    lossReduction: { enum: ['mean', 'sum'], default: 'mean', description: "'mean': distillation and balance losses divided by the tokens of the call, for a token-mean task loss (Switchyard's trainers); 'sum': the reference's token sums (next to a summed task loss)." },
    capacityFactor: { type: ['number', 'null'], exclusiveMinimum: 0, default: 2, description: 'C = int(N_g/E · cf); null = none.' },
    expertIsResidual: { type: 'boolean', default: false, description: 'Experts are residual blocks F_e (inputWeight = −α).' },
    topK: { type: 'integer', minimum: 1, default: 2, description: "k of the 'competesmoe' variant." },
  },
  // 'competesmoe': cosine gate, TK-B top-k. Two-stage: top-1 on a = x cᵀ, at inference on the
  // distilled token-id gate when `distill` (needs token ids); the stage switch reads the step.
  describe: (o, { dModel, numExperts }): RouterDescription => {
    if (o.variant === 'competesmoe') {
      return {
        gate: { kind: 'cosine', dModel, numExperts }, normaliser: { kind: 'softmax' }, selectionSort: (o.topK as number) < numExperts,
        activeExperts: { kind: 'fixed', k: o.topK as number }, extraTrainingEvaluations: null, needs: NEEDS_NOTHING,
      };
    }
    return {
      gate: o.distill ? { kind: 'token-embedding', dModel, numExperts, innerDim: o.distillDim as number } : { kind: 'linear-no-bias', dModel, numExperts },
      normaliser: { kind: 'softmax' }, selectionSort: false, activeExperts: { kind: 'fixed', k: 1 }, extraTrainingEvaluations: null,
      needs: { tokenIds: o.distill === true, allExpertOutputs: false, step: true },
    };
  },
  create: (o, init) => new StableMoERouter(o, init),
};
