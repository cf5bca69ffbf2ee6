// Language-model evaluation as the CompeteSMoE / adaptive-span full evaluation does it:
//   1. the token stream is cut into `batchSize` parallel rows of ⌊n / batchSize⌋ tokens
//      (the remainder at the end is dropped — `_batchify`);
//   2. every row is read in consecutive blocks of M = blockSize positions, block k taking inputs
//      row[kM, kM+M) and targets row[kM+1, kM+M+1); only complete blocks count (kM + M + 1 ≤ row
//      length), as the reference's `full_eval` stops before an incomplete one;
//   3. the cache is carried from block to block (each position sees up to attnSpan positions of
//      its own row before it; the first block of a row starts with an empty cache), eval mode;
//   4. NLL = mean −ln p(target) over all B·M·blocks predicted positions (every block has the same
//      size, so this equals the reference's mean of block means); BPC = NLL / ln 2 (enwik8, text8:
//      one token per byte/character); PPL = exp(NLL) (WikiText).
import * as tf from '@tensorflow/tfjs';
import type { DecoderLM, LmCache } from './decoder-lm.js';
import { lmNllSum } from './lm-loss.js';

export interface LmEvalOptions {
  /** Block length M; default the model's blockSize. */
  blockSize?: number;
  /** Parallel rows; default 8 (the reference's `--full-eval-mode --batch-sz 8`). */
  batchSize?: number;
  /** Router option overrides for this evaluation (e.g. `{ evalK: 4 }`), see DecoderLM.withRouterOptions. */
  routerOptions?: Record<string, unknown>;
  /** Stop after this many blocks per row (a quick estimate); default all complete blocks. */
  maxBlocks?: number;
}

export interface LmEvalResult {
  /** Mean negative log-likelihood per predicted token, nats. */
  nll: number;
  /** nll / ln 2. */
  bpc: number;
  /** exp(nll). */
  ppl: number;
  /** Predicted positions counted (batchSize · blockSize · blocks). */
  tokens: number;
  blocks: number;
  batchSize: number;
  blockSize: number;
  /** Tokens per row after batchifying. */
  rowLength: number;
}

/** Row r of the batchified stream is tokens[r·len, (r+1)·len) with len = ⌊n / batch⌋. */
export function batchifyStream(tokens: Int32Array, batchSize: number): { rows: Int32Array[]; rowLength: number } {
  const rowLength = Math.floor(tokens.length / batchSize);
  return { rows: Array.from({ length: batchSize }, (_, r) => tokens.subarray(r * rowLength, (r + 1) * rowLength)), rowLength };
}

/** Inputs [B, M] and targets [B, M] of the block starting at `pos` of every row. */
export function blockAt(rows: Int32Array[], pos: number, m: number): { inputs: tf.Tensor2D; targets: tf.Tensor2D } {
  const b = rows.length;
  const x = new Int32Array(b * m), y = new Int32Array(b * m);
  rows.forEach((row, r) => { x.set(row.subarray(pos, pos + m), r * m); y.set(row.subarray(pos + 1, pos + m + 1), r * m); });
  return { inputs: tf.tensor2d(x, [b, m], 'int32'), targets: tf.tensor2d(y, [b, m], 'int32') };
}

export function evaluateLm(model: DecoderLM, tokens: Int32Array, opts: LmEvalOptions = {}): LmEvalResult {
  const m = opts.blockSize ?? model.config.blockSize;
  const b = opts.batchSize ?? 8;
  if (!(Number.isInteger(m) && m >= 1 && Number.isInteger(b) && b >= 1)) throw new Error(`evaluateLm: blockSize and batchSize must be positive integers, got ${m}, ${b}`);
  const v = model.config.vocabSize;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!(t >= 0 && t < v)) throw new Error(`evaluateLm: token ${i} is ${t}, outside the model's vocabulary [0, ${v})`);
  }
  const { rows, rowLength } = batchifyStream(tokens, b);
  const total = Math.max(0, Math.floor((rowLength - 1) / m));
  const blocks = opts.maxBlocks === undefined ? total : Math.min(total, opts.maxBlocks);
  if (blocks === 0) throw new Error(`evaluateLm: ${tokens.length} tokens in ${b} rows give ${rowLength} tokens per row; a complete block needs ${m + 1}`);
  const run = (): LmEvalResult => {
    let sum = 0;
    let cache: LmCache = model.initialCache(b);
    for (let k = 0; k < blocks; k++) {
      const { inputs, targets } = blockAt(rows, k * m, m);
      const { nll, next } = tf.tidy(() => {
        const out = model.forward(inputs, { training: false, cache });
        return { nll: lmNllSum(out.logits, targets), next: out.cache.hidden };
      });
      sum += nll.dataSync()[0]!;
      tf.dispose([nll, inputs, targets, cache.hidden]);
      cache = { hidden: next, pastLength: Math.min(cache.pastLength + m, model.config.attnSpan) };
    }
    tf.dispose(cache.hidden);
    const count = b * m * blocks;
    const nll = sum / count;
    return { nll, bpc: nll / Math.LN2, ppl: Math.exp(nll), tokens: count, blocks, batchSize: b, blockSize: m, rowLength };
  };
  return opts.routerOptions ? model.withRouterOptions(opts.routerOptions, run) : run();
}
