// Switch Transformer encoder-decoder (Fedus et al. 2021, arXiv 2101.03961) on T5 blocks
// (Raffel et al. 2020, arXiv 1910.10683), written to match HF transformers v4.36.2
// `SwitchTransformersForConditionalGeneration` value by value. Read top to bottom:
//   RMSNorm → attention with relative position bias → dense FFN → sparse FFN (router slot +
//   gather/scatter dispatch) → block → stack (encoder or decoder) → encoder-decoder + LM head.
// Blocks and stacks take their role from options (causal or not, cross-attention or not), so a
// decoder-only language model can reuse them (docs/design.md §8).
//
// Dims: B batch, S source length, T target length, L length of the current stack, D d_model,
// H heads, K d_kv, F d_ff, E experts, N tokens = B·L, V vocabulary.
// Parameter names are HF state-dict keys; tfjs stores linear weights [in, out] (torch: [out, in]).
import * as tf from '@tensorflow/tfjs';
import { rmsNorm, type Rng } from '@switchyard/tensor-engine';
import type { NamedParameter as RouterParameter, Router, RouterContext, RouterOutput } from '@switchyard/routers';
import { isSparseBlock, type RouterSlotConfig, type SwitchConfig } from './config.js';
import { positionBias } from './relative-position.js';
import { createSlotRouter, defaultRouterSlot } from './router-slot.js';
import { combineExperts } from './moe-dispatch.js';

/** float32 min, HF's additive mask value. */
const MASK_VALUE = -3.4028234663852886e38;

export type ParameterLayout = 'linear' | 'raw';

/** A model parameter under its HF state-dict key. */
export interface ModelParameter {
  name: string;
  variable: tf.Variable;
  layout: ParameterLayout;
  frozen: boolean;
}

/** Collects the parameters a module creates, under HF names (exported so other models can build blocks). */
export class ParamStore {
  readonly list: ModelParameter[] = [];
  constructor(private readonly rng: Rng) {}
  /** Normal(0, std²) initialisation, as HF `_init_weights`. */
  normal(name: string, shape: number[], std: number, layout: ParameterLayout): tf.Variable {
    const init = this.rng.normalTensor(shape, 0, std);
    // tfjs variable names are global; HF names live in the parameter list instead.
    const v = tf.variable(init, true);
    init.dispose();
    this.list.push({ name, variable: v, layout, frozen: false });
    return v;
  }
  ones(name: string, size: number): tf.Variable {
    const init = tf.ones([size]);
    const v = tf.variable(init, true);
    init.dispose();
    this.list.push({ name, variable: v, layout: 'raw', frozen: false });
    return v;
  }
}

/** x [..., in] · w [in, out] as one 2-D matMul (fast path on WASM). */
function linear(x: tf.Tensor, w: tf.Variable | tf.Tensor): tf.Tensor {
  const inDim = x.shape[x.rank - 1]!;
  const out = tf.matMul(x.reshape([-1, inDim]) as tf.Tensor2D, w as tf.Tensor2D);
  return out.reshape([...x.shape.slice(0, -1), w.shape[1]!]);
}

/**
 * Inverted dropout (HF `nn.Dropout(dropout_rate)` at T5's sites), only in training; the mask
 * comes from the layer context's Rng so runs are reproducible.
 */
function dropout(x: tf.Tensor, lc: LayerContext | undefined, rate: number): tf.Tensor {
  if (!lc?.training || rate <= 0) return x;
  return tf.mul(x, lc.rng.dropoutMaskTensor(x.shape, rate));
}

// ---------------------------------------------------------------------------------------------
// RMSNorm (T5LayerNorm): x · rsqrt(mean(x²) + ε) · w — no mean subtraction, no bias.
class RMSNorm {
  readonly weight: tf.Variable;
  constructor(ps: ParamStore, name: string, d: number, private readonly eps: number) {
    this.weight = ps.ones(`${name}.weight`, d);
  }
  /** One fused kernel on WASM with the native addon, else the tfjs composition (runtime's rmsNorm). */
  apply(x: tf.Tensor): tf.Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }
}

