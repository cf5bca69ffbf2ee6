// The task seam, end to end: a whole task family — "copy", predict each token of a sequence from
// itself — is defined and registered in this file alone (its data preparation, its model and
// training adapters, its evaluator with its metric record), then data-prep → base-model → train
// → eval → report run through the GENERIC stages under the stage contract (runStage, the Nx
// targets' runner), with inputs by role. Nothing outside this folder knows the task.
// The model: one matrix W [V, V]; the logits of token x are W[x] (a per-token classifier).
// Dims: B batch, L length, N = B·L tokens, V vocab.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { columnValues, makeTable, readArrowFile, runStage, stageDir, writeArrowFile } from '@switchyard/runtime';
import { Rng } from '@switchyard/tensor-engine';
import { registerDataPrepTask, type DataPrepTask } from '@switchyard/data-prep';
import { registerTrainFamily, type BatchSource, type TrainFamily, type TrainTask } from '@switchyard/train';
import { registerEvaluator, type Evaluator, type MetricRecord } from '@switchyard/eval-rouge';

const V = 6, L = 5;
let models = 0;
const SPLIT_ROWS = { train: 48, validation: 8, test: 16 } as const;

// ---- data side: seeded random sequences, one Arrow file per split -------------------------
const copyData: DataPrepTask = {
  name: 'copy',
  async prepare(cfg, outDir, hooks) {
    const rng = new Rng(cfg.seed ?? 0).fork('copy-data');
    for (const [split, rows] of Object.entries(SPLIT_ROWS)) {
      const tokens = Array.from({ length: rows }, () => Array.from({ length: L }, () => rng.int(V)));
      writeArrowFile(join(outDir, `${split}.arrow`), makeTable({ tokens: { kind: 'list<int32>', values: tokens } }));
    }
    writeFileSync(join(outDir, 'copy.json'), JSON.stringify({ vocab: V }));
    hooks.record('rows', SPLIT_ROWS);
    return { vocab: V };
  },
};

const readSplit = (dataDir: string, split: string) => columnValues<number[]>(readArrowFile(join(dataDir, `${split}.arrow`), { tokens: 'list<int32>' }), 'tokens');

// ---- training side ------------------------------------------------------------------------
interface CopyModel { w: tf.Variable }
interface CopyBatch { ids: tf.Tensor1D } // [N]

const modelFrom = (values: Float32Array | number[]): CopyModel => ({ w: tf.variable(tf.tensor2d(Float32Array.from(values), [V, V]), true, `copy-w-${++models}`) });

const copyTrain: TrainFamily<CopyModel, CopyBatch> = {
  name: 'copy',
  createModel: (a) => {
    const init = a.rng.normalTensor([V, V], 0, 0.1);
    const m = modelFrom(init.dataSync() as Float32Array);
    init.dispose();
    return m;
  },
  loadModel: async (dir) => modelFrom(JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as number[]),
  replaceRouters: () => {}, // a dense model: no sparse layer to re-route
  trainTask: (m): TrainTask<CopyBatch> => ({
    parameters: () => [{ name: 'w', variable: m.w }],
    forward: (b) => {
      const logits = tf.gather(m.w, b.ids); // [N, V]
      const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(b.ids, V), logits) as tf.Scalar;
      return { parts: [{ name: 'ce', value: ce, coefficient: 1 }] };
    },
  }),
  batchSource: (_m, dataDir, split): BatchSource<CopyBatch> => {
    const rows = readSplit(dataDir, split);
    return {
      numExamples: rows.length,
      makeBatch: (idx) => ({ ids: tf.tensor1d(Array.from(idx).flatMap((i) => rows[i]!), 'int32') }),
      tokenCount: (b) => b.ids.size,
      disposeBatch: (b) => b.ids.dispose(),
    };
  },
  modelFiles: (m) => ({ 'config.json': JSON.stringify({ task: 'copy', vocab: V }), 'weights.json': () => JSON.stringify(Array.from(m.w.dataSync())) }),
  describe: () => ({ vocabSize: V, sparseLayers: 0 }),
  dispose: (m) => m.w.dispose(),
};

// ---- evaluation side: exact-match accuracy per sequence ------------------------------------
const copyEval: Evaluator = {
  task: 'copy',
  async evaluate(a): Promise<MetricRecord> {
    const rows = readSplit(a.dataDir, a.config.split);
    const m = await copyTrain.loadModel(a.checkpointDir, { seed: a.seed });
    const predicted = tf.tidy(() => tf.argMax(m.w, 1).arraySync() as number[]); // token → predicted copy
    copyTrain.dispose(m);
    const accuracy = rows.map((r) => r.filter((t) => predicted[t] === t).length / r.length);
    const tokens = rows.flat();
    const errorRate = tokens.filter((t) => predicted[t] !== t).length / tokens.length; // corpus-level, no per-example column
    writeArrowFile(join(a.outDir, 'scores.arrow'), makeTable({ accuracy: { kind: 'float64', values: accuracy } }));
    return {
      task: 'copy', split: a.config.split, examples: rows.length, primary: 'accuracy',
      metrics: [
        { name: 'accuracy', label: 'Accuracy', higherIsBetter: true, perExample: { file: 'scores.arrow', column: 'accuracy' }, scale: 100, digits: 1, interval: null, overSeeds: 'mean-sample-std' },
        { name: 'errors', label: 'Error rate', higherIsBetter: false, value: errorRate, scale: 100, digits: 3, interval: null, overSeeds: 'mean-sample-std' },
      ],
      report: { valueNote: 'Token accuracy ×100', intervalNote: 'No interval is computed', intervalName: 'interval', axisTitle: 'accuracy (%)', plotName: 'accuracy-vs-flops', method: ['Accuracy: share of tokens copied exactly.'] },
    };
  },
};

