// A micro classification pipeline through the GENERIC stages under the stage contract (runStage):
// a micro LM is pretrained for a few steps here and saved as an LM checkpoint; data-prep prepares a
// test-only dataset registered in this file (hand-made sentences whose last word carries the
// class) with the word vocabulary; base-model imports the LM checkpoint, which the
// text-classification family transfers into a classifier (blocks only: new vocabulary); train
// fine-tunes it with the LM's own router (CompeteSMoE, competition off by default); eval scores
// validation and test. Independent expectations: the copied tensors are byte-identical to the
// LM checkpoint's; accuracy and macro-F1 are recomputed here from predictions.arrow and the labels.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { columnValues, readArrowFile, runStage, stageDir } from '@switchyard/runtime';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { registerClassificationDataset, readClassificationSplit, type ClassificationExample } from '@switchyard/data-prep';
import { DecoderLM, lmLossParts, lmPresetConfig, lmTotalLoss, openSafetensors, readTensor, saveLmCheckpoint, variableGradsComplete } from '@switchyard/model-core';

const LABELS = ['negative', 'neutral', 'positive'];
const CUE = [['bad', 'awful', 'poor'], ['okay', 'average', 'plain'], ['good', 'great', 'fine']];
const FILLER = ['the', 'film', 'was', 'really', 'plot', 'and', 'acting', 'quite', 'overall', 'it'];

function sentences(rng: Rng, n: number): ClassificationExample[] {
  return Array.from({ length: n }, () => {
    const label = rng.int(3);
    const words = Array.from({ length: 2 + rng.int(6) }, () => FILLER[rng.int(FILLER.length)]!);
    return { text: `${words.join(' ')} ${CUE[label]![rng.int(3)]!.toUpperCase()}`, label };
  });
}

registerClassificationDataset('toy-sentiment', async () => {
  const rng = new Rng(3).fork('toy-sentiment');
  return { labelNames: LABELS, description: 'toy-sentiment (hand-made, test only)', splits: { train: sentences(rng, 120), validation: sentences(rng, 30), test: sentences(rng, 30) } };
});

let artifacts: string;
beforeAll(async () => { await initBackend('wasm', { quiet: true }); artifacts = mkdtempSync(join(tmpdir(), 'switchyard-cls-pipeline-')); });
afterAll(() => rmSync(artifacts, { recursive: true, force: true }));

/** A micro LM (CompeteSMoE router) trained for a few steps on a repeating token stream. */
function pretrainMicroLm(dir: string): void {
  const cfg = lmPresetConfig('lm-micro', { vocabSize: 32, router: { type: 'competesmoe', topK: 2 } });
  const lm = new DecoderLM(cfg, new Rng(21));
  const opt = tf.train.adam(1e-2);
  const vars = lm.parameters().map((p) => p.variable);
  const stream = Array.from({ length: 4 * 9 }, (_, i) => (i * 7) % 32);
  for (let step = 0; step < 6; step++) {
    const ids = tf.tensor2d(stream.slice(0, 32), [4, 8], 'int32');
    const targets = tf.tensor2d(stream.slice(1, 33), [4, 8], 'int32');
    const { value, grads } = variableGradsComplete(() => lmTotalLoss(lmLossParts(lm.forward(ids, { training: true, step }), targets)), vars);
    opt.applyGradients(grads);
    tf.dispose([value, ids, targets, ...Object.values(grads)]);
  }
  saveLmCheckpoint(lm, dir);
  lm.dispose();
  opt.dispose();
}