// ---------------------------------------------------------------------------------------------
// Multi-head attention, T5 style: no 1/sqrt(d_kv) scaling; the additive bias carries position
// bias and masks. Self-attention of block 0 owns the relative position bias table.
export interface KV { k: tf.Tensor4D; v: tf.Tensor4D } // each [B, H, Lk, K]

class Attention {
  readonly q: tf.Variable; readonly k: tf.Variable; readonly v: tf.Variable; readonly o: tf.Variable;
  readonly relativeBias?: tf.Variable; // [numBuckets, H]
  constructor(ps: ParamStore, name: string, private readonly cfg: SwitchConfig, hasRelativeBias: boolean) {
    const { d_model: d, d_kv: kd, num_heads: h, initializer_factor: f } = cfg;
    const inner = h * kd;
    this.q = ps.normal(`${name}.q.weight`, [d, inner], f * (d * kd) ** -0.5, 'linear');
    this.k = ps.normal(`${name}.k.weight`, [d, inner], f * d ** -0.5, 'linear');
    this.v = ps.normal(`${name}.v.weight`, [d, inner], f * d ** -0.5, 'linear');
    this.o = ps.normal(`${name}.o.weight`, [inner, d], f * inner ** -0.5, 'linear');
    if (hasRelativeBias) {
      this.relativeBias = ps.normal(`${name}.relative_attention_bias.weight`, [cfg.relative_attention_num_buckets, h], f * d ** -0.5, 'raw');
    }
  }
  /** [B, L, D] → [B, H, L, K] */
  private heads(x: tf.Tensor, w: tf.Variable): tf.Tensor4D {
    const [b, l] = x.shape as [number, number, number];
    return tf.transpose(linear(x, w).reshape([b, l, this.cfg.num_heads, this.cfg.d_kv]), [0, 2, 1, 3]) as tf.Tensor4D;
  }
  project(source: tf.Tensor): KV {
    return { k: this.heads(source, this.k), v: this.heads(source, this.v) };
  }
  /**
   * x [B, Lq, D]; kv keys/values [B, H, Lk, K]; bias broadcastable to [B, H, Lq, Lk].
   * Returns the output [B, Lq, D] and the attention probabilities [B, H, Lq, Lk].
   */
  attend(x: tf.Tensor3D, kv: KV, bias: tf.Tensor, lc?: LayerContext): { out: tf.Tensor3D; probs: tf.Tensor4D } {
    const [b, lq] = x.shape;
    const q = this.heads(x, this.q);                                  // [B, H, Lq, K]
    const scores = tf.add(tf.matMul(q, kv.k, false, true), bias);     // [B, H, Lq, Lk]
    const probs = tf.softmax(scores) as tf.Tensor4D;
    const dropped = dropout(probs, lc, this.cfg.dropout_rate);
    const ctx = tf.transpose(tf.matMul(dropped, kv.v), [0, 2, 1, 3]); // [B, Lq, H, K]
    const out = linear(ctx.reshape([b, lq, -1]), this.o) as tf.Tensor3D;
    return { out, probs };
  }
}

// ---------------------------------------------------------------------------------------------
// Feed-forward networks: dense wo(relu(wi(x))), and the sparse MoE version with a router slot.
class DenseFFN {
  readonly wi: tf.Variable; readonly wo: tf.Variable; // [D, F], [F, D]
  private readonly rate: number;
  constructor(ps: ParamStore, name: string, cfg: SwitchConfig) {
    const f = cfg.initializer_factor;
    this.rate = cfg.dropout_rate;
    this.wi = ps.normal(`${name}.wi.weight`, [cfg.d_model, cfg.d_ff], f * cfg.d_model ** -0.5, 'linear');
    this.wo = ps.normal(`${name}.wo.weight`, [cfg.d_ff, cfg.d_model], f * cfg.d_ff ** -0.5, 'linear');
  }
  apply(x: tf.Tensor, lc?: LayerContext): tf.Tensor { return linear(dropout(tf.relu(linear(x, this.wi)), lc, this.rate), this.wo); }
}

