// Fenchel–Young losses of sparsemax and 1.5-entmax (Blondel, Martins & Niculae 2020,
// arXiv 1901.02324, eq. 8), as deep-spin/entmax `sparsemax_loss` / `entmax15_loss`:
//   L(x, y) = Ω(p*) + <p* − e_y, x>,  p* = map(x),  ∇_x L = p* − e_y.
//   sparsemax: Ω(p) = (1 − Σ p²)/2;   1.5-entmax: Ω(p) = (1 − Σ p^{3/2}) / 0.75.
// Unreduced: one loss per row of x [n, d]; target [n] int32 class indices.
import * as tf from '@tensorflow/tfjs';
import { sparsemax } from '../normalisers/sparsemax.js';
import { entmax15 } from '../normalisers/entmax15.js';

function fyLoss(map: (x: tf.Tensor2D) => tf.Tensor2D, omega: (p: tf.Tensor2D) => tf.Tensor1D) {
  return (x: tf.Tensor2D, target: tf.Tensor1D): tf.Tensor1D => tf.tidy(() => {
    const d = x.shape[1];
    const onehot = tf.oneHot(tf.cast(target, 'int32'), d) as tf.Tensor2D;
    // p* enters only as a constant: the gradient p* − e_y comes from the linear term.
    const f = tf.customGrad(((xi: tf.Tensor, save: tf.GradSaveFunc) => {
      const p = map(xi as tf.Tensor2D);
      const diff = tf.sub(p, onehot);
      save([diff]);
      return {
        value: tf.add(omega(p), tf.sum(tf.mul(diff, xi), 1)),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.expandDims(dy, 1), saved[0]!),
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]);
    return f(x) as tf.Tensor1D;
  });
}

export const sparsemaxLoss = fyLoss((x) => sparsemax(x), (p) => tf.div(tf.sub(1, tf.sum(tf.square(p), 1)), 2) as tf.Tensor1D);
export const entmax15Loss = fyLoss((x) => entmax15(x), (p) => tf.div(tf.sub(1, tf.sum(tf.mul(p, tf.sqrt(p)), 1)), 0.75) as tf.Tensor1D);
