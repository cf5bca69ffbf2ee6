// softmax along any axis (docs/routers.md §1.1). tf.softmax already has the exact VJP
// ∇z = p ⊙ (g − <g, p>); this wrapper only adds the axis argument.
import * as tf from '@tensorflow/tfjs';
import { alongAxis } from './axis.js';

export function softmax<T extends tf.Tensor>(x: T, axis = -1): T {
  return alongAxis(x, axis, (z) => tf.softmax(z));
}