/** What one sparse layer reports for a forward call (tokens flattened: N = groups × groupSize). */
export interface SparseLayerRecord {
  /** HF prefix of the sub-layer, e.g. `encoder.block.1.layer.1`. */
  name: string;
  /** Prefix of the stack the layer belongs to (`encoder`, `decoder`). */
  stack: string;
  /** Sequences (capacity/balance groups) and tokens per group. */
  groups: number;
  groupSize: number;
  /** The RMSNorm-ed hidden state fed to router and experts. [N, D] */
  routerInput: tf.Tensor2D;
  router: RouterOutput;
}

export interface LayerContext {
  /** Training mode: dropout (config dropout_rate) and router noise apply only when true. */
  training: boolean;
  rng: Rng;
  step?: number;
  /** Token ids of the stack's current positions. [B, L] int32 */
  tokenIds?: tf.Tensor2D;
}

export class SparseFFN {
  readonly experts: DenseFFN[] = [];
  router: Router;
  routerSlot: RouterSlotConfig;
  /** Parameters of the router, with full HF names; rebuilt on router replacement. */
  routerParams: ModelParameter[] = [];
  constructor(ps: ParamStore, readonly name: string, private readonly cfg: SwitchConfig, rng: Rng) {
    this.routerSlot = defaultRouterSlot(cfg);
    this.router = createSlotRouter(this.routerSlot, cfg, rng);
    this.bindRouterParams();
    for (let e = 0; e < cfg.num_experts; e++) this.experts.push(new DenseFFN(ps, `${name}.mlp.experts.expert_${e}`, cfg));
  }
  bindRouterParams(frozen = false): void {
    this.routerParams = this.router.parameters().map((p: RouterParameter) => ({
      name: `${this.name}.mlp.router.${p.name}`, variable: p.variable, layout: p.layout, frozen: frozen || (p.frozen ?? false),
    }));
  }

  /** Every expert on every token (CompeteSMoE-style routers, dense routers). [N, D] → [E, N, D] */
  allExpertOutputs(x: tf.Tensor2D, lc?: LayerContext): tf.Tensor3D {
    return tf.stack(this.experts.map((ex) => ex.apply(x, lc))) as tf.Tensor3D;
  }

  /**
   * MoE output y_n = Σ_e weights[n,e]·f_e(x_n) + inputWeight[n]·x_n, computing only routed
   * tokens (moe-dispatch.ts: one host read of `dispatch`, per expert gather its rows, run it,
   * scale by the gathered weights, scatter back with one unsortedSegmentSum). x [N, D] → [N, D]
   */
  apply(x: tf.Tensor2D, groups: number, groupSize: number, lc: LayerContext): { y: tf.Tensor2D; record: SparseLayerRecord } {
    // Every expert's output when the router asks for it (inside its own tf.tidy): kept so the
    // combine below can reuse it, released at the end (the gradient tape holds its own copies).
    let dense: tf.Tensor3D | undefined;
    const ctx: RouterContext = {
      training: lc.training, rng: lc.rng, groupSize, step: lc.step,
      tokenIds: lc.tokenIds ? (lc.tokenIds.reshape([-1]) as tf.Tensor1D) : undefined,
      allExpertOutputs: (xx: tf.Tensor2D) => {
        if (xx === x) { dense ??= tf.keep(this.allExpertOutputs(x, lc)); return dense; }
        return this.allExpertOutputs(xx, lc);
      },
    };
    const r = this.router.route(x, ctx);
    // HF v4.36 jitters the router input in place (fp32), so the experts and the dropped-token
    // copy see the jittered tensor too; routers that reproduce this return it (combineExperts
    // uses r.jitteredInput).
    const y = combineExperts(x, r, this.cfg.num_experts, (i, rows) => this.experts[i]!.apply(rows, lc) as tf.Tensor2D, dense);
    dense?.dispose();
    return { y, record: { name: this.name, stack: this.name.split('.block.')[0]!, groups, groupSize, routerInput: x, router: r } };
  }
}

// ---------------------------------------------------------------------------------------------
// T5 block: self-attention, optional cross-attention, FFN; each pre-norm with a residual.
export interface BlockCache { self?: KV; cross?: KV }

