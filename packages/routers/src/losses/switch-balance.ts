// Switch Transformer load-balancing loss (Fedus et al. 2021, arXiv 2101.03961, eq. 4–6):
//   L_bal = α·E·Σ_e f_e·P_e, f_e = fraction of tokens dispatched to e, P_e = mean router prob.
// Two implementations differ in how they pool (docs/routers.md §2.2).
import * as tf from '@tensorflow/tfjs';

function asList<T>(v: T | T[]): T[] { return Array.isArray(v) ? v : [v]; }

/**
 * HF `load_balancing_loss_func`: groups g = batch rows,
 *   L = E² · mean_{g,e}( mean_t m_{g,t,e} · mean_t p_{g,t,e} ),
 * m = 1 where e is among token t's indices. Lists of [G, T_l, E] probs and [G, T_l] (or
 * [G, T_l, k]) indices are concatenated along the sequence axis first, as HF pools all
 * sparse layers of a stack. Pass softmax(logits) (HF re-derives probs from the logits) and
 * the HF-reported expert index (0 for dropped tokens).
 */
export function switchBalanceLossHF(
  probs: tf.Tensor3D | tf.Tensor3D[],
  expertIndex: tf.Tensor | tf.Tensor[],
): tf.Scalar {
  return tf.tidy(() => {
    const ps = asList(probs);
    const is = asList(expertIndex);
    if (ps.length !== is.length || ps.length === 0) throw new Error('switchBalanceLossHF: probs and indices lists must match');
    const p = ps.length === 1 ? ps[0]! : tf.concat(ps, 1);           // [G, T, E]
    const e = p.shape[2];
    const masks = is.map((ix) => {
      const idx = ix.rank === 2 ? ix.expandDims(2) : ix;              // [G, T, k]
      return tf.max(tf.oneHot(tf.cast(idx, 'int32'), e), 2);         // [G, T, E]
    });
    const m = masks.length === 1 ? masks[0]! : tf.concat(masks, 1);
    const tokensPerExpert = tf.mean(tf.cast(m, 'float32'), 1);       // [G, E]
    const probPerExpert = tf.mean(p, 1);                              // [G, E]
    return tf.mul(tf.mean(tf.mul(tokensPerExpert, probPerExpert)), e * e) as tf.Scalar;
  });
}

/**
 * fastmoe-style balance loss (CompeteSMoE `set_load_balance`, VITA `CustomNaiveGate_Balance`):
 * over the N·k selected (token, slot) pairs, f'_e = count_e/(N k), P'_e = Σ_n p_{n,e}/(N k),
 *   L' = E · Σ_e f'_e P'_e   (= HF value / k² on one group).
 * probs [N, E] (softmax of the gate logits), selected [N, E] 0/1 mask with k ones per row.
 */
export function switchBalanceLossFastMoE(probs: tf.Tensor2D, selected: tf.Tensor2D, k: number): tf.Scalar {
  return tf.tidy(() => {
    const [n, e] = probs.shape;
    const f = tf.div(tf.sum(selected, 0), n * k);                     // [E]
    const pm = tf.div(tf.sum(probs, 0), n * k);                       // [E]
    return tf.mul(tf.sum(tf.mul(f, pm)), e) as tf.Scalar;
  });
}
