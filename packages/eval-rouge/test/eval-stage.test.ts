// The eval-rouge stage end to end on the embedded test split: a real
// data-prep and a (briefly trained) micro base model feed the stage; its predictions decode the
// generated ids, and every stored score and the aggregate agree with the scorer applied afresh.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArrowFile, columnValues, runStage, stageDir } from '@switchyard/runtime';
import { readPreparedTokenizer } from '@switchyard/data-prep';
import * as tf from '@tensorflow/tfjs';
import { scorePair } from '../src/scoring.js';

const artifacts = mkdtempSync(join(tmpdir(), 'switchyard-eval-stage-'));
const opts = { artifactsDir: artifacts, backend: 'wasm', log: () => {} };

it('generates and scores the embedded test split', async () => {
  await runStage({ key: 'dp', package: '@switchyard/data-prep', stage: 'data-prep', config: { source: 'embedded', maxRows: { train: 64, validation: 8, test: 12 }, tokenizer: { vocabSize: 300 } }, seed: 3, inputs: {} }, opts);
  await runStage({ key: 'base', package: '@switchyard/train', stage: 'base-model', config: { preset: 'micro', steps: 4, batchSize: 8, checkpointEvery: 0 }, seed: 3, inputs: { data: 'dp' } }, opts);
  const before = tf.memory().numTensors;
  const m = await runStage({ key: 'ev', package: '@switchyard/eval-rouge', stage: 'eval-rouge', config: { maxNewTokens: 6, bootstrap: { samples: 50 } }, seed: 3, inputs: { data: 'dp', checkpoint: 'base' } }, opts);
  expect(m.files['predictions.arrow']!.rows).toBe(12);
  expect(tf.memory().numTensors).toBe(before); // the stage disposes its model and every batch

  const dir = stageDir(artifacts, 'ev');
  const preds = readArrowFile(join(dir, 'predictions.arrow'), { id: 'utf8', prediction: 'utf8', reference: 'utf8', generated_ids: 'list<int32>', generated_tokens: 'int32' });
  const scores = readArrowFile(join(dir, 'scores.arrow'), { id: 'utf8', rouge1_fmeasure: 'float64', rougeLsum_recall: 'float64' });
  const tok = readPreparedTokenizer(stageDir(artifacts, 'dp'));
  const p = columnValues<string>(preds, 'prediction');
  const r = columnValues<string>(preds, 'reference');
  const ids = columnValues<number[]>(preds, 'generated_ids');
  ids.forEach((g, i) => {
    expect(g.length).toBeLessThanOrEqual(6);
    expect(p[i]).toBe(tok.decode(g));
  });
  const test = readArrowFile(join(stageDir(artifacts, 'dp'), 'test.arrow'));
  expect(r).toEqual(columnValues<string>(test, 'summary'));
  const f1 = columnValues<number>(scores, 'rouge1_fmeasure');
  const lsumR = columnValues<number>(scores, 'rougeLsum_recall');
  p.forEach((pred, i) => {
    const s = scorePair(r[i]!, pred, { useStemmer: true });
    expect(f1[i]).toBe(s.rouge1!.fmeasure);
    expect(lsumR[i]).toBe(s.rougeLsum!.recall);
  });
  const rouge = JSON.parse(readFileSync(join(dir, 'rouge.json'), 'utf8'));
  const mean = f1.reduce((a, b) => a + b, 0) / f1.length;
  expect(rouge.aggregate.mean.rouge1.fmeasure).toBeCloseTo(mean, 12);
  expect(rouge.generation).toEqual({ numBeams: 1, maxNewTokens: 6, lengthPenalty: 1 });
  expect(m.extra.rouge).toEqual(rouge);
  // the metric record: the four F-measures ×100 from scores.arrow, bootstrap bounds from rouge.json
  const record = JSON.parse(readFileSync(join(dir, 'metric-record.json'), 'utf8'));
  expect(record.primary).toBe('rougeL');
  expect(record.examples).toBe(12);
  expect(record.metrics.map((x: { name: string }) => x.name)).toEqual(['rouge1', 'rouge2', 'rougeL', 'rougeLsum']);
  expect(record.metrics[0]).toMatchObject({ perExample: { file: 'scores.arrow', column: 'rouge1_fmeasure' }, scale: 100, higherIsBetter: true,
    interval: { low: rouge.aggregate.bootstrap.rouge1.low.fmeasure, high: rouge.aggregate.bootstrap.rouge1.high.fmeasure } });
}, 180000);

it('refuses a config with an unknown key or a missing checkpoint role', async () => {
  await expect(runStage({ key: 'bad', package: '@switchyard/eval-rouge', stage: 'eval-rouge', config: { maxNewToken: 3 }, seed: 1, inputs: {} }, opts))
    .rejects.toThrow(/\/config: unknown key "maxNewToken"/);
  await expect(runStage({ key: 'bad2', package: '@switchyard/eval-rouge', stage: 'eval-rouge', config: {}, seed: 1, inputs: { data: 'dp' } }, opts))
    .rejects.toThrow(/needs its "checkpoint" input \(the model to evaluate\); map the role to a stage in the pipeline's "inputs"/);
});
