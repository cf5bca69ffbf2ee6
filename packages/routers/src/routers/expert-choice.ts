// Expert Choice routing — Zhou et al. 2022, arXiv 2202.09368 (§3.1), as flaxformer
// `ExpertsChooseMaskedRouter` (docs/routers.md R11):
//   p = softmax(xW + b) per token; in each group every expert takes the C tokens with the largest
//   p_{·,e}; y_t = Σ_{e : t ∈ top_C(e)} p_{t,e} f_e(x_t) (0…E experts per token).
//   C = max(round(cf·T_g/E), 4) (flaxformer, default) or ceil(cf·T_g/E)→multiple of 4 (vmoe).
// Only the router z-loss (flaxformer's base router computes it). Not causal: do not use in
// autoregressive decoders. Deviations: init N(0, 0.02²) for W, zero bias; no padding mask
// (the contract has none); C is clamped to the group size.
import * as tf from '@tensorflow/tfjs';
import type { RouterContext, RouterInit, RouterOutput } from '../types.js';
import { RouterBase, maskTensor, tidyRoute } from '../router-base.js';
import { LinearGate } from '../gates/linear.js';
import { expertsChooseDispatch } from '../selection/expert-choice.js';
import { capacityFlaxformer, capacityVmoe } from '../selection/capacity.js';
import { maskedProbs } from '../selection/weights.js';
import { routerZLoss } from '../losses/z-loss.js';
import type { RouterDefinition } from '../registry.js';
import { NEEDS_NOTHING, type RouterDescription } from '../cost.js';

export interface ExpertChoiceOptions {
  capacityFactor: number;
  capacityRule: 'flaxformer' | 'vmoe';
  zLossCoef: number;
}

export class ExpertChoiceRouter extends RouterBase {
  readonly gate: LinearGate;
  private readonly o: ExpertChoiceOptions;

  constructor(options: Record<string, unknown>, init: RouterInit) {
    super('expert-choice', options, init);
    this.o = options as unknown as ExpertChoiceOptions;
    this.gate = this.own(new LinearGate({ dModel: init.dModel, numExperts: init.numExperts, rng: init.rng, bias: true, name: 'classifier', init: 'normal', std: 0.02 }));
  }

  capacity(groupSize: number): number {
    const e = this.numExperts;
    return this.o.capacityRule === 'vmoe' ? capacityVmoe(this.o.capacityFactor, groupSize, 1, e) : capacityFlaxformer(this.o.capacityFactor, groupSize, e);
  }

  route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput {
    return tidyRoute(() => {
      const n = x.shape[0], e = this.numExperts, g = this.groupSize(n, ctx);
      const logits = this.gate.logits(x);                                     // [N, E]
      const probs = tf.softmax(logits) as tf.Tensor2D;
      const mask = expertsChooseDispatch(probs.dataSync(), n, e, this.capacity(g), g);
      const dispatch = maskTensor(mask, n, e);
      const selected = maskTensor(mask, n, e);
      const weights = maskedProbs(probs, dispatch);
      return {
        logits, probs, weights, dispatch, selected,
        losses: { z: routerZLoss(logits) }, lossCoefficients: { z: this.o.zLossCoef }, denseCompute: false,
      };
    });
  }
}

export const expertChoiceDefinition: RouterDefinition = {
  type: 'expert-choice',
  paper: 'Mixture-of-Experts with Expert Choice Routing (Zhou et al. 2022, arXiv 2202.09368); flaxformer ExpertsChooseMaskedRouter',
  properties: {
    capacityFactor: { type: 'number', exclusiveMinimum: 0, default: 2, description: 'cf; C ≈ cf·T_g/E tokens per expert.' },
    capacityRule: { enum: ['flaxformer', 'vmoe'], default: 'flaxformer' },
    zLossCoef: { type: 'number', minimum: 0, default: 0.001 },
  },
  // Each expert sorts a group's scores for its C tokens: 0…E experts per token (≈ cf on average).
  describe: (_o, { dModel, numExperts }): RouterDescription => ({
    gate: { kind: 'linear', dModel, numExperts }, normaliser: { kind: 'softmax' }, selectionSort: true,
    activeExperts: { kind: 'support' }, extraTrainingEvaluations: null, needs: NEEDS_NOTHING,
  }),
  create: (o, init) => new ExpertChoiceRouter(o, init),
};
