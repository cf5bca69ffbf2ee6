// SMoE — Shazeer et al. 2017, "Outrageously Large Neural Networks", arXiv 1701.06538 (eq. 3–5),
// as the CompeteSMoE baseline `CustomNaiveGate_Balance_SMoE` (fastmoe; docs/routers.md R4):
//   h = xW + b; TK-B: the k largest logits, w = softmax over those k; no capacity; train = inference.
// Options / deviations:
// * `noise: 'noisy-top-k'`: the paper's (and MOESART TopKGate's) h + N(0,1)·softplus(x W_noise)
//   in training (the CompeteSMoE baseline has none; default 'none').
// * `balanceLoss`: fastmoe-style balance loss (§2.2) — off by default because the baselines never
//   set `g_blance`, so `--load_balance` multiplied nothing.
// * `frozenGate`: CompeteSMoE's `freeze_gate_weight` (a fixed random gate, no k schedule).
import * as tf from '@tensorflow/tfjs';
import type { RouterContext, RouterInit, RouterOutput } from '../types.js';
import { RouterBase, maskTensor, tidyRoute } from '../router-base.js';
import { LinearGate } from '../gates/linear.js';
import { choicesToMask, topKIndices } from '../selection/top-k.js';
import { softmaxOverSelected } from '../selection/weights.js';
import { switchBalanceLossFastMoE } from '../losses/switch-balance.js';
import type { RouterDefinition } from '../registry.js';
import { NEEDS_NOTHING, type RouterDescription } from '../cost.js';

export interface SmoeOptions {
  topK: number;
  noise: 'none' | 'noisy-top-k';
  balanceLoss: boolean;
  balanceLossCoef: number;
  frozenGate: boolean;
}

export class SmoeRouter extends RouterBase {
  readonly gate: LinearGate;
  readonly noiseGate: LinearGate | null;
  private readonly o: SmoeOptions;

  constructor(options: Record<string, unknown>, init: RouterInit) {
    super('smoe', options, init);
    this.o = options as unknown as SmoeOptions;
    if (this.o.topK > init.numExperts) throw new Error(`smoe: topK ${this.o.topK} > numExperts ${init.numExperts}`);
    this.gate = this.own(new LinearGate({ dModel: init.dModel, numExperts: init.numExperts, rng: init.rng, bias: true, name: 'gate', frozen: this.o.frozenGate }));
    this.noiseGate = this.o.noise === 'noisy-top-k'
      ? this.own(new LinearGate({ dModel: init.dModel, numExperts: init.numExperts, rng: init.rng, bias: false, name: 'w_noise', init: 'zeros' }))
      : null;
  }

  route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput {
    return tidyRoute(() => {
      const n = x.shape[0], e = this.numExperts, k = this.o.topK;
      const logits = this.gate.logits(x);                                     // [N, E]
      let scores = logits;
      if (this.noiseGate && ctx.training) {
        const std = tf.softplus(this.noiseGate.logits(x));                    // [N, E]
        scores = tf.add(logits, tf.mul(ctx.rng.normalTensor([n, e]), std)) as tf.Tensor2D;
      }
      const sel = choicesToMask(topKIndices(scores.dataSync(), n, e, k), n, e, k);
      const selected = maskTensor(sel, n, e);
      const dispatch = maskTensor(sel, n, e);
      const weights = softmaxOverSelected(scores, selected);                  // TK-B
      const probs = tf.softmax(logits) as tf.Tensor2D;
      const losses: Record<string, tf.Scalar> = {};
      const lossCoefficients: Record<string, number> = {};
      if (this.o.balanceLoss) {
        losses.balance = switchBalanceLossFastMoE(probs, selected, k);
        lossCoefficients.balance = this.o.balanceLossCoef;
      }
      return { logits, probs, weights, dispatch, selected, losses, lossCoefficients, denseCompute: false };
    });
  }
}

export const smoeDefinition: RouterDefinition = {
  type: 'smoe',
  paper: 'Sparsely-gated MoE (Shazeer et al. 2017, arXiv 1701.06538); CompeteSMoE baseline CustomNaiveGate_Balance_SMoE',
  properties: {
    topK: { type: 'integer', minimum: 1, default: 2, description: 'Experts per token (moe_top_k).' },
    noise: { enum: ['none', 'noisy-top-k'], default: 'none', description: 'Training noise N(0,1)·softplus(x W_noise) on the logits.' },
    balanceLoss: { type: 'boolean', default: false, description: 'Return the fastmoe balance loss (g_blance).' },
    balanceLossCoef: { type: 'number', minimum: 0, default: 0.01 },
    frozenGate: { type: 'boolean', default: false, description: 'Freeze the gate at its random init (CompeteSMoE freeze_gate_weight).' },
  },
  // TK-B: sort the logits for the k largest, softmax over them (priced as a softmax over E plus the sort).
  describe: (o, { dModel, numExperts }): RouterDescription => ({
    gate: { kind: 'linear', dModel, numExperts }, normaliser: { kind: 'softmax' }, selectionSort: (o.topK as number) < numExperts,
    activeExperts: { kind: 'fixed', k: o.topK as number }, extraTrainingEvaluations: null, needs: NEEDS_NOTHING,
  }),
  create: (o, init) => new SmoeRouter(o, init),
};
