import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@switchyard/tensor-engine';

// The gradient of gather is UnsortedSegmentSum; compare the registered kernel with a closed form.
describe('UnsortedSegmentSum kernel', () => {
  beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

  it('makes gather differentiable on WASM with the right values', () => {
    const idx = tf.tensor1d([0, 2, 2, 3, 0, 2], 'int32');
    const w = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    const up = tf.tensor2d([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 6]]);
    const g = tf.grad((v: tf.Tensor) => tf.gather(v, idx).mul(up).sum())(w);
    // row 0 gets up[0]+up[4] = 6; row 1 nothing; row 2 gets up[1]+up[2]+up[5] = 11; row 3 gets 4.
    expect(Array.from(g.dataSync())).toEqual([6, 6, 0, 0, 11, 11, 4, 4]);
    tf.dispose([idx, w, up, g]);
  });

  it('agrees with a direct sum for 2-D segment ids and trailing dims', () => {
    const x = tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]); // [2, 2, 2]
    const ids = tf.tensor2d([[1, 0], [1, 5]], [2, 2], 'int32');    // 5 is out of range: dropped
    const out = tf.unsortedSegmentSum(x, ids, 3);
    expect(out.shape).toEqual([3, 2]);
    expect(Array.from(out.dataSync())).toEqual([3, 4, 6, 8, 0, 0]);
    tf.dispose([x, ids, out]);
  });
});
