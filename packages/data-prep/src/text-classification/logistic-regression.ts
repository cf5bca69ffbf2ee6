// Multinomial logistic regression on sparse features, the bag-of-words baseline:
//   z_n = x_n W + b,  p_n = softmax(z_n)                       W [D, C], b [C]
//   L(W, b) = (1/N) Σ_n −log p_n[y_n] + (λ/2) ‖W‖²              (the bias is not penalised)
//   ∇_W = (1/N) Xᵀ (P − Y) + λ W,   ∇_b = (1/N) Σ_n (p_n − y_n)
// trained from zeros by full-batch gradient descent with Nesterov momentum (Sutskever et al.
// 2013 form: v ← μv − η ∇L(θ + μv), θ ← θ + v), a fixed number of steps. No random draws, so
// the result is fully deterministic. In float64.
import type { SparseRows } from './bag-of-words.js';

export interface LogisticRegressionOptions {
  /** λ, L2 weight on W (default 1e-4). */
  l2?: number;
  /** η (default 1; stable for unit-norm rows: the loss's curvature is at most ~1). */
  learningRate?: number;
  /** μ (default 0.9; 0 gives plain gradient descent). */
  momentum?: number;
  /** Steps (default 300). */
  iterations?: number;
}

export interface LogisticRegressionModel {
  /** [D, C] row-major */
  weights: Float64Array;
  /** [C] */
  bias: Float64Array;
  dim: number;
  classes: number;
  /** L at the final weights. */
  finalLoss: number;
}

export const LOGREG_DEFAULTS = { l2: 1e-4, learningRate: 1, momentum: 0.9, iterations: 300 } as const;

/** Logits [N, C] of the rows. */
export function logits(x: SparseRows, weights: Float64Array, bias: Float64Array, classes: number): Float64Array {
  const z = new Float64Array(x.rows * classes);
  for (let n = 0; n < x.rows; n++) {
    const zo = n * classes;
    for (let c = 0; c < classes; c++) z[zo + c] = bias[c]!;
    for (let k = x.indptr[n]!; k < x.indptr[n + 1]!; k++) {
      const v = x.values[k]!, wo = x.indices[k]! * classes;
      for (let c = 0; c < classes; c++) z[zo + c] += v * weights[wo + c]!;
    }
  }
  return z;
}

/** L and its gradient at (W, b); the gradient is written into gW, gb. */
export function lossAndGradient(
  x: SparseRows, labels: ArrayLike<number>, classes: number, l2: number,
  weights: Float64Array, bias: Float64Array, gW: Float64Array, gb: Float64Array,
): number {
  const N = x.rows;
  const z = logits(x, weights, bias, classes);
  gW.fill(0);
  gb.fill(0);
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const zo = n * classes;
    let m = -Infinity;
    for (let c = 0; c < classes; c++) m = Math.max(m, z[zo + c]!);
    let s = 0;
    for (let c = 0; c < classes; c++) { const e = Math.exp(z[zo + c]! - m); z[zo + c] = e; s += e; }
    const y = labels[n]!;
    loss += Math.log(s) - Math.log(z[zo + y]!);
    // z now holds exp; turn it into (p − y)/N
    for (let c = 0; c < classes; c++) z[zo + c] = (z[zo + c]! / s - (c === y ? 1 : 0)) / N;
    for (let c = 0; c < classes; c++) gb[c] += z[zo + c]!;
    for (let k = x.indptr[n]!; k < x.indptr[n + 1]!; k++) {
      const v = x.values[k]!, wo = x.indices[k]! * classes;
      for (let c = 0; c < classes; c++) gW[wo + c] += v * z[zo + c]!;
    }
  }
  let sq = 0;
  for (let i = 0; i < weights.length; i++) { sq += weights[i]! * weights[i]!; gW[i] += l2 * weights[i]!; }
  return loss / N + 0.5 * l2 * sq;
}

export function trainLogisticRegression(
  x: SparseRows, labels: ArrayLike<number>, classes: number, opts: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  const { l2, learningRate: lr, momentum: mu, iterations } = { ...LOGREG_DEFAULTS, ...opts };
  if (labels.length !== x.rows) throw new Error(`trainLogisticRegression: ${x.rows} rows but ${labels.length} labels`);
  for (let n = 0; n < labels.length; n++) {
    const y = labels[n]!;
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new Error(`trainLogisticRegression: label ${n} is ${y}, expected 0..${classes - 1}`);
  }
  const D = x.dim, C = classes;
  const w = new Float64Array(D * C), b = new Float64Array(C);
  const vw = new Float64Array(D * C), vb = new Float64Array(C);
  const yw = new Float64Array(D * C), yb = new Float64Array(C);
  const gw = new Float64Array(D * C), gb = new Float64Array(C);
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < w.length; i++) yw[i] = w[i]! + mu * vw[i]!;
    for (let c = 0; c < C; c++) yb[c] = b[c]! + mu * vb[c]!;
    lossAndGradient(x, labels, C, l2, yw, yb, gw, gb);
    for (let i = 0; i < w.length; i++) { vw[i] = mu * vw[i]! - lr * gw[i]!; w[i] += vw[i]!; }
    for (let c = 0; c < C; c++) { vb[c] = mu * vb[c]! - lr * gb[c]!; b[c] += vb[c]!; }
  }
  const finalLoss = lossAndGradient(x, labels, C, l2, w, b, gw, gb);
  return { weights: w, bias: b, dim: D, classes: C, finalLoss };
}

/** argmax of the logits per row (ties → the lowest class). [N] */
export function predictLogisticRegression(model: LogisticRegressionModel, x: SparseRows): Int32Array {
  if (x.dim !== model.dim) throw new Error(`predictLogisticRegression: features have ${x.dim} columns, the model ${model.dim}`);
  const C = model.classes;
  const z = logits(x, model.weights, model.bias, C);
  const out = new Int32Array(x.rows);
  for (let n = 0; n < x.rows; n++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (z[n * C + c]! > z[n * C + best]!) best = c;
    out[n] = best;
  }
  return out;
}
