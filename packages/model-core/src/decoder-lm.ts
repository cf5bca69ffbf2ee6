// Decoder-only MoE language model of the CompeteSMoE study (Pham et al. 2024, arXiv 2402.02526),
// whose model is facebookresearch/adaptive-span's `TransformerSeq` (Sukhbaatar et al. 2019,
// arXiv 1905.07799) with fastmoe MoE feed-forward layers, and GLaM's layout (Du et al. 2022,
// arXiv 2112.06905: MoE in every other layer). Read top to bottom:
//   parameters → LayerNorm → span attention with the shared key position embedding → FFN
//   (expert and dense) → MoE sub-layer (router slot + dispatch, moe-dispatch.ts) → layer → model.
//
// Each layer is post-LN: h = LN1(h + attn(h, cache)); then h = LN2(h + dropout(moe(h))) (MoE
// layers) or h = LN2(h + ffn(h)) (GLaM's dense layers). Attention has no biases. Query position i
// of a block attends to the `attnSpan` (L) positions before it — never itself — taken from the
// layer's cache of past layer inputs (Transformer-XL style, carried across blocks, no gradient)
// and the block itself: scores (q·k_j + q·key_pe[:, j]) / sqrt(head_dim), with ONE learned key
// position embedding [1, head_dim, L] shared by all layers and heads (slot j = distance L − j).
// Dropout (training only): attention probabilities, inside every expert/FFN (after the ReLU), and
// on the MoE output — the reference's sites. Expert = Linear(d→d_ff) + ReLU + Dropout + Linear(d_ff→d).
//
// Deviations from the reference (each reference behaviour is an `LmConfig` compat* option):
// * Positions before the start of a stream are masked (a query with nothing before it gets a zero
//   attention output); the reference attends to an all-zero initial cache (`compatZeroInitialCache`).
// * GLaM: layer i is MoE for even i, dense for odd i; the reference's pair indexing leaves every
//   odd pair attention-only (`compatGlamPairIndexing`).
// * One residual + LayerNorm around the MoE; the reference wraps two (`compatDoubleMoeNorm`).
// * CompeteSMoE competition steps: the all-expert outputs that score the competition
//   (ctx.allExpertOutputs, experts' dropout active in training) are also the ones combined —
//   E expert evaluations per token, not E+k. That is the reference's `act_experts="shuffle"`; its
//   default `"linear"` scores without the experts' dropout and re-runs the winners with it.
// * Parameters are initialised from a fork of the seed per parameter name (same schemes as torch:
//   nn.Linear U(±1/√in), nn.Embedding and key_pe N(0, 1), LayerNorm 1/0), so two models with
//   different routers share every other initial weight.
//
// Dims: B batch (parallel streams), M block length, L span, D d_model, H heads, K head_dim,
// F d_ff, E experts, V vocabulary, N = B·M tokens.
// Parameter names (torch-like state-dict keys; `linear` weights are [in, out] here, [out, in] in
// torch): in_emb.weight [V, D]; key_pe [1, K, L]; layers.{i}.attn.proj_{query,key,val,out}.weight;
// layers.{i}.norm1.{weight,bias}; layers.{i}.moe.router.<router names>;
// layers.{i}.moe.experts.{e}.fc{1,2}.{weight,bias}; layers.{i}.moe.layer_norm.* (compat only);
// layers.{i}.ff.fc{1,2}.{weight,bias}; layers.{i}.norm2.{weight,bias}; out_emb.{weight,bias} [D, V], [V].
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';
import { createRouter, routerOptionsSchema, type Router, type RouterContext, type RouterInit } from '@switchyard/routers';
import type { RouterSlotConfig } from './config.js';
import { lmLayerKinds, type LmConfig, type LmLayerKind } from './lm-config.js';
import { allExperts, combineExperts } from './moe-dispatch.js';
import type { ModelParameter, ParameterLayout, SparseLayerRecord } from './switch-transformer.js';

/** Additive mask for slots before the start of the stream (finite, so an all-masked row stays finite). */
const MASKED = -1e9;

