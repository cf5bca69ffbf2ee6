// report.arrow (one row per strategy) and runs.arrow (one row per strategy × seed); the eval
// columns are named from the metric record (`<metric>_mean`, `_std`, `_boot_low`/`_boot_high`
// for the interval bounds, `base_<metric>`).
import { makeTable, type Table } from '@switchyard/runtime';
import type { RunNumbers } from './run-metrics.js';
import { sharedRecord, type StrategySummary } from './summarise.js';

type Cols = Parameters<typeof makeTable>[0];

const metricNames = (runs: RunNumbers[]) => (runs.length ? sharedRecord(runs).metrics.map((m) => m.name) : []);

export function reportTable(rows: StrategySummary[]): Table {
  const cols: Cols = {
    strategy: { kind: 'utf8', values: rows.map((r) => r.strategy) },
    router: { kind: 'utf8', values: rows.map((r) => r.routerType) },
    n_seeds: { kind: 'int32', values: rows.map((r) => r.seeds.length) },
    seeds: { kind: 'list<int32>', values: rows.map((r) => r.seeds) },
  };
  for (const t of metricNames(rows.flatMap((r) => r.runs))) {
    cols[`${t}_mean`] = { kind: 'float64', values: rows.map((r) => r.metricMean[t]) };
    cols[`${t}_std`] = { kind: 'float64', values: rows.map((r) => r.metricStd[t]) };
    cols[`${t}_boot_low`] = { kind: 'float64', values: rows.map((r) => r.metricLow[t]) };
    cols[`${t}_boot_high`] = { kind: 'float64', values: rows.map((r) => r.metricHigh[t]) };
    cols[`base_${t}`] = { kind: 'float64', values: rows.map((r) => r.baseMetric[t]) };
    cols[`val_${t}`] = { kind: 'float64', values: rows.map((r) => r.validationMean[t] ?? null) };
  }
  Object.assign(cols, {
    pareto: { kind: 'bool', values: rows.map((r) => r.pareto) },
    paired_baseline: { kind: 'utf8', values: rows.map((r) => r.paired?.baseline ?? null) },
    paired_seeds: { kind: 'list<int32>', values: rows.map((r) => r.paired?.seeds ?? null) },
    paired_mean: { kind: 'float64', values: rows.map((r) => r.paired?.mean ?? null) },
    paired_t_low: { kind: 'float64', values: rows.map((r) => r.paired?.tLow ?? null) },
    paired_t_high: { kind: 'float64', values: rows.map((r) => r.paired?.tHigh ?? null) },
    paired_boot_low: { kind: 'float64', values: rows.map((r) => r.paired?.bootLow ?? null) },
    paired_boot_high: { kind: 'float64', values: rows.map((r) => r.paired?.bootHigh ?? null) },
    active_experts_per_token: { kind: 'float64', values: rows.map((r) => r.activeExpertsMean) },
    flops_per_token: { kind: 'float64', values: rows.map((r) => r.flopsPerToken) },
    flops_training_per_token: { kind: 'float64', values: rows.map((r) => r.flopsTrainingPerToken) },
    train_tokens_per_s: { kind: 'float64', values: rows.map((r) => r.trainTokensPerS) },
    train_wall_s: { kind: 'float64', values: rows.map((r) => r.trainWallS) },
    eval_wall_s: { kind: 'float64', values: rows.map((r) => r.evalWallS) },
    final_loss: { kind: 'float64', values: rows.map((r) => r.finalLoss) },
    heldout_loss: { kind: 'float64', values: rows.map((r) => r.heldOutLoss) },
    base_heldout_loss: { kind: 'float64', values: rows.map((r) => r.baseHeldOutLoss) },
  } satisfies Cols);
  return makeTable(cols);
}

export function runsTable(runs: RunNumbers[]): Table {
  const cols: Cols = {
    strategy: { kind: 'utf8', values: runs.map((r) => r.strategy) },
    router: { kind: 'utf8', values: runs.map((r) => r.routerType) },
    seed: { kind: 'int32', values: runs.map((r) => r.seed) },
    examples: { kind: 'int32', values: runs.map((r) => r.metrics.examples) },
  };
  for (const t of metricNames(runs)) {
    cols[t] = { kind: 'float64', values: runs.map((r) => r.metrics.mean[t] ?? null) };
    cols[`${t}_boot_low`] = { kind: 'float64', values: runs.map((r) => r.metrics.low[t] ?? null) };
    cols[`${t}_boot_high`] = { kind: 'float64', values: runs.map((r) => r.metrics.high[t] ?? null) };
    cols[`base_${t}`] = { kind: 'float64', values: runs.map((r) => r.base?.mean[t] ?? null) };
    cols[`val_${t}`] = { kind: 'float64', values: runs.map((r) => r.validation?.mean[t] ?? null) };
  }
  Object.assign(cols, {
    active_experts_per_token: { kind: 'float64', values: runs.map((r) => r.activeExpertsMean) },
    flops_per_token: { kind: 'float64', values: runs.map((r) => r.flopsPerToken) },
    flops_training_per_token: { kind: 'float64', values: runs.map((r) => r.flopsTrainingPerToken) },
    train_tokens_per_s: { kind: 'float64', values: runs.map((r) => r.trainTokensPerS) },
    train_wall_s: { kind: 'float64', values: runs.map((r) => r.trainWallS) },
    eval_wall_s: { kind: 'float64', values: runs.map((r) => r.evalWallS) },
    final_loss: { kind: 'float64', values: runs.map((r) => r.finalLoss) },
    heldout_loss: { kind: 'float64', values: runs.map((r) => r.heldOutLoss) },
    base_heldout_loss: { kind: 'float64', values: runs.map((r) => r.baseHeldOutLoss) },
  } satisfies Cols);
  return makeTable(cols);
}

/** expert-load.arrow: the expert-load plot's numbers, one row per strategy × sparse layer × expert. */
export function expertLoadTable(rows: StrategySummary[]): Table {
  const strategy: string[] = [], layer: string[] = [], expert: number[] = [], share: number[] = [];
  for (const r of rows) {
    for (const [l, load] of Object.entries(r.expertLoad)) {
      load.forEach((s, e) => { strategy.push(r.strategy); layer.push(l); expert.push(e); share.push(s); });
    }
  }
  return makeTable({
    strategy: { kind: 'utf8', values: strategy },
    layer: { kind: 'utf8', values: layer },
    expert: { kind: 'int32', values: expert },
    share: { kind: 'float64', values: share },
  });
}
