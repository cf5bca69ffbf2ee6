// X-MoE — Chi et al. 2022, "On the Representation Collapse of Sparse Mixture of Experts",
// arXiv 2204.09179 (§3), as microsoft/torchscale `Top1Gate/Top2Gate(use_xmoe=True)` (docs/routers.md R6):
//   r = x W_r (D → 16, no bias); e [E, 16] renormalised to norm 1.5 each forward; h = <r, e/‖e‖>;
//   p = softmax(h). top-1: TK-C with capacity cf·⌈S/E⌉ (train) / ⌈0.25·S⌉ (eval).
//   top-2 (TK-D): 1st = argmax p, 2nd = argmax over the others of h + Gumbel (training) or p (eval);
//   capacity 2·⌈S/E⌉ (train) / ⌈0.25·S⌉ (eval), rank-1 before rank-2; kept probabilities
//   renormalised after dropping. L_aux = E²·mean_e(mean_t p_{t,e} · frac_top1_e).
// `variant: 'competesmoe'`: CompeteSMoE's xmoe baseline — D → 8, TK-B k = 2, no capacity, no loss.
// Deviations: the paper's cosine similarity with learnable temperature is not used (torchscale
// doesn't either); capacity groups are ctx.groupSize groups (torchscale: all tokens of the batch,
// i.e. pass groupSize = N); eval capacity uses torchscale's eval_capacity_token_fraction 0.25.
import * as tf from '@tensorflow/tfjs';
import type { RouterContext, RouterInit, RouterOutput } from '../types.js';
import { RouterBase, maskTensor, tidyRoute } from '../router-base.js';
import { CosineGate } from '../gates/cosine.js';
import { choicesToMask, topKIndices } from '../selection/top-k.js';
import { rowMax, tokensChooseDispatch } from '../selection/capacity.js';
import { maskedProbs, renormalisedKept, softmaxOverSelected } from '../selection/weights.js';
import { gshardTop2Choices } from '../selection/gshard-top2.js';
import type { RouterDefinition } from '../registry.js';
import { NEEDS_NOTHING, type RouterDescription } from '../cost.js';

export interface XmoeOptions {
  variant: 'torchscale' | 'competesmoe';
  topK: 1 | 2;
  reducedDim: number | null;
  capacityFactor: number;
  evalCapacityTokenFraction: number;
  useCapacity: boolean;
  batchPriority: boolean;
  auxLossCoef: number;
}

export class XmoeRouter extends RouterBase {
  readonly gate: CosineGate;
  private readonly o: XmoeOptions;

  constructor(options: Record<string, unknown>, init: RouterInit) {
    super('xmoe', options, init);
    this.o = options as unknown as XmoeOptions;
    if (this.o.topK > init.numExperts) throw new Error('xmoe: topK > numExperts');
    const reducedDim = this.o.reducedDim ?? (this.o.variant === 'competesmoe' ? 8 : 16);
    this.gate = this.own(new CosineGate({ dModel: init.dModel, numExperts: init.numExperts, rng: init.rng, reducedDim }));
  }

  route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput {
    return tidyRoute((): RouterOutput => {
      const n = x.shape[0], e = this.numExperts, k = this.o.topK, g = this.groupSize(n, ctx);
      const logits = this.gate.logits(x);                                     // [N, E]
      const probs = tf.softmax(logits) as tf.Tensor2D;
      const pv = probs.dataSync();
      if (this.o.variant === 'competesmoe') {
        const sel = choicesToMask(topKIndices(logits.dataSync(), n, e, k), n, e, k);
        const selected = maskTensor(sel, n, e), dispatch = maskTensor(sel, n, e);
        return { logits, probs, weights: softmaxOverSelected(logits, selected), dispatch, selected, losses: {}, lossCoefficients: {}, denseCompute: false };
      }
      const first = topKIndices(pv, n, e, 1);
      const choices = k === 2 ? gshardTop2Choices(pv, logits.dataSync(), n, e, ctx.training, ctx.rng) : first; // TK-D
      const capacity = !this.o.useCapacity ? null
        : !ctx.training ? Math.ceil(this.o.evalCapacityTokenFraction * g)
          : k === 2 ? 2 * Math.ceil(g / e) : Math.floor(this.o.capacityFactor * Math.ceil(g / e));
      const plan = tokensChooseDispatch(choices, n, e, k, {
        capacity, groupSize: g, order: this.o.batchPriority ? 'bpr' : 'position', priority: rowMax(pv, n, e),
      });
      const dispatch = maskTensor(plan.dispatch, n, e);
      const selected = maskTensor(plan.selected, n, e);
      const weights = k === 2 ? renormalisedKept(probs, dispatch) : maskedProbs(probs, dispatch);
      // L_aux on the rank-1 choices before capacity, per group, averaged.
      const top1 = maskTensor(choicesToMask(first, n, e, 1), n, e);
      const me = tf.mean(probs.reshape([n / g, g, e]), 1);                    // [G, E]
      const ce = tf.mean(top1.reshape([n / g, g, e]), 1);                     // [G, E]
      const aux = tf.mul(tf.mean(tf.mul(me, ce)), e * e) as tf.Scalar;
      return { logits, probs, weights, dispatch, selected, losses: { balance: aux }, lossCoefficients: { balance: this.o.auxLossCoef }, denseCompute: false };
    });
  }
}

export const xmoeDefinition: RouterDefinition = {
  type: 'xmoe',
  paper: 'X-MoE (Chi et al. 2022, arXiv 2204.09179); microsoft/torchscale xmoe routing.py',
  properties: {
    variant: { enum: ['torchscale', 'competesmoe'], default: 'torchscale' },
    topK: { enum: [1, 2], default: 2 },
    reducedDim: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Routing dim; null = 16 (torchscale) / 8 (competesmoe).' },
    capacityFactor: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'top-1 training capacity factor.' },
    evalCapacityTokenFraction: { type: 'number', exclusiveMinimum: 0, default: 0.25 },
    useCapacity: { type: 'boolean', default: true },
    batchPriority: { type: 'boolean', default: false },
    auxLossCoef: { type: 'number', minimum: 0, default: 0.01 },
  },
  // r = xW_r (D → reducedDim), cosine scores against renormalised embeddings; top-1/top-2 (capacity may drop).
  describe: (o, { dModel, numExperts }): RouterDescription => ({
    gate: { kind: 'low-rank-cosine', dModel, numExperts, innerDim: (o.reducedDim as number | null) ?? (o.variant === 'competesmoe' ? 8 : 16) },
    normaliser: { kind: 'softmax' }, selectionSort: (o.topK as number) < numExperts,
    activeExperts: { kind: 'fixed', k: o.topK as number }, extraTrainingEvaluations: null, needs: NEEDS_NOTHING,
  }),
  create: (o, init) => new XmoeRouter(o, init),
};