export interface BlockInputs {
  /** Self-attention bias incl. mask, from block 0 of the stack. [B|1, H, L, Lk] */
  selfBias: tf.Tensor;
  encoderHidden?: tf.Tensor3D;
  /** Cross-attention bias (encoder padding mask). [B, 1, 1, S] */
  crossBias?: tf.Tensor;
  cache?: BlockCache;
  /** Keep (return) the keys/values for incremental decoding. */
  useCache: boolean;
  capture: boolean;
}

export interface BlockOutputs {
  hidden: tf.Tensor3D;
  cache?: BlockCache;
  selfProbs?: tf.Tensor4D;
  crossProbs?: tf.Tensor4D;
  sparse?: SparseLayerRecord;
}

export class T5Block {
  readonly selfNorm: RMSNorm; readonly selfAttn: Attention;
  readonly crossNorm?: RMSNorm; readonly crossAttn?: Attention;
  readonly ffNorm: RMSNorm;
  readonly dense?: DenseFFN; readonly sparse?: SparseFFN;
  private readonly rate: number;
  constructor(ps: ParamStore, readonly prefix: string, cfg: SwitchConfig, opts: { relativeBias: boolean; cross: boolean; sparse: boolean }, rng: Rng) {
    const eps = cfg.layer_norm_epsilon;
    this.rate = cfg.dropout_rate;
    this.selfAttn = new Attention(ps, `${prefix}.layer.0.SelfAttention`, cfg, opts.relativeBias);
    this.selfNorm = new RMSNorm(ps, `${prefix}.layer.0.layer_norm`, cfg.d_model, eps);
    let ff = 1;
    if (opts.cross) {
      this.crossAttn = new Attention(ps, `${prefix}.layer.1.EncDecAttention`, cfg, false);
      this.crossNorm = new RMSNorm(ps, `${prefix}.layer.1.layer_norm`, cfg.d_model, eps);
      ff = 2;
    }
    if (opts.sparse) this.sparse = new SparseFFN(ps, `${prefix}.layer.${ff}`, cfg, rng);
    else this.dense = new DenseFFN(ps, `${prefix}.layer.${ff}.mlp`, cfg);
    this.ffNorm = new RMSNorm(ps, `${prefix}.layer.${ff}.layer_norm`, cfg.d_model, eps);
  }

