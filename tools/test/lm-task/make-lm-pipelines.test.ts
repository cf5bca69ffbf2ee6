// The committed LM pipelines and lm-sweep are exactly what tools/pipeline/make-lm-pipelines.mjs
// generates; every one resolves (stage configs valid against their schemas); the data-prep stage
// of one corpus is one content key for all methods; the sweep is 11 strategies × 3 seeds.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { lmPipelines, lmSweep, LM_METHODS } from '../../pipeline/make-lm-pipelines.mjs';
import { repoRoot } from '../nx-env.js';

const require = createRequire(import.meta.url);
const { loadPipeline, loadSweep } = require('../../pipeline/pipeline-model.cjs');

it('matches the generator; one data-prep per corpus; a train stage per pipeline', () => {
  const pipelines = lmPipelines() as Record<string, object>;
  expect(Object.keys(LM_METHODS)).toEqual(['smoe', 'smoe-dropout', 'xmoe', 'stablemoe', 'competesmoe']);
  expect(Object.keys(pipelines)).toHaveLength(5 * 4 + 1);
  const dataKeys = new Map<string, Set<string>>();
  const trainKeys = new Set<string>();
  for (const [name, p] of Object.entries(pipelines)) {
    const path = join(repoRoot, 'pipelines', `${name}.json`);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(p, null, 2)}\n`);
    const stages = loadPipeline(path, repoRoot).stages as { name: string; key: string }[];
    const corpus = name.split('-')[0]!;
    if (!dataKeys.has(corpus)) dataKeys.set(corpus, new Set());
    dataKeys.get(corpus)!.add(stages.find((s) => s.name === 'data-prep')!.key);
    trainKeys.add(stages.find((s) => s.name === 'train')!.key);
    expect(stages.some((s) => s.name === 'eval-k')).toBe(name.endsWith('smoe-dropout'));
  }
  expect([...dataKeys.values()].map((k) => k.size)).toEqual([1, 1, 1]);
  expect(trainKeys.size).toBe(21);
  expect(readFileSync(join(repoRoot, 'pipelines', 'sweeps', 'lm-sweep.json'), 'utf8')).toBe(`${JSON.stringify(lmSweep(), null, 2)}\n`);
});

it('expands lm-sweep to 11 strategies × 3 seeds sharing one data-prep', () => {
  const sw = loadSweep(join(repoRoot, 'pipelines', 'sweeps', 'lm-sweep.json'), repoRoot);
  expect(sw.runs).toHaveLength(33);
  const all = sw.runs.flatMap((r: { resolved: { stages: { name: string; key: string }[] } }) => r.resolved.stages);
  const distinct = (stage: string) => new Set(all.filter((s: { name: string }) => s.name === stage).map((s: { key: string }) => s.key)).size;
  expect(distinct('data-prep')).toBe(1);
  expect(distinct('train')).toBe(33);
  expect(distinct('eval-k')).toBe(6); // smoe-dropout, Transformer and GLaM, 3 seeds
  expect(Object.keys(sw.report.inputs)).toContain('enwik8-glam-competesmoe/seed-3/eval');
  expect(Object.keys(sw.report.inputs)).toContain('enwik8-dense/seed-1/model');
});
