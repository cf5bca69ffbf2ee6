// Token streams of a language-modelling split as the loop's BatchSource (adaptive-span's training
// data protocol, which the CompeteSMoE reference trainer keeps):
//   * the train stream is cut into B = batchSize rows of ⌊n/B⌋ tokens (the remainder dropped);
//   * every batch is the next block of M = blockSize positions of every row: inputs
//     row[p, p+M), targets row[p+1, p+M+1); the model's cache (each layer's last attnSpan inputs
//     per row) is carried from block to block, without gradient;
//   * reset rule: when the next block of a pass would be incomplete (p + M + 1 > row length) a new
//     pass starts at offset o_w ∈ [0, M) and the cache is emptied (masked as a stream start). The
//     reference draws o_w with Python's `random`; here pass 0 starts at 0 and pass w ≥ 1 at
//     Rng(0).fork("lm-stream/pass-w").int(M): the same data order for every seed (seeds vary the
//     initialisation, dropout and router draws).
// Resume: the stream position (pass, block) and the cache are "buffers" in torch's sense —
// TrainParameters marked frozen, so the loop writes them into every checkpoint's
// weights.safetensors with the weights and restores them on resume, and the optimiser, clipping
// and NaN guard never see them. The forward pass leaves the next cache on the batch; the step
// adopts it in disposeBatch, which the loop calls once the gradients are taken (before the
// update and the checkpoint), so a checkpoint at step s holds the cache for step s + 1.
// Each batch holds every row (numExamples = batchSize): the loop's per-epoch permutation only
// orders the row indices, which are put back in row order here.
// Dims: B rows, M block, L span, D d_model.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { batchifyStream, blockAt, type DecoderLM, type LmCache } from '@switchyard/model-core';
import type { BatchSource, TrainParameter } from '../../types.js';

export interface LmBatch {
  inputs: tf.Tensor2D;   // [B, M] int32
  targets: tf.Tensor2D;  // [B, M] int32
  /** The cache this block continues (the stream's buffers, or an empty one owned by the batch). */
  cache: LmCache;
  /** Whether the forward pass should hand its next cache to the stream (training stream only). */
  carry: boolean;
  /** Set by the forward pass when `carry`: the cache after this block (kept tensors). [B, L, D] per layer */
  next?: tf.Tensor3D[];
  /** Disposal (and, for the training stream, adopting `next` and advancing). */
  done(b: LmBatch): void;
}

/** The offset of pass `w` into every row. */
export function passOffset(pass: number, m: number): number {
  return pass === 0 ? 0 : new Rng(0).fork(`lm-stream/pass-${pass}`).int(m);
}

/** Complete blocks of a pass starting at `offset` in rows of `rowLength` tokens. */
export function blocksInPass(rowLength: number, offset: number, m: number): number {
  return Math.max(0, Math.floor((rowLength - 1 - offset) / m));
}

/** The training stream: consecutive blocks per row, the cache carried, position and cache in buffers. */
export class LmTrainStream implements BatchSource<LmBatch> {
  readonly numExamples: number;
  readonly rows: Int32Array[];
  readonly rowLength: number;
  /** Per layer [B, L, D]: the cache the next block continues. */
  readonly cacheBuffers: tf.Variable[];
  /** [2] float32: pass, block within the pass (exact integers below 2^24). */
  readonly position: tf.Variable;

  constructor(private readonly model: DecoderLM, tokens: Int32Array, readonly batchSize: number) {
    const m = model.config.blockSize;
    ({ rows: this.rows, rowLength: this.rowLength } = batchifyStream(tokens, batchSize));
    if (this.rowLength < m + 1) throw new Error(`language-modelling: ${tokens.length} training tokens in ${batchSize} rows give ${this.rowLength} tokens per row; one block needs ${m + 1} (blockSize ${m} + 1). Use fewer rows (batchSize) or a smaller blockSize`);
    this.numExamples = batchSize;
    const empty = model.initialCache(batchSize);
    this.cacheBuffers = empty.hidden.map((h) => tf.variable(h, false));
    tf.dispose(empty.hidden);
    const start = tf.zeros([2]);
    this.position = tf.variable(start, false);
    start.dispose();
  }

  /** The buffers as frozen TrainParameters (saved and restored with the weights). */
  buffers(): TrainParameter[] {
    return [
      { name: 'lm_stream.position', variable: this.position, frozen: true, layout: 'raw' },
      ...this.cacheBuffers.map((v, i) => ({ name: `lm_stream.cache.layers.${i}`, variable: v, frozen: true, layout: 'raw' })),
    ];
  }

  /** Current pass and block. */
  at(): { pass: number; block: number } {
    const [pass, block] = this.position.dataSync();
    return { pass: pass!, block: block! };
  }

  makeBatch(indices: Int32Array): LmBatch {
    if (indices.length !== this.rows.length) throw new Error(`language-modelling: a batch takes every one of the ${this.rows.length} rows, got ${indices.length} indices`);
    const m = this.model.config.blockSize, l = this.model.config.attnSpan;
    const { pass, block } = this.at();
    const start = passOffset(pass, m) + block * m;
    const { inputs, targets } = blockAt(this.rows, start, m);
    return { inputs, targets, cache: { hidden: this.cacheBuffers as unknown as tf.Tensor3D[], pastLength: Math.min(block * m, l) }, carry: true, done: (b) => this.finish(b) };
  }

  /** The step is over: adopt the next cache and move to the next block (a new pass empties the cache). */
  private finish(b: LmBatch): void {
    tf.dispose([b.inputs, b.targets]);
    if (!b.next) return; // the forward pass did not complete: nothing to adopt
    const m = this.model.config.blockSize;
    let { pass, block } = this.at();
    block += 1;
    const reset = block >= blocksInPass(this.rowLength, passOffset(pass, m), m);
    if (reset) {
      pass += 1; block = 0;
      for (const v of this.cacheBuffers) tf.tidy(() => v.assign(tf.zerosLike(v)));
    } else {
      this.cacheBuffers.forEach((v, i) => v.assign(b.next![i]!));
    }
    tf.dispose(b.next);
    b.next = undefined;
    tf.tidy(() => this.position.assign(tf.tensor1d([pass, block])));
  }

  tokenCount(b: LmBatch): number { return b.inputs.size; }
  disposeBatch(b: LmBatch): void { b.done(b); }
  dispose(): void { tf.dispose([...this.cacheBuffers, this.position]); }
}

/** A held-out split: the first block of each of its B rows, from an empty cache (routing.arrow). */
export class LmHeldOutSource implements BatchSource<LmBatch> {
  readonly numExamples: number;
  private readonly rows: Int32Array[];
  constructor(private readonly model: DecoderLM, tokens: Int32Array, batchSize: number) {
    const { rows, rowLength } = batchifyStream(tokens, batchSize);
    this.rows = rowLength >= model.config.blockSize + 1 ? rows : [];
    this.numExamples = this.rows.length;
  }
  makeBatch(indices: Int32Array): LmBatch {
    const rows = Array.from(indices).sort((a, b) => a - b).map((i) => this.rows[i]!);
    const { inputs, targets } = blockAt(rows, 0, this.model.config.blockSize);
    return { inputs, targets, cache: this.model.initialCache(rows.length), carry: false, done: (b) => tf.dispose([b.inputs, b.targets, ...b.cache.hidden]) };
  }
  tokenCount(b: LmBatch): number { return b.inputs.size; }
  disposeBatch(b: LmBatch): void { b.done(b); }
}
