// Sequence classifier on the decoder-only MoE LM (decoder-lm.ts), as the CompeteSMoE study
// fine-tunes its pretrained language models (Pham et al. 2024, arXiv 2402.02526; reference
// giangdip2410/CompeteSMoE finetune_models.py): a left-padded batch runs through the LM's layers,
// the LAST position's hidden state goes through a 2-layer tanh head
//   logits = W2 · dropout(tanh(W1 · h + b1)) + b2      (Linear d→d, tanh, dropout, Linear d→C)
// and the classes are scored with cross-entropy plus every router's auxiliary losses.
//
// Deviations from the reference (each reference behaviour we treat as a bug is a compat* option):
// * The attention mask is honoured: padding keys are masked out of every attention, so the same
//   example with more or less left padding gets the same logits (`compatIgnoreAttentionMask`:
//   padding is attended to, as the reference does).
// * Every batch starts a fresh stream (empty cache); the reference carries its Transformer-XL cache
//   from one batch to the next, i.e. across unrelated examples (`compatCarryCache`: the carried
//   positions, the previous batch's padding included, count as real keys; not saved in loop
//   checkpoints, so a resumed run starts with an empty cache).
// * The head reads the last layer's hidden state; the reference first applies its `out_emb`
//   (a Linear d→d there) and a log-softmax over the d features. Not reproduced.
// * `pooling: 'mean'` (an option the reference lacks): mean of the last layer's states over the
//   real tokens (every position with compatIgnoreAttentionMask).
// * Padding tokens are still routed: they count in the routers' auxiliary losses and, for routers
//   with capacity (xmoe, stablemoe, expert-choice), compete for it, so exact padding invariance
//   holds for token-choice routers without capacity (smoe, competesmoe, smoe-dropout, …).
//
// Parameters: the wrapped LM's under their LM names except `out_emb.*` (the LM's output layer is
// not used by the classifier and is neither trained nor saved), then the head:
// head.dense.weight [D, D], head.dense.bias [D], head.out.weight [D, C], head.out.bias [C]
// (torch nn.Linear initialisation U(±1/√in), each from a fork of the seed named after it).
// Dims: B batch, T padded length, D d_model, C classes.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';
import { sparseSoftmaxCrossEntropy } from '@switchyard/tensor-engine';
import { DecoderLM, type LmCache } from './decoder-lm.js';
import { closestName, parseLmConfig, LmConfigError, type LmConfig } from './lm-config.js';
import type { LmLossPart } from './lm-loss.js';
import { fineTuneRouterSlot } from './lm-replace-routers.js';
import type { ModelParameter, SparseLayerRecord } from './switch-transformer.js';

export type ClassifierPooling = 'last' | 'mean';

export interface LmClassifierConfig {
  /** The wrapped LM (its vocabulary is the classification data's). */
  lm: LmConfig;
  numClasses: number;
  /** 'last': the last position (left padding puts the last real token there), as the reference; 'mean': mean over real tokens. */
  pooling: ClassifierPooling;
  /** Dropout between tanh and the output Linear of the head (the reference: 0.1), training only. */
  headDropout: number;
  /** The reference's fine-tuning ignores the attention mask: padding keys are attended to. */
  compatIgnoreAttentionMask: boolean;
  /** The reference carries its cache from batch to batch (hidden states of unrelated examples as context). */
  compatCarryCache: boolean;
  /**
   * CompeteSMoE competition steps while fine-tuning. false (default, as the study's fine-tuning):
   * a `competesmoe` router runs with `freq: 0` whatever its slot says (fineTuneRouterSlot).
   */
  competition: boolean;
}

const CLASSIFIER_KEYS = ['lm', 'numClasses', 'pooling', 'headDropout', 'compatIgnoreAttentionMask', 'compatCarryCache', 'competition'] as const;