it('LM checkpoint → data-prep → base-model (transfer) → train → eval through the generic stages', async () => {
  const opts = { artifactsDir: artifacts, backend: 'wasm', log: () => {} };
  const lmDir = join(artifacts, 'micro-lm');
  pretrainMicroLm(lmDir);
  await runStage({ key: 'dp', package: '@switchyard/data-prep', stage: 'data-prep', config: { task: 'text-classification', classification: { dataset: 'toy-sentiment', maxLength: 12 } }, seed: 5, inputs: {} }, opts);
  await runStage({ key: 'base', package: '@switchyard/train', stage: 'base-model', config: { source: 'import', importDir: lmDir, configOverrides: { pooling: 'last' } }, seed: 5, inputs: { data: 'dp' } }, opts);
  await runStage({
    key: 'tr', package: '@switchyard/train', stage: 'train', seed: 5, inputs: { data: 'dp', base: 'base' },
    config: { router: { type: 'competesmoe', topK: 2 }, steps: 60, batchSize: 16, logEvery: 20, checkpointEvery: 0, optimizer: { lr: 3e-3, schedule: 'constant' } },
  }, opts);
  await runStage({ key: 'ev', package: '@switchyard/eval-rouge', stage: 'eval', config: { split: 'validation', bootstrap: { samples: 200, seed: 1 } }, seed: 5, inputs: { data: 'dp', checkpoint: 'tr' } }, opts);
  await runStage({ key: 'ev0', package: '@switchyard/eval-rouge', stage: 'eval', config: { split: 'validation', bootstrap: false }, seed: 5, inputs: { data: 'dp', checkpoint: 'base' } }, opts);
  const dir = (k: string) => stageDir(artifacts, k);

  // Transfer: exactly the blocks, byte for byte; embedding and head re-initialised; out_emb dropped.
  const report = JSON.parse(readFileSync(join(dir('base'), 'transfer.json'), 'utf8')) as { mode: string; copied: string[]; reinitialised: string[]; dropped: string[] };
  expect(report.mode).toBe('blocks');
  const lmSt = openSafetensors(join(lmDir, 'model.safetensors'));
  const clsSt = openSafetensors(join(dir('base'), 'model.safetensors'));
  const blocks = [...lmSt.entries.keys()].filter((k) => k === 'key_pe' || k.startsWith('layers.'));
  expect([...report.copied].sort()).toEqual(blocks.sort());
  expect(report.reinitialised).toEqual(['in_emb.weight', 'head.dense.weight', 'head.dense.bias', 'head.out.weight', 'head.out.bias']);
  expect(report.dropped.sort()).toEqual(['in_emb.weight', 'out_emb.bias', 'out_emb.weight']);
  for (const k of blocks) expect(Buffer.from(readTensor(clsSt, k).values.buffer).equals(Buffer.from(readTensor(lmSt, k).values.buffer))).toBe(true);
  const vocab = JSON.parse(readFileSync(join(dir('dp'), 'vocabulary.json'), 'utf8')) as string[];
  expect(readTensor(clsSt, 'in_emb.weight').shape).toEqual([vocab.length, 16]);
  lmSt.close(); clsSt.close();

  // Competition off by default in fine-tuning, whatever the router schema filled in.
  const cfg = JSON.parse(readFileSync(join(dir('tr'), 'config.json'), 'utf8')) as { kind: string; competition: boolean; lm: { router: { type: string; freq: number } } };
  expect(cfg.kind).toBe('lm-classifier');
  expect(cfg.competition).toBe(false);
  expect(cfg.lm.router).toMatchObject({ type: 'competesmoe', freq: 0 });
  // The model folder carries what maps text to classes (copyDataFiles).
  expect(readFileSync(join(dir('tr'), 'vocabulary.json'), 'utf8')).toBe(readFileSync(join(dir('dp'), 'vocabulary.json'), 'utf8'));
  expect(JSON.parse(readFileSync(join(dir('tr'), 'classification.json'), 'utf8')).labelNames).toEqual(LABELS);

  // Metrics recomputed from the predictions and the prepared labels.
  const labels = readClassificationSplit(dir('dp'), 'validation').labels;
  const pred = readArrowFile(join(dir('ev'), 'predictions.arrow'));
  const p = columnValues<number>(pred, 'prediction'), l = columnValues<number>(pred, 'label');
  expect(l).toEqual(labels);
  const acc = p.filter((x, i) => x === labels[i]).length / labels.length;
  const f1s = [0, 1, 2].filter((c) => labels.includes(c) || p.includes(c)).map((c) => {
    const tp = p.filter((x, i) => x === c && labels[i] === c).length;
    const fp = p.filter((x, i) => x === c && labels[i] !== c).length;
    const fn = p.filter((x, i) => x !== c && labels[i] === c).length;
    return (2 * tp) / (2 * tp + fp + fn);
  });
  const record = JSON.parse(readFileSync(join(dir('ev'), 'metric-record.json'), 'utf8')) as { primary: string; metrics: Array<{ name: string; value?: number; interval: { low: number; high: number } | null }> };
  expect(record.primary).toBe('accuracy');
  const metric = (n: string) => record.metrics.find((m) => m.name === n)!;
  expect(metric('macro_f1').value).toBeCloseTo(f1s.reduce((s, v) => s + v, 0) / f1s.length, 12);
  expect(metric('accuracy').interval!.low).toBeLessThanOrEqual(acc);
  expect(metric('accuracy').interval!.high).toBeGreaterThanOrEqual(acc);
  expect(metric('test_accuracy').value).toBeGreaterThanOrEqual(0);
  // The heat maps: one per scored split, PNG files.
  for (const f of ['confusion-matrix.png', 'confusion-matrix-test.png']) expect(readFileSync(join(dir('ev'), f)).subarray(1, 4).toString('latin1')).toBe('PNG');
  const confusion = JSON.parse(readFileSync(join(dir('ev'), 'confusion.json'), 'utf8')) as Array<{ split: string; accuracy: number; matrix: number[][] }>;
  expect(confusion.map((c) => c.split)).toEqual(['validation', 'test']);
  expect(confusion[0]!.accuracy).toBeCloseTo(acc, 12);
  expect(confusion[0]!.matrix.flat().reduce((s, v) => s + v, 0)).toBe(30);
  // The class is the last word: 60 steps learn it (chance is 1/3); the transferred, untuned classifier has not.
  expect(acc).toBeGreaterThanOrEqual(0.9);
  const base = columnValues<number>(readArrowFile(join(dir('ev0'), 'predictions.arrow')), 'prediction');
  expect(base.filter((x, i) => x === labels[i]).length / labels.length).toBeLessThan(0.7);
}, 60000);

