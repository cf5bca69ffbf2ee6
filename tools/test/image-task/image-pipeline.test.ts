// The image-classification family through the GENERIC stages (data-prep → base-model → train →
// eval → report, under the stage contract with inputs by role) on a slice of the embedded
// Fashion-MNIST subset, a tiny model and MOESART k = 2. Checked against independent expectations:
// the split files against the IDX files read directly (and the validation rule), the k-sparsity
// of every training step from the recorded routing (MOESART: at most k experts per example), the
// routing-change metric recomputed here from the probe snapshots, the accuracy from the per-image
// predictions and the test labels, a second train run bit-identical, and no tensor leaked.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { columnValues, readArrowFile, runStage, stageDir } from '@switchyard/runtime';
import { embeddedFashionMnistDir, fashionMnistFiles, readIdxFile, readImageSplit } from '@switchyard/data-prep';

const K = 2, BATCH = 50, EPOCHS = 3, TRAIN_ROWS = 600;
let artifacts: string;
beforeAll(() => { artifacts = mkdtempSync(join(tmpdir(), 'switchyard-image-task-')); });
afterAll(() => rmSync(artifacts, { recursive: true, force: true }));

const dir = (k: string) => stageDir(artifacts, k);

it('data-prep → base-model → train → eval → report: an image pipeline through the generic stages', async () => {
  const opts = { artifactsDir: artifacts, backend: 'wasm', log: () => {} };
  const model = { dModel: 16, dFf: 16, numExperts: 4, numMoeLayers: 2, router: { type: 'linear-softmax-dense' } };
  await runStage({ key: 'dp', package: '@switchyard/data-prep', stage: 'data-prep', seed: 1, inputs: {},
    config: { task: 'image-classification', image: { source: 'embedded', validationEvery: 10 }, maxRows: { train: TRAIN_ROWS, validation: 100, test: 200 } } }, opts);
  // The tensors alive before any model exists; the whole run must leave the count unchanged.
  await runStage({ key: 'base', package: '@switchyard/train', stage: 'base-model', seed: 1, inputs: { data: 'dp' },
    config: { configOverrides: model, steps: 1, batchSize: BATCH, checkpointEvery: 0, optimizer: { lr: 1e-9 } } }, opts);
  const before = tf.memory().numTensors;
  await runStage({ key: 'tr', package: '@switchyard/train', stage: 'train', seed: 3, inputs: { data: 'dp', base: 'base' },
    config: { router: { type: 'moesart', topK: K }, epochs: EPOCHS, batchSize: BATCH, heldOutSize: 100, logEvery: 12, checkpointEvery: 0, optimizer: { lr: 0.003, schedule: 'constant' } } }, opts);
  // The same stage again: bit-identical model and routing records (a fixed seed decides everything).
  await runStage({ key: 'tr2', package: '@switchyard/train', stage: 'train', seed: 3, inputs: { data: 'dp', base: 'base' },
    config: { router: { type: 'moesart', topK: K }, epochs: EPOCHS, batchSize: BATCH, heldOutSize: 100, logEvery: 12, checkpointEvery: 0, optimizer: { lr: 0.003, schedule: 'constant' } } }, opts);
  const sha = (k: string) => (JSON.parse(readFileSync(join(dir(k), 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> }).files;
  for (const f of ['model.safetensors', 'routing-steps.arrow', 'routing-epochs.arrow']) expect(sha('tr2')[f]!.sha256).toBe(sha('tr')[f]!.sha256);
  await runStage({ key: 'ev', package: '@switchyard/eval-rouge', stage: 'eval', seed: 3, inputs: { data: 'dp', checkpoint: 'tr' },
    config: { batchSize: BATCH, bootstrap: { samples: 200, seed: 1 } } }, opts);
  expect(tf.memory().numTensors).toBe(before);
  await runStage({ key: 'rep', package: '@switchyard/report', stage: 'report', seed: 0, inputs: { data: 'dp', model: 'tr', eval: 'ev' }, config: { plots: false, title: 'Images' } }, opts);

  // data-prep: the splits are the IDX files' bytes, validation = train images with index mod 10 = 9.
  expect(JSON.parse(readFileSync(join(dir('dp'), 'task.json'), 'utf8'))).toEqual({ task: 'image-classification' });
  const files = fashionMnistFiles(embeddedFashionMnistDir(), 'train');
  const idxImages = readIdxFile(files.images).data as Uint8Array, idxLabels = readIdxFile(files.labels).data as Uint8Array;
  const train = readImageSplit(dir('dp'), 'train'), val = readImageSplit(dir('dp'), 'validation');
  expect([train.count, val.count, readImageSplit(dir('dp'), 'test').count]).toEqual([TRAIN_ROWS, 100, 200]);
  expect(Array.from(val.sourceIndex.slice(0, 3))).toEqual([9, 19, 29]);
  expect(Array.from(train.sourceIndex.slice(8, 11))).toEqual([8, 10, 11]);
  for (const s of [train, val]) {
    s.sourceIndex.forEach((src, i) => {
      expect(s.labels[i]).toBe(idxLabels[src]);
      expect(Buffer.compare(Buffer.from(s.pixels.subarray(i * 784, (i + 1) * 784)), Buffer.from(idxImages.subarray(src * 784, (src + 1) * 784)))).toBe(0);
    });
  }

  // train: every training step of both layers recorded; MOESART computes at most k experts per example.
  const steps = readArrowFile(join(dir('tr'), 'routing-steps.arrow'));
  const stepCol = columnValues<number>(steps, 'step'), maxActive = columnValues<number>(steps, 'max_active'), minActive = columnValues<number>(steps, 'min_active');
  const total = EPOCHS * Math.ceil(TRAIN_ROWS / BATCH);
  expect(new Set(stepCol).size).toBe(total);
  expect(stepCol.length).toBe(2 * total);
  expect(Math.max(...maxActive)).toBeLessThanOrEqual(K);
  expect(Math.min(...minActive)).toBeGreaterThanOrEqual(1);
  expect(columnValues<number>(steps, 'examples').reduce((a, b) => a + b, 0)).toBe(2 * EPOCHS * TRAIN_ROWS);

  // Probe snapshots: init + one per epoch end, 100 validation images × 2 layers each.
  const ep = readArrowFile(join(dir('tr'), 'routing-epochs.arrow'));
  const kind = columnValues<string>(ep, 'kind'), epStep = columnValues<number>(ep, 'step'), layer = columnValues<string>(ep, 'layer'), experts = columnValues<number[]>(ep, 'experts');
  expect([...new Set(epStep)]).toEqual([0, 12, 24, 36]);
  expect(kind.filter((k) => k === 'epoch-end').length).toBe(EPOCHS * 2 * 100);
  expect(experts.every((s) => s.length === K)).toBe(true); // MOESART at inference: top-k
  // Routing change recomputed: mean over layers and consecutive epoch-end pairs of the share of changed sets.
  const setAt = (s: number, l: string) => experts.filter((_, i) => epStep[i] === s && layer[i] === l).map((x) => x.join(','));
  let sum = 0, pairs = 0;
  for (const l of ['moe.0', 'moe.1']) for (const [a, b] of [[12, 24], [24, 36]]) {
    const A = setAt(a!, l), B = setAt(b!, l);
    sum += A.filter((x, i) => x !== B[i]).length / A.length; pairs++;
  }
  const record = JSON.parse(readFileSync(join(dir('ev'), 'metric-record.json'), 'utf8'));
  const metric = (n: string) => record.metrics.find((m: { name: string }) => m.name === n);
  expect(metric('routing_change').value).toBeCloseTo(sum / pairs, 12);
  expect(metric('max_active_train').value).toBeLessThanOrEqual(K);
  expect(metric('active_inference').value).toBe(K);

  // eval: accuracy = share of predictions equal to the test labels (read from the split, not the scores).
  const scores = readArrowFile(join(dir('ev'), 'scores.arrow'));
  const pred = columnValues<number>(scores, 'prediction');
  const testLabels = readImageSplit(dir('dp'), 'test').labels;
  const acc = pred.filter((p, i) => p === testLabels[i]).length / pred.length;
  expect(acc).toBeGreaterThan(0.5); // 10 classes: chance is 0.1
  const row = readArrowFile(join(dir('rep'), 'report.arrow')).get(0)!.toJSON() as Record<string, unknown>;
  expect(row.accuracy_mean).toBeCloseTo(100 * acc, 9);
  expect(existsSync(join(dir('ev'), 'confusion-matrix.png'))).toBe(true);
  const md = readFileSync(join(dir('rep'), 'report.md'), 'utf8');
  expect(md).toContain('Routing change / epoch');
  expect(md).toContain('Experts/example (train)');
}, 120000);