registerDataPrepTask(copyData);
registerTrainFamily(copyTrain);
registerEvaluator(copyEval);

let artifacts: string;
beforeAll(() => { artifacts = mkdtempSync(join(tmpdir(), 'switchyard-copy-task-')); });
afterAll(() => rmSync(artifacts, { recursive: true, force: true }));

it('a task registered in this file alone runs data-prep → base-model → train → eval → report through the generic stages', async () => {
  const opts = { artifactsDir: artifacts, backend: 'wasm', log: () => {} };
  const loop = { steps: 40, batchSize: 8, logEvery: 10, checkpointEvery: 0, optimizer: { lr: 0.1, schedule: 'constant' } };
  await runStage({ key: 'dp', package: '@switchyard/data-prep', stage: 'data-prep', config: { task: 'copy' }, seed: 5, inputs: {} }, opts);
  await runStage({ key: 'base', package: '@switchyard/train', stage: 'base-model', config: { steps: 1, batchSize: 8, checkpointEvery: 0 }, seed: 5, inputs: { data: 'dp' } }, opts);
  await runStage({ key: 'tr', package: '@switchyard/train', stage: 'train', config: { router: { type: 'switch-top1' }, ...loop }, seed: 5, inputs: { data: 'dp', base: 'base' } }, opts);
  await runStage({ key: 'ev', package: '@switchyard/eval-rouge', stage: 'eval', config: {}, seed: 5, inputs: { data: 'dp', checkpoint: 'tr' } }, opts);
  await runStage({ key: 'ev0', package: '@switchyard/eval-rouge', stage: 'eval', config: {}, seed: 5, inputs: { data: 'dp', checkpoint: 'base' } }, opts);
  await runStage({ key: 'rep', package: '@switchyard/report', stage: 'report', config: { plots: false, title: 'Copy' }, seed: 0, inputs: { data: 'dp', model: 'tr', eval: 'ev', baseline: 'ev0' } }, opts);

  const dir = (k: string) => stageDir(artifacts, k);
  expect(JSON.parse(readFileSync(join(dir('dp'), 'task.json'), 'utf8'))).toEqual({ task: 'copy' });
  // Independent expectation: accuracy recomputed here from the saved weights and the test split.
  const w = JSON.parse(readFileSync(join(dir('tr'), 'weights.json'), 'utf8')) as number[];
  const argmax = (t: number) => { let best = 0; for (let j = 1; j < V; j++) if (w[t * V + j]! > w[t * V + best]!) best = j; return best; };
  const test = readSplit(dir('dp'), 'test');
  const tokens = test.flat();
  const expected = (100 * test.reduce((s, r) => s + r.filter((t) => argmax(t) === t).length / r.length, 0)) / test.length;
  expect(expected).toBe(100); // the identity map is learnt in 40 steps
  const row = readArrowFile(join(dir('rep'), 'report.arrow')).get(0)!.toJSON() as Record<string, unknown>;
  expect(row.accuracy_mean).toBeCloseTo(expected, 9);
  expect(row.base_accuracy as number).toBeLessThan(100); // the barely trained base model has not learnt it
  // the corpus-level metric (`value`): the share of test tokens not copied, recomputed from the base model's weights
  const w0 = JSON.parse(readFileSync(join(dir('base'), 'weights.json'), 'utf8')) as number[];
  const copies0 = (t: number) => w0.slice(t * V, t * V + V).every((x, j) => x <= w0[t * V + t]! || j === t);
  const baseErrors = (100 * test.flat().filter((t) => !copies0(t)).length) / (SPLIT_ROWS.test * L);
  expect(row.base_errors).toBeCloseTo(baseErrors, 9);
  expect(row.errors_mean).toBe(0);
  expect(tokens.length).toBe(SPLIT_ROWS.test * L);
  const md = readFileSync(join(dir('rep'), 'report.md'), 'utf8');
  expect(md).toContain('| strategy | router | seeds | Accuracy | Error rate | base Accuracy |');
  expect(md).toContain('| switch-top1 | `switch-top1` | 1 | 100.0 | 0.000 | ');
  expect(md).toContain('Token accuracy ×100: mean ± sample std over seeds');
  expect(md).toContain('- Accuracy: share of tokens copied exactly.');
  expect(md).not.toMatch(/ROUGE/);
  // The task lives in this folder alone.
  expect(readdirSync(new URL('.', import.meta.url).pathname)).toEqual(['copy-task.test.ts']);
}, 60000);
