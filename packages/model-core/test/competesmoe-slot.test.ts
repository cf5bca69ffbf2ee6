// Regression: a router that asks for every expert's output inside its own tf.tidy (CompeteSMoE on a
// competition step) used to leave SparseFFN combining a disposed tensor. Training forward and
// gradient now run, the combine uses the winners' weights, and nothing leaks.
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { SwitchTransformer, presetConfig, modelLossParts, totalLoss, variableGradsComplete } from '@switchyard/model-core';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

test('SwitchTransformer with a CompeteSMoE router slot: competition steps train without leaks', () => {
  const m = new SwitchTransformer(presetConfig('micro', { switchyard_router: { type: 'competesmoe' } }), new Rng(1));
  const ids = tf.tensor2d([[2, 3, 4, 5, 6, 7]], [1, 6], 'int32');
  const vars = m.parameters().filter((p) => !p.frozen).map((p) => p.variable);
  const before = tf.memory().numTensors;
  // A plain training forward (outside a gradient tape) read the disposed expert outputs: with the
  // native kernels loaded it threw; on plain WASM it read freed memory.
  tf.tidy(() => { m.forward({ inputIds: ids, decoderInputIds: ids }, { training: true, rng: new Rng(2) }); });
  expect(tf.memory().numTensors).toBe(before);
  const { value, grads } = variableGradsComplete(() => {
    const out = m.forward({ inputIds: ids, decoderInputIds: ids }, { training: true, rng: new Rng(2) });
    expect(out.sparseLayers.every((s) => s.router.denseCompute)).toBe(true);
    return totalLoss(modelLossParts(out, ids, { pooling: 'hf-stack', config: m.config }));
  }, vars);
  expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
  const gate = m.parameters().find((p) => p.name.endsWith('.mlp.router.gate.weight'))!;
  expect(tf.tidy(() => tf.max(tf.abs(grads[gate.variable.name]!)).dataSync()[0]!)).toBeGreaterThan(0);
  tf.dispose([value, ...Object.values(grads)]);
  expect(tf.memory().numTensors).toBe(before);
  ids.dispose();
  m.dispose();
});
