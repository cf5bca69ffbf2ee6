// Every MOESART comparison pipeline on the embedded subset (pipelines/fmnist-*.json, each extending
// pipelines/bases/fmnist.json or fmnist-full.json) names a router the image model can train with: its
// train-stage router goes through the image family (fresh router in a tiny ImageMoeModel, 6
// training steps of 32 images with the generic loop), and every router that describes itself as
// k-sparse (activeExperts "fixed" k) computes at most k experts per example in every training
// step — MOESART's claim, checked from the recorded routing. Also: every full-set pipeline mirrors
// an embedded one with the same router, and the sweeps list exactly the pipeline files.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng, initBackend } from '@switchyard/tensor-engine';
import { describeRouter } from '@switchyard/routers';
import { ImageMoeModel } from '@switchyard/model-core';
import { prepareImages } from '@switchyard/data-prep';
import { RoutingRecorder, imageClassificationTrainFamily as fam, trainLoop } from '@switchyard/train';
import { repoRoot } from '../nx-env.js';

const pipelineDir = join(repoRoot, 'pipelines');
const files = readdirSync(pipelineDir).filter((f) => /^fmnist-.*\.json$/.test(f)).sort();
const embedded = files.filter((f) => !f.startsWith('fmnist-full-'));
let data: string;

beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  data = mkdtempSync(join(tmpdir(), 'image-routers-'));
  await prepareImages({ task: 'image-classification', maxRows: { train: 192, validation: 32, test: 32 }, image: { source: 'embedded', validationEvery: 10 } } as never, data, { log: () => {}, record: () => {} });
});
afterAll(() => rmSync(data, { recursive: true, force: true }));

it('the full-set pipelines mirror the embedded ones and the sweeps list exactly the pipeline files', () => {
  const router = (f: string) => JSON.parse(readFileSync(join(pipelineDir, f), 'utf8')).stages.train.config.router as unknown;
  const full = files.filter((f) => f.startsWith('fmnist-full-'));
  expect(full.map((f) => f.replace(/^fmnist-full-/, 'fmnist-'))).toEqual(embedded);
  for (const f of full) expect(router(f)).toEqual(router(f.replace(/^fmnist-full-/, 'fmnist-')));
  for (const [file, fullSet] of [['moesart-sweep.json', false], ['moesart-sweep-full.json', true]] as const) {
    const sw = JSON.parse(readFileSync(join(pipelineDir, 'sweeps', file), 'utf8')) as { pipelines: string[]; seeds: number[] };
    expect([...sw.pipelines].sort()).toEqual((fullSet ? full : embedded).map((f) => f.replace(/\.json$/, '')).sort());
    expect(sw.seeds).toEqual([1, 2, 3]);
  }
  expect(embedded.length).toBe(16); // 4 routers × k ∈ {1,2,4}, X-MoE × {1,2}, 2 references
});

it.each(embedded)('%s: its router trains the image model; k-sparse routers stay k-sparse in every training step', async (file) => {
  const router = JSON.parse(readFileSync(join(pipelineDir, file), 'utf8')).stages.train.config.router as { type: string };
  const before = tf.memory().numTensors;
  const m = { net: new ImageMoeModel({ dModel: 16, dFf: 16, numExperts: 8, numMoeLayers: 2, router: { type: 'linear-softmax-dense' } }, 1), recorder: new RoutingRecorder() };
  fam.replaceRouters(m, router, new Rng(2), []);
  const loop = { steps: 6, batchSize: 32, optimizer: { gradAccumSteps: 1 } } as never;
  const run = mkdtempSync(join(tmpdir(), 'image-router-run-'));
  try {
    const r = await trainLoop({ task: fam.trainTask(m), data: fam.batchSource(m, data, 'train', loop, 'train')!, runDir: run, seed: 1, totalSteps: 6, batchSize: 32,
      optimizer: { type: 'adamw', weightDecay: 0 }, schedule: { type: 'constant', lr: 1e-3 }, logEvery: 6, log: () => {} });
    expect(Number.isFinite(r.finalLoss)).toBe(true);
  } finally { rmSync(run, { recursive: true, force: true }); }
  expect(m.recorder.steps.length).toBe(12);
  const active = describeRouter(router as never, { dModel: 16, numExperts: 8 }).activeExperts;
  const maxSeen = Math.max(...m.recorder.steps.map((s) => s.maxActive));
  if (active.kind === 'fixed') expect(maxSeen).toBeLessThanOrEqual(active.k);
  else expect(maxSeen).toBeLessThanOrEqual(8);
  fam.dispose(m);
  expect(tf.memory().numTensors).toBe(before);
});
