// The LM pipelines (each extends pipelines/bases/lm.json), lm-sweep and lm-sweep-text8: five methods
// on five corpus/architecture variants plus a dense model on enwik8 and text8; every one resolves
// (stage configs valid against their schemas); the data-prep stage of one corpus is one content key
// for all methods; each sweep is 11 strategies × 3 seeds, its report reading SMoE-Dropout's eval-k
// and every run's FLOPs.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../nx-env.js';

const require = createRequire(import.meta.url);
const { loadPipeline, loadSweep } = require('../../pipeline/pipeline-model.cjs');

const METHODS = ['smoe', 'smoe-dropout', 'xmoe', 'stablemoe', 'competesmoe'];

it('five methods × five variants + two dense; one data-prep per corpus; a train stage per pipeline', () => {
  const names = readdirSync(join(repoRoot, 'pipelines')).filter((f) => /^(enwik8|text8|wikitext)-.*\.json$/.test(f)).map((f) => f.slice(0, -5)).sort();
  const expected = ['enwik8', 'enwik8-glam', 'text8', 'text8-glam', 'wikitext'].flatMap((v) => METHODS.map((m) => `${v}-${m}`)).concat('enwik8-dense', 'text8-dense').sort();
  expect(names).toEqual(expected);
  const pipelines = Object.fromEntries(names.map((n) => [n, {}]));
  const dataKeys = new Map<string, Set<string>>();
  const trainKeys = new Set<string>();
  for (const name of Object.keys(pipelines)) {
    const path = join(repoRoot, 'pipelines', `${name}.json`);
    const stages = loadPipeline(path, repoRoot).stages as { name: string; key: string }[];
    const corpus = name.split('-')[0]!;
    if (!dataKeys.has(corpus)) dataKeys.set(corpus, new Set());
    dataKeys.get(corpus)!.add(stages.find((s) => s.name === 'data-prep')!.key);
    trainKeys.add(stages.find((s) => s.name === 'train')!.key);
    expect(stages.some((s) => s.name === 'eval-k')).toBe(name.endsWith('smoe-dropout'));
  }
  expect([...dataKeys.values()].map((k) => k.size)).toEqual([1, 1, 1]);
  expect(trainKeys.size).toBe(27);
});

for (const [sweep, corpus] of [['lm-sweep', 'enwik8'], ['lm-sweep-text8', 'text8']]) it(`expands ${sweep} to 11 strategies × 3 seeds sharing one data-prep`, () => {
  const sw = loadSweep(join(repoRoot, 'pipelines', 'sweeps', `${sweep}.json`), repoRoot);
  expect(sw.runs).toHaveLength(33);
  const all = sw.runs.flatMap((r: { resolved: { stages: { name: string; key: string }[] } }) => r.resolved.stages);
  const distinct = (stage: string) => new Set(all.filter((s: { name: string }) => s.name === stage).map((s: { key: string }) => s.key)).size;
  expect(distinct('data-prep')).toBe(1);
  expect(distinct('train')).toBe(33);
  expect(distinct('eval-k')).toBe(6); // smoe-dropout, Transformer and GLaM, 3 seeds
  expect(Object.keys(sw.report.inputs)).toContain(`${corpus}-glam-competesmoe/seed-3/eval`);
  expect(Object.keys(sw.report.inputs)).toContain(`${corpus}-dense/seed-1/model`);
  expect(Object.keys(sw.report.inputs)).toContain(`${corpus}-smoe/seed-2/cost`);
  // SMoE-Dropout's report reads its eval-k stage (BPC at every k)
  const evalK = new Set(all.filter((s: { name: string }) => s.name === 'eval-k').map((s: { key: string }) => s.key));
  expect(evalK.has(sw.report.inputs[`${corpus}-smoe-dropout/seed-1/eval`])).toBe(true);
});
