// The numbers of the end-of-run headline, read from the stage outputs:
//   main metric  the headline metric of the eval stage that scores the trained model (the eval whose
//                `checkpoint` input is the train stage), from its metric-record.json (any task
//                family: value × scale and the run's interval); for an older eval folder without a
//                record, ROUGE-L F ×100 from its manifest's `extra.rouge.percent` (bootstrap mid with
//                the 95 % low/high, or the mean when the bootstrap is off);
//   base         the same for the eval stage that scores the base model;
//   cost         mean active experts per token and forward FLOPs per token of the trained
//                router, from flops-profiler's flops.arrow row measured from routing statistics.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { columnValues, readArrowFile } from '@switchyard/runtime';
import { METRIC_RECORD_FILE, readMetricRecord } from '@switchyard/eval-rouge/metric-record';

export const MAIN_METRIC = { name: 'ROUGE-L', type: 'rougeL', unit: 'F ×100' };

/** { value, low, high } of ROUGE-L in an eval-rouge manifest, or null. */
export function rougeOf(manifest) {
  const row = (manifest?.extra?.rouge?.percent ?? []).find((r) => r.type === MAIN_METRIC.type);
  if (!row) return null;
  return { value: row.midF ?? row.meanF, low: row.lowF ?? null, high: row.highF ?? null };
}

/** { value, low, high, label } of the headline metric of an eval folder's metric record, or null. */
export function recordMetricOf(evalDir) {
  if (!existsSync(join(evalDir, METRIC_RECORD_FILE))) return null;
  const rec = readMetricRecord(evalDir);
  const spec = rec.metrics.find((m) => m.name === rec.primary);
  if (!spec) return null;
  let value = spec.value;
  if (value === undefined && spec.perExample) {
    const v = columnValues(readArrowFile(join(evalDir, spec.perExample.file)), spec.perExample.column).map(Number);
    value = v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  }
  if (value === undefined) return null;
  const scaled = (x) => x * spec.scale;
  return { value: scaled(value), low: spec.interval ? scaled(spec.interval.low) : null, high: spec.interval ? scaled(spec.interval.high) : null, label: `${spec.label}${spec.scale === 100 ? ' ×100' : ''}`, split: rec.split };
}

/** { activeExperts, flopsPerToken } of the trained router in a flops-profiler folder, or null. */
export function costOf(flopsDir) {
  const file = join(flopsDir, 'flops.arrow');
  if (!existsSync(file)) return null;
  const t = readArrowFile(file);
  const source = columnValues(t, 'source');
  const i = source.indexOf('routing-stats');
  if (i < 0) return null;
  return { activeExperts: columnValues(t, 'mean_active_experts')[i], flopsPerToken: columnValues(t, 'flops_forward_all_per_token')[i] };
}

/**
 * The headline numbers of one pipeline run. `stages` are the resolved stages ({ name, stage,
 * config, key }); `manifestOf(stage)` and `dirOf(stage)` give a stage's manifest and folder.
 */
export function runHeadline(stages, manifestOf, dirOf) {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const evals = stages.filter((s) => s.stage === 'eval-rouge' || s.stage === 'eval');
  // The stage an eval scores: its `checkpoint` input (role), or the older `checkpointFrom` key.
  const fromStage = (s) => byName.get(s.roles?.checkpoint ?? s.config?.checkpointFrom)?.stage;
  const metricOf = (s) => recordMetricOf(dirOf(s)) ?? rougeOf(manifestOf(s));
  // The trained model's test-split eval (a pipeline may also evaluate validation).
  const main = evals.filter((s) => fromStage(s) === 'train').sort((a, b) => Number((b.config.split ?? 'test') === 'test') - Number((a.config.split ?? 'test') === 'test'))[0];
  const base = evals.find((s) => fromStage(s) === 'base-model');
  const flops = stages.find((s) => s.stage === 'flops-profiler');
  const train = stages.find((s) => s.stage === 'train');
  return {
    router: train?.config?.router ?? null,
    metric: main ? metricOf(main) : null,
    base: base ? metricOf(base) : null,
    ...(flops ? costOf(dirOf(flops)) ?? {} : {}),
  };
}