/** Resolve a classifier config: defaults filled, every key checked (did-you-mean on unknown keys). */
export function parseLmClassifierConfig(raw: Record<string, unknown>, source = 'classifier config'): LmClassifierConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new LmConfigError(`${source}: config is not an object`);
  for (const k of Object.keys(raw)) {
    if (!(CLASSIFIER_KEYS as readonly string[]).includes(k)) {
      const guess = closestName(k, CLASSIFIER_KEYS);
      throw new LmConfigError(`${source}: unknown key "${k}"${guess ? ` (did you mean "${guess}"?)` : ''}; known: ${CLASSIFIER_KEYS.join(', ')}`);
    }
  }
  if (!raw.lm || typeof raw.lm !== 'object') throw new LmConfigError(`${source}: "lm" must be the LM config object`);
  const cfg: LmClassifierConfig = {
    lm: parseLmConfig(raw.lm as Record<string, unknown>, `${source} "lm"`),
    numClasses: raw.numClasses as number,
    pooling: (raw.pooling ?? 'last') as ClassifierPooling,
    headDropout: (raw.headDropout ?? 0.1) as number,
    compatIgnoreAttentionMask: (raw.compatIgnoreAttentionMask ?? false) as boolean,
    compatCarryCache: (raw.compatCarryCache ?? false) as boolean,
    competition: (raw.competition ?? false) as boolean,
  };
  if (!Number.isInteger(cfg.numClasses) || cfg.numClasses < 2) throw new LmConfigError(`${source}: "numClasses" must be an integer ≥ 2, got ${JSON.stringify(raw.numClasses)}`);
  if (cfg.pooling !== 'last' && cfg.pooling !== 'mean') throw new LmConfigError(`${source}: "pooling" must be "last" or "mean", got ${JSON.stringify(cfg.pooling)}`);
  if (typeof cfg.headDropout !== 'number' || !(cfg.headDropout >= 0 && cfg.headDropout < 1)) throw new LmConfigError(`${source}: "headDropout" must be in [0, 1), got ${JSON.stringify(cfg.headDropout)}`);
  for (const k of ['compatIgnoreAttentionMask', 'compatCarryCache', 'competition'] as const) {
    if (typeof cfg[k] !== 'boolean') throw new LmConfigError(`${source}: "${k}" must be a boolean, got ${JSON.stringify(cfg[k])}`);
  }
  return cfg;
}

export interface ClassifierForwardOptions {
  training?: boolean;
  rng?: Rng;
  step?: number;
}

export interface ClassifierOutputs {
  /** [B, C] */
  logits: tf.Tensor2D;
  /** Every MoE sub-layer of this call, in layer order (padding tokens included). */
  moeLayers: SparseLayerRecord[];
}

/** The LM's parameters the classifier does not use. */
export const UNUSED_LM_PARAMETERS = ['out_emb.weight', 'out_emb.bias'] as const;

export class LmClassifier {
  readonly config: LmClassifierConfig;
  readonly lm: DecoderLM;
  readonly denseW: tf.Variable;   // [D, D]
  readonly denseB: tf.Variable;   // [D]
  readonly outW: tf.Variable;     // [D, C]
  readonly outB: tf.Variable;     // [C]
  private readonly head: ModelParameter[] = [];
  private readonly fixedRng: Rng;
  private carried: LmCache | undefined;

  constructor(config: LmClassifierConfig, rng: Rng) {
    this.config = config;
    this.lm = new DecoderLM(config.lm, rng);
    this.fixedRng = rng.fork('classifier-forward');
    const d = config.lm.dModel, c = config.numClasses;
    const uniform = (name: string, shape: number[], fanIn: number, layout: 'linear' | 'raw'): tf.Variable => {
      const b = 1 / Math.sqrt(fanIn);
      const init = rng.fork(name).uniformTensor(shape, -b, b);
      const v = tf.variable(init, true);
      init.dispose();
      this.head.push({ name, variable: v, layout, frozen: false });
      return v;
    };
    this.denseW = uniform('head.dense.weight', [d, d], d, 'linear');
    this.denseB = uniform('head.dense.bias', [d], d, 'raw');
    this.outW = uniform('head.out.weight', [d, c], d, 'linear');
    this.outB = uniform('head.out.bias', [c], d, 'raw');
  }

  /** The LM's parameters (without out_emb.*) then the head's, under their state-dict names. */
  parameters(): ModelParameter[] {
    const unused = new Set<string>(UNUSED_LM_PARAMETERS);
    return [...this.lm.parameters().filter((p) => !unused.has(p.name)), ...this.head];
  }

