// Switch top-1 router — Fedus, Zoph & Shazeer 2021, "Switch Transformers", arXiv 2101.03961 (§2.1–2.2),
// with Hugging Face `SwitchTransformersTop1Router` semantics (docs/routers.md R1; HF v4.36.2, as the golden switch_tiny outputs record):
//   train: x ← x ⊙ U(1−ε, 1+ε) (jitter); h = xW (no bias); p = softmax(h); e* = argmax p
//   (first index on ties); capacity C per sequence in position order (cumulative count ≤ C);
//   weight = p_{e*} (raw top-1 probability, TK-C). Losses: HF balance loss + z-loss (0.001 each).
// Deviations / choices:
// * Jitter perturbs only the router input here; HF's in-place multiply (fp32) also perturbs the
//   expert inputs — the MoE layer owns those; `exposeJitteredInput: true` returns the jittered
//   input (`out.jitteredInput`) so the layer can reproduce that quirk.
// * Dropped tokens: `droppedTokens: 'zero'` (default; newer upstream, pure residual) or
//   `'hf-v4.36'` (inputWeight = top1 prob, i.e. the layer outputs p_{e*}·x for dropped tokens).
// * `losses.balance` is per layer; HF pools all sparse layers of a stack before the balance
//   loss — for that call `switchBalanceLossHF([...probs], [...hfExpertIndex])` per stack.
// * Init N(0, initStd²) with initStd = 1 as HF `_init_weights` (factor 1.0) [from memory].
import * as tf from '@tensorflow/tfjs';
import type { RouterContext, RouterInit, RouterOutput } from '../types.js';
import { RouterBase, maskTensor, tidyRoute } from '../router-base.js';
import { LinearGate } from '../gates/linear.js';
import { topKIndices } from '../selection/top-k.js';
import { tokensChooseDispatch } from '../selection/capacity.js';
import { maskedProbs } from '../selection/weights.js';
import { routerZLoss } from '../losses/z-loss.js';
import { switchBalanceLossHF } from '../losses/switch-balance.js';
import type { RouterDefinition } from '../registry.js';
import { NEEDS_NOTHING, type RouterDescription } from '../cost.js';

export interface SwitchTop1Options {
  expertCapacity: number | null;
  jitterNoise: number;
  droppedTokens: 'zero' | 'hf-v4.36';
  auxLossCoef: number;
  zLossCoef: number;
  initStd: number;
  exposeJitteredInput: boolean;
}

export class SwitchTop1Router extends RouterBase {
  readonly gate: LinearGate;
  private readonly o: SwitchTop1Options;

  constructor(options: Record<string, unknown>, init: RouterInit) {
    super('switch-top1', options, init);
    this.o = options as unknown as SwitchTop1Options;
    this.gate = this.own(new LinearGate({
      dModel: init.dModel, numExperts: init.numExperts, rng: init.rng, bias: false,
      name: 'classifier', init: 'normal', std: this.o.initStd,
    }));
  }

  route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput {
    return tidyRoute(() => {
      const n = x.shape[0], e = this.numExperts, g = this.groupSize(n, ctx);
      const eps = this.o.jitterNoise;
      const xr = ctx.training && eps > 0
        ? tf.mul(x, ctx.rng.uniformTensor(x.shape, 1 - eps, 1 + eps)) as tf.Tensor2D : x;
      const logits = this.gate.logits(xr);                                   // [N, E]
      const probs = tf.softmax(logits) as tf.Tensor2D;                        // [N, E]
      const choices = topKIndices(probs.dataSync(), n, e, 1);                 // [N, 1]
      const plan = tokensChooseDispatch(choices, n, e, 1, { capacity: this.o.expertCapacity, groupSize: g, order: 'position' });
      const dispatch = maskTensor(plan.dispatch, n, e);
      const selected = maskTensor(plan.selected, n, e);
      const weights = maskedProbs(probs, dispatch);                           // TK-C
      const hf = new Int32Array(n);
      for (let t = 0; t < n; t++) hf[t] = plan.dispatch[t * e + choices[t]!]! > 0 ? choices[t]! : 0;
      const hfExpertIndex = tf.tensor1d(hf, 'int32');
      const out: RouterOutput = {
        logits, probs, weights, dispatch, selected, hfExpertIndex,
        losses: {
          balance: switchBalanceLossHF(probs.reshape([n / g, g, e]) as tf.Tensor3D, hfExpertIndex.reshape([n / g, g])),
          z: routerZLoss(logits),
        },
        lossCoefficients: { balance: this.o.auxLossCoef, z: this.o.zLossCoef },
        denseCompute: false,
      };
      if (this.o.exposeJitteredInput && xr !== x) out.jitteredInput = xr;
      if (this.o.droppedTokens === 'hf-v4.36') {
        const top1 = tf.sum(tf.mul(probs, selected), 1);                       // [N]
        const dropped = tf.sub(1, tf.sum(dispatch, 1));                        // [N]
        out.inputWeight = tf.mul(top1, dropped) as tf.Tensor1D;
      }
      return out;
    });
  }
}

export const switchTop1Definition: RouterDefinition = {
  type: 'switch-top1',
  paper: 'Switch Transformers (Fedus et al. 2021, arXiv 2101.03961); HF SwitchTransformersTop1Router',
  properties: {
    expertCapacity: { type: ['integer', 'null'], minimum: 1, default: 64, description: 'Tokens per expert per sequence (HF expert_capacity); null = no capacity.' },
    jitterNoise: { type: 'number', minimum: 0, maximum: 1, default: 0.01, description: 'router_jitter_noise ε (training only).' },
    droppedTokens: { enum: ['zero', 'hf-v4.36'], default: 'zero', description: "Output for capacity-dropped tokens: 0 (upstream) or top1_prob·x (transformers v4.36)." },
    auxLossCoef: { type: 'number', minimum: 0, default: 0.001 },
    zLossCoef: { type: 'number', minimum: 0, default: 0.001 },
    initStd: { type: 'number', exclusiveMinimum: 0, default: 1 },
    exposeJitteredInput: { type: 'boolean', default: false, description: 'Return the jittered input (HF fp32 experts see it too).' },
  },
  // h = xW (no bias), softmax, argmax (folded into the softmax's max pass); capacity may drop tokens.
  describe: (_o, { dModel, numExperts }): RouterDescription => ({
    gate: { kind: 'linear-no-bias', dModel, numExperts }, normaliser: { kind: 'softmax' }, selectionSort: false,
    activeExperts: { kind: 'fixed', k: 1 }, extraTrainingEvaluations: null, needs: NEEDS_NOTHING,
  }),
  create: (o, init) => new SwitchTop1Router(o, init),
};
