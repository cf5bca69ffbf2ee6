// Left-padding collation of token-id sequences for the LM classifier (lm-classifier.ts): every row
// is padded on the LEFT to the batch's longest, so the last position holds each example's last
// token, with an attention mask of 1 for real tokens and 0 for padding. Host arrays in, tensors out.
// Dims: B batch, T the batch's longest sequence.
import * as tf from '@tensorflow/tfjs';

export interface ClassificationBatch {
  /** [B, T] int32 */
  ids: tf.Tensor2D;
  /** 1 real, 0 padding. [B, T] float32 */
  attentionMask: tf.Tensor2D;
  /** Class index per example. [B] int32 */
  labels: tf.Tensor1D;
}

/** Host-side left padding: ids and mask row-major [B, T]. Empty sequences are an error (nothing to read). */
export function leftPad(rows: readonly (readonly number[])[], padId: number): { ids: Int32Array; mask: Float32Array; t: number } {
  const t = Math.max(1, ...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * t).fill(padId);
  const mask = new Float32Array(rows.length * t);
  rows.forEach((r, b) => {
    if (r.length === 0) throw new Error(`leftPad: example ${b} of the batch has no tokens`);
    const off = b * t + (t - r.length);
    for (let j = 0; j < r.length; j++) { ids[off + j] = r[j]!; mask[off + j] = 1; }
  });
  return { ids, mask, t };
}

export function collateClassification(rows: readonly (readonly number[])[], labels: readonly number[], padId: number): ClassificationBatch {
  const { ids, mask, t } = leftPad(rows, padId);
  const b = rows.length;
  return {
    ids: tf.tensor2d(ids, [b, t], 'int32'),
    attentionMask: tf.tensor2d(mask, [b, t], 'float32'),
    labels: tf.tensor1d(Int32Array.from(labels), 'int32'),
  };
}

export function disposeClassificationBatch(b: ClassificationBatch): void {
  tf.dispose([b.ids, b.attentionMask, b.labels]);
}
