// Gradients of Sum, Mean and UnsortedSegmentSum without host-built tensors (docs/design.md §4).
// tfjs 4.22's versions multiply by `ones(x.shape)`, which fills an array on the JS heap and
// uploads it for every call: for the [N, V] logits of a cross-entropy that is 16 MB per step,
// and on WASM it cost more than the rest of the gradient. `fill` builds the same tensor inside
// the backend (a heap fill on WASM). Values, dtypes and shapes are those of the stock gradients.
import * as tf from '@tensorflow/tfjs';

function expandedDy(dy: tf.Tensor, xShape: number[], axis: number | number[]): tf.Tensor {
  const shape = xShape.slice();
  for (const a of tf.util.parseAxisParam(axis, xShape)) shape[a] = 1;
  return tf.reshape(dy, shape);
}

const sumGrad: tf.GradConfig = {
  kernelName: 'Sum',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const { axis } = attrs as unknown as { axis: number | number[] };
    return { x: () => tf.mul(expandedDy(dy as tf.Tensor, x!.shape, axis), tf.fill(x!.shape, 1, 'float32')) };
  },
};

const meanGrad: tf.GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const { axis } = attrs as unknown as { axis: number | number[] };
    const axes = tf.util.parseAxisParam(axis, x!.shape);
    const reduceSize = axes.reduce((n, a) => n * x!.shape[a]!, 1);
    return { x: () => tf.div(tf.mul(expandedDy(dy as tf.Tensor, x!.shape, axis), tf.fill(x!.shape, 1, 'float32')), reduceSize) };
  },
};

/** TF's _GatherDropNegatives: rows of dy for ids ≥ 0, zeros for negative ids. */
const unsortedSegmentSumGrad: tf.GradConfig = {
  kernelName: 'UnsortedSegmentSum',
  inputsToSave: ['segmentIds'],
  gradFunc: (dy, saved) => {
    const [ids] = saved as tf.Tensor[];
    return {
      x: () => {
        const d = dy as tf.Tensor;
        const gathered = tf.gather(d, tf.maximum(ids!, tf.zerosLike(ids!)));          // [..ids, ..inner]
        const keep = tf.greaterEqual(ids!, tf.scalar(0, 'int32'));                       // [..ids]
        const mask = tf.reshape(keep, [...keep.shape, ...new Array<number>(gathered.rank - keep.rank).fill(1)]);
        return tf.where(tf.logicalAnd(mask, tf.fill(gathered.shape, 1, 'bool')), gathered, tf.zerosLike(gathered));
      },
    };
  },
};

let done = false;

/** Replace the three gradients (global: the gradient registry is not per backend). */
export function registerFastGradients(): void {
  if (done) return;
  done = true;
  for (const g of [sumGrad, meanGrad, unsortedSegmentSumGrad]) tf.registerGradient(g);
}
