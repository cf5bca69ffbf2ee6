// The language-modelling task family through the GENERIC stages under the stage contract
// (runStage, the Nx targets' runner): data-prep (embedded enwik8 slice) → train (a fresh lm-micro
// DecoderLM, no base input) → eval (BPC, plus SMoE-Dropout's self-slimmable k) → report. The test
// BPC is recomputed here by hand from the saved checkpoint: the stream cut into 8 rows of
// ⌊50,000/8⌋ tokens, blocks read in order with the cache, log-softmax in float64 on the host.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readArrowFile, runStage, stageDir } from '@switchyard/runtime';
import { Rng } from '@switchyard/tensor-engine';
import { loadLmCheckpoint, type LmCache } from '@switchyard/model-core';
import { readLmSplit } from '@switchyard/data-prep';

let artifacts: string;
beforeAll(() => { artifacts = mkdtempSync(join(tmpdir(), 'switchyard-lm-micro-')); });
afterAll(() => rmSync(artifacts, { recursive: true, force: true }));

const json = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

it('data-prep → train (fresh lm-micro) → eval → report: test BPC in the report, recomputed by hand', async () => {
  const opts = { artifactsDir: artifacts, backend: 'wasm', log: () => {} };
  await runStage({ key: 'dp', package: '@switchyard/data-prep', stage: 'data-prep', config: { task: 'language-modelling', lm: { corpus: 'enwik8', source: 'embedded' } }, seed: 1, inputs: {} }, opts);
  await runStage({ key: 'tr', package: '@switchyard/train', stage: 'train', config: {
    preset: 'lm-micro', configOverrides: { dropout: 0.1 }, router: { type: 'smoe-dropout', totalSteps: 12 }, steps: 12, batchSize: 4, logEvery: 4, checkpointEvery: 0,
    optimizer: { type: 'adamw', lr: 7e-3, schedule: 'constant', warmupSteps: 3, clipNorm: 0 }, heldOutSize: 4,
  }, seed: 1, inputs: { data: 'dp' } }, opts);
  await runStage({ key: 'ev', package: '@switchyard/eval-rouge', stage: 'eval', config: { lm: { maxBlocks: 10, evalK: [1, 'all'] } }, seed: 1, inputs: { data: 'dp', checkpoint: 'tr' } }, opts);
  await runStage({ key: 'rep', package: '@switchyard/report', stage: 'report', config: { plots: false, title: 'LM micro' }, seed: 0, inputs: { data: 'dp', model: 'tr', eval: 'ev' } }, opts);
  const dir = (k: string) => stageDir(artifacts, k);

  // data: the embedded 10^6 bytes split 90/5/5 from the end, bytes as ids
  expect(json(join(dir('dp'), 'task.json'))).toEqual({ task: 'language-modelling' });
  const corpus = json(join(dir('dp'), 'lm-corpus.json'));
  expect(corpus.tokens).toEqual({ train: 900_000, validation: 50_000, test: 50_000 });
  expect(corpus.metric).toBe('bpc');
  expect(json(join(dir('dp'), 'manifest.json')).extra.source[0].via).toBe('embedded-enwik8');

  // train: a fresh model whose vocabulary is the data's (lm-micro alone says 32)
  expect(json(join(dir('tr'), 'config.json')).vocabSize).toBe(256);
  expect(json(join(dir('tr'), 'manifest.json')).extra.training.steps).toBe(12);

  // eval: the metric record, lower is better, headline test BPC
  const rec = json(join(dir('ev'), 'metric-record.json'));
  expect(rec.primary).toBe('test_bpc');
  expect(rec.metrics.map((m: { name: string }) => m.name)).toEqual(['test_bpc', 'valid_bpc', 'test_bpc_k1', 'test_bpc_kall']);
  expect(rec.metrics.every((m: { higherIsBetter: boolean }) => m.higherIsBetter === false)).toBe(true);
  const lm = json(join(dir('ev'), 'lm-eval.json')).results;
  expect(lm.test_bpc.tokens).toBe(8 * 10 * 8); // 8 rows × 10 blocks × block 8
  expect(lm.test_bpc.bpc).toBeCloseTo(lm.test_bpc.nll / Math.LN2, 12);
  expect(lm.test_bpc_k1.routerOptions).toEqual({ evalK: 1 });
  expect(lm.test_bpc_kall.routerOptions).toEqual({ evalK: 4 });
  expect(lm.test_bpc_k1.bpc).not.toBe(lm.test_bpc_kall.bpc);
  expect(lm.test_bpc_kall.bpc).toBe(lm.test_bpc.bpc); // SMoE-Dropout infers with k_max = E by default

  // independent recomputation of the test NLL from the saved weights
  const test = readLmSplit(dir('dp'), 'test');
  const model = loadLmCheckpoint(dir('tr'), new Rng(0));
  const rowLen = Math.floor(test.length / 8), m = 8;
  let nll = 0;
  let cache: LmCache = model.initialCache(8);
  for (let k = 0; k < 10; k++) {
    const ids = tf.tensor2d(Array.from({ length: 8 }, (_, r) => Array.from(test.subarray(r * rowLen + k * m, r * rowLen + k * m + m))), [8, m], 'int32');
    const out = model.forward(ids, { cache });
    const logits = out.logits.arraySync() as number[][][];
    for (let r = 0; r < 8; r++) for (let i = 0; i < m; i++) {
      const row = logits[r]![i]!, target = test[r * rowLen + k * m + i + 1]!;
      const max = Math.max(...row);
      nll += Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) + max - row[target]!;
    }
    tf.dispose([ids, out.logits, cache.hidden]);
    cache = { hidden: out.cache.hidden, pastLength: out.cache.pastLength };
  }
  tf.dispose(cache.hidden);
  model.dispose();
  const bpc = nll / 640 / Math.LN2;
  expect(Math.abs(bpc - rec.metrics[0].value) / bpc).toBeLessThan(1e-5);
  expect(bpc).toBeGreaterThan(3); // 12 micro steps: far from a trained model,
  expect(bpc).toBeLessThan(8.5);  // but below the uniform 8 bits + noise of a random init

  // report: the BPC columns come from the metric record
  const row = readArrowFile(join(dir('rep'), 'report.arrow')).get(0)!.toJSON() as Record<string, unknown>;
  expect(row.test_bpc_mean).toBeCloseTo(rec.metrics[0].value, 12);
  const md = readFileSync(join(dir('rep'), 'report.md'), 'utf8');
  expect(md).toContain('| strategy | router | seeds | test BPC | valid BPC | test BPC k=1 | test BPC k=all (4) |');
  expect(md).toContain(`| smoe-dropout (totalSteps=12) | \`smoe-dropout\` | 1 | ${rec.metrics[0].value.toFixed(4)} | ${rec.metrics[1].value.toFixed(4)} |`);
  expect(md).toContain('Bits per character (enwik8; lower is better)');
  expect(md).not.toMatch(/ROUGE|synthetic/);
}, 60_000);
