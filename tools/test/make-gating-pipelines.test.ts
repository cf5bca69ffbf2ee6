// The committed gating pipelines are exactly what the template generates, and they share their
// data-prep, base-model and eval-base stages (same configs ⇒ same content keys ⇒ one Nx task).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { EXTRA, GATING, REAL, gatingPipeline, realName, realPipeline, realSweep } from '../pipeline/make-gating-pipelines.mjs';
import { repoRoot } from './nx-env.js';

const require = createRequire(import.meta.url);
const { loadPipeline, loadSweep } = require('../pipeline/pipeline-model.cjs');

it('matches the generator and shares the expensive stages', () => {
  const keys = new Map<string, Set<string>>();
  for (const [name, [description, router]] of Object.entries(GATING as Record<string, [string, object]>)) {
    const path = join(repoRoot, 'pipelines', `${name}.json`);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(gatingPipeline(description, router), null, 2)}\n`);
    for (const s of loadPipeline(path, repoRoot).stages) {
      if (!keys.has(s.name)) keys.set(s.name, new Set());
      keys.get(s.name)!.add(s.key);
    }
  }
  expect(Object.keys(GATING)).toHaveLength(8);
  for (const [name, make] of Object.entries(EXTRA as Record<string, () => object>)) {
    expect(readFileSync(join(repoRoot, 'pipelines', `${name}.json`), 'utf8')).toBe(`${JSON.stringify(make(), null, 2)}\n`);
  }
  for (const shared of ['data-prep', 'base-model', 'eval-base']) expect(keys.get(shared)!.size).toBe(1);
  for (const own of ['train', 'eval-rouge', 'flops-profiler', 'report']) expect(keys.get(own)!.size).toBe(8);
});

it('expands the sweep to 8 strategies × 3 seeds with shared base stages', () => {
  const sw = loadSweep(join(repoRoot, 'pipelines', 'sweeps', 'samsum-sweep.json'), repoRoot);
  expect(sw.runs).toHaveLength(24);
  const all = sw.runs.flatMap((r: { resolved: { stages: { name: string; key: string }[] } }) => r.resolved.stages);
  const distinct = (stage: string) => new Set(all.filter((s: { name: string }) => s.name === stage).map((s: { key: string }) => s.key)).size;
  expect(distinct('base-model')).toBe(1);
  expect(distinct('train')).toBe(24);
  expect(all.some((s: { name: string }) => s.name === 'report')).toBe(false);
  expect(Object.keys(sw.report.inputs)).toContain('samsum-sparsemax/seed-2/eval'); // by the report's roles
  expect(sw.report.inputs['samsum-sparsemax/seed-2/model']).toBe(sw.runs.find((r: { pipeline: string; seed: number }) => r.pipeline === 'samsum-sparsemax' && r.seed === 2).resolved.stages.find((s: { name: string }) => s.name === 'train').key);
});

it('the samsum-real-* pipelines match the generator, share the pretraining, and the real sweep runs 8 × 3', () => {
  const keys = new Map<string, Set<string>>();
  for (const [name, [description, router]] of Object.entries(GATING as Record<string, [string, object]>)) {
    const path = join(repoRoot, 'pipelines', `${realName(name)}.json`);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(realPipeline(description, router), null, 2)}\n`);
    const p = loadPipeline(path, repoRoot);
    for (const s of p.stages) {
      if (!keys.has(s.name)) keys.set(s.name, new Set());
      keys.get(s.name)!.add(s.key);
    }
    const byName = Object.fromEntries(p.stages.map((s: { name: string; config: Record<string, unknown> }) => [s.name, s.config]));
    // every split from the SAMSum source; the whole test and validation splits evaluated, ≤ 64 new tokens
    expect(byName['data-prep']).toEqual({ source: 'samsum', onInvalid: 'skip' });
    for (const ev of ['eval-rouge', 'eval-validation', 'eval-base']) {
      expect(byName[ev]!.maxExamples).toBeUndefined();
      expect(byName[ev]!.maxNewTokens).toBe(64);
    }
    expect(byName['eval-validation']!.split).toBe('validation');
  }
  for (const shared of ['data-prep', 'base-model', 'eval-base']) expect(keys.get(shared)!.size).toBe(1);
  for (const own of ['train', 'eval-rouge', 'eval-validation', 'flops-profiler', 'report']) expect(keys.get(own)!.size).toBe(8);
  expect((REAL as { pretrain: { steps: number; batchSize: number } }).pretrain.steps * (REAL as { pretrain: { batchSize: number } }).pretrain.batchSize).toBe(256000);

  const file = join(repoRoot, 'pipelines', 'sweeps', 'samsum-real-sweep.json');
  expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(realSweep(), null, 2)}\n`);
  const sw = loadSweep(file, repoRoot);
  expect(sw.runs).toHaveLength(24);
  const all = sw.runs.flatMap((r: { resolved: { stages: { name: string; key: string }[] } }) => r.resolved.stages);
  const distinct = (stage: string) => new Set(all.filter((s: { name: string }) => s.name === stage).map((s: { key: string }) => s.key)).size;
  expect([distinct('base-model'), distinct('eval-base'), distinct('train'), distinct('eval-validation')]).toEqual([1, 1, 24, 24]);
  expect(sw.report.inputs['samsum-real-switch-top1/seed-3/validation']).toBe(sw.runs.find((r: { pipeline: string; seed: number }) => r.pipeline === 'samsum-real-switch-top1' && r.seed === 3).resolved.stages.find((s: { name: string }) => s.name === 'eval-validation').key);
});