it('base-model imports an upstream LM train stage through its "model" input (the pretraining stage the classification pipelines share)', async () => {
  const opts = { artifactsDir: artifacts, backend: 'wasm', log: () => {} };
  await runStage({ key: 'lmdp', package: '@switchyard/data-prep', stage: 'data-prep', config: { task: 'language-modelling', lm: { corpus: 'enwik8', source: 'embedded' } }, seed: 1, inputs: {} }, opts);
  await runStage({ key: 'lmtr', package: '@switchyard/train', stage: 'train', seed: 1, inputs: { data: 'lmdp' },
    config: { preset: 'lm-micro', configOverrides: { vocabSize: 256 }, router: { type: 'smoe', topK: 2 }, steps: 2, batchSize: 2, logEvery: 1, checkpointEvery: 0, heldOutSize: 2 } }, opts);
  await runStage({ key: 'dp2', package: '@switchyard/data-prep', stage: 'data-prep', config: { task: 'text-classification', classification: { dataset: 'toy-sentiment', maxLength: 12 } }, seed: 5, inputs: {} }, opts);
  await runStage({ key: 'base2', package: '@switchyard/train', stage: 'base-model', config: { source: 'import', configOverrides: { transfer: 'blocks', pooling: 'last' } }, seed: 5, inputs: { data: 'dp2', model: 'lmtr' } }, opts);
  const dir = (k: string) => stageDir(artifacts, k);
  const lmSt = openSafetensors(join(dir('lmtr'), 'model.safetensors'));
  const clsSt = openSafetensors(join(dir('base2'), 'model.safetensors'));
  const blocks = [...lmSt.entries.keys()].filter((k) => k === 'key_pe' || k.startsWith('layers.'));
  expect(blocks.length).toBeGreaterThan(10);
  for (const k of blocks) expect(Buffer.from(readTensor(clsSt, k).values.buffer).equals(Buffer.from(readTensor(lmSt, k).values.buffer))).toBe(true);
  lmSt.close(); clsSt.close();
  // Neither a "model" input nor importDir: a clear error.
  await expect(runStage({ key: 'base3', package: '@switchyard/train', stage: 'base-model', config: { source: 'import' }, seed: 5, inputs: { data: 'dp2' } }, opts))
    .rejects.toThrow(/needs a folder to import: map the "model" input role/);
}, 60000);
