// Memory discipline (docs/style.md §10): forward, generation and a train step leave tf.memory()
// unchanged; a model and its optimiser release everything on dispose. Plus: Adam on a fixed
// batch lowers the HF loss (the gradients reach every trainable parameter group).
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { SwitchTransformer, presetConfig, modelLossParts, totalLoss, generate, shiftRight, freezeParameters, variableGradsComplete } from '@switchyard/model-core';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

function batch(rng: Rng) {
  const ids = tf.tensor2d(Array.from({ length: 4 * 8 }, () => 2 + rng.int(60)), [4, 8], 'int32');
  const mask = tf.tensor2d(Array.from({ length: 4 * 8 }, (_, i) => (i % 8 < 8 - (i >> 3) ? 1 : 0)), [4, 8], 'int32');
  const labels = tf.tensor2d(Array.from({ length: 4 * 6 }, (_, i) => (i === 23 ? -100 : 2 + rng.int(60))), [4, 6], 'int32');
  const dec = shiftRight(labels, 0, 0);
  return { ids, mask, labels, dec };
}

test('forward, generate (greedy, no cache, beam) and train steps do not leak; dispose frees all', () => {
  const start = tf.memory().numTensors;
  const model = new SwitchTransformer(presetConfig('micro', { expert_capacity: 3, router_jitter_noise: 0.01 }), new Rng(7));
  const b = batch(new Rng(8));
  let opt = tf.train.adam(3e-3);
  const rng = new Rng(10);
  const step = () => {
    const { value, grads } = variableGradsComplete(() => {
      const out = model.forward({ inputIds: b.ids, attentionMask: b.mask, decoderInputIds: b.dec }, { training: true, rng });
      return totalLoss(modelLossParts(out, b.labels, { pooling: 'hf-stack', config: model.config }));
    }, model.parameters().filter((p) => !p.frozen).map((p) => p.variable));
    opt.applyGradients(grads);
    const loss = value.dataSync()[0]!;
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  };
  const first = step(); // creates Adam's slot variables
  const base = tf.memory().numTensors;
  tf.tidy(() => { model.forward({ inputIds: b.ids, attentionMask: b.mask, decoderInputIds: b.dec }, { capture: true }); });
  expect(tf.memory().numTensors).toBe(base);
  generate(model, b.ids, b.mask, { maxNewTokens: 5 });
  generate(model, b.ids, b.mask, { maxNewTokens: 5, useCache: false, returnStepScores: true });
  generate(model, b.ids, b.mask, { maxNewTokens: 5, numBeams: 3 });
  expect(tf.memory().numTensors).toBe(base);
  let last = first;
  for (let i = 0; i < 4; i++) last = step();
  expect(tf.memory().numTensors).toBe(base);
  expect(last).toBeLessThan(first);
  // Frozen groups are excluded from the step and keep their values.
  freezeParameters(model, ['experts']);
  // tfjs Adam keys its moments by position in the gradient list: a new list needs a new optimiser.
  opt.dispose();
  opt = tf.train.adam(3e-3);
  step();
  const afterWarm = tf.memory().numTensors;
  const expert = model.parameters().find((p) => p.name.includes('expert_0.wi'))!;
  const before = expert.variable.dataSync().slice();
  step();
  expect(expert.variable.trainable).toBe(false);
  expect(Array.from(expert.variable.dataSync())).toEqual(Array.from(before));
  expect(tf.memory().numTensors).toBe(afterWarm);
  opt.dispose();
  tf.dispose(Object.values(b));
  model.dispose();
  expect(tf.memory().numTensors).toBe(start);
});

test('variableGradsComplete gives a zero gradient to an expert no token reached', () => {
  const model = new SwitchTransformer(presetConfig('micro'), new Rng(7));
  const layer = model.sparseLayers()[0]!;
  // A zero gate ties every expert; argmax takes the first, so every token goes to expert 0.
  const gate = layer.routerParams[0]!.variable;
  gate.assign(tf.zerosLike(gate));
  const ids = tf.tensor2d([[3, 4, 5, 1]], [1, 4], 'int32');
  const dec = tf.tensor2d([[0, 3]], [1, 2], 'int32');
  const lab = tf.tensor2d([[3, 1]], [1, 2], 'int32');
  const vars = model.parameters().map((p) => p.variable);
  const expert1 = model.parameters().find((p) => p.name === `${layer.name}.mlp.experts.expert_1.wi.weight`)!.variable;
  const { value, grads } = variableGradsComplete(() => totalLoss(modelLossParts(model.forward({ inputIds: ids, decoderInputIds: dec }), lab, { pooling: 'hf-stack', config: model.config })), vars);
  expect(Object.keys(grads).length).toBe(vars.length);
  expect(tf.max(tf.abs(grads[model.parameters().find((p) => p.name === `${layer.name}.mlp.experts.expert_0.wi.weight`)!.variable.name]!)).dataSync()[0]).toBeGreaterThan(0);
  expect(tf.max(tf.abs(grads[expert1.name]!)).dataSync()[0]).toBe(0);
  tf.dispose([value, ...Object.values(grads), ids, dec, lab]);
  model.dispose();
});