// ---------------------------------------------------------------------------------------------
// Parameters: each drawn from a fork of the construction Rng named after the parameter.
class LmParams {
  readonly list: ModelParameter[] = [];
  constructor(private readonly rng: Rng) {}
  private add(name: string, init: tf.Tensor, layout: ParameterLayout): tf.Variable {
    const v = tf.variable(init, true);
    init.dispose();
    this.list.push({ name, variable: v, layout, frozen: false });
    return v;
  }
  /** torch nn.Linear default: U(−1/√fanIn, 1/√fanIn). */
  uniform(name: string, shape: number[], fanIn: number, layout: ParameterLayout): tf.Variable {
    const b = 1 / Math.sqrt(fanIn);
    return this.add(name, this.rng.fork(name).uniformTensor(shape, -b, b), layout);
  }
  normal(name: string, shape: number[], std: number): tf.Variable {
    return this.add(name, this.rng.fork(name).normalTensor(shape, 0, std), 'raw');
  }
  constant(name: string, size: number, value: number): tf.Variable {
    return this.add(name, tf.fill([size], value), 'raw');
  }
}

/** Training-time context of one forward pass. */
interface LmLayerContext {
  training: boolean;
  rng: Rng;
  step: number;
  dropout: number;
  /** Token ids of the block. [B, M] int32 */
  tokenIds: tf.Tensor2D;
}

/** Inverted dropout, training only, mask from the forward's Rng. */
function dropout(x: tf.Tensor, lc: LmLayerContext): tf.Tensor {
  if (!lc.training || lc.dropout <= 0) return x;
  return tf.mul(x, lc.rng.dropoutMaskTensor(x.shape, lc.dropout));
}

/** x [..., in] · w [in, out] (+ b [out]) as one 2-D matMul. */
function linear(x: tf.Tensor, w: tf.Variable, b?: tf.Variable): tf.Tensor {
  const inDim = x.shape[x.rank - 1]!;
  let y: tf.Tensor = tf.matMul(x.reshape([-1, inDim]) as tf.Tensor2D, w as tf.Tensor as tf.Tensor2D);
  if (b) y = tf.add(y, b);
  return y.reshape([...x.shape.slice(0, -1), w.shape[1]!]);
}

// ---------------------------------------------------------------------------------------------
// LayerNorm (torch nn.LayerNorm): (x − mean) / sqrt(var + ε) · w + b over the last axis, biased var.
class LayerNorm {
  readonly weight: tf.Variable; readonly bias: tf.Variable;
  constructor(ps: LmParams, name: string, d: number, private readonly eps: number) {
    this.weight = ps.constant(`${name}.weight`, d, 1);
    this.bias = ps.constant(`${name}.bias`, d, 0);
  }
  apply(x: tf.Tensor): tf.Tensor {
    const mean = tf.mean(x, -1, true);                                     // [..., 1]
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), -1, true);                // [..., 1]
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, this.eps))), this.weight), this.bias);
  }
}

// ---------------------------------------------------------------------------------------------
// Span attention (adaptive-span SeqAttention without the adaptive span).

/** For query i, keep key columns i..i+L−1 of [cache; block]. [B, H, M, L+M] → [B, H, M, L] */
function unskew(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, m, lm] = x.shape;
  const l = lm - m;
  const flat = tf.pad(x.reshape([b * h, m * lm]), [[0, 0], [0, m]]);     // [BH, M·(L+M+1)]
  return flat.reshape([b * h, m, lm + 1]).slice([0, 0, 0], [-1, -1, l]).reshape([b, h, m, l]) as tf.Tensor4D;
}

/** Inverse of unskew: slot j of query i back to key column i+j, zeros elsewhere. [B, H, M, L] → [B, H, M, L+M] */
function skew(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, m, l] = x.shape;
  const padded = tf.pad(x.reshape([b * h, m, l]), [[0, 0], [0, 0], [0, m + 1]]);   // [BH, M, L+M+1]
  return padded.reshape([b * h, m * (l + m + 1)]).slice([0, 0], [-1, m * (l + m)]).reshape([b, h, m, l + m]) as tf.Tensor4D;
}

/**
 * Masks for a block whose first position has `past` real positions before it: slot j of query i
 * is position past + i − L + j, valid when ≥ 0. Returns the additive bias [M, L] and, when some
 * query has no valid slot at all (the first position of a stream), a row keep mask [M, 1].
 */
