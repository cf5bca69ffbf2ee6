// 1.5-entmax (Peters, Niculae & Martins 2019, arXiv 1905.05702), exact sort-based
// (docs/routers.md §1.3), following deep-spin/entmax `entmax15`:
//   X = (z − max z)/2, u = sort(X) desc, τ_k = mean_k − sqrt(max((1 − k(meansq_k − mean_k²))/k, 0)),
//   K = #{k : τ_k ≤ u_k}, p = max(X − τ_K, 0)².
// Backward w.r.t. the original z (the /2 needs no extra factor): σ = √p,
//   ∇z = g⊙σ − (Σ g⊙σ / Σ σ)·σ.
import * as tf from '@tensorflow/tfjs';
import { alongAxis, pickLast } from './axis.js';

const entmax15Last = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const y = tf.tidy(() => {
    const e = x.shape[x.rank - 1]!;
    const z = tf.div(tf.sub(x, tf.max(x, -1, true)), 2);         // [..., E]
    const u = tf.topk(z, e, true).values;
    const k = tf.range(1, e + 1, 1, 'float32');
    const mean = tf.div(tf.cumsum(u, u.rank - 1), k);
    const meanSq = tf.div(tf.cumsum(tf.square(u), u.rank - 1), k);
    const ss = tf.mul(k, tf.sub(meanSq, tf.square(mean)));
    const delta = tf.div(tf.sub(1, ss), k);
    const tau = tf.sub(mean, tf.sqrt(tf.relu(delta)));
    const supportSize = tf.sum(tf.cast(tf.lessEqual(tau, u), 'int32'), -1, true);
    const tauStar = pickLast(tau, tf.sub(supportSize, 1));
    return tf.square(tf.relu(tf.sub(z, tauStar)));
  });
  save([y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const sigma = tf.sqrt(saved[0]!);
      const gs = tf.mul(dy, sigma);
      const q = tf.div(tf.sum(gs, -1, true), tf.sum(sigma, -1, true));
      return tf.sub(gs, tf.mul(q, sigma));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** Exact 1.5-entmax along `axis` (default last), any rank. */
export function entmax15<T extends tf.Tensor>(x: T, axis = -1): T {
  return alongAxis(x, axis, (z) => entmax15Last(z));
}
