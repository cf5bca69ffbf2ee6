// The text-classification evaluator (src/tasks/text-classification.ts): batched, left-padded
// predictions equal one-example-at-a-time predictions (no padding at all); the record's accuracy
// and macro-F1 match a hand count over the predictions; an unlabelled split is refused by name;
// classification leaks no tensors.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { columnValues, readArrowFile } from '@switchyard/runtime';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { prepareTask, readClassificationMeta, readClassificationSplit, registerClassificationDataset, resolveConfig } from '@switchyard/data-prep';
import { LmClassifier, lmPresetConfig, parseLmClassifierConfig, saveLmClassifier } from '@switchyard/model-core';
import { classifyRows, resolveEvalConfig, textClassificationEvaluator } from '@switchyard/eval-rouge';

let dir: string, dataDir: string, ckpt: string;
const words = ['red', 'green', 'blue', 'cyan', 'pink', 'gold', 'gray', 'teal'];
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  dir = mkdtempSync(join(tmpdir(), 'cls-eval-'));
  dataDir = join(dir, 'data'); ckpt = join(dir, 'model');
  const rng = new Rng(9);
  const split = (n: number, labelled: boolean) => Array.from({ length: n }, () => ({ text: Array.from({ length: 1 + rng.int(9) }, () => words[rng.int(8)]).join(' '), label: labelled ? rng.int(4) : null }));
  registerClassificationDataset('eval-test', async () => ({ labelNames: ['w', 'x', 'y', 'z'], description: 'eval test', splits: { train: split(20, true), validation: split(23, true), test: split(7, false) } }));
  mkdirSync(dataDir);
  await prepareTask(resolveConfig({ task: 'text-classification', classification: { dataset: 'eval-test' } }), dataDir, { log: () => {}, record: () => {} });
  const vocabSize = readClassificationMeta(dataDir).vocabulary.size;
  expect(vocabSize).toBe(12); // 8 colours + <pad> <unk> <cls> <s>
  const m = new LmClassifier(parseLmClassifierConfig({ lm: lmPresetConfig('lm-micro', { vocabSize }), numClasses: 4, headDropout: 0.1 }), new Rng(4));
  saveLmClassifier(m, ckpt);
  m.dispose();
  const small = new LmClassifier(parseLmClassifierConfig({ lm: lmPresetConfig('lm-micro', { vocabSize: 10 }), numClasses: 4 }), new Rng(4));
  saveLmClassifier(small, join(dir, 'small'));
  small.dispose();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('batched predictions equal one-at-a-time predictions; the record matches a hand count', async () => {
  const rows = readClassificationSplit(dataDir, 'validation');
  const { loadLmClassifier } = await import('@switchyard/model-core');
  const m = loadLmClassifier(ckpt, new Rng(1));
  const start = tf.memory().numTensors;
  const batched = classifyRows(m, rows.ids, 5, 0);
  const single = rows.ids.map((r) => tf.tidy(() => tf.argMax(m.forward(tf.tensor2d([r], [1, r.length], 'int32'), undefined).logits, 1).dataSync()[0]!));
  expect(tf.memory().numTensors).toBe(start);
  m.dispose();
  expect(Array.from(batched)).toEqual(single);
  const out = join(dir, 'eval');
  mkdirSync(out);
  const rec = await textClassificationEvaluator.evaluate({ config: resolveEvalConfig({ split: 'validation', batchSize: 5, bootstrap: { samples: 100, seed: 3 } }), dataDir, checkpointDir: ckpt, seed: 1, outDir: out, log: () => {}, record: () => {} });
  const preds = columnValues<number>(readArrowFile(join(out, 'predictions.arrow')), 'prediction');
  expect(preds).toEqual(single);
  const correct = columnValues<number>(readArrowFile(join(out, 'scores.arrow')), 'correct');
  expect(correct).toEqual(single.map((p, i) => (p === rows.labels[i] ? 1 : 0)));
  const present = [0, 1, 2, 3].filter((c) => rows.labels.includes(c) || single.includes(c));
  const f1 = present.map((c) => {
    const tp = single.filter((p, i) => p === c && rows.labels[i] === c).length;
    const fp = single.filter((p, i) => p === c && rows.labels[i] !== c).length;
    const fn = single.filter((p, i) => p !== c && rows.labels[i] === c).length;
    return (2 * tp) / (2 * tp + fp + fn);
  });
  expect(rec.metrics.find((x) => x.name === 'macro_f1')!.value).toBeCloseTo(f1.reduce((s, v) => s + v, 0) / f1.length, 12);
  expect(rec.metrics.map((x) => x.name)).toEqual(['accuracy', 'macro_f1']); // the test split has no labels
  const confusion = JSON.parse(readFileSync(join(out, 'confusion.json'), 'utf8')) as Array<{ matrix: number[][] }>;
  expect(confusion[0]!.matrix.map((r, t) => r.reduce((s, v) => s + v, 0) === rows.labels.filter((l) => l === t).length)).toEqual([true, true, true, true]);
});

it('a checkpoint whose vocabulary does not cover the data is named', async () => {
  await expect(textClassificationEvaluator.evaluate({ config: resolveEvalConfig({ split: 'validation' }), dataDir, checkpointDir: join(dir, 'small'), seed: 1, outDir: dir, log: () => {}, record: () => {} }))
    .rejects.toThrow(/split "validation" has token id 11 but the checkpoint's vocabulary has 10 ids/);
});

it('an unlabelled split is refused by name', async () => {
  await expect(textClassificationEvaluator.evaluate({ config: resolveEvalConfig({ split: 'test' }), dataDir, checkpointDir: ckpt, seed: 1, outDir: dir, log: () => {}, record: () => {} }))
    .rejects.toThrow(/split "test" is not labelled; labelled splits: train, validation/);
});
