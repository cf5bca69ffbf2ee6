// The committed gating pipelines are exactly what the template generates, and they share their
// data-prep, base-model and eval-base stages (same configs ⇒ same content keys ⇒ one Nx task).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { EXTRA, GATING, gatingPipeline } from '../pipeline/make-gating-pipelines.mjs';
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
