// Multinomial logistic regression on sparse features, the bag-of-words baseline:
//   z_n = x_n W + b,  p_n = softmax(z_n)                       W [D, C], b [C]
//   L(W, b) = (1/N) Σ_n −log p_n[y_n] + (λ/2) ‖W‖²              (the bias is not penalised)
//   ∇_W = (1/N) Xᵀ (P − Y) + λ W,   ∇_b = (1/N) Σ_n (p_n − y_n)
// trained from zeros by full-batch gradient descent with Nesterov momentum (Sutskever et al.
// 2013 form: v ← μv − η ∇L(θ + μv), θ ← θ + v), a fixed number of steps. No random draws, so
// the result is fully deterministic. In float64.
// Defaults: λ = 1/N (the objective scikit-learn's LogisticRegression minimises with its default
// C = 1, divided by N); η = 1/L̂ with L̂ = ½·λ_max(X̃ᵀX̃/N) + λ, X̃ = [X 1], a bound on the loss's
// curvature (Böhning's bound ½(I − 11ᵀ/C) ⊗ X̃ᵀX̃/N on the softmax Hessian), λ_max estimated by
// 50 power iterations from the all-ones vector; μ = (1 − √(ηλ)) / (1 + √(ηλ)), Nesterov's
// constant momentum for a λ-strongly convex function with an L̂-Lipschitz gradient.
import type { SparseRows } from './bag-of-words.js';

export interface LogisticRegressionOptions {
  /** λ, L2 weight on W (default 1/N). */
  l2?: number;
  /** η (default 1/L̂, see above). */
  learningRate?: number;
  /** μ (default from η and λ, see above; 0 gives plain gradient descent). */
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
  /** The λ, η and μ used. */
  l2: number;
  learningRate: number;
  momentum: number;
}

export const LOGREG_DEFAULTS = { iterations: 300, powerIterations: 50 } as const;

/** λ_max(X̃ᵀX̃/N), X̃ = [X 1], by power iteration from the all-ones vector. */
export function gramTopEigenvalue(x: SparseRows, steps: number = LOGREG_DEFAULTS.powerIterations): number {
  const D = x.dim + 1;
  let v = new Float64Array(D).fill(1 / Math.sqrt(D));
  let lambda = 0;
  for (let s = 0; s < steps; s++) {
    const u = new Float64Array(D);
    for (let n = 0; n < x.rows; n++) {
      let xv = v[x.dim]!; // the bias column
      for (let k = x.indptr[n]!; k < x.indptr[n + 1]!; k++) xv += x.values[k]! * v[x.indices[k]!]!;
      for (let k = x.indptr[n]!; k < x.indptr[n + 1]!; k++) u[x.indices[k]!] += x.values[k]! * xv;
      u[x.dim] += xv;
    }
    let norm = 0;
    for (let i = 0; i < D; i++) { u[i] /= x.rows; norm += u[i]! * u[i]!; }
    norm = Math.sqrt(norm);
    lambda = norm; // ‖Av‖ with ‖v‖ = 1
    for (let i = 0; i < D; i++) u[i] /= norm;
    v = u;
  }
  return lambda;
}

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
  const iterations = opts.iterations ?? LOGREG_DEFAULTS.iterations;
  const l2 = opts.l2 ?? 1 / x.rows;
  const lr = opts.learningRate ?? 1 / (0.5 * gramTopEigenvalue(x) + l2);
  const mu = opts.momentum ?? (1 - Math.sqrt(lr * l2)) / (1 + Math.sqrt(lr * l2));
  if (!(l2 >= 0) || !(lr > 0) || !(mu >= 0 && mu < 1) || !(Number.isInteger(iterations) && iterations >= 0)) {
    throw new Error(`trainLogisticRegression: need l2 ≥ 0, learningRate > 0, 0 ≤ momentum < 1, integer iterations ≥ 0; got ${l2}, ${lr}, ${mu}, ${iterations}`);
  }
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
  if (!Number.isFinite(finalLoss)) throw new Error(`trainLogisticRegression: diverged (loss ${finalLoss}); use a smaller learningRate than ${lr}`);
  return { weights: w, bias: b, dim: D, classes: C, finalLoss, l2, learningRate: lr, momentum: mu };
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
