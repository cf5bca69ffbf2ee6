// Adafactor (Shazeer & Stern, arXiv:1804.04235, Alg. 4 with the update clipping of §6), the
// variant of HF transformers' `Adafactor` class (itself a port of fairseq's), T5's usual choice:
//   ρ_t  = min(1e-2, 1/√t) with relative_step (warmup_init: min(1e-6·t, 1/√t)), else the given lr
//   α_t  = max(ε2, RMS(p)) · ρ_t with scale_parameter, else ρ_t
//   β2_t = 1 − t^decay_rate                                      (decay_rate −0.8)
//   U    = g² + ε1
//   matrices (rank ≥ 2, factored over the last two axes):
//     R ← β2_t·R + (1−β2_t)·mean_cols(U) ;  C ← β2_t·C + (1−β2_t)·mean_rows(U)
//     V̂ = (R / mean(R)) ⊗ C   (rank-1 reconstruction of the second moment)
//   other tensors: V ← β2_t·V + (1−β2_t)·U ; V̂ = V
//   u = g / √V̂ ;  u ← u / max(1, RMS(u)/d)                      (clip threshold d = 1)
//   u ← α_t·u ;  with β1: m ← β1·m + (1−β1)·u, u = m
//   p ← p − α_t·wd·p − u
// Differences from the paper: ε1 is added to g² (not to V̂), the relative step uses the
// parameter RMS of the weights *before* the update, like HF. tfjs stores linear weights
// [in, out] where torch stores [out, in]; the rank-1 factorisation is symmetric in the two
// axes, so the update is the same.
import * as tf from '@tensorflow/tfjs';
import type { TrainParameter } from '../types.js';
import { SlotOptimizer } from './optimizer.js';

export interface AdafactorOptions {
  /** Regulariser added to g². Defaults to 1e-30. */
  eps1?: number;
  /** Lower bound of the parameter scale. Defaults to 1e-3. */
  eps2?: number;
  /** Update clipping threshold d. Defaults to 1.0. */
  clipThreshold?: number;
  /** Exponent of the β2 schedule. Defaults to −0.8. */
  decayRate?: number;
  /** First-moment coefficient; null (default) keeps no first moment. */
  beta1?: number | null;
  /** Defaults to 0. */
  weightDecay?: number;
  /** Scale the step by the parameter RMS. Defaults to true. */
  scaleParameter?: boolean;
  /** Ignore the schedule's lr and use min(1e-2, 1/√t). Defaults to false here (the loop's schedule drives lr). */
  relativeStep?: boolean;
  /** With relativeStep: min(1e-6·t, 1/√t). Defaults to false. */
  warmupInit?: boolean;
}

export class Adafactor extends SlotOptimizer {
  readonly kind = 'adafactor';
  private readonly o: Required<Omit<AdafactorOptions, 'beta1'>> & { beta1: number | null };

  constructor(opts: AdafactorOptions = {}) {
    super();
    this.o = {
      eps1: opts.eps1 ?? 1e-30, eps2: opts.eps2 ?? 1e-3, clipThreshold: opts.clipThreshold ?? 1,
      decayRate: opts.decayRate ?? -0.8, beta1: opts.beta1 ?? null, weightDecay: opts.weightDecay ?? 0,
      scaleParameter: opts.scaleParameter ?? true, relativeStep: opts.relativeStep ?? false, warmupInit: opts.warmupInit ?? false,
    };
  }


  apply(params: readonly TrainParameter[], grads: Readonly<Record<string, tf.Tensor>>, lr: number, gradScale = 1): void {
    this.t += 1;
    const o = this.o;
    const rho = o.relativeStep ? Math.min(o.warmupInit ? 1e-6 * this.t : 1e-2, 1 / Math.sqrt(this.t)) : lr;
    const beta2t = 1 - Math.pow(this.t, o.decayRate);
    for (const p of params) {
      const g0 = grads[p.name];
      if (p.frozen || !g0) continue;
      const factored = g0.rank >= 2;
      const updated: Record<string, tf.Tensor> = {};
      const next = tf.tidy(() => {
        const g = gradScale === 1 ? g0 : tf.mul(g0, gradScale);
        const rms = (x: tf.Tensor) => tf.sqrt(tf.mean(tf.square(x)));
        const alpha = o.scaleParameter ? tf.mul(tf.maximum(rms(p.variable), o.eps2), rho) : tf.scalar(rho);
        const u0 = tf.add(tf.square(g), o.eps1);
        let u: tf.Tensor;
        if (factored) {
          const rKey = `${p.name}::exp_avg_sq_row`;
          const cKey = `${p.name}::exp_avg_sq_col`;
          const r0 = this.slots.get(rKey) ?? tf.zeros(g.shape.slice(0, -1));   // [..., rows]
          const c0 = this.slots.get(cKey) ?? tf.zeros([...g.shape.slice(0, -2), g.shape[g.rank - 1]!]); // [..., cols]
          const r1 = tf.add(tf.mul(r0, beta2t), tf.mul(tf.mean(u0, -1), 1 - beta2t));
          const c1 = tf.add(tf.mul(c0, beta2t), tf.mul(tf.mean(u0, -2), 1 - beta2t));
          updated[rKey] = r1; updated[cKey] = c1;
          const rFactor = tf.expandDims(tf.rsqrt(tf.div(r1, tf.mean(r1, -1, true))), -1); // [..., rows, 1]
          const cFactor = tf.expandDims(tf.rsqrt(c1), -2);                                // [..., 1, cols]
          u = tf.mul(tf.mul(rFactor, cFactor), g);
        } else {
          const vKey = `${p.name}::exp_avg_sq`;
          const v0 = this.slots.get(vKey) ?? tf.zerosLike(g);
          const v1 = tf.add(tf.mul(v0, beta2t), tf.mul(u0, 1 - beta2t));
          updated[vKey] = v1;
          u = tf.mul(tf.rsqrt(v1), g);
        }
        u = tf.div(u, tf.maximum(tf.div(rms(u), o.clipThreshold), 1));
        u = tf.mul(u, alpha);
        if (o.beta1 !== null) {
          const mKey = `${p.name}::exp_avg`;
          const m0 = this.slots.get(mKey) ?? tf.zerosLike(g);
          u = tf.add(tf.mul(m0, o.beta1), tf.mul(u, 1 - o.beta1));
          updated[mKey] = u;
        }
        let w: tf.Tensor = p.variable;
        if (o.weightDecay !== 0) w = tf.sub(w, tf.mul(w, tf.mul(alpha, o.weightDecay)));
        for (const t of Object.values(updated)) tf.keep(t);
        return tf.sub(w, u);
      });
      for (const [k, t] of Object.entries(updated)) this.slots.set(k, t);
      p.variable.assign(next);
      next.dispose();
    }
  }
}
