// Fused ops of the train step: T5's RMSNorm, sparse softmax cross-entropy, one AdamW
// update per variable, and the global gradient norm / per-tensor finiteness checks. Each runs
// one native kernel (kernels/native/fused.ts) when it is registered for the active backend —
// WASM with packages/native-kernels built — and otherwise the tfjs composition written here,
// so callers work unchanged on every backend. The two paths agree to float32 rounding (AdamW
// bit for bit); setFusedOps(false) forces the compositions, to compare them.
import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNELS as K, type AdamWConstants } from './kernels/native/fused.js';

let enabled = true;

/** Use the fused kernels where registered (default) or always the compositions. Returns the previous setting. */
export function setFusedOps(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/** The ops of this module that have a fused kernel. */
export type FusedOp = 'rmsNorm' | 'crossEntropy' | 'adamw' | 'globalNorm' | 'finiteFlags';

/** Whether `op`'s fused kernel would run on the active backend now. */
export function fusedOpActive(op: FusedOp): boolean {
  return enabled && tf.getKernel(K[op], tf.getBackend()) != null;
}

/**
 * T5LayerNorm: x·rsqrt(mean(x², last axis) + eps)·weight, no mean subtraction and no bias, in
 * float32 as HF computes it. x [..., D], weight [D] → [..., D]
 */
export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  const d = x.shape[x.rank - 1];
  if (fusedOpActive('rmsNorm') && x.dtype === 'float32' && weight.dtype === 'float32' && weight.rank === 1 && weight.shape[0] === d) {
    return tf.engine().runKernel(K.rmsNorm, { x, weight }, { eps }) as tf.Tensor;
  }
  return tf.tidy(() => {
    const variance = tf.mean(tf.square(x), -1, true);                       // [..., 1]
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(variance, eps))), weight);
  });
}

/**
 * Σ_n scale_n·(logsumexp(logits_n) − logits_n[label_n]): the token cross-entropy with a weight
 * per row (a mean over kept rows is scale = keep/count). Every label must index a column, also
 * in rows whose scale is 0. Gradient: (softmax − onehot)·scale·dy. logits [N, V], labels [N]
 * int32, scale [N] → []
 */
export function sparseSoftmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, scale: tf.Tensor1D): tf.Scalar {
  if (fusedOpActive('crossEntropy') && logits.dtype === 'float32' && labels.dtype === 'int32' && scale.dtype === 'float32') {
    const [loss, stats] = tf.engine().runKernel(K.crossEntropy, { logits, labels, scale }, {}) as tf.Tensor[];
    stats!.dispose(); // the gradient keeps its own reference
    return loss as tf.Scalar;
  }
  return composedCrossEntropy(logits, labels, scale);
}

/**
 * The composition: the gradient is written out because autodiff through logSumExp's max costs a
 * broadcast Equal over [N, V] that dominates a WASM train step.
 */
function composedCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, scale: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const [n, v] = logits.shape;
    // Pick logit[n, label_n] from the flattened logits: a 1-D gather, no one-hot in the forward.
    const pick = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(v, 'int32')), labels);   // [N]
    const ce = tf.customGrad(((lg: tf.Tensor, sc: tf.Tensor, save: tf.GradSaveFunc) => {
      const shifted = tf.sub(lg, tf.max(lg, 1, true));                        // [N, V]
      const ex = tf.exp(shifted);                                             // [N, V]
      const sum = tf.sum(ex, 1);                                              // [N]
      const target = tf.gather(shifted.reshape([-1]), pick);                  // [N]
      const rowLoss = tf.sub(tf.log(sum), target);                            // [N]
      // Saving exp(shifted) spares a second Exp over [N, V] in the backward pass; the labels
      // are saved too, since gradients run after this tidy.
      save([ex, sum, sc, labels, rowLoss]);
      return {
        value: tf.sum(tf.mul(rowLoss, sc)),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [e, sm, s, lb, rl] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
          const w = tf.mul(s, dy);                                            // [N]
          // (softmax − onehot)·w = e·(w/sum) − onehot·w
          const g = tf.sub(tf.mul(e, tf.div(w, sm).expandDims(1)), tf.mul(tf.oneHot(lb, v), w.expandDims(1)));
          return [g, tf.mul(rl, dy)];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return ce(logits, scale) as tf.Scalar;
  });
}

/** One AdamW step's settings; bc1 = 1 − β1^t and bc2Sqrt = √(1 − β2^t) are computed by the caller in float64. */
export interface AdamWStepOptions {
  lr: number; beta1: number; beta2: number; eps: number; weightDecay: number;
  bc1: number; bc2Sqrt: number;
  /** The gradient enters as gradScale·grad (clipping coefficient / accumulation steps). */
  gradScale: number;
}

/**
 * torch.optim.AdamW's update of one parameter (order of operations included):
 *   p ← p·(1 − lr·wd) ; m ← β1·m + (1−β1)·s·g ; v ← β2·v + (1−β2)·(s·g)²
 *   p ← p − (lr/bc1)·m / (√v / bc2Sqrt + eps)
 * Returns new [param, m, v] tensors (the inputs are left as they are).
 */
export function adamwStep(param: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: AdamWStepOptions): [tf.Tensor, tf.Tensor, tf.Tensor] {
  // The scalars every path uses, in float64 on the host; they enter as float32.
  const c: AdamWConstants = {
    beta1: o.beta1, c1: (1 - o.beta1) * o.gradScale, beta2: o.beta2, c2: (1 - o.beta2) * o.gradScale * o.gradScale,
    bc2Sqrt: o.bc2Sqrt, eps: o.eps, decay: 1 - o.lr * o.weightDecay, stepSize: o.lr / o.bc1,
  };
  if (fusedOpActive('adamw') && [param, grad, m, v].every((t) => t.dtype === 'float32')) {
    return tf.engine().runKernel(K.adamw, { param, grad, m, v }, c as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
  }
  return tf.tidy(() => {
    const m1 = tf.add(tf.mul(m, c.beta1), tf.mul(grad, c.c1));
    const v1 = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(grad), c.c2));
    const denom = tf.add(tf.div(tf.sqrt(v1), c.bc2Sqrt), c.eps);
    const w = o.weightDecay !== 0 ? tf.mul(param, c.decay) : param;
    return [tf.sub(w, tf.mul(tf.div(m1, denom), c.stepSize)), m1, v1];
  });
}

/** A list as kernel inputs named "0", "1", … (integer keys keep their order). */
function byIndex(tensors: readonly tf.Tensor[]): tf.NamedTensorMap {
  return Object.fromEntries(tensors.map((t, i) => [String(i), t]));
}

/** ‖(t_0, t_1, …)‖₂ over every element of every tensor (float32 tensors). → [] */
export function globalL2Norm(tensors: readonly tf.Tensor[]): tf.Scalar {
  if (tensors.length > 0 && fusedOpActive('globalNorm') && tensors.every((t) => t.dtype === 'float32')) {
    return tf.engine().runKernel(K.globalNorm, byIndex(tensors), {}) as tf.Scalar;
  }
  return tf.tidy(() => {
    const sq = tensors.map((t) => tf.sum(tf.square(t)));
    return tf.sqrt(sq.length ? tf.addN(sq) : tf.scalar(0)) as tf.Scalar;
  });
}

/** Per tensor, whether every element is finite (no NaN, no ±Inf). → bool [n] */
export function finiteFlags(tensors: readonly tf.Tensor[]): tf.Tensor1D {
  if (tensors.length > 0 && fusedOpActive('finiteFlags')) {
    return tf.engine().runKernel(K.finiteFlags, byIndex(tensors), {}) as tf.Tensor1D;
  }
  // tf.all of an empty tensor is false on the CPU backend; an empty tensor holds nothing non-finite.
  const flag = (t: tf.Tensor) => (t.size === 0 ? tf.scalar(true, 'bool') : tf.all(tf.isFinite(t)));
  return tf.tidy(() => (tensors.length ? tf.stack(tensors.map(flag)) : tf.tensor1d([], 'bool')) as tf.Tensor1D);
}
