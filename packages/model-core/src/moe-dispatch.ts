// The combine step of an MoE layer, y_n = Σ_e weights[n,e]·f_e(x_n) (+ inputWeight[n]·x_n), for
// any router of `@switchyard/routers` and any expert function: the same gather/scatter dispatch
// as SparseFFN in switch-transformer.ts (one host read of the dispatch mask; per expert gather its
// rows, run it, scale by the gathered weights; one unsortedSegmentSum back), or, when the router
// asked for dense compute, every expert on every token. Dims: N tokens, D d_model, E experts.
import * as tf from '@tensorflow/tfjs';
import type { RouterOutput } from '@switchyard/routers';

/** Runs expert `e` on some rows. [n_e, D] → [n_e, D] */
export type ExpertFn = (e: number, x: tf.Tensor2D) => tf.Tensor2D;

/** Every expert on every token. [N, D] → [E, N, D] */
export function allExperts(x: tf.Tensor2D, numExperts: number, expert: ExpertFn): tf.Tensor3D {
  return tf.stack(Array.from({ length: numExperts }, (_, e) => expert(e, x))) as tf.Tensor3D;
}

/**
 * x [N, D] (the router input; `r.jitteredInput` replaces it when present); `dense` the [E, N, D]
 * outputs of every expert when already computed for this x (CompeteSMoE's competition step).
 */
export function combineExperts(x: tf.Tensor2D, r: RouterOutput, numExperts: number, expert: ExpertFn, dense?: tf.Tensor3D): tf.Tensor2D {
  const [n, d] = x.shape;
  const e = numExperts;
  const xe = r.jitteredInput ?? x;                                       // [N, D]
  let y: tf.Tensor2D;
  if (r.denseCompute) {
    const outs = xe === x && dense ? dense : allExperts(xe, e, expert);  // [E, N, D]
    const w = tf.transpose(r.weights).reshape([e, n, 1]);                // [E, N, 1]
    y = tf.sum(tf.mul(outs, w), 0) as tf.Tensor2D;
  } else {
    const mask = r.dispatch.dataSync();                                  // the one host read per layer
    const rows: number[] = [];
    const flat: number[] = [];
    const parts: tf.Tensor[] = [];
    for (let ex = 0; ex < e; ex++) {
      const idx: number[] = [];
      for (let t = 0; t < n; t++) if (mask[t * e + ex]! !== 0) idx.push(t);
      if (idx.length === 0) continue;
      parts.push(expert(ex, tf.gather(xe, tf.tensor1d(idx, 'int32')) as tf.Tensor2D));   // [n_e, D]
      for (const t of idx) { rows.push(t); flat.push(t * e + ex); }
    }
    if (parts.length === 0) {
      y = tf.zeros([n, d]);
    } else {
      const h = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);              // [M, D]
      const w = tf.gather(r.weights.reshape([-1]), tf.tensor1d(flat, 'int32'));     // [M]
      y = tf.unsortedSegmentSum(tf.mul(h, w.expandDims(1)), tf.tensor1d(rows, 'int32'), n) as tf.Tensor2D;
    }
  }
  if (r.inputWeight) y = tf.add(y, tf.mul(xe, r.inputWeight.expandDims(1))) as tf.Tensor2D;
  return y;
}
