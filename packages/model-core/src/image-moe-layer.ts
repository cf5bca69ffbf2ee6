// One MoE layer of the image classifier: E expert MLPs f_e(x) = relu(x W1_e + b1_e) W2_e + b2_e
// and a router slot holding any registered `@switchyard/routers` router. Output
//   y_n = Σ_e weights[n,e]·f_e(x_n) (+ inputWeight[n]·x_n)
// computing only dispatched (token, expert) pairs (gather → expert → scale → scatter), or every
// expert on every token when the router asks for dense compute. Dims: N examples, D width,
// F expert hidden width, E experts.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';
import { createRouter, type Router, type RouterContext, type RouterOutput } from '@switchyard/routers';
import type { RouterSlotConfig } from './config.js';
import type { ModelParameter } from './switch-transformer.js';

/** A variable initialised N(0, std²) (weights) or zeros (std 0, biases), recorded under `name`. */
export function imageParam(list: ModelParameter[], rng: Rng, name: string, shape: number[], std: number): tf.Variable {
  const init = std > 0 ? rng.normalTensor(shape, 0, std) : tf.zeros(shape);
  const v = tf.variable(init, true);
  init.dispose();
  list.push({ name, variable: v, layout: shape.length === 2 ? 'linear' : 'raw', frozen: false });
  return v;
}

export class ImageExpert {
  readonly w1: tf.Variable; readonly b1: tf.Variable; readonly w2: tf.Variable; readonly b2: tf.Variable;
  constructor(list: ModelParameter[], rng: Rng, name: string, d: number, f: number) {
    // LeCun-normal weights (std 1/√fan_in), zero biases.
    this.w1 = imageParam(list, rng, `${name}.w1.weight`, [d, f], d ** -0.5);   // [D, F]
    this.b1 = imageParam(list, rng, `${name}.w1.bias`, [f], 0);
    this.w2 = imageParam(list, rng, `${name}.w2.weight`, [f, d], f ** -0.5);   // [F, D]
    this.b2 = imageParam(list, rng, `${name}.w2.bias`, [d], 0);
  }
  /** [M, D] → [M, D] */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    const h = tf.relu(tf.add(tf.matMul(x, this.w1 as tf.Tensor2D), this.b1));
    return tf.add(tf.matMul(h as tf.Tensor2D, this.w2 as tf.Tensor2D), this.b2) as tf.Tensor2D;
  }
}

export interface ImageLayerContext {
  training: boolean;
  rng: Rng;
  step?: number;
}

export class ImageMoeLayer {
  readonly experts: ImageExpert[] = [];
  readonly router: Router;
  /** Expert parameters and the router's, under `<name>.experts.<e>.…` / `<name>.router.…`. */
  readonly params: ModelParameter[] = [];

  constructor(readonly name: string, slot: RouterSlotConfig, d: number, f: number, e: number, rng: Rng) {
    this.router = createRouter(slot, { dModel: d, numExperts: e, rng: rng.fork('router') });
    for (const p of this.router.parameters()) {
      this.params.push({ name: `${name}.router.${p.name}`, variable: p.variable, layout: p.layout, frozen: p.frozen ?? false });
    }
    const er = rng.fork('experts');
    for (let i = 0; i < e; i++) this.experts.push(new ImageExpert(this.params, er, `${name}.experts.${i}`, d, f));
  }

  /** Every expert on every example. [N, D] → [E, N, D] */
  allExpertOutputs(x: tf.Tensor2D): tf.Tensor3D {
    return tf.stack(this.experts.map((ex) => ex.apply(x))) as tf.Tensor3D;
  }

  /** x [N, D] → y [N, D] and the router's output (capacity group = the whole batch). */
  apply(x: tf.Tensor2D, lc: ImageLayerContext): { y: tf.Tensor2D; router: RouterOutput } {
    const [n, d] = x.shape;
    const e = this.experts.length;
    let dense: tf.Tensor3D | undefined;
    const ctx: RouterContext = {
      training: lc.training, rng: lc.rng, groupSize: n, step: lc.step,
      allExpertOutputs: (xx) => (xx === x ? (dense ??= this.allExpertOutputs(x)) : this.allExpertOutputs(xx)),
    };
    const r = this.router.route(x, ctx);
    const xe = r.jitteredInput ?? x;                                      // [N, D]
    let y: tf.Tensor2D;
    if (r.denseCompute) {
      const all = xe === x ? (dense ??= this.allExpertOutputs(x)) : this.allExpertOutputs(xe);   // [E, N, D]
      y = tf.sum(tf.mul(all, tf.transpose(r.weights).reshape([e, n, 1])), 0) as tf.Tensor2D;
    } else {
      const mask = r.dispatch.dataSync();                                 // one host read per layer
      const rows: number[] = [], flat: number[] = [], parts: tf.Tensor2D[] = [];
      for (let ex = 0; ex < e; ex++) {
        const idx: number[] = [];
        for (let t = 0; t < n; t++) if (mask[t * e + ex]! !== 0) idx.push(t);
        if (idx.length === 0) continue;
        parts.push(this.experts[ex]!.apply(tf.gather(xe, tf.tensor1d(idx, 'int32'))));   // [n_e, D]
        for (const t of idx) { rows.push(t); flat.push(t * e + ex); }
      }
      if (parts.length === 0) y = tf.zeros([n, d]);
      else {
        const h = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);                  // [M, D]
        const w = tf.gather(r.weights.reshape([-1]), tf.tensor1d(flat, 'int32'));         // [M]
        y = tf.unsortedSegmentSum(tf.mul(h, w.expandDims(1)), tf.tensor1d(rows, 'int32'), n) as tf.Tensor2D;
      }
    }
    if (r.inputWeight) y = tf.add(y, tf.mul(xe, r.inputWeight.expandDims(1)));
    return { y, router: r };
  }

  dispose(): void {
    this.router.dispose();
    for (const p of this.params) if (!p.name.includes('.router.')) p.variable.dispose();
  }
}
