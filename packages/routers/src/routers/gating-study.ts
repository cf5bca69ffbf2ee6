// SparTMoE gating study routers — jinhonglin-ryan/SparTMoE (docs/routers.md R2, R3; §1.5; §6 items 1–4),
// building on Switch Transformers (arXiv 2101.03961) with sparsemax (Martins & Astudillo 2016,
// arXiv 1602.02068) and entmax (Peters et al. 2019, arXiv 1905.05702) normalisers.
//   h = gate(x)  (linear: xW + b; attention: (xW_q + b_q)Kᵀ·s)
//   p = N(h), N ∈ {softmax, sparsemax, entmax15, entmax-bisect}
//   topK = k < E: TK-A (keep the k largest p, no renormalisation); topK = null: w = p.
//   No capacity, no dropping; train = inference.
// Deviations from what the notebooks ran (each available as an explicitly named option):
// * top_k is applied (`compatIgnoreTopK: true` reproduces the notebooks, which never passed it).
// * sparsemax is the true sparsemax (`compatCentredSparsemax: true` gives sparsemax(ReLU(z − mean z))).
// * attention scores are scaled by 1/√D (`attentionScaled: false` = notebook HEAD).
// * HF's accidental losses (z-loss of the weights, balance loss with every token on expert 0)
//   are dropped (`compatHfLossArtefacts: true` returns them as `artefactZ`/`artefactBalance`, per
//   layer; HF pools a stack's layers first, which for the balance artefact E·mean softmax(w)_{·,0}
//   equals the mean over layers when every layer sees the same tokens).
// * Experts are computed only where w > 0 (`denseCompute: true` = the patched MLP, every expert
//   on every token; the outputs are the same).
import * as tf from '@tensorflow/tfjs';
import type { RouterContext, RouterInit, RouterOutput } from '../types.js';
import { RouterBase, maskTensor, tidyRoute } from '../router-base.js';
import { LinearGate } from '../gates/linear.js';
import { AttentionGate } from '../gates/attention.js';
import type { Gate } from '../gates/gate.js';
import { sparsemax } from '../normalisers/sparsemax.js';
import { entmax15 } from '../normalisers/entmax15.js';
import { entmaxBisect } from '../normalisers/entmax-bisect.js';
import { centredSparsemax } from '../normalisers/centred-sparsemax.js';
import { choicesToMask, supportMask, topKIndices } from '../selection/top-k.js';
import { maskedProbs } from '../selection/weights.js';
import { routerZLoss } from '../losses/z-loss.js';
import { switchBalanceLossHF } from '../losses/switch-balance.js';
import type { RouterDefinition } from '../registry.js';
import { NEEDS_NOTHING, type RouterDescription } from '../cost.js';

export type NormType = 'softmax' | 'sparsemax' | 'entmax15' | 'entmax-bisect';

export interface GatingStudyOptions {
  routerType: 'linear' | 'attention';
  normType: NormType;
  topK: number | null;
  alpha: number;
  nIter: number;
  attentionScaled: boolean;
  attentionKeyProjection: boolean;
  compatCentredSparsemax: boolean;
  compatIgnoreTopK: boolean;
  compatHfLossArtefacts: boolean;
  zLossCoef: number;
  denseCompute: boolean;
}

export function normalise(h: tf.Tensor2D, o: Pick<GatingStudyOptions, 'normType' | 'alpha' | 'nIter' | 'compatCentredSparsemax'>): tf.Tensor2D {
  switch (o.normType) {
    case 'softmax': return tf.softmax(h) as tf.Tensor2D;
    case 'sparsemax': return o.compatCentredSparsemax ? centredSparsemax(h) : sparsemax(h);
    case 'entmax15': return entmax15(h);
    case 'entmax-bisect': return entmaxBisect(h, o.alpha, -1, o.nIter);
  }
}

export class GatingStudyRouter extends RouterBase {
  readonly gate: Gate;
  private readonly o: GatingStudyOptions;

  constructor(type: string, options: Record<string, unknown>, init: RouterInit) {
    super(type, options, init);
    const o = options as unknown as GatingStudyOptions;
    this.o = o;
    if (o.topK !== null && o.topK > init.numExperts) throw new Error(`${type}: topK ${o.topK} > numExperts ${init.numExperts}`);
    if (o.compatCentredSparsemax && o.normType !== 'sparsemax') throw new Error(`${type}: compatCentredSparsemax needs normType sparsemax`);
    this.gate = this.own(o.routerType === 'linear'
      ? new LinearGate({ dModel: init.dModel, numExperts: init.numExperts, rng: init.rng, bias: true, name: 'classifier' })
      : new AttentionGate({ dModel: init.dModel, numExperts: init.numExperts, rng: init.rng, scaled: o.attentionScaled, keyProjection: o.attentionKeyProjection }));
  }

