// The text-classification train family (src/tasks/text-classification/): an LM checkpoint becomes
// a classifier sized for the prepared data; its TrainTask's cross-entropy equals the one computed
// here from the logits; held-out splits without labels are skipped; bad overrides are named; no
// tensor leaks over batches, forward passes and gradients.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { prepareTask, registerClassificationDataset, resolveConfig } from '@switchyard/data-prep';
import { DecoderLM, lmPresetConfig, saveLmCheckpoint, saveLmClassifier, variableGradsComplete, type LmClassifier } from '@switchyard/model-core';
import { textClassificationTrainFamily as family, type LoopSection } from '@switchyard/train';

let dir: string, dataDir: string, lmDir: string;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'cls-family-'));
  dataDir = join(dir, 'data'); lmDir = join(dir, 'lm');
  registerClassificationDataset('family-test', async () => ({
    labelNames: ['a', 'b', 'c'], description: 'family test',
    splits: {
      train: [{ text: 'x y z', label: 0 }, { text: 'y', label: 1 }, { text: 'z z x y w', label: 2 }, { text: 'w x', label: 1 }],
      validation: [{ text: 'x w', label: 2 }],
      test: [{ text: 'y y', label: null }],
    },
  }));
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dataDir);
  await prepareTask(resolveConfig({ task: 'text-classification', classification: { dataset: 'family-test' } }), dataDir, { log: () => {}, record: () => {} });
  const lm = new DecoderLM(lmPresetConfig('lm-micro', { vocabSize: 32, router: { type: 'competesmoe', topK: 2 } }), new Rng(1));
  saveLmCheckpoint(lm, lmDir);
  lm.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loop = { maxSourceLength: 128 } as LoopSection;

it('an LM checkpoint loads as a classifier for the data (vocabulary, classes, options), transfer "blocks"', async () => {
  const m = await family.loadModel(lmDir, { seed: 3, dataDir, configOverrides: { pooling: 'mean', 'lm.dropout': 0.2 } });
  expect(m.config.lm.vocabSize).toBe(8); // <pad> <unk> <cls> <s> + the 4 words of train + validation (x, y, z, w)
  expect(m.config.numClasses).toBe(3);
  expect(m.config.pooling).toBe('mean');
  expect(m.config.lm.dropout).toBe(0.2);
  expect(m.config.lm.router).toEqual({ type: 'competesmoe', topK: 2, freq: 0 });
  expect(Object.keys(family.modelFiles(m))).toEqual(['config.json', 'model.safetensors', 'transfer.json']);
  family.dispose(m);
  await expect(family.loadModel(lmDir, { seed: 3 })).rejects.toThrow(/an LM checkpoint, not a classifier; transferring it needs the prepared classification data/);
  await expect(family.loadModel(lmDir, { seed: 3, dataDir, configOverrides: { poling: 'mean' } })).rejects.toThrow(/unknown key "poling" \(did you mean "pooling"\?\)/);
  await expect(family.loadModel(lmDir, { seed: 3, dataDir, configOverrides: { transfer: 'keep-vocabulary' } })).rejects.toThrow(/keep-vocabulary.*32 ids.*got 8/);
});

it('the task loss is the cross-entropy of the logits (+ router losses); unlabelled held-out splits are skipped; no leaks', async () => {
  const m = (await family.loadModel(lmDir, { seed: 3, dataDir })) as LmClassifier;
  expect(family.batchSource(m, dataDir, 'test', loop, 'held-out')).toBeUndefined();
  expect(family.batchSource(m, dataDir, 'validation', loop, 'held-out')!.numExamples).toBe(1);
  const source = family.batchSource(m, dataDir, 'train', loop, 'train')!;
  const task = family.trainTask(m);
  const start = tf.memory().numTensors;
  const batch = source.makeBatch(Int32Array.from([0, 1, 2, 3]));
  expect(batch.ids.shape).toEqual([4, 7]); // <cls> z z x y w <s>
  expect(Array.from(batch.attentionMask.dataSync().slice(7, 14))).toEqual([0, 0, 0, 0, 1, 1, 1]); // "y" = <cls> y <s>, left-padded
  const logits = tf.tidy(() => m.forward(batch.ids, batch.attentionMask).logits.arraySync() as number[][]);
  const labels = [0, 1, 2, 1];
  const ce = logits.reduce((s, z, i) => { const mx = Math.max(...z); const lse = mx + Math.log(z.reduce((a, v) => a + Math.exp(v - mx), 0)); return s + lse - z[labels[i]!]!; }, 0) / 4;
  const vars = task.parameters().map((p) => p.variable);
  const { value, grads } = variableGradsComplete(() => {
    const r = task.forward(batch, { training: false, rng: new Rng(0), step: 0, wantRouting: true });
    expect(r.parts[0]!.name).toBe('ce');
    expect(r.parts[0]!.value.dataSync()[0]).toBeCloseTo(ce, 5);
    expect(r.routing!.map((x) => x.layer)).toEqual(['layers.0.moe', 'layers.1.moe']);
    expect(Array.from(r.routing![0]!.tokenMask!.dataSync())).toEqual(Array.from(batch.attentionMask.dataSync()));
    const total = r.parts.reduce<tf.Scalar>((acc, p) => tf.add(acc, tf.mul(p.value, p.coefficient)), tf.scalar(0));
    tf.dispose(r.routing!.map((x) => x.tokenMask!));
    return total;
  }, vars);
  tf.dispose([value, ...Object.values(grads)]);
  source.disposeBatch(batch);
  expect(tf.memory().numTensors).toBe(start);
  expect(() => family.replaceRouters(m, { type: 'smoe', topK: 2 }, new Rng(1), ['router'])).toThrow(/"freeze" is not supported/);
  family.dispose(m);
});

it('a built classifier takes the head/competition options (train taskOptions); competition on keeps the router\'s freq', async () => {
  const m = await family.loadModel(lmDir, { seed: 3, dataDir });
  const cdir = join(dir, 'classifier');
  saveLmClassifier(m, cdir);
  family.dispose(m);
  const on = await family.loadModel(cdir, { seed: 3, dataDir, configOverrides: { competition: true, pooling: 'mean' } });
  expect(on.config).toMatchObject({ competition: true, pooling: 'mean' });
  family.replaceRouters(on, { type: 'competesmoe', topK: 2, freq: 1 }, new Rng(1), []);
  expect(JSON.parse(family.modelFiles(on)['config.json'] as string).lm.router).toEqual({ type: 'competesmoe', topK: 2, freq: 1 });
  family.dispose(on);
  const off = await family.loadModel(cdir, { seed: 3, dataDir });
  family.replaceRouters(off, { type: 'competesmoe', topK: 2, freq: 1 }, new Rng(1), []);
  expect(JSON.parse(family.modelFiles(off)['config.json'] as string).lm.router).toEqual({ type: 'competesmoe', topK: 2, freq: 0 });
  family.dispose(off);
  await expect(family.loadModel(cdir, { seed: 3, dataDir, configOverrides: { transfer: 'blocks' } })).rejects.toThrow(/already a classifier; "transfer" and "lm\.\*" apply only/);
});
