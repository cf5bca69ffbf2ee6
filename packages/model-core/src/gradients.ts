// Gradients for a train step over a fixed variable list. tf.variableGrads omits variables that
// got no gradient (an expert no token was routed to), and tfjs optimisers (Adam, …) key their
// moment slots by position in the gradient map, so a changing key set silently pairs moments
// with the wrong variables (or throws on a shape mismatch). Filling zeros keeps the map stable.
import * as tf from '@tensorflow/tfjs';

export function variableGradsComplete(f: () => tf.Scalar, variables: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const { value, grads } = tf.variableGrads(f, variables);
  const out: tf.NamedTensorMap = {};
  for (const v of variables) out[v.name] = grads[v.name] ?? tf.zerosLike(v);
  return { value, grads: out };
}
