// The end-of-run headline's readers (tools/pipeline/headline-metrics.mjs): which eval-rouge stage is
// the trained model's and which the base model's (by checkpointFrom, the test split preferred),
// ROUGE-L mid with its bootstrap interval from the manifest, and the trained router's active
// experts and forward FLOPs per token from the routing-statistics row of flops.arrow.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import { costOf, rougeOf, runHeadline } from '../pipeline/headline-metrics.mjs';

const root = mkdtempSync(join(tmpdir(), 'switchyard-headline-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => {
  const dir = join(root, 'flops');
  mkdirSync(dir);
  writeArrowFile(join(dir, 'flops.arrow'), makeTable({
    router: { kind: 'utf8', values: ['linear-softmax-topk', 'linear-sparsemax', 'linear-sparsemax (SparTMoE, published)'] },
    source: { kind: 'utf8', values: ['fixed-k', 'routing-stats', 'published'] },
    mean_active_experts: { kind: 'float64', values: [2, 1.94, 1.2] },
    flops_forward_all_per_token: { kind: 'float64', values: [1.38e6, 1.36e6, 2.3e8] },
  }));
});

const percent = (mid: number, low: number | null, high: number | null) => ({ extra: { rouge: { percent: [
  { type: 'rouge1', meanF: 1, midF: 2, lowF: 1, highF: 3 },
  { type: 'rougeL', meanF: mid - 0.5, midF: low === null ? null : mid, lowF: low, highF: high },
] } } });

test('rougeOf: bootstrap mid and interval, else the mean; null without ROUGE-L', () => {
  expect(rougeOf(percent(55.86, 52.87, 58.33))).toEqual({ value: 55.86, low: 52.87, high: 58.33 });
  expect(rougeOf(percent(40, null, null))).toEqual({ value: 39.5, low: null, high: null });
  expect(rougeOf({ extra: {} })).toBeNull();
});

test('costOf reads the routing-stats row of flops.arrow, not the fixed-k or published rows', () => {
  expect(costOf(join(root, 'flops'))).toEqual({ activeExperts: 1.94, flopsPerToken: 1.36e6 });
  expect(costOf(join(root, 'absent'))).toBeNull();
});

test('runHeadline picks the trained model\'s test eval and the base model\'s eval by what they load', () => {
  const stages = [
    { name: 'base-model', stage: 'base-model', config: {}, key: 'b' },
    { name: 'eval-base', stage: 'eval-rouge', config: { checkpointFrom: 'base-model' }, key: 'eb' },
    { name: 'train', stage: 'train', config: { router: { type: 'linear-sparsemax' } }, key: 't' },
    { name: 'eval-validation', stage: 'eval-rouge', config: { checkpointFrom: 'train', split: 'validation' }, key: 'ev' },
    { name: 'eval-rouge', stage: 'eval-rouge', config: { checkpointFrom: 'train' }, key: 'et' },
    { name: 'flops-profiler', stage: 'flops-profiler', config: {}, key: 'flops' },
  ];
  const manifests: Record<string, unknown> = { eb: percent(39.62, 36.44, 42.7), ev: percent(60, 58, 62), et: percent(55.86, 52.87, 58.33) };
  const h = runHeadline(stages, (s: { key: string }) => manifests[s.key], (s: { key: string }) => join(root, s.key));
  expect(h).toEqual({
    router: { type: 'linear-sparsemax' },
    metric: { value: 55.86, low: 52.87, high: 58.33 },
    base: { value: 39.62, low: 36.44, high: 42.7 },
    activeExperts: 1.94, flopsPerToken: 1.36e6,
  });
});
