// Loss parts of the Switch encoder-decoder, as HF v4.36.2 computes them, returned separately so
// the trainer sums them in one visible place (style.md §7):
//   total = CE(logits, labels; ignore −100) + z_coef·(enc_z + dec_z) + aux_coef·(enc_aux + dec_aux)
// HF pools every sparse layer of a stack: router logits and expert indices are concatenated
// along the sequence axis before the z-loss (Zoph et al. 2022, eq. 5) and the balance loss
// (Fedus et al. 2021, eq. 4) are taken, one term per stack.
import * as tf from '@tensorflow/tfjs';
import { routerZLoss, switchBalanceLossHF } from '@switchyard/routers';
import { sparseSoftmaxCrossEntropy } from '@switchyard/runtime';
import type { SwitchConfig } from './config.js';
import type { Seq2SeqOutputs, SparseLayerRecord } from './switch-transformer.js';

export const IGNORE_INDEX = -100;

/**
 * Mean token cross-entropy over labels ≠ −100. logits [B, T, V], labels [B, T] int32
 * Runs runtime's sparseSoftmaxCrossEntropy with scale = valid/count: one fused kernel over the
 * logits on WASM with the native addon, else a composition with its gradient written out.
 */
export function crossEntropyIgnore(logits: tf.Tensor3D, labels: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [b, t, v] = logits.shape;
    const n = b * t;
    const lab = labels.reshape([n]).toInt();
    const keep = tf.notEqual(lab, IGNORE_INDEX);
    const valid = tf.cast(keep, 'float32');                                   // [N]
    const safe = tf.where(keep, lab, tf.zerosLike(lab)) as tf.Tensor1D;       // [N], ignored rows pick column 0
    const scale = tf.div(valid, tf.maximum(tf.sum(valid), 1)) as tf.Tensor1D; // [N] = valid / count
    return sparseSoftmaxCrossEntropy(logits.reshape([n, v]), safe, scale);
  });
}

/** HF `_shift_right`: prepend decoder_start, drop the last label, replace −100 by pad. [B, T] */
export function shiftRight(labels: tf.Tensor2D, decoderStartTokenId: number, padTokenId: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [b] = labels.shape;
    const lab = labels.toInt();
    const start = tf.fill([b, 1], decoderStartTokenId, 'int32');
    const shifted = tf.concat([start, lab.slice([0, 0], [-1, labels.shape[1] - 1])], 1);
    return tf.where(tf.equal(shifted, IGNORE_INDEX), tf.fill(shifted.shape as [number, number], padTokenId, 'int32'), shifted) as tf.Tensor2D;
  });
}

/** HF's reported expert index: the router's, else the argmax of the dispatch row (0 when dropped). [N] */
export function hfExpertIndex(rec: SparseLayerRecord): tf.Tensor1D {
  return rec.router.hfExpertIndex ?? (tf.argMax(rec.router.dispatch, 1) as tf.Tensor1D);
}

/** Stack-pooled router z-loss and HF balance loss over the given sparse layers (one stack). */
export function stackRouterLosses(layers: SparseLayerRecord[]): { z: tf.Scalar; aux: tf.Scalar } | undefined {
  if (layers.length === 0) return undefined;
  return tf.tidy(() => {
    const logits = layers.map((r) => r.router.logits.reshape([r.groups, r.groupSize, -1]) as tf.Tensor3D);   // [B, L, E] each
    const pooled = logits.length === 1 ? logits[0]! : tf.concat(logits, 1);                                 // [B, L·n, E]
    const z = routerZLoss(pooled);
    const probs = logits.map((l) => tf.softmax(l) as tf.Tensor3D);
    const idx = layers.map((r) => hfExpertIndex(r).reshape([r.groups, r.groupSize]));
    return { z, aux: switchBalanceLossHF(probs, idx) };
  });
}

export interface LossParts {
  /** Token cross-entropy (mean over non-ignored labels). */
  lm: tf.Scalar;
  encoderZ?: tf.Scalar;
  encoderAux?: tf.Scalar;
  decoderZ?: tf.Scalar;
  decoderAux?: tf.Scalar;
}

/** The loss parts of a forward result. labels [B, T] int32 with −100 = ignore */
export function lossParts(out: Seq2SeqOutputs, labels: tf.Tensor2D): LossParts {
  const parts: LossParts = { lm: crossEntropyIgnore(out.logits, labels) };
  const enc = stackRouterLosses(out.encoder.sparse);
  if (enc) { parts.encoderZ = enc.z; parts.encoderAux = enc.aux; }
  const dec = stackRouterLosses(out.decoder.sparse);
  if (dec) { parts.decoderZ = dec.z; parts.decoderAux = dec.aux; }
  return parts;
}

/** HF's total: CE + z_coef·(enc_z + dec_z) + aux_coef·(enc_aux + dec_aux). */
export function hfTotalLoss(parts: LossParts, cfg: Pick<SwitchConfig, 'router_z_loss_coef' | 'router_aux_loss_coef'>): tf.Scalar {
  return tf.tidy(() => {
    let total: tf.Tensor = parts.lm;
    for (const z of [parts.encoderZ, parts.decoderZ]) if (z) total = tf.add(total, tf.mul(z, cfg.router_z_loss_coef));
    for (const a of [parts.encoderAux, parts.decoderAux]) if (a) total = tf.add(total, tf.mul(a, cfg.router_aux_loss_coef));
    return total as tf.Scalar;
  });
}
