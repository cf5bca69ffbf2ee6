// A gate is the trainable part of a router: it maps tokens to logits and owns variables.
import * as tf from '@tensorflow/tfjs';
import type { NamedParameter } from '../types.js';

export interface Gate {
  /** x [N, D] → logits [N, E] */
  logits(x: tf.Tensor2D): tf.Tensor2D;
  parameters(): NamedParameter[];
  dispose(): void;
}

export function makeVariable(init: tf.Tensor, trainable: boolean): tf.Variable {
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

export function disposeParams(params: NamedParameter[]): void {
  for (const p of params) p.variable.dispose();
}
