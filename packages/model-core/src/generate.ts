// Autoregressive decoding for the encoder-decoder: greedy (HF `greedy_search` semantics) and
// beam search, with or without a key/value cache. With the cache each step feeds one token per
// row (the decoder routes B tokens, so capacity never binds, as in HF); without it the whole
// prefix is re-run, so capacity can bind and scores may differ once it does.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { tidyRecord } from './tidy.js';
import type { BlockCache, LayerContext, SwitchTransformer } from './switch-transformer.js';

export interface GenerateOptions {
  /** Tokens generated after the start token. */
  maxNewTokens: number;
  /** Incremental decoding with a key/value cache. Defaults to true. */
  useCache?: boolean;
  /** 1 = greedy. Defaults to 1. */
  numBeams?: number;
  /** Beam score = Σ log p / length^lengthPenalty. Defaults to 1. */
  lengthPenalty?: number;
  /** Keep the raw logits of every step (greedy only). Defaults to false. */
  returnStepScores?: boolean;
}

export interface GenerateResult {
  /** Per row: start token, generated ids, padded with pad_token_id to a common length. */
  sequences: number[][];
  /** Greedy only: raw logits per step, each [B, V] row-major. */
  stepScores?: Float32Array[];
  /** Beam only: the final score of each returned sequence. */
  beamScores?: number[];
}

const EVAL: LayerContext = { training: false, rng: new Rng(0) };

/** Decoder state between steps: the cache (tensors kept outside any tidy) and the tokens so far. */
interface DecoderState { cache?: BlockCache[]; tokens: number[][] }

function disposeSelfCache(cache: BlockCache[] | undefined): void {
  for (const c of cache ?? []) if (c.self) tf.dispose([c.self.k, c.self.v]);
}

/**
 * One decoder step: logits of the next token for every row. [R, V] on the host.
 * With a cache, the new cache replaces state.cache (old self-attention tensors released).
 */
function stepLogits(model: SwitchTransformer, enc: tf.Tensor3D, mask: tf.Tensor2D, st: DecoderState, useCache: boolean): Float32Array {
  const rows = st.tokens.length;
  const len = st.tokens[0]!.length;
  const { logits, cache } = tidyRecord(() => {
    const ids = useCache ? st.tokens.map((t) => [t[t.length - 1]!]) : st.tokens;
    const input = tf.tensor2d(ids, [rows, ids[0]!.length], 'int32');
    const dec = model.decode(input, enc, mask, EVAL, useCache ? { cache: st.cache, pastLength: len - 1, useCache: true } : {});
    const last = dec.hidden.slice([0, dec.hidden.shape[1] - 1, 0], [-1, 1, -1]) as tf.Tensor3D;   // [R, 1, D]
    const lg = model.head(last).reshape([rows, -1]);                                               // [R, V]
    return { logits: lg, cache: dec.cache };
  });
  const values = logits.dataSync() as Float32Array;
  logits.dispose();
  if (useCache) { disposeSelfCache(st.cache); st.cache = cache; }
  return Float32Array.from(values);
}

function releaseCache(st: DecoderState): void {
  disposeSelfCache(st.cache);
  // Cross-attention keys/values are shared by every step's cache: release them once.
  for (const c of st.cache ?? []) if (c.cross) tf.dispose([c.cross.k, c.cross.v]);
  st.cache = undefined;
}

/** Generate from inputIds [B, S] (int32) with its padding mask [B, S]. */
export function generate(model: SwitchTransformer, inputIds: tf.Tensor2D, attentionMask: tf.Tensor2D | undefined, opts: GenerateOptions): GenerateResult {
  const beams = opts.numBeams ?? 1;
  if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 0) throw new Error(`maxNewTokens must be a non-negative integer, got ${opts.maxNewTokens}`);
  if (!Number.isInteger(beams) || beams < 1) throw new Error(`numBeams must be a positive integer, got ${beams}`);
  const mask = tf.tidy(() => (attentionMask ?? tf.onesLike(inputIds)).toFloat()) as tf.Tensor2D;
  const enc = tf.tidy(() => model.encode(inputIds, mask, EVAL).hidden);
  try {
    return beams === 1 ? greedy(model, enc, mask, opts) : beamSearch(model, enc, mask, beams, opts);
  } finally {
    tf.dispose([enc, mask]);
  }
}

function greedy(model: SwitchTransformer, enc: tf.Tensor3D, mask: tf.Tensor2D, opts: GenerateOptions): GenerateResult {
  const { decoder_start_token_id: start, eos_token_id: eos, pad_token_id: pad, vocab_size: v } = model.config;
  const b = enc.shape[0];
  const st: DecoderState = { tokens: Array.from({ length: b }, () => [start]) };
  const unfinished = new Array<boolean>(b).fill(true);
  const stepScores: Float32Array[] = [];
  const useCache = opts.useCache ?? true;
  try {
    for (let step = 0; step < opts.maxNewTokens && unfinished.some(Boolean); step++) {
      const logits = stepLogits(model, enc, mask, st, useCache);
      if (opts.returnStepScores) stepScores.push(logits);
      for (let r = 0; r < b; r++) {
        let best = 0;
        for (let j = 1; j < v; j++) if (logits[r * v + j]! > logits[r * v + best]!) best = j;  // first max on ties
        const next = unfinished[r] ? best : pad;
        st.tokens[r]!.push(next);
        if (next === eos) unfinished[r] = false;
      }
    }
  } finally {
    releaseCache(st);
  }
  return { sequences: st.tokens, ...(opts.returnStepScores ? { stepScores } : {}) };
}

