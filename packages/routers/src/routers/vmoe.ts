// V-MoE noisy top-K with Batch Prioritized Routing — Riquelme et al. 2021, "Scaling Vision with
// Sparse Mixture of Experts", arXiv 2106.05974 (§2.2, §4.1, appendix A), as google-research/vmoe
// `NoisyTopExpertsPerItemRouter` (docs/routers.md R10):
//   h = xW (no bias); train: gates = softmax(h + σε), σ = noiseStd/E; eval: gates = softmax(h).
//   Top-K by gates; capacity C = ceil(cf·S·K/E) → multiple of 4 per group; rank-1 before rank-2;
//   order by position, or BPR (descending max gate). Combine: raw gates of kept pairs.
//   Aux: importance CV²(Σ_t softmax(h)) + load CV²(mean_t P), P = 1 − Φ((θ_t − h)/σ) with θ_t the
//   K-th largest noisy logit; weights 0.005 + 0.005.
// Deviations: the load loss is 0 when σ = 0 or K = E; outside training θ_t comes from the clean logits.
// The GShard loss option (weight 0 in the paper configs) is not provided.
import * as tf from '@tensorflow/tfjs';
import type { RouterContext, RouterInit, RouterOutput } from '../types.js';
import { RouterBase, maskTensor, tidyRoute } from '../router-base.js';
import { LinearGate } from '../gates/linear.js';
import { topKIndices } from '../selection/top-k.js';
import { capacityVmoe, rowMax, tokensChooseDispatch } from '../selection/capacity.js';
import { maskedProbs } from '../selection/weights.js';
import { vmoeImportanceLoss, vmoeLoadLoss } from '../losses/vmoe.js';
import type { RouterDefinition } from '../registry.js';
import { NEEDS_NOTHING, type RouterDescription } from '../cost.js';

export interface VmoeOptions {
  topK: number;
  noiseStd: number;
  capacityFactor: number | null;
  batchPriority: boolean;
  importanceLossCoef: number;
  loadLossCoef: number;
}

export class VmoeRouter extends RouterBase {
  readonly gate: LinearGate;
  private readonly o: VmoeOptions;

  constructor(options: Record<string, unknown>, init: RouterInit) {
    super('vmoe', options, init);
    this.o = options as unknown as VmoeOptions;
    if (this.o.topK > init.numExperts) throw new Error('vmoe: topK > numExperts');
    this.gate = this.own(new LinearGate({ dModel: init.dModel, numExperts: init.numExperts, rng: init.rng, bias: false, name: 'dense', init: 'normal', std: 0.02 }));
  }

  route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput {
    return tidyRoute(() => {
      const n = x.shape[0], e = this.numExperts, k = this.o.topK, g = this.groupSize(n, ctx);
      const sigma = this.o.noiseStd / e;
      const logits = this.gate.logits(x);                                     // [N, E] clean
      const noisy = ctx.training && sigma > 0
        ? tf.add(logits, tf.mul(ctx.rng.normalTensor([n, e]), sigma)) as tf.Tensor2D : logits;
      const gates = tf.softmax(noisy) as tf.Tensor2D;                         // [N, E]
      const gv = gates.dataSync();
      const choices = topKIndices(gv, n, e, k);
      const capacity = this.o.capacityFactor === null ? null : capacityVmoe(this.o.capacityFactor, g, k, e);
      const plan = tokensChooseDispatch(choices, n, e, k, {
        capacity, groupSize: g, order: this.o.batchPriority ? 'bpr' : 'position', priority: rowMax(gv, n, e),
      });
      const dispatch = maskTensor(plan.dispatch, n, e);
      const selected = maskTensor(plan.selected, n, e);
      const weights = maskedProbs(gates, dispatch);
      const clean = tf.softmax(logits) as tf.Tensor2D;
      // θ_t: the K-th largest noisy logit, picked with a one-hot so it keeps its gradient (as vmoe).
      const kth = new Float32Array(n * e);
      for (let t = 0; t < n; t++) kth[t * e + choices[t * k + k - 1]!] = 1;
      const theta = tf.sum(tf.mul(noisy, maskTensor(kth, n, e)), 1, true) as tf.Tensor2D;   // [N, 1]
      const imp: tf.Scalar[] = [], load: tf.Scalar[] = [];
      for (let s = 0; s < n; s += g) {
        imp.push(vmoeImportanceLoss(clean.slice([s, 0], [g, e])));
        load.push(sigma > 0 && k < e
          ? vmoeLoadLoss(logits.slice([s, 0], [g, e]), theta.slice([s, 0], [g, 1]), sigma)
          : tf.scalar(0));
      }
      return {
        logits, probs: gates, weights, dispatch, selected,
        losses: { importance: tf.mean(tf.stack(imp)) as tf.Scalar, load: tf.mean(tf.stack(load)) as tf.Scalar },
        lossCoefficients: { importance: this.o.importanceLossCoef, load: this.o.loadLossCoef },
        denseCompute: false,
      };
    });
  }
}

export const vmoeDefinition: RouterDefinition = {
  type: 'vmoe',
  paper: 'V-MoE (Riquelme et al. 2021, arXiv 2106.05974); google-research/vmoe NoisyTopExpertsPerItemRouter',
  properties: {
    topK: { type: 'integer', minimum: 1, default: 2 },
    noiseStd: { type: 'number', minimum: 0, default: 1, description: 'σ = noiseStd / E.' },
    capacityFactor: { type: ['number', 'null'], exclusiveMinimum: 0, default: 1.05, description: 'null = no capacity.' },
    batchPriority: { type: 'boolean', default: false, description: 'Batch Prioritized Routing (order by max gate).' },
    importanceLossCoef: { type: 'number', minimum: 0, default: 0.005 },
    loadLossCoef: { type: 'number', minimum: 0, default: 0.005 },
  },
  // h = xW (no bias), softmax (+ noise in training), top-K (capacity may drop).
  describe: (o, { dModel, numExperts }): RouterDescription => ({
    gate: { kind: 'linear-no-bias', dModel, numExperts }, normaliser: { kind: 'softmax' }, selectionSort: (o.topK as number) < numExperts,
    activeExperts: { kind: 'fixed', k: o.topK as number }, extraTrainingEvaluations: null, needs: NEEDS_NOTHING,
  }),
  create: (o, init) => new VmoeRouter(o, init),
};
