// The language-modelling evaluator against a closed form: a DecoderLM whose output layer is all
// zeros predicts the uniform distribution over its V tokens, so every position costs ln V nats —
// BPC = log2 V exactly (enwik8: 8 bits), PPL = V (WikiText) — whatever the rest of the weights.
// Also: the record's metric names, direction and headline; k evaluations for a router without a
// k option are refused by name.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { DecoderLM, lmPresetConfig, saveLmCheckpoint } from '@switchyard/model-core';
import { prepareTask, resolveConfig, readLmVocab } from '@switchyard/data-prep';
import { languageModellingEvaluator } from '../src/tasks/language-modelling.js';
import { resolveEvalConfig } from '../src/eval-stage-config.js';

let root: string;
beforeAll(async () => { await initBackend('wasm', { quiet: true }); root = mkdtempSync(join(tmpdir(), 'sy-lm-eval-')); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A prepared folder of `corpus` read from `files`, and a zero-output lm-micro checkpoint for it. */
async function setUp(name: string, corpus: string, files: Record<string, string>, router: object = { type: 'smoe' }) {
  const src = join(root, `${name}-src`), data = join(root, `${name}-data`), ckpt = join(root, `${name}-ckpt`);
  mkdirSync(src); mkdirSync(data);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(src, f), text);
  await prepareTask(resolveConfig({ task: 'language-modelling', lm: { corpus, source: { path: corpus === 'enwik8' ? join(src, 'enwik8') : src } } }), data, { log: () => {}, record: () => {} });
  const v = readLmVocab(data).vocab.length;
  const model = new DecoderLM(lmPresetConfig('lm-micro', { vocabSize: v, router }), new Rng(4));
  tf.tidy(() => { model.outW.assign(tf.zerosLike(model.outW)); model.outB.assign(tf.zerosLike(model.outB)); });
  saveLmCheckpoint(model, ckpt);
  model.dispose();
  return { data, ckpt, v };
}

const run = (data: string, ckpt: string, config: object) => {
  const out = mkdtempSync(join(root, 'out-'));
  return { out, record: languageModellingEvaluator.evaluate({ config: resolveEvalConfig(config), dataDir: data, checkpointDir: ckpt, seed: 1, outDir: out, log: () => {}, record: () => {} }) };
};

test('enwik8: a uniform predictor scores exactly 8 bits per character on valid and test', async () => {
  const bytes = Array.from({ length: 4000 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join('');
  const { data, ckpt, v } = await setUp('e8', 'enwik8', { enwik8: bytes });
  expect(v).toBe(256);
  const { out, record } = run(data, ckpt, { lm: { batchSize: 2 } });
  const r = await record;
  expect(r.primary).toBe('test_bpc');
  expect(r.metrics.map((m) => [m.name, m.label, m.higherIsBetter])).toEqual([['test_bpc', 'test BPC', false], ['valid_bpc', 'valid BPC', false]]);
  for (const m of r.metrics) expect(m.value).toBeCloseTo(8, 5);
  const res = JSON.parse(readFileSync(join(out, 'lm-eval.json'), 'utf8')).results.test_bpc;
  // 200 test bytes in 2 rows of 100: ⌊99/8⌋ = 12 blocks of 8 → 2·12·8 predicted positions
  expect([res.blocks, res.tokens, res.rowLength]).toEqual([12, 192, 100]);
});

test('WikiText: a uniform predictor has perplexity V; evalK on a router without a k option is refused', async () => {
  const line = (i: number) => ` the ${['cat', 'dog', 'bird'][i % 3]} sat on the mat \n`;
  const text = (n: number, o: number) => Array.from({ length: n }, (_, i) => line(i + o)).join('');
  const { data, ckpt, v } = await setUp('wt', 'wikitext-2', { 'wiki.train.tokens': text(40, 0), 'wiki.valid.tokens': text(8, 1), 'wiki.test.tokens': text(8, 2) }, { type: 'switch-top1' });
  expect(v).toBe(8); // by first appearance: the, cat, sat, on, mat, <eos>, dog, bird
  const r = await run(data, ckpt, { split: 'validation', lm: { batchSize: 1 } }).record;
  expect(r.primary).toBe('valid_ppl');
  expect(r.metrics.map((m) => m.name)).toEqual(['valid_ppl', 'test_ppl']);
  for (const m of r.metrics) expect(m.value).toBeCloseTo(v, 3);
  await expect(run(data, ckpt, { lm: { evalK: [1] } }).record).rejects.toThrow('router "switch-top1" has neither an "evalK" nor a "topK" option, so lm.evalK cannot set its k');
});
