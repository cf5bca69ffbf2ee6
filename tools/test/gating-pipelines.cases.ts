// The gating experiments' caching promise: change only the router of one
// gating pipeline and exactly train, eval-rouge, flops-profiler and report re-run; data-prep,
// base-model and the base model's evaluation come from the cache. Small settings (micro model,
// a few steps, few rows) on the real gating base (pipelines/bases/samsum-gating.json, resolved).
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { nx, RunLog, removeTestPipelines, repoRoot } from './nx-env.js';

const require = createRequire(import.meta.url);
const { readPipelineData } = require('../pipeline/pipeline-model.cjs');

const name = `zz-test-gating-${process.pid}`;
const file = join(repoRoot, 'pipelines', `${name}.json`);
const log = new RunLog();

function small(router: Record<string, unknown>) {
  const p = readPipelineData(join(repoRoot, 'pipelines', 'bases', 'samsum-gating.json'), repoRoot).data;
  const s = p.stages as Record<string, { config: Record<string, unknown> }>;
  // A nonce in data-prep's config keeps earlier test runs from pre-filling the cache.
  s['data-prep']!.config = { source: 'embedded', maxRows: { train: 48, validation: 8, test: 8 }, tokenizer: { vocabSize: 200 }, seed: process.pid };
  s['base-model']!.config = { source: 'pretrain', preset: 'micro', steps: 3, batchSize: 4, logEvery: 1, checkpointEvery: 0 };
  Object.assign(s.train!.config, { steps: 2, batchSize: 4, logEvery: 1, checkpointEvery: 0, heldOutSize: 4 });
  for (const e of ['eval-base', 'eval-rouge']) Object.assign(s[e]!.config, { maxNewTokens: 4, bootstrap: { samples: 20 } });
  s.train!.config.router = router;
  Object.assign(s['flops-profiler']!.config, { plots: false }); // the router, and so its cost, comes from train's config.json
  (s.report!.config as Record<string, unknown>).plots = false;
  return p;
}

async function run(): Promise<string[]> {
  const r = await nx(['run', `pipeline:${name}`], log.env());
  if (r.exitCode !== 0) throw new Error(`nx run pipeline:${name} failed:\n${r.all}`);
  expect(r.all).toMatch(/switchyard: pipeline zz-test-gating-\d+ done \| backend wasm 1 thr( \+ native [^|]+)? \| data embedded synthetic corpus/);
  return log.take();
}

afterAll(() => removeTestPipelines([name]));

it('re-runs only the stages downstream of the router when the gating changes', async () => {
  writeFileSync(file, JSON.stringify(small({ type: 'linear-sparsemax' }), null, 2));
  expect(await run()).toEqual(['base-model', 'data-prep', 'eval-rouge', 'eval-rouge', 'flops-profiler', 'report', 'train']);
  writeFileSync(file, JSON.stringify(small({ type: 'linear-softmax-topk', topK: 2 }), null, 2));
  expect(await run()).toEqual(['eval-rouge', 'flops-profiler', 'report', 'train']);
}, 600000);
