// Router replacement (the gating study's protocol): fresh routers of another type in every sparse
// layer, experts untouched, old routers released, checkpoints reload the new router.
import path from 'node:path';
import os from 'node:os';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { loadCheckpoint, saveCheckpoint, replaceRouters, stateDict, SwitchTransformer, presetConfig, parameterGroup } from '@switchyard/model-core';
import { FIXTURES } from './helpers.js';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

test('replaceRouters swaps every router, keeps experts, frees the old routers and round-trips', async () => {
  const model = await loadCheckpoint(path.join(FIXTURES, 'trained'));
  const before = stateDict(model);
  const tensorsBefore = tf.memory().numTensors;
  replaceRouters(model, { type: 'linear-sparsemax', zLossCoef: 0 }, new Rng(3), { freeze: ['attention', 'embeddings'] });
  // Linear gate with bias: [24 × 8] + [8] per layer replaces [24 × 8]: one extra tensor per layer, none leaked.
  expect(tf.memory().numTensors).toBe(tensorsBefore + 2);
  const after = stateDict(model);
  const routerKeys = [...after.keys()].filter((k) => k.includes('.mlp.router.'));
  expect(routerKeys.sort()).toEqual([
    'decoder.block.1.layer.2.mlp.router.classifier.bias', 'decoder.block.1.layer.2.mlp.router.classifier.weight',
    'encoder.block.1.layer.1.mlp.router.classifier.bias', 'encoder.block.1.layer.1.mlp.router.classifier.weight',
  ]);
  for (const [k, t] of before) {
    if (k.includes('.mlp.router.')) expect(Array.from(after.get(k)!.values)).not.toEqual(Array.from(t.values));
    else expect({ k, v: Array.from(after.get(k)!.values) }).toEqual({ k, v: Array.from(t.values) });
  }
  for (const p of model.parameters()) {
    const g = parameterGroup(p.name);
    expect({ name: p.name, frozen: p.frozen }).toEqual({ name: p.name, frozen: g === 'attention' || g === 'embeddings' });
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'model-core-replace-'));
  try {
    await saveCheckpoint(model, path.join(tmp, 'ck'));
    const cfg = JSON.parse(await readFile(path.join(tmp, 'ck', 'config.json'), 'utf8'));
    expect(cfg.switchyard_router).toEqual({ type: 'linear-sparsemax', zLossCoef: 0 });
    const back = await loadCheckpoint(path.join(tmp, 'ck'));
    expect(back.sparseLayers()[0]!.router.type).toBe('linear-sparsemax');
    const x = stateDict(back);
    for (const [k, t] of after) expect({ k, v: Array.from(x.get(k)!.values) }).toEqual({ k, v: Array.from(t.values) });
    back.dispose();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  model.dispose();
});

test('a dense-compute router runs through ctx.allExpertOutputs; a bad router config leaves the model untouched', () => {
  const model = new SwitchTransformer(presetConfig('micro'), new Rng(1));
  const ids = tf.tensor2d([[5, 6, 7, 1]], [1, 4], 'int32');
  const dec = tf.tensor2d([[0, 5, 6]], [1, 3], 'int32');
  replaceRouters(model, { type: 'linear-softmax-dense', denseCompute: true }, new Rng(2));
  const dense = tf.tidy(() => {
    const out = model.forward({ inputIds: ids, decoderInputIds: dec });
    expect(out.sparseLayers.every((s) => s.router.denseCompute)).toBe(true);
    return out.logits;
  });
  expect(Number.isFinite(tf.sum(dense).dataSync()[0])).toBe(true);
  const types = model.sparseLayers().map((s) => s.router.type);
  expect(() => replaceRouters(model, { type: 'no-such-router' }, new Rng(3))).toThrow(/unknown router type "no-such-router"/);
  expect(() => replaceRouters(model, { type: 'switch-top1', notAnOption: 1 }, new Rng(3))).toThrow(/invalid options/);
  expect(model.sparseLayers().map((s) => s.router.type)).toEqual(types);
  tf.dispose([ids, dec, dense]);
  model.dispose();
});
