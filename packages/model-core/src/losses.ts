// The training loss of the Switch encoder-decoder as named parts, and the one total of them
// (docs/style.md §7): total = Σ_i coefficient_i · part_i, summed in part order.
// Two ways to take the router losses (`RouterLossPooling`):
// * `per-layer` (default, what training uses): every sparse layer's router returns its own losses
//   with its own coefficients (`RouterOutput.losses` / `lossCoefficients`); routers of different
//   types have different losses.
// * `hf-stack`: HF v4.36.2 — router logits and expert indices of every sparse layer of a stack are
//   concatenated along the sequence axis before the z-loss (Zoph et al. 2022, eq. 5) and the
//   balance loss (Fedus et al. 2021, eq. 4) are taken, one term per stack, with the config's
//   coefficients: total = CE + z_coef·(enc_z + dec_z) + aux_coef·(enc_aux + dec_aux).
// With one sparse layer per stack and the Switch router the two agree; with more (switch-base-8
// has six per stack) they differ.
import * as tf from '@tensorflow/tfjs';
import { routerZLoss, switchBalanceLossHF } from '@switchyard/routers';
import { sparseSoftmaxCrossEntropy } from '@switchyard/tensor-engine';
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

/** One named term of the training loss. */
export interface LossPart {
  /** `ce` for the main loss; the router's key for aux losses (e.g. `balance`, `z`). */
  name: string;
  /** Unweighted value. Scalar. */
  value: tf.Scalar;
  /** Multiplier in the total loss (1 for the main loss). */
  coefficient: number;
  /** Sparse layer (per-layer) or stack (`encoder`/`decoder`, hf-stack) of an aux loss; absent for the main loss. */
  layer?: string;
}

export type RouterLossPooling = 'per-layer' | 'hf-stack';

export interface LossPartsOptions {
  /** How router losses are taken. Defaults to `per-layer`. */
  pooling?: RouterLossPooling;
  /** `hf-stack`: the coefficients of the pooled z-loss and balance loss. */
  config?: Pick<SwitchConfig, 'router_z_loss_coef' | 'router_aux_loss_coef'>;
}

/**
 * The loss parts of a forward result, CE first. labels [B, T] int32 with −100 = ignore.
 * `hf-stack` orders the router parts enc z, dec z, enc aux, dec aux (HF's order of summation).
 */
export function modelLossParts(out: Seq2SeqOutputs, labels: tf.Tensor2D, opts: LossPartsOptions = {}): LossPart[] {
  const parts: LossPart[] = [{ name: 'ce', value: crossEntropyIgnore(out.logits, labels), coefficient: 1 }];
  if ((opts.pooling ?? 'per-layer') === 'per-layer') {
    for (const rec of out.sparseLayers) {
      for (const name of Object.keys(rec.router.losses).sort()) {
        parts.push({ name, value: rec.router.losses[name]!, coefficient: rec.router.lossCoefficients[name] ?? 0, layer: rec.name });
      }
    }
    return parts;
  }
  if (!opts.config) throw new Error('modelLossParts: pooling "hf-stack" needs config (router_z_loss_coef, router_aux_loss_coef)');
  const enc = stackRouterLosses(out.encoder.sparse);
  const dec = stackRouterLosses(out.decoder.sparse);
  if (enc) parts.push({ name: 'z', value: enc.z, coefficient: opts.config.router_z_loss_coef, layer: 'encoder' });
  if (dec) parts.push({ name: 'z', value: dec.z, coefficient: opts.config.router_z_loss_coef, layer: 'decoder' });
  if (enc) parts.push({ name: 'aux', value: enc.aux, coefficient: opts.config.router_aux_loss_coef, layer: 'encoder' });
  if (dec) parts.push({ name: 'aux', value: dec.aux, coefficient: opts.config.router_aux_loss_coef, layer: 'decoder' });
  return parts;
}

/** The one training-loss total: Σ coefficient · value in part order. Scalar. */
export function totalLoss(parts: readonly LossPart[]): tf.Scalar {
  if (parts.length === 0) throw new Error('totalLoss: no loss parts');
  return tf.tidy(() => {
    let total: tf.Scalar | undefined;
    for (const p of parts) {
      const term = p.coefficient === 1 ? p.value : tf.mul(p.value, p.coefficient) as tf.Scalar;
      total = total === undefined ? term : tf.add(total, term) as tf.Scalar;
    }
    return total!;
  });
}
