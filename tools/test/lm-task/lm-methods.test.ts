// Every enwik8 LM pipeline's train config (pipelines/enwik8-*.json over bases/lm.json: router + LM
// overrides — the five methods in both architectures and the dense one-expert reference), on
// lm-micro through the train stage's fresh-model path: it trains, lowers the loss of the blocks it
// has seen, and writes a checkpoint that reloads with its router in every MoE layer (lm-micro has
// 2 layers; GLaM: layer 0 MoE, layer 1 dense) and its number of experts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { prepareTask, resolveConfig } from '@switchyard/data-prep';
import { fineTune, resolveTrainConfig } from '@switchyard/train';
import { loadLmCheckpoint } from '@switchyard/model-core';
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { repoRoot } from '../nx-env.js';

const require = createRequire(import.meta.url);
const { readPipelineData } = require('../../pipeline/pipeline-model.cjs');

let root: string, data: string;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  root = mkdtempSync(join(tmpdir(), 'sy-lm-methods-'));
  writeFileSync(join(root, 'enwik8'), 'the quick brown fox jumps over the lazy dog; '.repeat(120));
  data = join(root, 'data');
  mkdirSync(data);
  await prepareTask(resolveConfig({ task: 'language-modelling', lm: { source: { path: join(root, 'enwik8') } } }), data, { log: () => {}, record: () => {} });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

type Router = { type: string; [k: string]: unknown };
/** Every enwik8 pipeline's train config (the five methods × two architectures, and the dense reference). */
const lmPipelines = Object.fromEntries(readdirSync(join(repoRoot, 'pipelines')).filter((f) => /^enwik8-.*\.json$/.test(f))
  .map((f) => [f.slice(0, -5), readPipelineData(join(repoRoot, 'pipelines', f), repoRoot).data]));
const cases = Object.entries(lmPipelines as Record<string, { stages: { train: { config: { router: Router; configOverrides: Record<string, unknown> } } } }>)
  .map(([name, p]) => [name, p.stages.train.config.configOverrides.architecture as string, p.stages.train.config.router, p.stages.train.config.configOverrides] as const);

test.each(cases)('%s (%s)', async (method, architecture, router, extra) => {
  const steps = 6;
  // the pipelines' router, with its step-dependent settings scaled to this run
  const r = { ...router, ...(router.totalSteps !== undefined ? { totalSteps: steps } : {}), ...(router.twoStageUpdates !== undefined ? { twoStageUpdates: 3 } : {}), ...(router.iterationSteps !== undefined ? { iterationSteps: 2 } : {}) };
  const x = { ...extra, ...(extra.routerIterationSteps !== undefined ? { routerIterationSteps: 2 } : {}) };
  const experts = (extra.numExperts as number | undefined) ?? 4;
  const out = join(root, `${method}-${architecture}`);
  const cfg = resolveTrainConfig({ preset: 'lm-micro', configOverrides: { architecture, ...x }, router: r, steps, batchSize: 2, logEvery: 1, checkpointEvery: 0, optimizer: { lr: 1e-2, schedule: 'constant', clipNorm: 0 } });
  await fineTune({ cfg, seed: 3, baseDir: undefined, dataDir: data, outDir: out, runDir: out, resume: false, log: () => {} });
  const ce = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).ce as number);
  expect(ce).toHaveLength(steps);
  expect(ce.every(Number.isFinite)).toBe(true);
  expect(Math.min(...ce.slice(3))).toBeLessThan(ce[0]!); // it learns something in 6 steps at lr 1e-2
  expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).numExperts).toBe(experts);
  const model = loadLmCheckpoint(out, new Rng(0));
  expect(model.moeLayers().map((l) => [l.name, l.router.type])).toEqual(
    (architecture === 'glam' ? [0] : [0, 1]).map((i) => [`layers.${i}.moe`, router.type]));
  model.dispose();
}, 30_000);