  route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput {
    return tidyRoute(() => {
      const n = x.shape[0], e = this.numExperts, g = this.groupSize(n, ctx);
      const logits = this.gate.logits(x);                                    // [N, E]
      const probs = normalise(logits, this.o);                               // [N, E]
      const pv = probs.dataSync();
      const sparse = this.o.normType !== 'softmax';
      const k = this.o.topK;
      let sel: Float32Array;
      if (k !== null && k < e && !this.o.compatIgnoreTopK) {
        sel = choicesToMask(topKIndices(pv, n, e, k), n, e, k);              // TK-A
        if (sparse) for (let i = 0; i < sel.length; i++) if (!(pv[i]! > 0)) sel[i] = 0;
      } else {
        sel = sparse ? supportMask(pv) : new Float32Array(n * e).fill(1);
      }
      const selected = maskTensor(sel, n, e);
      const dispatch = maskTensor(sel, n, e);
      const weights = maskedProbs(probs, selected);
      const losses: Record<string, tf.Scalar> = {};
      const lossCoefficients: Record<string, number> = {};
      if (this.o.zLossCoef > 0) { losses.z = routerZLoss(logits); lossCoefficients.z = this.o.zLossCoef; }
      if (this.o.compatHfLossArtefacts) {
        // HF treats the returned weights as router logits and every token as routed to expert 0.
        losses.artefactZ = routerZLoss(weights);
        losses.artefactBalance = switchBalanceLossHF(tf.softmax(weights).reshape([n / g, g, e]) as tf.Tensor3D, tf.zeros([n / g, g], 'int32'));
        lossCoefficients.artefactZ = 0.001;
        lossCoefficients.artefactBalance = 0.001;
      }
      return { logits, probs, weights, dispatch, selected, losses, lossCoefficients, denseCompute: this.o.denseCompute };
    });
  }
}

const common: Record<string, unknown> = {
  alpha: { type: 'number', exclusiveMinimum: 1, default: 1.5, description: 'α of entmax-bisect.' },
  nIter: { type: 'integer', minimum: 1, default: 50, description: 'Bisection steps of entmax-bisect.' },
  attentionScaled: { type: 'boolean', default: true, description: 'Scale attention scores by 1/√D (false = notebook HEAD).' },
  attentionKeyProjection: { type: 'boolean', default: false, description: 'Project expert keys with Linear(D, D) (older notebook).' },
  compatCentredSparsemax: { type: 'boolean', default: false, description: 'SparTMoE main_experiment sparsemax(ReLU(z − mean z)).' },
  compatIgnoreTopK: { type: 'boolean', default: false, description: 'Never apply topK (what every SparTMoE run did).' },
  compatHfLossArtefacts: { type: 'boolean', default: false, description: "Return HF's accidental artefactZ/artefactBalance losses." },
  zLossCoef: { type: 'number', minimum: 0, default: 0, description: 'If > 0, return the router z-loss of the gate logits with this coefficient.' },
  denseCompute: { type: 'boolean', default: false, description: 'Ask the layer to run every expert on every token (SparTMoE patched MLP).' },
};

/** Gate, normaliser and selection as configured; `denseCompute` runs every expert. */
function describeGatingStudy(o: GatingStudyOptions, dModel: number, numExperts: number): RouterDescription {
  const kind = o.routerType === 'linear' ? 'linear' : o.attentionKeyProjection ? 'attention-keyproj' : 'attention';
  const topKApplies = o.topK !== null && o.topK < numExperts && !o.compatIgnoreTopK;
  const sparse = o.normType !== 'softmax';
  // a sparse normaliser's support (cut to min(k, support) by a top-k) varies per token
  const activeExperts = o.denseCompute ? { kind: 'all' as const }
    : sparse ? { kind: 'support' as const }
      : topKApplies ? { kind: 'fixed' as const, k: o.topK! } : { kind: 'all' as const };
  return {
    gate: { kind, dModel, numExperts },
    normaliser: o.normType === 'entmax-bisect' ? { kind: 'entmax-bisect', iterations: o.nIter } : { kind: o.normType },
    selectionSort: topKApplies && !sparse, activeExperts, extraTrainingEvaluations: null, needs: NEEDS_NOTHING,
  };
}

const PAPER = 'SparTMoE gating study (jinhonglin-ryan/SparTMoE) on Switch Transformers (arXiv 2101.03961); sparsemax arXiv 1602.02068; entmax arXiv 1905.05702';

function definition(type: string, fixed: { routerType?: 'linear' | 'attention'; normType?: NormType; topK?: 'required' | 'none' | 'optional' }): RouterDefinition {
  const fix = (v: string | undefined, all: string[], dflt: string) => (v ? { const: v, default: v } : { enum: all, default: dflt });
  const topK = fixed.topK === 'required' ? { type: 'integer', minimum: 1, default: 2 }
    : fixed.topK === 'none' ? { type: 'null', default: null }
      : { type: ['integer', 'null'], minimum: 1, default: null };
  return {
    type, paper: PAPER,
    properties: {
      routerType: fix(fixed.routerType, ['linear', 'attention'], 'linear'),
      normType: fix(fixed.normType, ['softmax', 'sparsemax', 'entmax15', 'entmax-bisect'], 'softmax'),
      topK: { ...topK, description: 'k of TK-A (keep the k largest normalised scores); null = dense.' },
      ...common,
    },
    create: (o, init) => new GatingStudyRouter(type, o, init),
    describe: (o, dims) => describeGatingStudy(o as unknown as GatingStudyOptions, dims.dModel, dims.numExperts),
  };
}

/** The generic router plus the study's six configurations and the entmax variants. */
export const gatingStudyDefinitions: RouterDefinition[] = [
  definition('gating-study', {}),
  definition('linear-softmax-topk', { routerType: 'linear', normType: 'softmax', topK: 'required' }),
  definition('linear-softmax-dense', { routerType: 'linear', normType: 'softmax', topK: 'none' }),
  definition('linear-sparsemax', { routerType: 'linear', normType: 'sparsemax' }),
  definition('attention-softmax-topk', { routerType: 'attention', normType: 'softmax', topK: 'required' }),
  definition('attention-softmax-dense', { routerType: 'attention', normType: 'softmax', topK: 'none' }),
  definition('attention-sparsemax', { routerType: 'attention', normType: 'sparsemax' }),
  definition('linear-entmax15', { routerType: 'linear', normType: 'entmax15' }),
  definition('attention-entmax15', { routerType: 'attention', normType: 'entmax15' }),
  definition('linear-entmax-bisect', { routerType: 'linear', normType: 'entmax-bisect' }),
];
