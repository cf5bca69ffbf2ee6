// An independent, deliberately naive dense LM forward for the tests: the adaptive-span layer
// written from its definition (no skew/unskew, no cache, no dispatch) over a whole sequence from
// the stream start. Position t attends to positions p with 1 ≤ t − p ≤ L, score
// q_t·(k_p + key_pe[:, L − (t − p)]) / sqrt(K); a position with nothing before it gets a zero
// attention output. The FFN of layer i is `ffn(i)` of the weights (a dense FFN, or the single
// expert of a one-expert MoE whose combine weight is 1). Weights are torch-layout tensors
// ([out, in]) by state-dict name, so gradients can be taken with respect to them.
import * as tf from '@tensorflow/tfjs';
import type { LmConfig } from '@switchyard/model-core';

export type Weights = Record<string, tf.Tensor>;

function lin(x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const y = tf.matMul(x.reshape([-1, x.shape[x.rank - 1]!]), w, false, true);   // x · wᵀ
  return (b ? tf.add(y, b) : y).reshape([...x.shape.slice(0, -1), w.shape[0]!]);
}

function layerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), w), b);
}

/** ids [B, T] → logits [B, T, V]; `ffnPrefix(i)` names layer i's FFN weights (without `.fc1.weight`), null for none. */
export function referenceLogits(cfg: LmConfig, w: Weights, ids: tf.Tensor2D, ffnPrefix: (i: number) => string | null): tf.Tensor3D {
  const [b, t] = ids.shape;
  const { dModel: d, numHeads: hh, attnSpan: l } = cfg;
  const k = d / hh;
  // G[t, j, p] = 1 when key p is in t's span and sits in slot j = L − (t − p).
  const g = new Float32Array(t * l * t);
  const valid = new Float32Array(t * t).fill(-1e9);
  const rowKeep = new Float32Array(t);
  for (let i = 0; i < t; i++) for (let p = 0; p < t; p++) {
    const dist = i - p;
    if (dist >= 1 && dist <= l) { g[(i * l + (l - dist)) * t + p] = 1; valid[i * t + p] = 0; rowKeep[i] = 1; }
  }
  const gT = tf.tensor3d(g, [t, l, t]);
  const mask = tf.tensor2d(valid, [t, t]);
  const keep = tf.tensor2d(rowKeep, [t, 1]);
  const pe = w['key_pe']!.reshape([k, l]);
  let h = tf.gather(w['in_emb.weight']!, ids.reshape([-1])).reshape([b, t, d]);
  for (let i = 0; i < cfg.numLayers; i++) {
    const p = `layers.${i}`;
    const split = (x: tf.Tensor) => tf.transpose(x.reshape([b, t, hh, k]), [0, 2, 1, 3]);        // [B, H, T, K]
    const q = split(lin(h, w[`${p}.attn.proj_query.weight`]!));
    const kk = split(lin(h, w[`${p}.attn.proj_key.weight`]!));
    const v = split(lin(h, w[`${p}.attn.proj_val.weight`]!));
    const content = tf.matMul(q, kk, false, true);                                                // [B, H, T, T]
    const qpe = tf.matMul(q.reshape([-1, k]), pe).reshape([b * hh, t, l]);                          // [BH, T, L]
    const position = tf.transpose(tf.matMul(tf.transpose(qpe, [1, 0, 2]), gT), [1, 0, 2]).reshape([b, hh, t, t]);
    const probs = tf.mul(tf.softmax(tf.add(tf.div(tf.add(content, position), Math.sqrt(k)), mask)), keep);
    const att = tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]).reshape([b, t, d]);
    h = layerNorm(tf.add(h, lin(att, w[`${p}.attn.proj_out.weight`]!)), w[`${p}.norm1.weight`]!, w[`${p}.norm1.bias`]!, cfg.layerNormEps);
    const f = ffnPrefix(i);
    if (f !== null) {
      const inner = tf.relu(lin(h, w[`${f}.fc1.weight`]!, w[`${f}.fc1.bias`]!));
      h = layerNorm(tf.add(h, lin(inner, w[`${f}.fc2.weight`]!, w[`${f}.fc2.bias`]!)), w[`${p}.norm2.weight`]!, w[`${p}.norm2.bias`]!, cfg.layerNormEps);
    }
  }
  return lin(h, w['out_emb.weight']!, w['out_emb.bias']!) as tf.Tensor3D;
}
