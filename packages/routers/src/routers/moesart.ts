// MOESART — Ibrahim et al. 2023, "MOESART: Sparse Mixture of Experts via Sampling-based Routing
// with Adjustments", arXiv 2310.18217, as ShibalIbrahim/fairseq `MOESARTGate` (docs/routers.md R9):
//   o = (xW + b)/τ, g = softmax(o). Training: trimmed-lasso R = mean_n Σ_{e∉topk(g_n)} g_{n,e};
//   sample k distinct experts from g; adjusted logits on S, w = softmax(õ):
//   'zero' õ = o − log(k·g) (w = 1/k, no task gradient); 'small-random' (fairseq config) pivot j
//   uniform in S keeps õ_j = o_j, others o − log((k−1)·g); 'large' õ = o (w = g_S/Σg_S).
//   Inference: S = top-k of o, õ = o − log(k·g) ⇒ uniform 1/k weights.
// Deviations: λ is applied once (`lossCoefficients.trimmedLasso = lambda`; fairseq effectively
// applies λ² — set lambda accordingly); float-error overshoot in sampling takes the last expert
// with mass left instead of expert 0 (see selection/sampling.ts).
import * as tf from '@tensorflow/tfjs';
import type { RouterContext, RouterInit, RouterOutput } from '../types.js';
import { RouterBase, maskTensor, tidyRoute } from '../router-base.js';
import { LinearGate } from '../gates/linear.js';
import { choicesToMask, topKIndices } from '../selection/top-k.js';
import { sampleWithoutReplacement } from '../selection/sampling.js';
import { trimmedLassoLoss } from '../losses/moesart.js';
import type { RouterDefinition } from '../registry.js';
import { NEEDS_NOTHING, type RouterDescription } from '../cost.js';

export type MoesartMode = 'zero' | 'small-random' | 'large';

export interface MoesartOptions {
  topK: number;
  mode: MoesartMode;
  temperature: number;
  jitter: boolean;
  lambda: number;
}

/**
 * Combine weights from logits o [N, E], the chosen set mask [N, E] and per-token pivot expert
 * (small-random only): w = softmax over S of the adjusted logits. Differentiable in o.
 */
export function moesartWeights(o: tf.Tensor2D, setMask: tf.Tensor2D, k: number, mode: MoesartMode, pivot?: Int32Array): tf.Tensor2D {
  return tf.tidy(() => {
    const [n, e] = o.shape;
    const g = tf.softmax(o);
    const adjust = (c: number) => tf.log(tf.maximum(tf.mul(c, tf.add(g, 1e-10)), 1e-10));
    let adj: tf.Tensor = o;
    if (mode === 'zero') adj = tf.sub(o, adjust(k));
    else if (mode === 'small-random') {
      if (!pivot) throw new Error('small-random needs a pivot per token');
      const isPivot = tf.tensor2d(choicesToMask(pivot, n, e, 1), [n, e]);
      adj = tf.where(tf.greater(isPivot, 0), o, tf.sub(o, adjust(k - 1)));
    }
    return tf.softmax(tf.where(tf.greater(setMask, 0), adj, tf.fill([n, e], -1e30))) as tf.Tensor2D;
  });
}

export class MoesartRouter extends RouterBase {
  readonly gate: LinearGate;
  private readonly o: MoesartOptions;

  constructor(options: Record<string, unknown>, init: RouterInit) {
    super('moesart', options, init);
    this.o = options as unknown as MoesartOptions;
    if (this.o.topK > init.numExperts) throw new Error('moesart: topK > numExperts');
    if (this.o.mode === 'small-random' && this.o.topK < 2) throw new Error('moesart: small-random needs topK >= 2');
    this.gate = this.own(new LinearGate({ dModel: init.dModel, numExperts: init.numExperts, rng: init.rng, bias: true, biasInit: 'zeros', name: 'wg' }));
  }

  route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput {
    return tidyRoute(() => {
      const n = x.shape[0], e = this.numExperts, k = this.o.topK;
      let o = tf.div(this.gate.logits(x), this.o.temperature) as tf.Tensor2D;  // [N, E]
      if (this.o.jitter && ctx.training) o = tf.add(o, tf.mul(ctx.rng.normalTensor([n, e]), 1e-6)) as tf.Tensor2D;
      const probs = tf.softmax(o) as tf.Tensor2D;
      const pv = probs.dataSync();
      const topMask = maskTensor(choicesToMask(topKIndices(pv, n, e, k), n, e, k), n, e);
      let weights: tf.Tensor2D, selected: tf.Tensor2D;
      const losses: Record<string, tf.Scalar> = {};
      const lossCoefficients: Record<string, number> = {};
      if (ctx.training) {
        const chosen = sampleWithoutReplacement(pv, n, e, k, ctx.rng);
        selected = maskTensor(choicesToMask(chosen, n, e, k), n, e);
        let pivot: Int32Array | undefined;
        if (this.o.mode === 'small-random') {
          pivot = new Int32Array(n);
          for (let t = 0; t < n; t++) pivot[t] = chosen[t * k + ctx.rng.int(k)]!;
        }
        weights = moesartWeights(o, selected, k, this.o.mode, pivot);
        losses.trimmedLasso = trimmedLassoLoss(probs, topMask);
        lossCoefficients.trimmedLasso = this.o.lambda;
      } else {
        selected = topMask;
        weights = moesartWeights(o, selected, k, 'zero');
      }
      const dispatch = tf.clone(selected);
      return { logits: o, probs, weights, dispatch, selected, losses, lossCoefficients, denseCompute: false };
    });
  }
}

export const moesartDefinition: RouterDefinition = {
  type: 'moesart',
  paper: 'MOESART (Ibrahim et al. 2023, arXiv 2310.18217); ShibalIbrahim/fairseq MOESARTGate',
  properties: {
    topK: { type: 'integer', minimum: 1, default: 2 },
    mode: { enum: ['zero', 'small-random', 'large'], default: 'small-random', description: 'Biasness adjustment of the sampled logits.' },
    temperature: { type: 'number', exclusiveMinimum: 0, default: 1 },
    jitter: { type: 'boolean', default: false, description: 'o += 1e-6·N(0,1) in training.' },
    lambda: { type: 'number', minimum: 0, default: 0.001, description: 'Trimmed-lasso coefficient (applied once).' },
  },
  // Inference: top-k of o with uniform weights; training samples k distinct experts instead.
  describe: (o, { dModel, numExperts }): RouterDescription => ({
    gate: { kind: 'linear', dModel, numExperts }, normaliser: { kind: 'softmax' }, selectionSort: (o.topK as number) < numExperts,
    activeExperts: { kind: 'fixed', k: o.topK as number }, extraTrainingEvaluations: null, needs: NEEDS_NOTHING,
  }),
  create: (o, init) => new MoesartRouter(o, init),
};
