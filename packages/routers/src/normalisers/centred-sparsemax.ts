// The "sparsemax" SparTMoE actually ran (main_experiment.ipynb class `Sparsemax`, docs/routers.md §1.5):
// sparsemax(ReLU(z − mean z)). Equals sparsemax(z) when the centred row's threshold is > 0; on flat
// rows every below-mean expert gets the same mass and no gradient. Compatibility option only.
import * as tf from '@tensorflow/tfjs';
import { alongAxis } from './axis.js';
import { sparsemax } from './sparsemax.js';

export function centredSparsemax<T extends tf.Tensor>(x: T, axis = -1): T {
  return alongAxis(x, axis, (z) => sparsemax(tf.relu(tf.sub(z, tf.mean(z, -1, true)))));
}
