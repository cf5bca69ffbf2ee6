// The image evaluator's readers of the train stage's routing records, on hand-built files with
// hand-computed answers: experts active per example over training steps (examples-weighted per
// layer, then the mean over layers), and the routing change between consecutive epoch-end
// snapshots (init and mid-run "last-step" snapshots left out). Also: the image metric record
// passes the report's checks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import { imageMetricRecord, readMetricRecord, routingConsistency, trainingActive, writeMetricRecord } from '@switchyard/eval-rouge';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'image-routing-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('experts active in training: examples-weighted mean per layer, mean over layers, max over everything', () => {
  writeArrowFile(join(dir, 'routing-steps.arrow'), makeTable({
    step: { kind: 'int32', values: [0, 0, 1, 1] },
    layer: { kind: 'utf8', values: ['moe.0', 'moe.1', 'moe.0', 'moe.1'] },
    examples: { kind: 'int32', values: [4, 4, 2, 2] },
    min_active: { kind: 'int32', values: [2, 2, 1, 1] },
    mean_active: { kind: 'float64', values: [2, 3, 1, 1] },
    max_active: { kind: 'int32', values: [2, 4, 1, 1] },
  }));
  const t = trainingActive(dir)!;
  expect(t.layers.map((l) => [l.layer, l.steps, l.mean, l.max, l.min])).toEqual([['moe.0', 2, 10 / 6, 2, 1], ['moe.1', 2, 14 / 6, 4, 1]]);
  expect(t.mean).toBeCloseTo(2, 12);
  expect(t.max).toBe(4);
  expect(trainingActive(join(dir, 'nothing'))).toBeNull();
});

it('routing change: share of probe images whose expert set changed, consecutive epoch-end snapshots', () => {
  // 3 probe images, one layer, E = 3. init (0) and a mid-run last-step (3) are not compared.
  const snaps: [string, number, number[][]][] = [
    ['init', 0, [[2], [0], [1]]],
    ['epoch-end', 2, [[0, 1], [1, 2], [0]]],
    ['last-step', 3, [[2], [2], [2]]],
    ['epoch-end', 4, [[1, 0], [1], [2]]], // image 0 the same set in another order; 1 and 2 changed → 2/3
    ['last-step', 5, [[0, 1], [1], [2]]], // no change → 0
  ];
  const rows = snaps.flatMap(([kind, step, sets]) => sets.map((experts, example) => ({ kind, step, experts: [...experts].sort(), example })));
  writeArrowFile(join(dir, 'routing-epochs.arrow'), makeTable({
    kind: { kind: 'utf8', values: rows.map((r) => r.kind) },
    step: { kind: 'int32', values: rows.map((r) => r.step) },
    epoch: { kind: 'float64', values: rows.map((r) => r.step / 2) },
    layer: { kind: 'utf8', values: rows.map(() => 'moe.0') },
    example: { kind: 'int32', values: rows.map((r) => r.example) },
    experts: { kind: 'list<int32>', values: rows.map((r) => r.experts) },
  }));
  const c = routingConsistency(dir, 3)!;
  expect(c.snapshots.map((s) => `${s.kind}@${s.step}`)).toEqual(['epoch-end@2', 'epoch-end@4', 'last-step@5']);
  expect(c.layers[0]!.pairs.map((p) => p.changed)).toEqual([2, 0]);
  expect(c.meanChanged).toBeCloseTo(1 / 3, 12);
  expect(c.probeImages).toBe(3);
});

it('the image metric record passes the report\'s checks, with a direction for every metric', () => {
  const rec = imageMetricRecord({
    examples: 10, split: 'test', accuracy: { value: 0.8, interval: { low: 0.6, high: 0.9 } }, macroF1: { value: 0.7, interval: null }, crossEntropy: 0.5,
    activeTraining: { mean: 2, max: 2, source: 'x' }, activeInference: { mean: 2, max: 2 }, distanceTraining: 0.3, distanceInference: 0.2,
    routingChange: null, loadCv2: 1, bootstrap: null,
  });
  writeMetricRecord(dir, rec);
  const back = readMetricRecord(dir);
  expect(back.primary).toBe('accuracy');
  expect(back.metrics.map((m) => [m.name, m.higherIsBetter])).toEqual([
    ['accuracy', true], ['loss', false], ['macro_f1', true], ['active_train', false], ['max_active_train', false], ['active_inference', false],
    ['dense_distance_train', false], ['dense_distance_inference', false], ['load_cv2', false],
  ]);
});
