// Collating tokenised examples into a seq2seq batch, with HF's conventions
// (DataCollatorForSeq2Seq + T5's _shift_right):
//   input_ids padded with 0 (T5's pad id), attention_mask 1 for real tokens;
//   labels padded with −100 (ignored by the cross-entropy);
//   decoder_input_ids = shift_right(labels): [0, labels[:-1]] with −100 replaced by 0.
// Dims: B batch, S source length, T target length.
import * as tf from '@tensorflow/tfjs';

export const LABEL_PAD = -100;
export const PAD_ID = 0;
export const DECODER_START_ID = 0;

export interface Seq2SeqExample { inputIds: ArrayLike<number>; labels: ArrayLike<number> }

export interface Seq2SeqBatch {
  inputIds: tf.Tensor2D;       // [B, S] int32
  attentionMask: tf.Tensor2D;  // [B, S] float32
  labels: tf.Tensor2D;         // [B, T] int32, −100 = ignore
  decoderInputIds: tf.Tensor2D; // [B, T] int32
}

export interface CollateOptions {
  /** Fixed source length (truncate to it, pad to it rounded up by padToMultipleOf); default: longest in the batch. */
  sourceLength?: number;
  /** Fixed target length (truncate/pad); default: longest in the batch. */
  targetLength?: number;
  /** Truncate sources longer than this; pad to the batch's longest (ignored with sourceLength). */
  maxSourceLength?: number;
  /** Truncate targets longer than this; pad to the batch's longest (ignored with targetLength). */
  maxTargetLength?: number;
  /** Round the padded lengths up to a multiple of this (HF collator used 4). Defaults to 1. */
  padToMultipleOf?: number;
}

function roundUp(n: number, m: number): number { return Math.ceil(n / m) * m; }

/** Host arrays of a batch (the tensor-free part, testable on its own). */
export function collateArrays(examples: readonly Seq2SeqExample[], opts: CollateOptions = {}) {
  const m = opts.padToMultipleOf ?? 1;
  const b = examples.length;
  const longest = (lens: number[], cap = Infinity) => Math.min(cap, Math.max(1, ...lens));
  const srcCut = opts.sourceLength ?? longest(examples.map((e) => e.inputIds.length), opts.maxSourceLength);
  const tgtCut = opts.targetLength ?? longest(examples.map((e) => e.labels.length), opts.maxTargetLength);
  const s = roundUp(srcCut, m);
  const t = roundUp(tgtCut, m);
  const inputIds = new Int32Array(b * s).fill(PAD_ID);
  const attentionMask = new Float32Array(b * s);
  const labels = new Int32Array(b * t).fill(LABEL_PAD);
  const decoderInputIds = new Int32Array(b * t).fill(PAD_ID);
  examples.forEach((e, i) => {
    const ns = Math.min(srcCut, e.inputIds.length);
    for (let j = 0; j < ns; j++) { inputIds[i * s + j] = e.inputIds[j]!; attentionMask[i * s + j] = 1; }
    const nt = Math.min(tgtCut, e.labels.length);
    for (let j = 0; j < nt; j++) labels[i * t + j] = e.labels[j]!;
    decoderInputIds[i * t] = DECODER_START_ID;
    for (let j = 1; j < t; j++) {
      const prev = labels[i * t + j - 1]!;
      decoderInputIds[i * t + j] = prev === LABEL_PAD ? PAD_ID : prev;
    }
  });
  return { b, s, t, inputIds, attentionMask, labels, decoderInputIds };
}

export function collateSeq2Seq(examples: readonly Seq2SeqExample[], opts: CollateOptions = {}): Seq2SeqBatch {
  const a = collateArrays(examples, opts);
  return {
    inputIds: tf.tensor2d(a.inputIds, [a.b, a.s], 'int32'),
    attentionMask: tf.tensor2d(a.attentionMask, [a.b, a.s], 'float32'),
    labels: tf.tensor2d(a.labels, [a.b, a.t], 'int32'),
    decoderInputIds: tf.tensor2d(a.decoderInputIds, [a.b, a.t], 'int32'),
  };
}

export function disposeSeq2SeqBatch(batch: Seq2SeqBatch): void {
  batch.inputIds.dispose(); batch.attentionMask.dispose(); batch.labels.dispose(); batch.decoderInputIds.dispose();
}

/** Mean cross-entropy over labels ≠ −100 (torch CrossEntropyLoss(ignore_index=−100)). logits [B, T, V], labels [B, T]. */
export function maskedCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const v = logits.shape[logits.rank - 1]!;
    const flat = tf.reshape(logits, [-1, v]);                     // [B·T, V]
    const lab = tf.reshape(labels, [-1]);                         // [B·T]
    const mask = tf.cast(tf.notEqual(lab, LABEL_PAD), 'float32'); // [B·T]
    const safe = tf.maximum(lab, tf.scalar(0, 'int32')) as tf.Tensor1D;             // −100 → 0, masked out below
    const logp = tf.logSoftmax(flat);                             // [B·T, V]
    const picked = tf.sum(tf.mul(logp, tf.oneHot(safe, v)), -1);  // [B·T]
    const n = tf.maximum(tf.sum(mask), 1);
    return tf.div(tf.neg(tf.sum(tf.mul(picked, mask))), n) as tf.Scalar;
  });
}
