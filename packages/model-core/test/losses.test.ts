// Cross-entropy with ignore index: value and hand-written gradient against autodiff of a plain
// log-softmax formulation; the HF total-loss composition.
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/runtime';
import { crossEntropyIgnore, hfTotalLoss, shiftRight } from '@switchyard/model-core';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

test('crossEntropyIgnore: value and gradient equal autodiff of mean(-log_softmax[label]) over kept labels', () => {
  const rng = new Rng(3);
  const logits = rng.normalTensor([2, 3, 7], 0, 3) as tf.Tensor3D;
  const labels = tf.tensor2d([[1, -100, 6], [0, 2, -100]], [2, 3], 'int32');
  const keep = [0, 2, 3, 4];
  const flatLabels = [1, 6, 0, 2];
  const reference = (lg: tf.Tensor) => {
    const ls = tf.logSoftmax(lg.reshape([6, 7]));
    const picked = keep.map((row, i) => ls.slice([row, flatLabels[i]!], [1, 1]).reshape([]));
    return tf.neg(tf.div(tf.addN(picked), keep.length)) as tf.Scalar;
  };
  const ours = tf.valueAndGrad((lg: tf.Tensor) => crossEntropyIgnore(lg as tf.Tensor3D, labels))(logits);
  const ref = tf.valueAndGrad(reference)(logits);
  expect(Math.abs(ours.value.dataSync()[0]! - ref.value.dataSync()[0]!)).toBeLessThan(1e-5);
  expect(tf.max(tf.abs(tf.sub(ours.grad, ref.grad))).dataSync()[0]).toBeLessThan(1e-6);
  // Ignored positions get exactly zero gradient.
  expect(Array.from(ours.grad.reshape([6, 7]).slice([1, 0], [1, 7]).dataSync()).every((g) => g === 0)).toBe(true);
  tf.dispose([logits, labels, ours.value, ours.grad, ref.value, ref.grad]);
});

test('all labels ignored gives loss 0, not NaN', () => {
  const lg = tf.zeros([1, 2, 4]) as tf.Tensor3D;
  const lab = tf.fill([1, 2], -100, 'int32') as tf.Tensor2D;
  const l = crossEntropyIgnore(lg, lab);
  expect(l.dataSync()[0]).toBe(0);
  tf.dispose([lg, lab, l]);
});

test('shiftRight and the HF total-loss formula', () => {
  const labels = tf.tensor2d([[5, 6, -100]], [1, 3], 'int32');
  const s = shiftRight(labels, 0, 0);
  expect(Array.from(s.dataSync())).toEqual([0, 5, 6]);
  const parts = { lm: tf.scalar(2), encoderZ: tf.scalar(10), decoderZ: tf.scalar(20), encoderAux: tf.scalar(1), decoderAux: tf.scalar(3) };
  const total = hfTotalLoss(parts, { router_z_loss_coef: 0.001, router_aux_loss_coef: 0.01 });
  expect(total.dataSync()[0]).toBeCloseTo(2 + 0.001 * 30 + 0.01 * 4, 6);
  tf.dispose([labels, s, total, ...Object.values(parts)]);
});
