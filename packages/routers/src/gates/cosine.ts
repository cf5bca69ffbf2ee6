// X-MoE low-dimensional gate (Chi et al. 2022, arXiv 2204.09179, §3; torchscale `use_xmoe`):
// r = x W_r (no bias, [D, r]); expert embeddings e [E, r], orthogonal init gain 0.32, every
// forward rescaled (no gradient) to L2 norm 1.5 per row; h_e = <r, e_e/‖e_e‖>.
// Deviations (as torchscale, docs/routers.md R6): r is not normalised, no temperature.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';
import type { NamedParameter } from '../types.js';
import { disposeParams, makeVariable, type Gate } from './gate.js';
import { orthogonalInit, torchLinearUniform } from './init.js';

export interface CosineGateOptions {
  dModel: number;
  numExperts: number;
  rng: Rng;
  /** Routing dimension r. Defaults to 16 (torchscale; CompeteSMoE uses 8). */
  reducedDim?: number;
  frozen?: boolean;
}

export class CosineGate implements Gate {
  private readonly wr: tf.Variable; // [D, r]
  private readonly emb: tf.Variable; // [E, r]
  private readonly params: NamedParameter[];

  constructor(o: CosineGateOptions) {
    const r = o.reducedDim ?? 16;
    this.wr = makeVariable(torchLinearUniform(o.rng, [o.dModel, r], o.dModel), !o.frozen);
    this.emb = makeVariable(orthogonalInit(o.rng, o.numExperts, r, 0.32), !o.frozen);
    this.params = [
      { name: 'wg_reduction.weight', variable: this.wr, layout: 'linear', frozen: o.frozen ?? false },
      { name: 'wg', variable: this.emb, layout: 'raw', frozen: o.frozen ?? false },
    ];
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    // torchscale renormalises the embeddings in place under no_grad before each forward.
    const rescaled = tf.tidy(() => tf.mul(tf.div(this.emb, tf.norm(this.emb, 'euclidean', 1, true)), 1.5));
    this.emb.assign(rescaled);
    rescaled.dispose();
    return tf.tidy(() => {
      const r = tf.matMul(x, this.wr as tf.Tensor2D);                          // [N, r]
      const unit = tf.div(this.emb, tf.norm(this.emb, 'euclidean', 1, true));   // [E, r]
      const h = tf.matMul(r, unit as tf.Tensor2D, false, true);                 // [N, E]
      // torchscale replaces non-finite logits by the row minimum.
      const finite = tf.isFinite(h);
      const rowMin = tf.min(tf.where(finite, h, tf.fill(h.shape, Infinity)), 1, true);
      return tf.where(finite, h, tf.broadcastTo(rowMin, h.shape)) as tf.Tensor2D;
    });
  }

  parameters(): NamedParameter[] { return this.params; }
  dispose(): void { disposeParams(this.params); }
}
