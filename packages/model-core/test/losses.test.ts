// Cross-entropy with ignore index: value and hand-written gradient against autodiff of a plain
// log-softmax formulation; the HF total-loss composition.
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { SwitchTransformer, crossEntropyIgnore, modelLossParts, presetConfig, shiftRight, totalLoss } from '@switchyard/model-core';

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

test('shiftRight and the total-loss formula Σ coefficient · part', () => {
  const labels = tf.tensor2d([[5, 6, -100]], [1, 3], 'int32');
  const s = shiftRight(labels, 0, 0);
  expect(Array.from(s.dataSync())).toEqual([0, 5, 6]);
  const parts = [
    { name: 'ce', value: tf.scalar(2), coefficient: 1 },
    { name: 'z', value: tf.scalar(10), coefficient: 0.001, layer: 'encoder' },
    { name: 'z', value: tf.scalar(20), coefficient: 0.001, layer: 'decoder' },
    { name: 'aux', value: tf.scalar(1), coefficient: 0.01, layer: 'encoder' },
    { name: 'aux', value: tf.scalar(3), coefficient: 0.01, layer: 'decoder' },
  ];
  const total = totalLoss(parts);
  expect(total.dataSync()[0]).toBeCloseTo(2 + 0.001 * 30 + 0.01 * 4, 6);
  expect(() => totalLoss([])).toThrow(/no loss parts/);
  tf.dispose([labels, s, total, ...parts.map((p) => p.value)]);
});

describe('router-loss pooling: per layer (training default) vs HF per stack', () => {
  const totals = (overrides: Record<string, unknown>) => {
    const model = new SwitchTransformer(presetConfig('micro', { router_jitter_noise: 0, ...overrides }), new Rng(4));
    const rng = new Rng(5);
    const ids = tf.tensor2d(Array.from({ length: 12 }, () => 2 + rng.int(60)), [2, 6], 'int32');
    const dec = tf.tensor2d(Array.from({ length: 8 }, () => 2 + rng.int(60)), [2, 4], 'int32');
    const labels = tf.tensor2d(Array.from({ length: 8 }, () => 2 + rng.int(60)), [2, 4], 'int32');
    const before = tf.memory().numTensors;
    const [perLayer, hf, sparse] = tf.tidy(() => {
      const out = model.forward({ inputIds: ids, decoderInputIds: dec }, { training: false, rng });
      const a = totalLoss(modelLossParts(out, labels)).dataSync()[0]!;
      const b = totalLoss(modelLossParts(out, labels, { pooling: 'hf-stack', config: model.config })).dataSync()[0]!;
      return [a, b, out.sparseLayers.length];
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, dec, labels]);
    model.dispose();
    return { perLayer, hf, sparse };
  };

  test('agree with one sparse layer per stack (the Switch router returns HF\'s losses per layer)', () => {
    const t = totals({});
    expect(t.sparse).toBe(2);
    expect(Math.abs(t.perLayer - t.hf)).toBeLessThan(1e-6 * Math.abs(t.hf));
  });

  test('differ with two sparse layers per stack (HF pools the logits of a stack first)', () => {
    const t = totals({ encoder_sparse_step: 1, decoder_sparse_step: 1 });
    expect(t.sparse).toBe(4);
    expect(t.perLayer).not.toBeCloseTo(t.hf, 6);
  });
});
