// CompeteSMoE — Pham et al. 2024, "CompeteSMoE: Effective Training of Sparse Mixture of Experts via
// Competition", arXiv 2402.02526 (§3, Alg. 1), as giangdip2410/CompeteSMoE `FMoEOpt` (docs/routers.md R8):
//   router h = xW + b, r = softmax(h). On a competition step (training, with probability freq):
//   every expert runs on every token (ctx.allExpertOutputs), response a_e = ‖f_e(x)‖₂
//   (optionally 0.5a + 0.5h), winners S = top-k(a), target t = softmax over S of a, router loss
//   MSE(r, t) over N·E entries; route with S and w = softmax(a_S) (the router's own top-k unused).
//   Otherwise (and at inference): TK-B on h.
// Loss wiring: total = NLL + load_balance·Σ gate.loss with gate.loss = alpha·L, so
// lossCoefficients.compete = alpha·loadBalance (5.0·0.01 by default).
// Deviations: C1 fixed (r is softmax(h) in expert order); C2 not reproduced (no stale loss: the
// loss is 0 on non-competition steps); `freqType: 'function'` draws per call with
// λ(t) = 2/(2+√(t+1)), t = ⌊step/iterationSteps⌋ (the original draws once per iteration);
// `response: 'mean-softplus'` is the 2025 follow-up's response. Nothing is detached (as the original).
import * as tf from '@tensorflow/tfjs';
import type { RouterContext, RouterInit, RouterOutput } from '../types.js';
import { RouterBase, maskTensor, tidyRoute } from '../router-base.js';
import { LinearGate } from '../gates/linear.js';
import { choicesToMask, topKIndices } from '../selection/top-k.js';
import { softmaxOverSelected } from '../selection/weights.js';
import { competeRouterLoss } from '../losses/compete.js';
import { switchBalanceLossFastMoE } from '../losses/switch-balance.js';
import type { RouterDefinition } from '../registry.js';
import { NEEDS_NOTHING, type RouterDescription } from '../cost.js';

export interface CompeteSMoEOptions {
  topK: number;
  freq: number;
  freqType: 'fix' | 'function';
  iterationSteps: number;
  alpha: number;
  loadBalance: number;
  combineGate: boolean;
  optBalance: boolean;
  response: 'l2' | 'mean-softplus';
}

/** Probability of a competition step. */
export function competitionProbability(o: Pick<CompeteSMoEOptions, 'freq' | 'freqType' | 'iterationSteps'>, step: number): number {
  if (o.freqType === 'fix') return o.freq;
  const t = Math.floor(step / o.iterationSteps);
  return 2 / (2 + Math.sqrt(t + 1));
}

export class CompeteSMoERouter extends RouterBase {
  readonly gate: LinearGate;
  private readonly o: CompeteSMoEOptions;

  constructor(options: Record<string, unknown>, init: RouterInit) {
    super('competesmoe', options, init);
    this.o = options as unknown as CompeteSMoEOptions;
    if (this.o.topK > init.numExperts) throw new Error('competesmoe: topK > numExperts');
    this.gate = this.own(new LinearGate({ dModel: init.dModel, numExperts: init.numExperts, rng: init.rng, bias: true, name: 'gate' }));
  }

