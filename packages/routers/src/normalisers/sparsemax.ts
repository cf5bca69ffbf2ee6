// sparsemax (Martins & Astudillo 2016, arXiv 1602.02068), exact sort-based (docs/routers.md §1.2),
// following deep-spin/entmax `sparsemax`: shift by the max, sort descending, support
// K = #{k : 1 + k·u_k > Σ_{j≤k} u_j}, τ = (Σ_{j≤K} u_j − 1)/K, p = max(z − τ, 0).
// Backward (closed form, no autograd through the sort):
//   ∇z_i = g_i − mean_{j∈S} g_j for i ∈ S = {p > 0}, else 0.
import * as tf from '@tensorflow/tfjs';
import { alongAxis, pickLast } from './axis.js';

const sparsemaxLast = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const y = tf.tidy(() => {
    const e = x.shape[x.rank - 1]!;
    const z = tf.sub(x, tf.max(x, -1, true));                    // [..., E]
    const u = tf.topk(z, e, true).values;                        // sorted descending
    const cs = tf.cumsum(u, u.rank - 1);
    const k = tf.range(1, e + 1, 1, 'float32');
    const inSupport = tf.greater(tf.add(1, tf.mul(k, u)), cs);
    const supportSize = tf.sum(tf.cast(inSupport, 'int32'), -1, true); // [..., 1], ≥ 1
    const tau = tf.div(tf.sub(pickLast(cs, tf.sub(supportSize, 1)), 1), tf.cast(supportSize, 'float32'));
    return tf.relu(tf.sub(z, tau));
  });
  save([y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const out = saved[0]!;
      const supp = tf.greater(out, 0);
      const gS = tf.where(supp, dy, tf.zerosLike(dy));
      const mean = tf.div(tf.sum(gS, -1, true), tf.sum(tf.cast(supp, 'float32'), -1, true));
      return tf.where(supp, tf.sub(dy, mean), tf.zerosLike(dy));
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/** sparsemax along `axis` (default last), any rank. */
export function sparsemax<T extends tf.Tensor>(x: T, axis = -1): T {
  return alongAxis(x, axis, (z) => sparsemaxLast(z));
}
