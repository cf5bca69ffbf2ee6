// α-entmax by bisection (Peters et al. 2019, arXiv 1905.05702; Blondel et al. 2020,
// arXiv 1901.02324), following deep-spin/entmax `entmax_bisect(X, alpha, dim, n_iter,
// ensure_sum_one=True)` (docs/routers.md §1.4):
//   p_i = max((α−1)z_i − τ, 0)^{1/(α−1)}, τ bisected on [(α−1)max z − 1, (α−1)max z − (1/E)^{α−1}],
//   nIter halvings keeping the lower end while the mass is ≥ 1, then p renormalised.
// Backward: q_i = p_i^{2−α} on the support, ∇z = g⊙q − (Σ g⊙q / Σ q)·q.
// Deviation: α is a plain number (no gradient w.r.t. α).
import * as tf from '@tensorflow/tfjs';
import { alongAxis } from './axis.js';

function bisectLast(alpha: number, nIter: number) {
  const am1 = alpha - 1;
  const power = (t: tf.Tensor) => (am1 === 0.5 ? tf.square(tf.relu(t)) : tf.pow(tf.relu(t), 1 / am1));
  return tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = tf.tidy(() => {
      const e = x.shape[x.rank - 1]!;
      const xs = tf.mul(x, am1);
      const maxVal = tf.max(xs, -1, true);
      let tauLo = tf.sub(maxVal, 1);                               // 1^{α−1} = 1
      const tauHi = tf.sub(maxVal, Math.pow(1 / e, am1));
      const fLo = tf.sub(tf.sum(power(tf.sub(xs, tauLo)), -1, true), 1);
      let dm = tf.sub(tauHi, tauLo);
      let pM: tf.Tensor = tf.zerosLike(xs);
      for (let it = 0; it < nIter; it++) {
        const next = tf.tidy(() => {
          const dmN = tf.div(dm, 2);
          const tauM = tf.add(tauLo, dmN);
          const p = power(tf.sub(xs, tauM));
          const fM = tf.sub(tf.sum(p, -1, true), 1);
          const keep = tf.greaterEqual(tf.mul(fM, fLo), 0);
          return [dmN, tf.where(keep, tauM, tauLo), p] as const;
        });
        tf.dispose([dm, tauLo, pM]);
        [dm, tauLo, pM] = next;
      }
      return tf.div(pM, tf.sum(pM, -1, true));
    });
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const out = saved[0]!;
        const q = tf.where(tf.greater(out, 0), tf.pow(out, 2 - alpha), tf.zerosLike(out));
        const gq = tf.mul(dy, q);
        const s = tf.div(tf.sum(gq, -1, true), tf.sum(q, -1, true));
        return tf.sub(gq, tf.mul(s, q));
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
}

/** α-entmax by bisection along `axis` (default last), any rank. α > 1. */
export function entmaxBisect<T extends tf.Tensor>(x: T, alpha = 1.5, axis = -1, nIter = 50): T {
  if (!(alpha > 1)) throw new Error(`entmaxBisect needs alpha > 1, got ${alpha}`);
  const f = bisectLast(alpha, nIter);
  return alongAxis(x, axis, (z) => f(z));
}
