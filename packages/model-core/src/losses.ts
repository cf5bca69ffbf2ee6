// Loss parts of the Switch encoder-decoder, as HF v4.36.2 computes them, returned separately so
// the trainer sums them in one visible place (style.md §7):
//   total = CE(logits, labels; ignore −100) + z_coef·(enc_z + dec_z) + aux_coef·(enc_aux + dec_aux)
// HF pools every sparse layer of a stack: router logits and expert indices are concatenated
// along the sequence axis before the z-loss (Zoph et al. 2022, eq. 5) and the balance loss
// (Fedus et al. 2021, eq. 4) are taken, one term per stack.
import * as tf from '@tensorflow/tfjs';
import { routerZLoss, switchBalanceLossHF } from '@switchyard/routers';
import type { SwitchConfig } from './config.js';
import type { Seq2SeqOutputs, SparseLayerRecord } from './switch-transformer.js';

export const IGNORE_INDEX = -100;

/**
 * Mean token cross-entropy over labels ≠ −100. logits [B, T, V], labels [B, T] int32
 * The gradient is written out, (softmax − onehot)·valid/count, because autodiff through
 * logSumExp's max costs a broadcast Equal over [N, V] that dominates a WASM train step.
 */
export function crossEntropyIgnore(logits: tf.Tensor3D, labels: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [b, t, v] = logits.shape;
    const n = b * t;
    const lab = labels.reshape([n]).toInt();
    const keep = tf.notEqual(lab, IGNORE_INDEX);
    const valid = tf.cast(keep, 'float32');                                   // [N]
    const safe = tf.where(keep, lab, tf.zerosLike(lab));                      // [N]
    const scale = tf.div(valid, tf.maximum(tf.sum(valid), 1));                // [N] = valid / count
    // Pick logit[n, label_n] from the flattened logits: a 1-D gather, no one-hot in the forward.
    const pick = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(v, 'int32')), safe);
    const ce = tf.customGrad(((lg: tf.Tensor, save: tf.GradSaveFunc) => {
      const shifted = tf.sub(lg, tf.max(lg, 1, true));                        // [N, V]
      const ex = tf.exp(shifted);                                             // [N, V]
      const sum = tf.sum(ex, 1);                                              // [N]
      const target = tf.gather(shifted.reshape([-1]), pick);                  // [N]
      // Saved tensors outlive this tidy (gradients run after it): keep scale and labels with them.
      // Saving exp(shifted) spares a second Exp over [N, V] in the backward pass.
      save([ex, sum, scale, safe]);
      return {
        value: tf.sum(tf.mul(tf.sub(tf.log(sum), target), scale)),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [e, sm, sc, lb] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
          const w = tf.mul(sc, dy);                                           // [N]
          // (softmax − onehot)·w = e·(w/sum) − onehot·w
          const g = tf.sub(tf.mul(e, tf.div(w, sm).expandDims(1)), tf.mul(tf.oneHot(lb, v), w.expandDims(1)));
          return [g];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return ce(logits.reshape([n, v])) as tf.Scalar;
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
