// SparTMoE attention gate (docs/routers.md R3): q = x W_q + b_q, expert keys K [E, D] ~ N(0, 0.02²),
// h = q Kᵀ · s with s = 1/√D when `scaled` (our default, the README's "scaled dot-product") or
// 1 (the notebook HEAD). Optional key projection K' = K W_kᵀ + b_k (the older notebook).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';
import type { NamedParameter } from '../types.js';
import { disposeParams, makeVariable, type Gate } from './gate.js';
import { normalInit, torchLinearUniform } from './init.js';

export interface AttentionGateOptions {
  dModel: number;
  numExperts: number;
  rng: Rng;
  /** Multiply the scores by 1/√D. Defaults to true. */
  scaled?: boolean;
  /** Project the expert keys through a second Linear(D, D). Defaults to false. */
  keyProjection?: boolean;
}

export class AttentionGate implements Gate {
  private readonly wq: tf.Variable; // [D, D]
  private readonly bq: tf.Variable; // [D]
  private readonly keys: tf.Variable; // [E, D]
  private readonly wk: tf.Variable | null; // [D, D]
  private readonly bk: tf.Variable | null;
  private readonly scale: number;
  private readonly params: NamedParameter[];

  constructor(o: AttentionGateOptions) {
    const d = o.dModel, e = o.numExperts;
    this.wq = makeVariable(torchLinearUniform(o.rng, [d, d], d), true);
    this.bq = makeVariable(torchLinearUniform(o.rng, [d], d), true);
    this.keys = makeVariable(normalInit(o.rng, [e, d], 0.02), true);
    this.params = [
      { name: 'query.weight', variable: this.wq, layout: 'linear' },
      { name: 'query.bias', variable: this.bq, layout: 'raw' },
      { name: 'expert_embeddings', variable: this.keys, layout: 'raw' },
    ];
    if (o.keyProjection) {
      this.wk = makeVariable(torchLinearUniform(o.rng, [d, d], d), true);
      this.bk = makeVariable(torchLinearUniform(o.rng, [d], d), true);
      this.params.push({ name: 'key.weight', variable: this.wk, layout: 'linear' },
        { name: 'key.bias', variable: this.bk, layout: 'raw' });
    } else { this.wk = null; this.bk = null; }
    this.scale = (o.scaled ?? true) ? 1 / Math.sqrt(d) : 1;
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const q = tf.add(tf.matMul(x, this.wq as tf.Tensor2D), this.bq);            // [N, D]
      const k = this.wk && this.bk
        ? tf.add(tf.matMul(this.keys as tf.Tensor2D, this.wk as tf.Tensor2D), this.bk) // [E, D]
        : this.keys;
      const h = tf.matMul(q as tf.Tensor2D, k as tf.Tensor2D, false, true);         // [N, E]
      return (this.scale === 1 ? h : tf.mul(h, this.scale)) as tf.Tensor2D;
    });
  }

  parameters(): NamedParameter[] { return this.params; }
  dispose(): void { disposeParams(this.params); }
}