  /**
   * ids [B, T] int32 (left-padded), attentionMask [B, T] (1 real, 0 padding) → logits [B, C].
   * Call inside tf.tidy. With compatCarryCache the cache of this call is kept for the next one
   * (same batch size; otherwise a fresh stream), released by resetCache()/dispose().
   */
  forward(ids: tf.Tensor2D, attentionMask: tf.Tensor2D | undefined, opts: ClassifierForwardOptions = {}): ClassifierOutputs {
    const [b, t] = ids.shape;
    const training = opts.training ?? false;
    const rng = opts.rng ?? this.fixedRng;
    const mask = this.config.compatIgnoreAttentionMask ? undefined : attentionMask;
    const carried = this.config.compatCarryCache && this.carried?.hidden[0]?.shape[0] === b ? this.carried : undefined;
    // A fresh stream per batch attends over min(L, T) slots (decoder-lm.ts trimEmptyCache): the
    // same logits up to float summation order, without the L − T always-masked cache slots.
    const out = this.lm.forwardHidden(ids, { training, rng, step: opts.step, attentionMask: mask, cache: carried, trimEmptyCache: !carried });
    if (this.config.compatCarryCache) {
      this.resetCache();
      this.carried = { hidden: out.cache.hidden.map((h) => tf.keep(h)), pastLength: out.cache.pastLength };
    }
    const d = this.config.lm.dModel;
    let pooled: tf.Tensor2D;                                                          // [B, D]
    if (this.config.pooling === 'last') {
      pooled = out.hidden.slice([0, t - 1, 0], [b, 1, d]).reshape([b, d]);
    } else {
      const m = mask ? tf.cast(mask, 'float32').reshape([b, t, 1]) : tf.ones([b, t, 1]);   // [B, T, 1]
      pooled = tf.div(tf.sum(tf.mul(out.hidden, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor2D;
    }
    let z = tf.tanh(tf.add(tf.matMul(pooled, this.denseW as tf.Tensor2D), this.denseB));   // [B, D]
    const p = this.config.headDropout;
    if (training && p > 0) z = tf.mul(z, rng.dropoutMaskTensor(z.shape, p));
    const logits = tf.add(tf.matMul(z as tf.Tensor2D, this.outW as tf.Tensor2D), this.outB) as tf.Tensor2D;   // [B, C]
    return { logits, moeLayers: out.moeLayers };
  }

  /** Forget the carried cache (compatCarryCache). */
  resetCache(): void {
    if (this.carried) tf.dispose(this.carried.hidden);
    this.carried = undefined;
  }

  dispose(): void {
    this.resetCache();
    this.lm.dispose();
    for (const p of this.head) p.variable.dispose();
  }
}

/** `ce` (mean over the batch, coefficient 1) followed by each router's losses with their coefficients. */
export function classifierLossParts(out: ClassifierOutputs, labels: tf.Tensor1D): LmLossPart[] {
  const [b] = out.logits.shape;
  if (labels.shape[0] !== b) throw new Error(`classifierLossParts: ${labels.shape[0]} labels for ${b} examples`);
  const parts: LmLossPart[] = [{ name: 'ce', value: sparseSoftmaxCrossEntropy(out.logits, tf.cast(labels, 'int32') as tf.Tensor1D, tf.fill([b], 1 / b) as tf.Tensor1D), coefficient: 1 }];
  for (const rec of out.moeLayers) {
    for (const [name, value] of Object.entries(rec.router.losses)) parts.push({ name, value, coefficient: rec.router.lossCoefficients[name] ?? 0, layer: rec.name });
  }
  return parts;
}

/**
 * The classifier config for fine-tuning the LM of `lm`: its architecture and router (CompeteSMoE
 * competition off unless `competition`, lm-replace-routers.ts), the data's vocabulary size and
 * classes, and the classifier options.
 */
export function classifierConfigFromLm(lm: LmConfig, o: { vocabSize: number; numClasses: number } & Partial<Omit<LmClassifierConfig, 'lm' | 'numClasses'>>): LmClassifierConfig {
  const { vocabSize, ...rest } = o;
  const competition = o.competition ?? false;
  const routerByLayer = Object.fromEntries(Object.entries(lm.routerByLayer).map(([k, s]) => [k, fineTuneRouterSlot(s, competition)]));
  return parseLmClassifierConfig({ ...rest, lm: { ...structuredClone(lm), vocabSize, router: fineTuneRouterSlot(lm.router, competition), routerByLayer } });
}