function streamStartMask(past: number, m: number, l: number): { bias: tf.Tensor2D; rows?: tf.Tensor2D } | null {
  if (past >= l) return null;
  const bias = new Float32Array(m * l);
  const rows = new Float32Array(m);
  let empty = false;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < l; j++) if (past + i - l + j < 0) bias[i * l + j] = MASKED;
    rows[i] = past + i >= 1 ? 1 : 0;
    if (rows[i] === 0) empty = true;
  }
  return { bias: tf.tensor2d(bias, [m, l]), rows: empty ? tf.tensor2d(rows, [m, 1]) : undefined };
}

/** Additive bias and row keep mask of a batch with padding: [B, 1, M, L] and [B, 1, M, 1]. */
export interface KeyPaddingMask { bias: tf.Tensor4D; rows: tf.Tensor4D }

/**
 * Masks from an attention mask (1 real, 0 padding) [B, M] of the block and the cache's real
 * positions (the last `past` of its L slots; all of them with compatZeroInitialCache): slot j of
 * query i reads key column i + j of [cache; block] and is kept when that key is real. A query
 * with no real key gets a zero attention output (row mask). Shared by every layer of a call.
 */
export function keyPaddingMask(attentionMask: tf.Tensor2D, past: number, l: number, zeroCacheAttended: boolean): KeyPaddingMask {
  const [b, m] = attentionMask.shape;
  const realPast = zeroCacheAttended ? l : Math.min(past, l);
  const cacheValid = tf.concat([tf.zeros([b, l - realPast]), tf.ones([b, realPast])], 1);            // [B, L]
  const keyValid = tf.concat([cacheValid, tf.cast(attentionMask, 'float32')], 1);                     // [B, L+M]
  const perQuery = unskew(tf.tile(keyValid.reshape([b, 1, 1, l + m]), [1, 1, m, 1]) as tf.Tensor4D);  // [B, 1, M, L]
  return {
    bias: tf.mul(tf.sub(1, perQuery), MASKED) as tf.Tensor4D,                                     // [B, 1, M, L]
    rows: tf.cast(tf.greater(tf.max(perQuery, -1, true), 0), 'float32') as tf.Tensor4D,            // [B, 1, M, 1]
  };
}

class SpanAttention {
  readonly query: tf.Variable; readonly key: tf.Variable; readonly value: tf.Variable; readonly out: tf.Variable;
  constructor(ps: LmParams, name: string, private readonly cfg: LmConfig) {
    const d = cfg.dModel;
    this.query = ps.uniform(`${name}.proj_query.weight`, [d, d], d, 'linear');
    this.key = ps.uniform(`${name}.proj_key.weight`, [d, d], d, 'linear');
    this.value = ps.uniform(`${name}.proj_val.weight`, [d, d], d, 'linear');
    this.out = ps.uniform(`${name}.proj_out.weight`, [d, d], d, 'linear');
  }

  /** [B, T, D] → [B, H, T, K] */
  private heads(x: tf.Tensor, w: tf.Variable): tf.Tensor4D {
    const [b, t] = x.shape as [number, number, number];
    const h = this.cfg.numHeads;
    return tf.transpose(linear(x, w).reshape([b, t, h, this.cfg.dModel / h]), [0, 2, 1, 3]) as tf.Tensor4D;
  }

  /**
   * h [B, M, D], cache [B, L, D] (past layer inputs), keyPe [K, L]; `past` real positions precede h;
   * `keyMask` (when the caller passed an attention mask) replaces the stream-start mask. → [B, M, D]
   */
  forward(h: tf.Tensor3D, cache: tf.Tensor3D, keyPe: tf.Tensor2D, past: number, lc: LmLayerContext, keyMask?: KeyPaddingMask): tf.Tensor3D {
    const [b, m, d] = h.shape;
    const l = cache.shape[1];
    const hk = this.cfg.numHeads, k = d / hk;
    const all = tf.concat([cache, h], 1);                                  // [B, L+M, D]
    const q = this.heads(h, this.query);                                   // [B, H, M, K]
    const keys = this.heads(all, this.key);                                // [B, H, L+M, K]
    const values = this.heads(all, this.value);                            // [B, H, L+M, K]
    const content = unskew(tf.matMul(q, keys, false, true) as tf.Tensor4D);              // [B, H, M, L]
    const position = tf.matMul(q.reshape([-1, k]), keyPe).reshape([b, hk, m, l]);          // [B, H, M, L]
    let scores = tf.div(tf.add(content, position), Math.sqrt(k));                         // [B, H, M, L]
    const mask = keyMask ?? (this.cfg.compatZeroInitialCache ? null : streamStartMask(past, m, l));
    if (mask) scores = tf.add(scores, mask.bias);
    let probs = tf.softmax(scores);                                        // [B, H, M, L]
    if (mask?.rows) probs = tf.mul(probs, mask.rows);
    probs = dropout(probs, lc);
    const ctx = tf.matMul(skew(probs as tf.Tensor4D), values);             // [B, H, M, K]
    return linear(tf.transpose(ctx, [0, 2, 1, 3]).reshape([b, m, d]), this.out) as tf.Tensor3D;
  }
}