  route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput {
    return tidyRoute((): RouterOutput => {
      const n = x.shape[0], e = this.numExperts, k = this.o.topK;
      const logits = this.gate.logits(x);                                     // [N, E]
      const probs = tf.softmax(logits) as tf.Tensor2D;                        // r
      const coef = this.o.alpha * this.o.loadBalance;
      const compete = ctx.training && ctx.rng.uniform() < competitionProbability(this.o, ctx.step ?? 0);
      if (!compete) {
        const sel = choicesToMask(topKIndices(logits.dataSync(), n, e, k), n, e, k);
        const selected = maskTensor(sel, n, e), dispatch = maskTensor(sel, n, e);
        const losses: Record<string, tf.Scalar> = ctx.training ? { compete: tf.scalar(0) } : {};
        return { logits, probs, weights: softmaxOverSelected(logits, selected), dispatch, selected, losses, lossCoefficients: ctx.training ? { compete: coef } : {}, denseCompute: false };
      }
      if (!ctx.allExpertOutputs) throw new Error('competesmoe: a competition step needs ctx.allExpertOutputs');
      const outs = ctx.allExpertOutputs(x);                                   // [E, N, D]
      const resp = this.o.response === 'l2'
        ? tf.sqrt(tf.maximum(tf.sum(tf.square(outs), 2), 1e-24))                   // [E, N]
        : tf.mean(tf.softplus(outs), 2);
      let a = tf.transpose(resp) as tf.Tensor2D;                              // [N, E]
      if (this.o.combineGate) a = tf.add(tf.mul(a, 0.5), tf.mul(logits, 0.5)) as tf.Tensor2D;
      const sel = choicesToMask(topKIndices(a.dataSync(), n, e, k), n, e, k);
      const selected = maskTensor(sel, n, e), dispatch = maskTensor(sel, n, e);
      const target = softmaxOverSelected(a, selected);                        // t (= combine weights)
      const losses: Record<string, tf.Scalar> = { compete: competeRouterLoss(probs, target) };
      const lossCoefficients: Record<string, number> = { compete: coef };
      if (this.o.optBalance) {
        losses.balance = switchBalanceLossFastMoE(tf.softmax(a) as tf.Tensor2D, selected, k);
        lossCoefficients.balance = coef;
      }
      return { logits, probs, weights: target, dispatch, selected, losses, lossCoefficients, denseCompute: true };
    });
  }
}

/**
 * Elementwise FLOPs per token of one competition step besides the E expert evaluations:
 * response norms ‖o_e‖₂ (square d, sum d, sqrt 1 per expert), softmax over all E logits (5E),
 * top-k of the responses (a sort, E·⌈log2 E⌉ comparisons), softmax over the k winners (5k), MSE over E (3E).
 */
export function competitionElementwisePerToken(d: number, E: number, k: number): number {
  const sort = E <= 1 ? 0 : E * Math.ceil(Math.log2(E));
  return E * (2 * d + 1) + 5 * E + sort + 5 * k + 3 * E;
}

export const competeSMoEDefinition: RouterDefinition = {
  type: 'competesmoe',
  paper: 'CompeteSMoE (Pham et al. 2024, arXiv 2402.02526); giangdip2410/CompeteSMoE FMoEOpt',
  properties: {
    topK: { type: 'integer', minimum: 1, default: 2 },
    freq: { type: 'number', minimum: 0, maximum: 1, default: 1, description: "Competition probability per call ('fix')." },
    freqType: { enum: ['fix', 'function'], default: 'fix' },
    iterationSteps: { type: 'integer', minimum: 1, default: 1000, description: "Steps per iteration t of λ(t) ('function')." },
    alpha: { type: 'number', minimum: 0, default: 5 },
    loadBalance: { type: 'number', minimum: 0, default: 0.01 },
    combineGate: { type: 'boolean', default: false, description: 'a = 0.5·response + 0.5·h.' },
    optBalance: { type: 'boolean', default: false, description: 'Add the fastmoe balance loss on softmax(a) and S.' },
    response: { enum: ['l2', 'mean-softplus'], default: 'l2' },
  },
  // Ordinary steps and inference: SMoE's gate and TK-B. A competition step (probability freq, or
  // λ(t) = 2/(2+√(t+1)) whose largest value 2/3 at t = 0 is given as an upper bound) runs all E
  // experts on every token.
  describe: (o, { dModel, numExperts }): RouterDescription => ({
    gate: { kind: 'linear', dModel, numExperts }, normaliser: { kind: 'softmax' }, selectionSort: (o.topK as number) < numExperts,
    activeExperts: { kind: 'fixed', k: o.topK as number },
    extraTrainingEvaluations: {
      expertsPerToken: numExperts,
      probability: competitionProbability(o as unknown as CompeteSMoEOptions, 0),
      winners: o.topK as number,
      elementwisePerToken: competitionElementwisePerToken(dModel, numExperts, o.topK as number),
      reason: o.freqType === 'fix' ? 'CompeteSMoE competition steps (all experts on every token)' : 'CompeteSMoE competition steps (all experts on every token; λ(0) = 2/3, an upper bound of the decaying schedule)',
    },
    needs: { tokenIds: false, allExpertOutputs: true, step: o.freqType === 'function' },
  }),
  create: (o, init) => new CompeteSMoERouter(o, init),
};
