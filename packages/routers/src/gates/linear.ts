// Linear gate h = xW (+ b). W is [D, E] (tfjs layout, `linear`: torch stores [E, D]).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';
import type { NamedParameter } from '../types.js';
import { disposeParams, makeVariable, type Gate } from './gate.js';
import { normalInit, torchLinearUniform } from './init.js';

export interface LinearGateOptions {
  dModel: number;
  numExperts: number;
  rng: Rng;
  /** Defaults to false. */
  bias?: boolean;
  /** HF module name; parameters are `<name>.weight` / `<name>.bias`. Defaults to `classifier`. */
  name?: string;
  /** `torch-uniform` U(±1/√D) (nn.Linear default); `normal` N(0, std²); `zeros`. Defaults to torch-uniform. */
  init?: 'torch-uniform' | 'normal' | 'zeros';
  std?: number;
  /** Bias init; defaults to the same scheme as the weight (`zeros` for MOESART). */
  biasInit?: 'torch-uniform' | 'zeros';
  /** Frozen gates (SMoE-Dropout) are excluded from updates. Defaults to false. */
  frozen?: boolean;
}

export class LinearGate implements Gate {
  readonly weight: tf.Variable; // [D, E]
  readonly bias: tf.Variable | null; // [E]
  private readonly params: NamedParameter[];

  constructor(o: LinearGateOptions) {
    const d = o.dModel, e = o.numExperts, name = o.name ?? 'classifier';
    const scheme = o.init ?? 'torch-uniform';
    const frozen = o.frozen ?? false;
    const w = scheme === 'normal' ? normalInit(o.rng, [d, e], o.std ?? 0.02)
      : scheme === 'zeros' ? tf.zeros([d, e]) : torchLinearUniform(o.rng, [d, e], d);
    this.weight = makeVariable(w, !frozen);
    this.params = [{ name: `${name}.weight`, variable: this.weight, layout: 'linear', frozen }];
    if (o.bias) {
      const bi = o.biasInit ?? (scheme === 'torch-uniform' ? 'torch-uniform' : 'zeros');
      this.bias = makeVariable(bi === 'zeros' ? tf.zeros([e]) : torchLinearUniform(o.rng, [e], d), !frozen);
      this.params.push({ name: `${name}.bias`, variable: this.bias, layout: 'raw', frozen });
    } else this.bias = null;
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const h = tf.matMul(x, this.weight as tf.Tensor2D);             // [N, E]
      return (this.bias ? tf.add(h, this.bias) : h) as tf.Tensor2D;
    });
  }

  parameters(): NamedParameter[] { return this.params; }
  dispose(): void { disposeParams(this.params); }
}