// ---------------------------------------------------------------------------------------------
// Feed-forward: fc2(dropout(relu(fc1(x)))), with biases — one expert, or GLaM's dense FFN.
class FeedForward {
  readonly fc1w: tf.Variable; readonly fc1b: tf.Variable; readonly fc2w: tf.Variable; readonly fc2b: tf.Variable;
  constructor(ps: LmParams, name: string, d: number, f: number) {
    this.fc1w = ps.uniform(`${name}.fc1.weight`, [d, f], d, 'linear');
    this.fc1b = ps.uniform(`${name}.fc1.bias`, [f], d, 'raw');
    this.fc2w = ps.uniform(`${name}.fc2.weight`, [f, d], f, 'linear');
    this.fc2b = ps.uniform(`${name}.fc2.bias`, [d], f, 'raw');
  }
  apply(x: tf.Tensor, lc: LmLayerContext): tf.Tensor {
    return linear(dropout(tf.relu(linear(x, this.fc1w, this.fc1b)), lc), this.fc2w, this.fc2b);
  }
}

// ---------------------------------------------------------------------------------------------
// MoE sub-layer: a router of `@switchyard/routers` and E experts.

/** The router a slot builds: `totalSteps` filled from the config when the router has that option. */
export function resolveLmRouterSlot(slot: RouterSlotConfig, cfg: LmConfig): RouterSlotConfig {
  const out = structuredClone(slot);
  const props = (routerOptionsSchema(slot.type).properties ?? {}) as Record<string, unknown>;
  if (cfg.totalSteps !== null && 'totalSteps' in props && out.totalSteps === undefined) out.totalSteps = cfg.totalSteps;
  return out;
}

export class MoeSubLayer {
  readonly experts: FeedForward[] = [];
  router: Router;
  /** The router slot in use (replaceLmRouters, lm-replace-routers.ts, swaps it with the router). */
  slot: RouterSlotConfig;
  private readonly iterationRng: Rng;
  constructor(ps: LmParams, readonly name: string, private readonly cfg: LmConfig, slot: RouterSlotConfig, rng: Rng) {
    this.slot = resolveLmRouterSlot(slot, cfg);
    this.router = createRouter(this.slot, this.routerInit(rng.fork(`${name}.router`)));
    this.iterationRng = rng.fork(`${name}.router-iterations`);
    for (let e = 0; e < cfg.numExperts; e++) this.experts.push(new FeedForward(ps, `${name}.experts.${e}`, cfg.dModel, cfg.dFf));
  }
  routerInit(rng: Rng): RouterInit {
    return { dModel: this.cfg.dModel, numExperts: this.cfg.numExperts, rng, vocabSize: this.cfg.vocabSize };
  }
  /** Router parameters under their full names. */
  routerParameters(): ModelParameter[] {
    return this.router.parameters().map((p) => ({ name: `${this.name}.router.${p.name}`, variable: p.variable, layout: p.layout, frozen: p.frozen ?? false }));
  }

  /** x [N, D] with N = groups·groupSize (one group per stream row of the block). → y [N, D] */
  apply(x: tf.Tensor2D, groups: number, groupSize: number, lc: LmLayerContext): { y: tf.Tensor2D; record: SparseLayerRecord } {
    const e = this.cfg.numExperts;
    const expert = (i: number, rows: tf.Tensor2D): tf.Tensor2D => this.experts[i]!.apply(rows, lc) as tf.Tensor2D;
    let dense: tf.Tensor3D | undefined;
    const every = this.cfg.routerIterationSteps;
    const ctx: RouterContext = {
      training: lc.training,
      rng: every === null ? lc.rng : this.iterationRng.fork(`iteration-${Math.floor(lc.step / every)}`),
      groupSize,
      step: lc.step,
      tokenIds: lc.tokenIds.reshape([-1]) as tf.Tensor1D,
      // Called inside the router's tf.tidy: kept so the combine below can reuse it, then
      // released (the gradient tape holds its own copies of what backward needs).
      allExpertOutputs: (xx: tf.Tensor2D) => {
        if (xx === x) { dense ??= tf.keep(allExperts(x, e, expert)); return dense; }
        return allExperts(xx, e, expert);
      },
    };
    const r = this.router.route(x, ctx);
    const y = combineExperts(x, r, e, expert, dense);
    dense?.dispose();
    return { y, record: { name: this.name, stack: 'layers', groups, groupSize, routerInput: x, router: r } };
  }
}

