// A small MoE image classifier for MOESART's comparison of k-sparse routers (Ibrahim et al. 2023,
// "MOESART: Sparse Mixture of Experts via Sampling-based Routing with Adjustments",
// arXiv 2310.18217) on Fashion-MNIST:
//   x ∈ [0,1]^784 → h = relu(x W_in + b_in) → L × (h ← h + MoE_l(h)) → logits = h W_out + b_out
// The choice: an MLP with MoE layers rather than a patch Transformer. On 784 flattened pixels an
// MLP is the usual small-vision MoE test bed; every example is one routed "token", so what the
// routers differ in (which experts an example gets, how sparse, how stable) is not mixed with
// attention, and a few hundred steps fit in seconds on CPU. Each MoE layer holds any registered
// router (image-moe-layer.ts); the capacity group of capacity-based routers is the batch.
// Our choices, not the paper's: no normalisation layer, LeCun-normal init, zero biases.
// Dims: B batch (= N routed examples), P pixels, D width, C classes.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import type { RouterOutput } from '@switchyard/routers';
import { parseImageMoeConfig, type ImageMoeConfig } from './image-moe-config.js';
import { ImageMoeLayer, imageParam } from './image-moe-layer.js';
import type { ModelParameter } from './switch-transformer.js';

export interface ImageForwardOptions {
  training: boolean;
  /** Every random draw of the call (router noise, sampling). */
  rng: Rng;
  step?: number;
}

export interface ImageLayerRecord {
  /** e.g. `moe.0` */
  layer: string;
  router: RouterOutput;
}

export interface ImageForwardResult {
  /** [B, C] */
  logits: tf.Tensor2D;
  /** One per MoE layer, in order. */
  layers: ImageLayerRecord[];
}

/** One term of the training loss, shaped like the trainer's `LossPart`. */
export interface ImageLossPart {
  name: string;
  value: tf.Scalar;
  coefficient: number;
  layer?: string;
}

export class ImageMoeModel {
  readonly config: ImageMoeConfig;
  readonly layers: ImageMoeLayer[] = [];
  private readonly own: ModelParameter[] = [];
  readonly wIn: tf.Variable; readonly bIn: tf.Variable;   // [P, D], [D]
  readonly wOut: tf.Variable; readonly bOut: tf.Variable; // [D, C], [C]

  constructor(config: Partial<ImageMoeConfig> = {}, seed = 0) {
    this.config = parseImageMoeConfig(config as Record<string, unknown>);
    const { inputSize: p, dModel: d, dFf: f, numExperts: e, numClasses: c } = this.config;
    const rng = new Rng(seed).fork('image-moe');
    this.wIn = imageParam(this.own, rng, 'input.weight', [p, d], p ** -0.5);
    this.bIn = imageParam(this.own, rng, 'input.bias', [d], 0);
    for (let l = 0; l < this.config.numMoeLayers; l++) {
      this.layers.push(new ImageMoeLayer(`moe.${l}`, this.config.router, d, f, e, rng.fork(`moe.${l}`)));
    }
    this.wOut = imageParam(this.own, rng, 'head.weight', [d, c], d ** -0.5);
    this.bOut = imageParam(this.own, rng, 'head.bias', [c], 0);
  }

  /** Every parameter under its name (input.*, moe.<l>.router.*, moe.<l>.experts.<e>.*, head.*). */
  parameters(): ModelParameter[] {
    return [...this.own.slice(0, 2), ...this.layers.flatMap((l) => l.params), ...this.own.slice(2)];
  }

  /** pixels [B, P] float (0..1) → logits [B, C] and each layer's routing. Call inside tf.tidy or dispose. */
  forward(pixels: tf.Tensor2D, o: ImageForwardOptions): ImageForwardResult {
    if (pixels.shape[1] !== this.config.inputSize) {
      throw new Error(`ImageMoeModel.forward: images have ${pixels.shape[1]} values each, the model expects inputSize ${this.config.inputSize}`);
    }
    let h = tf.relu(tf.add(tf.matMul(pixels, this.wIn as tf.Tensor2D), this.bIn)) as tf.Tensor2D;   // [B, D]
    const layers: ImageLayerRecord[] = [];
    for (const layer of this.layers) {
      const { y, router } = layer.apply(h, { training: o.training, rng: o.rng, step: o.step });
      h = tf.add(h, y) as tf.Tensor2D;
      layers.push({ layer: layer.name, router });
    }
    const logits = tf.add(tf.matMul(h, this.wOut as tf.Tensor2D), this.bOut) as tf.Tensor2D;     // [B, C]
    return { logits, layers };
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
    for (const p of this.own) p.variable.dispose();
  }
}

/** Mean cross-entropy of logits [B, C] against integer labels [B]: mean_b (logsumexp(z_b) − z_b[y_b]). */
export function imageCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const c = logits.shape[1];
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(tf.cast(labels, 'int32'), c)), 1))) as tf.Scalar;
  });
}

/** CE (coefficient 1) plus every layer's router losses with their coefficients. */
export function imageLossParts(out: ImageForwardResult, labels: tf.Tensor1D): ImageLossPart[] {
  const parts: ImageLossPart[] = [{ name: 'ce', value: imageCrossEntropy(out.logits, labels), coefficient: 1 }];
  for (const l of out.layers) {
    for (const [name, value] of Object.entries(l.router.losses)) {
      parts.push({ name, value, coefficient: l.router.lossCoefficients[name] ?? 0, layer: l.layer });
    }
  }
  return parts;
}

/** Dispose everything a forward result holds. */
export function disposeImageForward(out: ImageForwardResult): void {
  const ts: tf.Tensor[] = [out.logits];
  for (const { router: r } of out.layers) {
    ts.push(r.logits, r.probs, r.weights, r.dispatch, r.selected, ...Object.values(r.losses));
    if (r.inputWeight) ts.push(r.inputWeight);
    if (r.hfExpertIndex) ts.push(r.hfExpertIndex);
    if (r.jitteredInput) ts.push(r.jitteredInput);
  }
  tf.dispose(ts);
}