function logSoftmaxRow(x: Float32Array, off: number, v: number, out: Float64Array): void {
  let m = -Infinity;
  for (let j = 0; j < v; j++) m = Math.max(m, x[off + j]!);
  let s = 0;
  for (let j = 0; j < v; j++) s += Math.exp(x[off + j]! - m);
  const lse = m + Math.log(s);
  for (let j = 0; j < v; j++) out[j] = x[off + j]! - lse;
}

interface Hyp { tokens: number[]; score: number }

/**
 * Beam search: each step keeps the `beams` best continuations per input row; a hypothesis that
 * emits eos is finished with score Σ log p / (generated length)^lengthPenalty. A row is done once
 * it has `beams` finished hypotheses and no running beam can still beat the worst of them.
 */
function beamSearch(model: SwitchTransformer, enc0: tf.Tensor3D, mask0: tf.Tensor2D, k: number, opts: GenerateOptions): GenerateResult {
  const { decoder_start_token_id: start, eos_token_id: eos, pad_token_id: pad, vocab_size: v } = model.config;
  const b = enc0.shape[0];
  const lp = opts.lengthPenalty ?? 1;
  const useCache = opts.useCache ?? true;
  // Every input row is repeated k times: row r·k + i is beam i of input r.
  const rep = tf.tensor1d(Array.from({ length: b * k }, (_, i) => Math.floor(i / k)), 'int32');
  const enc = tf.gather(enc0, rep) as tf.Tensor3D;
  const mask = tf.gather(mask0, rep) as tf.Tensor2D;
  rep.dispose();
  const st: DecoderState = { tokens: Array.from({ length: b * k }, () => [start]) };
  // Only beam 0 is live at the start, so the first step does not pick k copies of one token.
  const scores = Array.from({ length: b * k }, (_, i) => (i % k === 0 ? 0 : -Infinity));
  const finished: Hyp[][] = Array.from({ length: b }, () => []);
  const done = new Array<boolean>(b).fill(false);
  const lrow = new Float64Array(v);
  const worst = (h: Hyp[]) => Math.min(...h.map((x) => x.score));
  try {
    for (let step = 0; step < opts.maxNewTokens && done.some((d) => !d); step++) {
      const logits = stepLogits(model, enc, mask, st, useCache);
      const genLen = step + 1;
      const source = new Int32Array(b * k);
      const nextTok = new Int32Array(b * k);
      const nextScore = new Array<number>(b * k);
      for (let r = 0; r < b; r++) {
        const cands: { beam: number; tok: number; score: number }[] = [];
        for (let i = 0; i < k; i++) {
          const row = r * k + i;
          logSoftmaxRow(logits, row * v, v, lrow);
          for (let j = 0; j < v; j++) cands.push({ beam: row, tok: j, score: scores[row]! + lrow[j]! });
        }
        cands.sort((x, y) => y.score - x.score || x.beam - y.beam || x.tok - y.tok);
        let filled = 0;
        for (const c of cands) {
          if (filled === k) break;
          if (!done[r] && c.tok === eos) {
            const hyp = { tokens: [...st.tokens[c.beam]!, eos], score: c.score / genLen ** lp };
            if (finished[r]!.length < k) finished[r]!.push(hyp);
            else if (hyp.score > worst(finished[r]!)) {
              finished[r]!.splice(finished[r]!.findIndex((h) => h.score === worst(finished[r]!)), 1);
              finished[r]!.push(hyp);
            }
            continue;
          }
          const slot = r * k + filled;
          source[slot] = c.beam; nextTok[slot] = done[r] ? pad : c.tok; nextScore[slot] = c.score;
          filled++;
        }
        if (!done[r] && finished[r]!.length >= k) {
          const bestRunning = Math.max(...nextScore.slice(r * k, r * k + k)) / genLen ** lp;
          if (bestRunning <= worst(finished[r]!)) done[r] = true;
        }
      }
      // Reorder tokens and cache to the surviving beams.
      st.tokens = Array.from({ length: b * k }, (_, s) => [...st.tokens[source[s]!]!, nextTok[s]!]);
      for (let s = 0; s < b * k; s++) scores[s] = nextScore[s]!;
      if (st.cache) {
        const idx = tf.tensor1d(source, 'int32');
        const reordered = st.cache.map((c) => ({
          ...(c.self ? { self: { k: tf.gather(c.self.k, idx) as tf.Tensor4D, v: tf.gather(c.self.v, idx) as tf.Tensor4D } } : {}),
          ...(c.cross ? { cross: c.cross } : {}),
        }));
        idx.dispose();
        disposeSelfCache(st.cache);
        st.cache = reordered;
      }
    }
  } finally {
    releaseCache(st);
    tf.dispose([enc, mask]);
  }
  // Rows without k finished hypotheses also consider their running beams (HF `finalize`).
  const best: Hyp[] = [];
  for (let r = 0; r < b; r++) {
    const pool = [...finished[r]!];
    if (!done[r]) for (let i = 0; i < k; i++) pool.push({ tokens: st.tokens[r * k + i]!, score: scores[r * k + i]! / Math.max(st.tokens[r * k + i]!.length - 1, 1) ** lp });
    pool.sort((x, y) => y.score - x.score);
    best.push(pool[0]!);
  }
  const width = Math.max(...best.map((h) => h.tokens.length));
  return {
    sequences: best.map((h) => [...h.tokens, ...new Array<number>(width - h.tokens.length).fill(pad)]),
    beamScores: best.map((h) => h.score),
  };
}