// ---------------------------------------------------------------------------------------------
// One layer: post-LN attention, then the MoE, dense or no FFN.
class LmLayer {
  readonly attn: SpanAttention; readonly norm1: LayerNorm;
  readonly moe?: MoeSubLayer; readonly moeNorm?: LayerNorm; readonly ff?: FeedForward; readonly norm2?: LayerNorm;
  constructor(ps: LmParams, readonly prefix: string, readonly kind: LmLayerKind, cfg: LmConfig, slot: RouterSlotConfig, rng: Rng) {
    const d = cfg.dModel, eps = cfg.layerNormEps;
    this.attn = new SpanAttention(ps, `${prefix}.attn`, cfg);
    this.norm1 = new LayerNorm(ps, `${prefix}.norm1`, d, eps);
    if (kind === 'moe') {
      this.moe = new MoeSubLayer(ps, `${prefix}.moe`, cfg, slot, rng);
      if (cfg.compatDoubleMoeNorm) this.moeNorm = new LayerNorm(ps, `${prefix}.moe.layer_norm`, d, eps);
    }
    if (kind === 'dense') this.ff = new FeedForward(ps, `${prefix}.ff`, d, cfg.dFf);
    if (kind !== 'none') this.norm2 = new LayerNorm(ps, `${prefix}.norm2`, d, eps);
  }

  /** h [B, M, D]; cache [B, L, D]. */
  forward(h: tf.Tensor3D, cache: tf.Tensor3D, keyPe: tf.Tensor2D, past: number, lc: LmLayerContext, keyMask?: KeyPaddingMask): { h: tf.Tensor3D; record?: SparseLayerRecord } {
    const [b, m, d] = h.shape;
    h = this.norm1.apply(tf.add(h, this.attn.forward(h, cache, keyPe, past, lc, keyMask))) as tf.Tensor3D;
    if (this.moe) {
      const { y, record } = this.moe.apply(h.reshape([b * m, d]) as tf.Tensor2D, b, m, lc);
      let moeOut = dropout(y.reshape([b, m, d]), lc);
      if (this.moeNorm) moeOut = this.moeNorm.apply(tf.add(h, moeOut));
      return { h: this.norm2!.apply(tf.add(h, moeOut)) as tf.Tensor3D, record };
    }
    if (this.ff) return { h: this.norm2!.apply(tf.add(h, this.ff.apply(h, lc))) as tf.Tensor3D };
    return { h };
  }
}

// ---------------------------------------------------------------------------------------------
// The model.

/** Per layer, the inputs of the last L positions, and how many real positions precede the next block. */
export interface LmCache {
  /** One per layer. [B, L, D] each */
  hidden: tf.Tensor3D[];
  /** Real positions of the stream before the next block (only whether it is < L matters). */
  pastLength: number;
}

export interface LmForwardOptions {
  /** Dropout and router training behaviour (noise, competition, schedules). Default false. */
  training?: boolean;
  /** Source of dropout masks and router draws; default a fixed fork of the construction Rng. */
  rng?: Rng;
  /** Optimiser steps completed (routers' schedules: SMoE-Dropout k(t), StableMoE stages, CompeteSMoE). */
  step?: number;
  /** The cache from the previous block of the same streams; default an empty one (stream start). */
  cache?: LmCache;
  /**
   * 1 for real tokens, 0 for padding. [B, M] (any dtype). When given, padding keys are masked out
   * of every attention (the classifier's left padding); padding tokens are still routed and still
   * count in the routers' losses and capacity groups.
   */
  attentionMask?: tf.Tensor2D;
  /**
   * Without a cache (a stream's first block), attend over min(L, M) cache slots instead of L: a
   * first block's query i can only reach positions 0…i−1, so every other slot is masked and adds
   * exactly 0 to the softmax. Same result up to float summation order, a fraction of the attention
   * work for short blocks (the classifier's batches). Ignored with a cache or with
   * compatZeroInitialCache (whose zero slots are real keys). The returned cache is the usual
   * [B, L, D] one.
   */
  trimEmptyCache?: boolean;
}

