// AdamW (Loshchilov & Hutter, arXiv:1711.05101, Alg. 2) exactly as torch.optim.AdamW computes it,
// which is what HF Seq2SeqTrainer used in the study (lr 5e-5, betas 0.9/0.999, eps 1e-8, wd 0):
//   p ← p·(1 − lr·wd)                       (decoupled weight decay, before the moment step)
//   m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²
//   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε)
// Bias corrections are computed in float64 on the host and enter as float32 scalars.
import * as tf from '@tensorflow/tfjs';
import type { TrainParameter } from '../types.js';
import { SlotOptimizer } from './optimizer.js';

export interface AdamWOptions {
  /** Defaults to 0.9. */
  beta1?: number;
  /** Defaults to 0.999. */
  beta2?: number;
  /** Defaults to 1e-8 (torch and HF). */
  eps?: number;
  /** Decoupled weight decay. Defaults to 0 (HF Trainer default, the study's setting). */
  weightDecay?: number;
}

export class AdamW extends SlotOptimizer {
  readonly kind = 'adamw';
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;

  constructor(opts: AdamWOptions = {}) {
    super();
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
  }


  apply(params: readonly TrainParameter[], grads: Readonly<Record<string, tf.Tensor>>, lr: number, gradScale = 1): void {
    this.t += 1;
    const bc1 = 1 - Math.pow(this.beta1, this.t);
    const bc2Sqrt = Math.sqrt(1 - Math.pow(this.beta2, this.t));
    const stepSize = lr / bc1;
    for (const p of params) {
      const g = grads[p.name];
      if (p.frozen || !g) continue;
      const mKey = `${p.name}::exp_avg`;
      const vKey = `${p.name}::exp_avg_sq`;
      const [m, v, next] = tf.tidy(() => {
        const m0 = this.slots.get(mKey) ?? tf.zerosLike(g);
        const v0 = this.slots.get(vKey) ?? tf.zerosLike(g);
        // g enters scaled by gradScale: (1−β1)·(c·g) and (1−β2)·(c·g)² with c folded into the constants.
        const m1 = tf.add(tf.mul(m0, this.beta1), tf.mul(g, (1 - this.beta1) * gradScale));
        const v1 = tf.add(tf.mul(v0, this.beta2), tf.mul(tf.square(g), (1 - this.beta2) * gradScale * gradScale));
        const denom = tf.add(tf.div(tf.sqrt(v1), bc2Sqrt), this.eps);
        let w: tf.Tensor = p.variable;
        if (this.weightDecay !== 0) w = tf.mul(w, 1 - lr * this.weightDecay);
        const w1 = tf.sub(w, tf.mul(tf.div(m1, denom), stepSize));
        return [m1, v1, w1];
      });
      this.slots.set(mKey, m);
      this.slots.set(vKey, v);
      p.variable.assign(next);
      next.dispose();
    }
  }
}
