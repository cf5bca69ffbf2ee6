// StableMoE gates (Dai et al. 2022, arXiv 2204.08396, §2): backbone centroids c [E, D]
// (orthogonal init, gain 0.1) with affinities a = x cᵀ, and the distilled word-embedding gate
// v [V, 50], c' [E, 50] with a' = v_{id} c'ᵀ.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';
import type { NamedParameter } from '../types.js';
import { disposeParams, makeVariable, type Gate } from './gate.js';
import { normalInit, orthogonalInit } from './init.js';

export class CentroidGate implements Gate {
  readonly centroids: tf.Variable; // [E, D]
  private readonly normalise: boolean;
  private readonly params: NamedParameter[];

  /** `normalise`: h = <x, c/‖c‖> (CompeteSMoE's "stablemoe" baseline) instead of <x, c>. */
  constructor(o: { dModel: number; numExperts: number; rng: Rng; gain?: number; normalise?: boolean; name?: string }) {
    this.centroids = makeVariable(orthogonalInit(o.rng, o.numExperts, o.dModel, o.gain ?? 0.1), true);
    this.normalise = o.normalise ?? false;
    this.params = [{ name: o.name ?? 'expert_centroids', variable: this.centroids, layout: 'raw' }];
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const c = this.normalise ? tf.div(this.centroids, tf.norm(this.centroids, 'euclidean', 1, true)) : this.centroids;
      return tf.matMul(x, c as tf.Tensor2D, false, true);               // [N, E]
    });
  }

  parameters(): NamedParameter[] { return this.params; }
  dispose(): void { disposeParams(this.params); }
}

export class TokenEmbeddingGate {
  private readonly emb: tf.Variable; // [V, r]
  private readonly centroids: tf.Variable; // [E, r]
  private readonly params: NamedParameter[];

  constructor(o: { vocabSize: number; numExperts: number; rng: Rng; dim?: number }) {
    const r = o.dim ?? 50;
    // fairseq Embedding default: N(0, r^-1/2).
    this.emb = makeVariable(normalInit(o.rng, [o.vocabSize, r], 1 / Math.sqrt(r)), true);
    this.centroids = makeVariable(orthogonalInit(o.rng, o.numExperts, r, 0.1), true);
    this.params = [
      { name: 'distill_embed.weight', variable: this.emb, layout: 'raw' },
      { name: 'distill_centroids', variable: this.centroids, layout: 'raw' },
    ];
  }

  /** tokenIds [N] int32 → a' [N, E] */
  logits(tokenIds: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(tf.gather(this.emb, tf.cast(tokenIds, 'int32')) as tf.Tensor2D,
      this.centroids as tf.Tensor2D, false, true));
  }

  setFrozen(frozen: boolean): void {
    for (const p of this.params) { p.frozen = frozen; p.variable.trainable = !frozen; }
  }

  parameters(): NamedParameter[] { return this.params; }
  dispose(): void { disposeParams(this.params); }
}