export interface LmHiddenOutputs {
  /** The last layer's output (before out_emb). [B, M, D] */
  hidden: tf.Tensor3D;
  /** The cache for the next block (no gradient flows into it through later blocks). */
  cache: LmCache;
  /** Every MoE sub-layer of this call, in layer order. */
  moeLayers: SparseLayerRecord[];
}

export interface LmOutputs {
  /** [B, M, V] */
  logits: tf.Tensor3D;
  /** The cache for the next block (no gradient flows into it through later blocks). */
  cache: LmCache;
  /** Every MoE sub-layer of this call, in layer order. */
  moeLayers: SparseLayerRecord[];
}

export class DecoderLM {
  readonly config: LmConfig;
  readonly inEmb: tf.Variable;      // [V, D]
  readonly keyPe: tf.Variable;      // [1, K, L]
  readonly layers: LmLayer[] = [];
  readonly outW: tf.Variable;       // [D, V]
  readonly outB: tf.Variable;       // [V]
  private readonly params: ModelParameter[];
  private readonly fixedRng: Rng;

  constructor(config: LmConfig, rng: Rng) {
    this.config = config;
    this.fixedRng = rng.fork('forward');
    const ps = new LmParams(rng);
    const { vocabSize: v, dModel: d, numHeads: h, attnSpan: l } = config;
    this.inEmb = ps.normal('in_emb.weight', [v, d], 1);
    this.keyPe = ps.normal('key_pe', [1, d / h, l], 1);
    const kinds = lmLayerKinds(config);
    for (let i = 0; i < config.numLayers; i++) {
      const slot = config.routerByLayer[String(i)] ?? config.router;
      this.layers.push(new LmLayer(ps, `layers.${i}`, kinds[i]!, config, slot, rng));
    }
    this.outW = ps.uniform('out_emb.weight', [d, v], d, 'linear');
    this.outB = ps.uniform('out_emb.bias', [v], d, 'raw');
    this.params = ps.list;
  }

  /** The MoE sub-layers, in layer order. */
  moeLayers(): MoeSubLayer[] {
    return this.layers.flatMap((l) => (l.moe ? [l.moe] : []));
  }

  /**
   * Every parameter under its state-dict name, routers before the experts of their layer. The
   * records are live: `frozen` reflects the router's frozen gates (SMoE-Dropout).
   */
  parameters(): ModelParameter[] {
    const byLayer = new Map(this.moeLayers().map((m) => [`${m.name}.experts.0.fc1.weight`, m]));
    const out: ModelParameter[] = [];
    for (const p of this.params) {
      const m = byLayer.get(p.name);
      if (m) out.push(...m.routerParameters());
      out.push(p);
    }
    return out;
  }

  /** An empty cache for `batch` streams (zeros; every slot masked unless compatZeroInitialCache). */
  initialCache(batch: number): LmCache {
    const { attnSpan: l, dModel: d } = this.config;
    return { hidden: this.layers.map(() => tf.zeros([batch, l, d]) as tf.Tensor3D), pastLength: 0 };
  }

  /**
   * One block of B streams: ids [B, M] int32 → logits [B, M, V] and the next cache. Call inside
   * tf.tidy (keep the returned cache with tf.keep to carry it to the next block, then dispose it).
   */
  forward(ids: tf.Tensor2D, opts: LmForwardOptions = {}): LmOutputs {
    const { hidden, cache, moeLayers } = this.forwardHidden(ids, opts);
    const logits = linear(hidden, this.outW, this.outB) as tf.Tensor3D;  // [B, M, V]
    return { logits, cache, moeLayers };
  }

