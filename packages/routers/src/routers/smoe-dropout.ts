// SMoE-Dropout — Chen et al. 2023, "Sparse MoE as the New Dropout", arXiv 2303.01610 (§3.2),
// as VITA-Group/Random-MoE-as-Dropout (docs/routers.md R5): a randomly initialised linear gate
// (with bias), frozen from step 0; TK-B on its logits with k growing over training:
//   k(t) = clip(round((k_max − k_min)·t/T) + k_min, k_min, k_max), round = half-to-even (Python).
// Inference ("self-slimmable"): any k, default k_max. No balance loss.
// Deviations: only the `linear-increase` (and `fixed`) schedules; defaults k_min = ⌈E/2⌉,
// k_max = E generalise the script's E = 16, k 8→16, T = 400 000.
import * as tf from '@tensorflow/tfjs';
import type { RouterContext, RouterInit, RouterOutput } from '../types.js';
import { RouterBase, maskTensor, tidyRoute } from '../router-base.js';
import { LinearGate } from '../gates/linear.js';
import { choicesToMask, roundHalfEven, topKIndices } from '../selection/top-k.js';
import { softmaxOverSelected } from '../selection/weights.js';
import type { RouterDefinition } from '../registry.js';
import { NEEDS_NOTHING, type RouterDescription } from '../cost.js';

export interface SmoeDropoutOptions {
  kMin: number | null;
  kMax: number | null;
  totalSteps: number;
  schedule: 'linear-increase' | 'fixed';
  evalK: number | null;
}

/** k(t) of the linear-increase schedule (Python round: half to even). */
export function smoeDropoutK(step: number, kMin: number, kMax: number, totalSteps: number): number {
  const k = roundHalfEven(((kMax - kMin) * step) / totalSteps) + kMin;
  return Math.min(Math.max(k, kMin), kMax);
}

export class SmoeDropoutRouter extends RouterBase {
  readonly gate: LinearGate;
  readonly kMin: number;
  readonly kMax: number;
  private readonly o: SmoeDropoutOptions;

  constructor(options: Record<string, unknown>, init: RouterInit) {
    super('smoe-dropout', options, init);
    this.o = options as unknown as SmoeDropoutOptions;
    const e = init.numExperts;
    this.kMax = this.o.kMax ?? e;
    this.kMin = this.o.kMin ?? Math.ceil(e / 2);
    if (!(this.kMin >= 1 && this.kMin <= this.kMax && this.kMax <= e)) throw new Error(`smoe-dropout: need 1 <= kMin <= kMax <= E (${this.kMin}, ${this.kMax}, ${e})`);
    if (this.o.evalK !== null && this.o.evalK > e) throw new Error('smoe-dropout: evalK > numExperts');
    this.gate = this.own(new LinearGate({ dModel: init.dModel, numExperts: e, rng: init.rng, bias: true, name: 'gate', frozen: true }));
  }

  /** The k used for a call. */
  currentK(ctx: RouterContext): number {
    if (!ctx.training) return this.o.evalK ?? this.kMax;
    if (this.o.schedule === 'fixed') return this.kMin;
    return smoeDropoutK(ctx.step ?? 0, this.kMin, this.kMax, this.o.totalSteps);
  }

  route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput {
    return tidyRoute(() => {
      const n = x.shape[0], e = this.numExperts, k = this.currentK(ctx);
      const logits = this.gate.logits(x);                                     // [N, E]
      const sel = choicesToMask(topKIndices(logits.dataSync(), n, e, k), n, e, k);
      const selected = maskTensor(sel, n, e);
      const dispatch = maskTensor(sel, n, e);
      const weights = softmaxOverSelected(logits, selected);                  // TK-B
      const probs = tf.softmax(logits) as tf.Tensor2D;
      return { logits, probs, weights, dispatch, selected, losses: {}, lossCoefficients: {}, denseCompute: false };
    });
  }
}

export const smoeDropoutDefinition: RouterDefinition = {
  type: 'smoe-dropout',
  paper: 'SMoE-Dropout (Chen et al. 2023, arXiv 2303.01610); VITA-Group/Random-MoE-as-Dropout',
  properties: {
    kMin: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Initial k; null = ceil(E/2).' },
    kMax: { type: ['integer', 'null'], minimum: 1, default: null, description: 'Final k; null = E.' },
    totalSteps: { type: 'integer', minimum: 1, default: 400000, description: 'Steps T over which k grows.' },
    schedule: { enum: ['linear-increase', 'fixed'], default: 'linear-increase', description: "'fixed' keeps k = kMin." },
    evalK: { type: ['integer', 'null'], minimum: 1, default: null, description: 'k at inference; null = kMax.' },
  },
  // Inference k = evalK (default kMax = E); training k follows the step schedule (not priced separately).
  describe: (o, { dModel, numExperts }): RouterDescription => {
    const k = (o.evalK as number | null) ?? (o.kMax as number | null) ?? numExperts;
    return {
      gate: { kind: 'linear', dModel, numExperts }, normaliser: { kind: 'softmax' }, selectionSort: k < numExperts,
      activeExperts: { kind: 'fixed', k }, extraTrainingEvaluations: null, needs: { ...NEEDS_NOTHING, step: true },
    };
  },
  create: (o, init) => new SmoeDropoutRouter(o, init),
};
