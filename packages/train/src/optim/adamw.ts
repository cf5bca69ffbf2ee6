// AdamW (Loshchilov & Hutter, arXiv:1711.05101, Alg. 2) exactly as torch.optim.AdamW computes it,
// which is what HF Seq2SeqTrainer used in the study (lr 5e-5, betas 0.9/0.999, eps 1e-8, wd 0):
//   p ← p·(1 − lr·wd)                       (decoupled weight decay, before the moment step)
//   m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²
//   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε)
// Bias corrections are computed in float64 on the host and enter as float32 scalars; the update
// itself is runtime's adamwStep (gradScale·g folded into the constants).
import * as tf from '@tensorflow/tfjs';
import { adamwStep } from '@switchyard/tensor-engine';
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
    for (const p of params) {
      const g = grads[p.name];
      if (p.frozen || !g) continue;
      const mKey = `${p.name}::exp_avg`;
      const vKey = `${p.name}::exp_avg_sq`;
      // One fused kernel per variable on WASM with the native addon, else the tfjs composition.
      const [next, m, v] = tf.tidy(() => adamwStep(p.variable, g, this.slots.get(mKey) ?? tf.zerosLike(g), this.slots.get(vKey) ?? tf.zerosLike(g), {
        lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay, bc1, bc2Sqrt, gradScale,
      }));
      this.slots.set(mKey, m);
      this.slots.set(vKey, v);
      p.variable.assign(next);
      next.dispose();
    }
  }
}