  /** As forward, without the output layer: the last layer's states [B, M, D] (classification heads). */
  forwardHidden(ids: tf.Tensor2D, opts: LmForwardOptions = {}): LmHiddenOutputs {
    const [b, m] = ids.shape;
    const { dModel: d, attnSpan: l } = this.config;
    // Slots attended over: L, or min(L, M) for a trimmed first block (see trimEmptyCache).
    const trim = opts.trimEmptyCache === true && !opts.cache && !this.config.compatZeroInitialCache && m < l;
    const span = trim ? m : l;
    const own = opts.cache ? undefined : trim ? { hidden: this.layers.map(() => tf.zeros([b, span, d]) as tf.Tensor3D), pastLength: 0 } : this.initialCache(b);
    const cache = opts.cache ?? own!;
    if (cache.hidden.length !== this.layers.length) throw new Error(`DecoderLM.forward: cache has ${cache.hidden.length} layers, the model ${this.layers.length}`);
    for (const c of cache.hidden) {
      if (c.shape[0] !== b || c.shape[1] !== span || c.shape[2] !== d) throw new Error(`DecoderLM.forward: cache entries must be [${b}, ${l}, ${d}] (batch, attnSpan, dModel), got [${c.shape.join(', ')}]`);
    }
    const lc: LmLayerContext = { training: opts.training ?? false, rng: opts.rng ?? this.fixedRng, step: opts.step ?? 0, dropout: this.config.dropout, tokenIds: ids };
    const k = d / this.config.numHeads;
    // [K, span]: the key position embedding of the nearest `span` relative positions (slot j ↔ distance span − j)
    const keyPe = (trim ? this.keyPe.reshape([k, l]).slice([0, l - span], [k, span]) : this.keyPe.reshape([k, l])) as tf.Tensor2D;
    if (opts.attentionMask && (opts.attentionMask.shape[0] !== b || opts.attentionMask.shape[1] !== m)) {
      throw new Error(`DecoderLM.forward: attentionMask must be [${b}, ${m}] like the ids, got [${opts.attentionMask.shape.join(', ')}]`);
    }
    const keyMask = opts.attentionMask ? keyPaddingMask(opts.attentionMask, cache.pastLength, span, this.config.compatZeroInitialCache) : undefined;
    let h = tf.gather(this.inEmb, ids.reshape([-1])).reshape([b, m, d]) as tf.Tensor3D;    // [B, M, D]
    const next: tf.Tensor3D[] = [];
    const records: SparseLayerRecord[] = [];
    for (let i = 0; i < this.layers.length; i++) {
      const c = cache.hidden[i]!;
      // The next block's cache: the last L layer inputs of [cache; block] (a trimmed first block:
      // of [L zero slots; block]).
      next.push((trim ? tf.concat([tf.zeros([b, l, d]), h], 1) : tf.concat([c, h], 1)).slice([0, m, 0], [-1, l, -1]) as tf.Tensor3D);
      const out = this.layers[i]!.forward(h, c, keyPe, cache.pastLength, lc, keyMask);
      h = out.h;
      if (out.record) records.push(out.record);
    }
    if (own) tf.dispose(own.hidden);
    return { hidden: h, cache: { hidden: next, pastLength: Math.min(cache.pastLength + m, l) }, moeLayers: records };
  }

  /**
   * Runs `fn` with every MoE layer's router rebuilt with `overrides` on its options (e.g.
   * `{ evalK: 4 }` for SMoE-Dropout's self-slimmable evaluation, `{ topK: 1 }`), holding copies of
   * the trained router parameters; the trained routers are restored afterwards.
   */
  withRouterOptions<T>(overrides: Record<string, unknown>, fn: () => T): T {
    const saved: Router[] = [];
    const layers = this.moeLayers();
    try {
      for (const layer of layers) {
        const sibling = createRouter({ ...layer.slot, ...overrides }, layer.routerInit(this.fixedRng.fork(`${layer.name}.sibling`)));
        const trained = new Map(layer.router.parameters().map((p) => [p.name, p.variable]));
        for (const p of sibling.parameters()) {
          const src = trained.get(p.name);
          if (!src || src.shape.join() !== p.variable.shape.join()) {
            sibling.dispose();
            throw new Error(`withRouterOptions: router "${layer.slot.type}" of ${layer.name} with ${JSON.stringify(overrides)} has parameter "${p.name}" [${p.variable.shape.join(', ')}] that the trained router lacks or shapes differently`);
          }
          p.variable.assign(src);
        }
        saved.push(layer.router);
        layer.router = sibling;
      }
      return fn();
    } finally {
      for (let i = 0; i < saved.length; i++) { layers[i]!.router.dispose(); layers[i]!.router = saved[i]!; }
    }
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
    for (const m of this.moeLayers()) m.router.dispose();
  }
}