  forward(h: tf.Tensor3D, inp: BlockInputs, lc: LayerContext): BlockOutputs {
    const out: BlockOutputs = { hidden: h };
    // Self-attention; with a cache the new keys/values are appended to the past ones.
    const xs = this.selfNorm.apply(h) as tf.Tensor3D;
    let kv = this.selfAttn.project(xs);
    if (inp.cache?.self) kv = { k: tf.concat([inp.cache.self.k, kv.k], 2), v: tf.concat([inp.cache.self.v, kv.v], 2) };
    const sa = this.selfAttn.attend(xs, kv, inp.selfBias, lc);
    h = tf.add(h, dropout(sa.out, lc, this.rate));
    if (inp.capture) out.selfProbs = sa.probs;
    const cache: BlockCache = {};
    if (inp.useCache) cache.self = kv;
    // Cross-attention over the encoder output; its keys/values are computed once per sequence.
    if (this.crossAttn && this.crossNorm) {
      if (!inp.encoderHidden || !inp.crossBias) throw new Error(`${this.prefix}: cross-attention needs the encoder output`);
      const xc = this.crossNorm.apply(h) as tf.Tensor3D;
      const ckv = inp.cache?.cross ?? this.crossAttn.project(inp.encoderHidden);
      const ca = this.crossAttn.attend(xc, ckv, inp.crossBias, lc);
      h = tf.add(h, dropout(ca.out, lc, this.rate));
      if (inp.capture) out.crossProbs = ca.probs;
      if (inp.useCache) cache.cross = ckv;
    }
    // Feed-forward (dense or sparse).
    const xf = this.ffNorm.apply(h) as tf.Tensor3D;
    const [b, l, d] = xf.shape;
    if (this.sparse) {
      const { y, record } = this.sparse.apply(xf.reshape([b * l, d]) as tf.Tensor2D, b, l, lc);
      h = tf.add(h, dropout(y.reshape([b, l, d]), lc, this.rate));
      out.sparse = record;
    } else {
      h = tf.add(h, dropout(this.dense!.apply(xf, lc), lc, this.rate));
    }
    out.hidden = h as tf.Tensor3D;
    if (inp.useCache) out.cache = cache;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// A stack of blocks (encoder: bidirectional; decoder: causal + cross-attention). Block 0 computes
// the relative position bias; every later block reuses it (with the mask already added).
export interface StackInputs {
  /** Embedded tokens. [B, L, D] */
  embeddings: tf.Tensor3D;
  /** Self-attention padding mask (encoder). [B, L] */
  attentionMask?: tf.Tensor2D;
  encoderHidden?: tf.Tensor3D;
  /** Encoder padding mask for cross-attention. [B, S] */
  encoderMask?: tf.Tensor2D;
  cache?: BlockCache[];
  /** Positions already in the cache (the first new token's position). */
  pastLength?: number;
  useCache?: boolean;
  capture?: boolean;
}

export interface StackOutputs {
  /** After the final RMSNorm. [B, L, D] */
  hidden: tf.Tensor3D;
  /** HF's `hidden_states`: embeddings, output of each block but the last, final-norm output. */
  hiddenStates: tf.Tensor3D[];
  selfAttentions: tf.Tensor4D[];
  crossAttentions: tf.Tensor4D[];
  sparse: SparseLayerRecord[];
  cache?: BlockCache[];
}

/** Additive mask (1 − m)·float32_min. m [B, Lk] → [B, 1, 1, Lk] */
function paddingBias(mask: tf.Tensor2D): tf.Tensor4D {
  const [b, l] = mask.shape;
  return tf.mul(tf.sub(1, tf.cast(mask, 'float32')), MASK_VALUE).reshape([b, 1, 1, l]) as tf.Tensor4D;
}

/** Causal additive mask for queries at positions past..past+lq−1 over keys 0..lk−1. [1, 1, Lq, Lk] */
function causalBias(past: number, lq: number, lk: number): tf.Tensor4D {
  const m = new Float32Array(lq * lk);
  for (let i = 0; i < lq; i++) for (let j = 0; j < lk; j++) m[i * lk + j] = j <= past + i ? 0 : MASK_VALUE;
  return tf.tensor4d(m, [1, 1, lq, lk]);
}

export interface StackOptions { prefix: string; causal: boolean; cross: boolean; numLayers: number; sparseStep: number }

export class T5Stack {
  readonly blocks: T5Block[] = [];
  readonly finalNorm: RMSNorm;
  readonly prefix: string;
  readonly causal: boolean;
  /**
   * opts.causal: decoder-style causal self-attention with unidirectional buckets;
   * opts.cross: cross-attention sub-layer in every block. A decoder-only LM is causal without cross.
   */
  constructor(ps: ParamStore, private readonly cfg: SwitchConfig, opts: StackOptions, rng: Rng) {
    this.prefix = opts.prefix;
    this.causal = opts.causal;
    for (let i = 0; i < opts.numLayers; i++) {
      this.blocks.push(new T5Block(ps, `${opts.prefix}.block.${i}`, cfg, { relativeBias: i === 0, cross: opts.cross, sparse: isSparseBlock(i, opts.sparseStep) }, rng));
    }
    this.finalNorm = new RMSNorm(ps, `${opts.prefix}.final_layer_norm`, cfg.d_model, cfg.layer_norm_epsilon);
  }

  /** Block 0's bias (position bias + mask) for the current query window. */
  selfBias(lq: number, past: number, attentionMask?: tf.Tensor2D): tf.Tensor {
    const lk = past + lq;
    const table = this.blocks[0]!.selfAttn.relativeBias!;
    let bias: tf.Tensor = positionBias(table as tf.Tensor as tf.Tensor2D, past, lq, lk, !this.causal, this.cfg.relative_attention_max_distance);
    if (this.causal) bias = tf.add(bias, causalBias(past, lq, lk));
    if (attentionMask) bias = tf.add(bias, paddingBias(attentionMask));
    return bias;
  }

  forward(inp: StackInputs, lc: LayerContext): StackOutputs {
    const [, l] = inp.embeddings.shape;
    const past = inp.pastLength ?? 0;
    const selfBias = this.selfBias(l, past, inp.attentionMask);
    const crossBias = inp.encoderMask ? paddingBias(inp.encoderMask) : undefined;
    const out: StackOutputs = { hidden: inp.embeddings, hiddenStates: [], selfAttentions: [], crossAttentions: [], sparse: [] };
    if (inp.useCache) out.cache = [];
    let h = dropout(inp.embeddings, lc, this.cfg.dropout_rate) as tf.Tensor3D;
    for (let i = 0; i < this.blocks.length; i++) {
      if (inp.capture) out.hiddenStates.push(h);
      const bo = this.blocks[i]!.forward(h, {
        selfBias, encoderHidden: inp.encoderHidden, crossBias, cache: inp.cache?.[i], useCache: inp.useCache ?? false, capture: inp.capture ?? false,
      }, lc);
      h = bo.hidden;
      if (bo.selfProbs) out.selfAttentions.push(bo.selfProbs);
      if (bo.crossProbs) out.crossAttentions.push(bo.crossProbs);
      if (bo.sparse) out.sparse.push(bo.sparse);
      if (out.cache) out.cache.push(bo.cache ?? {});
    }
    out.hidden = dropout(this.finalNorm.apply(h), lc, this.cfg.dropout_rate) as tf.Tensor3D;
    if (inp.capture) out.hiddenStates.push(out.hidden);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// The encoder-decoder with tied (or separate) LM head.
export interface Seq2SeqInputs {
  inputIds: tf.Tensor2D;        // [B, S] int32
  attentionMask?: tf.Tensor2D;  // [B, S] (1 = token, 0 = pad); default all ones
  decoderInputIds: tf.Tensor2D; // [B, T] int32
}

export interface ForwardOptions {
  training?: boolean;
  /** Randomness of routers (jitter, noise) in training. */
  rng?: Rng;
  step?: number;
  /** Also return per-block hidden states and attention probabilities. */
  capture?: boolean;
}

export interface Seq2SeqOutputs {
  logits: tf.Tensor3D;                  // [B, T, V]
  encoderLastHiddenState: tf.Tensor3D;  // [B, S, D]
  /** After the final RMSNorm, before the d_model^-0.5 rescale. [B, T, D] */
  decoderLastHiddenState: tf.Tensor3D;
  encoder: StackOutputs;
  decoder: StackOutputs;
  /** Every sparse layer, encoder first, in block order. */
  sparseLayers: SparseLayerRecord[];
}

export class SwitchTransformer {
  readonly config: SwitchConfig;
  readonly shared: tf.Variable;     // [V, D]
  readonly lmHead?: tf.Variable;    // [D, V] when embeddings are not tied
  readonly encoder: T5Stack;
  readonly decoder: T5Stack;
  private readonly params: ModelParameter[];
  private readonly fixedRng: Rng;

  constructor(config: SwitchConfig, rng: Rng) {
    this.config = config;
    this.fixedRng = rng.fork('forward');
    const ps = new ParamStore(rng);
    const f = config.initializer_factor;
    this.shared = ps.normal('shared.weight', [config.vocab_size, config.d_model], f * 1.0, 'raw');
    this.encoder = new T5Stack(ps, config, { prefix: 'encoder', causal: false, cross: false, numLayers: config.num_layers, sparseStep: config.encoder_sparse_step }, rng);
    this.decoder = new T5Stack(ps, config, { prefix: 'decoder', causal: true, cross: true, numLayers: config.num_decoder_layers, sparseStep: config.decoder_sparse_step }, rng);
    if (!config.tie_word_embeddings) this.lmHead = ps.normal('lm_head.weight', [config.d_model, config.vocab_size], f * 1.0, 'linear');
    this.params = ps.list;
  }

  /** Sparse layers in HF order (encoder blocks, then decoder blocks). */
  sparseLayers(): SparseFFN[] {
    return [...this.encoder.blocks, ...this.decoder.blocks].flatMap((b) => (b.sparse ? [b.sparse] : []));
  }

  /**
   * Every parameter under its HF key, routers included, in state-dict order. The records are
   * live: `frozen` (and the variable's `trainable`) may be changed by freezeParameters.
   */
  parameters(): ModelParameter[] {
    const routerByPrefix = new Map(this.sparseLayers().map((s) => [s.name, s.routerParams]));
    const out: ModelParameter[] = [];
    for (const p of this.params) {
      // Router parameters sit before the experts of their layer, as in HF's state dict.
      const m = /^(.*)\.mlp\.experts\.expert_0\.wi\.weight$/.exec(p.name);
      if (m && routerByPrefix.has(m[1]!)) out.push(...routerByPrefix.get(m[1]!)!);
      out.push(p);
    }
    return out;
  }

  private embed(ids: tf.Tensor2D): tf.Tensor3D {
    const [b, l] = ids.shape;
    return tf.gather(this.shared, ids.reshape([-1])).reshape([b, l, this.config.d_model]) as tf.Tensor3D;
  }

  encode(inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D | undefined, lc: LayerContext, capture = false): StackOutputs {
    return this.encoder.forward({ embeddings: this.embed(inputIds), attentionMask, capture }, { ...lc, tokenIds: inputIds });
  }

  /** Decoder over `decoderInputIds` (new positions only when a cache is given). */
  decode(decoderInputIds: tf.Tensor2D, encoderHidden: tf.Tensor3D, encoderMask: tf.Tensor2D, lc: LayerContext,
    opts: { cache?: BlockCache[]; pastLength?: number; useCache?: boolean; capture?: boolean } = {}): StackOutputs {
    return this.decoder.forward({ embeddings: this.embed(decoderInputIds), encoderHidden, encoderMask, ...opts }, { ...lc, tokenIds: decoderInputIds });
  }

  /** LM head: tied embeddings are rescaled by d_model^-0.5 first (Mesh TensorFlow convention). [B, T, D] → [B, T, V] */
  head(decoderHidden: tf.Tensor3D): tf.Tensor3D {
    if (this.lmHead) return linear(decoderHidden, this.lmHead) as tf.Tensor3D;
    // x · sharedᵀ as one matMul with transposeB: no [V, D] transpose forward, none in the gradient.
    const [b, t, d] = decoderHidden.shape;
    const x = tf.mul(decoderHidden, this.config.d_model ** -0.5).reshape([b * t, d]) as tf.Tensor2D;  // [B·T, D]
    return tf.matMul(x, this.shared as tf.Tensor2D, false, true).reshape([b, t, this.shared.shape[0]!]) as tf.Tensor3D;  // [B, T, V]
  }

  /** Teacher-forced forward pass. Call inside tf.tidy (or dispose the result with disposeOutputs). */
  forward(inp: Seq2SeqInputs, opts: ForwardOptions = {}): Seq2SeqOutputs {
    const lc: LayerContext = { training: opts.training ?? false, rng: opts.rng ?? this.fixedRng, step: opts.step };
    const mask = inp.attentionMask ?? tf.onesLike(inp.inputIds);
    const enc = this.encode(inp.inputIds, mask, lc, opts.capture);
    const dec = this.decode(inp.decoderInputIds, enc.hidden, mask, lc, { capture: opts.capture });
    return {
      logits: this.head(dec.hidden), encoderLastHiddenState: enc.hidden, decoderLastHiddenState: dec.hidden,
      encoder: enc, decoder: dec, sparseLayers: [...enc.sparse, ...dec.sparse],
    };
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
    for (const s of this.sparseLayers()) s.router.dispose();
  }
}

/** Release every tensor of a forward result (when not run inside tf.tidy). */
export function disposeOutputs(out: unknown): void {
  tf.dispose(out as tf.TensorContainer);
}
