// The metric record's reader: it round-trips what an evaluator writes and names the file and the
// JSON path of each thing it rejects.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMetricRecord, writeMetricRecord, type MetricRecord } from '../src/metric-record.js';
import { summarisationMetricRecord } from '../src/tasks/summarisation.js';

const dir = () => mkdtempSync(join(tmpdir(), 'metric-record-'));
const boot = (low: number, high: number) => ({ low: { precision: 0, recall: 0, fmeasure: low }, mid: { precision: 0, recall: 0, fmeasure: 0 }, high: { precision: 0, recall: 0, fmeasure: high } });

it('summarisation: four ROUGE F-measures ×100 from scores.arrow, ROUGE-L the headline, bootstrap bounds as intervals', () => {
  const aggregate = { bootstrap: { rouge1: boot(0.1, 0.2), rouge2: boot(0.3, 0.4), rougeL: boot(0.5, 0.6), rougeLsum: boot(0.7, 0.8) } };
  const r = summarisationMetricRecord('test', 7, aggregate as never);
  const d = dir();
  writeMetricRecord(d, r);
  const back = readMetricRecord(d);
  expect(back).toEqual(r);
  expect(back.metrics.map((m) => [m.name, m.label, m.perExample!.column, m.interval])).toEqual([
    ['rouge1', 'ROUGE-1', 'rouge1_fmeasure', { low: 0.1, high: 0.2 }],
    ['rouge2', 'ROUGE-2', 'rouge2_fmeasure', { low: 0.3, high: 0.4 }],
    ['rougeL', 'ROUGE-L', 'rougeL_fmeasure', { low: 0.5, high: 0.6 }],
    ['rougeLsum', 'ROUGE-Lsum', 'rougeLsum_fmeasure', { low: 0.7, high: 0.8 }],
  ]);
  expect(summarisationMetricRecord('test', 7, { bootstrap: null }).metrics.every((m) => m.interval === null)).toBe(true);
});

it('rejects a missing file, an unknown seed aggregation, a metric with both sources and an unknown headline', () => {
  expect(() => readMetricRecord(dir())).toThrow(/metric-record\.json: no metric record/);
  const good: MetricRecord = summarisationMetricRecord('test', 1, { bootstrap: null });
  const bad = (edit: (r: MetricRecord) => void) => {
    const r = structuredClone(good);
    edit(r);
    const d = dir();
    writeFileSync(join(d, 'metric-record.json'), JSON.stringify(r));
    return () => readMetricRecord(d);
  };
  expect(bad((r) => { (r.metrics[1] as { overSeeds: string }).overSeeds = 'median'; })).toThrow(/metric-record\.json: \/metrics\/1\/overSeeds: "median" is not allowed; allowed values: "mean-sample-std"/);
  expect(bad((r) => { r.metrics[0]!.value = 0.5; })).toThrow(/\/metrics\/0 \(rouge1\): give exactly one of "perExample" and "value"/);
  expect(bad((r) => { r.primary = 'rougeX'; })).toThrow(/\/primary: "rougeX" is not one of the metrics \(rouge1, rouge2, rougeL, rougeLsum\)/);
  expect(bad((r) => { r.metrics = []; })).toThrow(/"metrics" must be a non-empty array/);
});
