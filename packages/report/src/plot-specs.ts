// Vega-Lite specs of the report's four plots. Data are plain rows; rendering is the shared
// renderChart of @switchyard/flops-profiler.
import type { TopLevelSpec } from 'vega-lite';
import type { MetricRecord } from '@switchyard/eval-rouge/metric-record';
import type { StrategySummary } from './summarise.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The headline eval metric (mean ± std over seeds) against forward FLOPs per token, one point per strategy. */
export function metricVsFlopsSpec(rows: StrategySummary[], record: MetricRecord): TopLevelSpec | null {
  const key = record.primary;
  const label = record.metrics.find((m) => m.name === key)!.label;
  const values = rows.filter((r) => r.flopsPerToken !== null && r.metricMean[key] !== null).map((r) => ({
    strategy: r.strategy,
    flops: r.flopsPerToken!,
    [key]: r.metricMean[key]!,
    lo: r.metricMean[key]! - (r.metricStd[key] ?? 0),
    hi: r.metricMean[key]! + (r.metricStd[key] ?? 0),
  }));
  if (values.length === 0) return null;
  const seeds = rows.flatMap((r) => r.runs.filter((run) => run.flopsPerToken !== null)
    .map((run) => ({ strategy: r.strategy, seed: run.seed, flops: run.flopsPerToken!, [key]: run.metrics.mean[key] })));
  const x = { field: 'flops', type: 'quantitative', title: 'forward FLOPs per token', scale: { zero: false }, axis: { format: '.3s' } };
  return {
    $schema: SCHEMA,
    title: `${label} vs FLOPs per token (bars: ±1 std over seeds; rings: seeds)`,
    width: 480,
    height: 300,
    data: { values },
    layer: [
      { mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: record.report.axisTitle, scale: { zero: false } }, y2: { field: 'hi' }, color: { field: 'strategy', type: 'nominal' } } },
      { mark: { type: 'point', filled: true, size: 90 }, encoding: { x, y: { field: key, type: 'quantitative' }, color: { field: 'strategy', type: 'nominal', legend: { labelLimit: 360 } } } },
      // the individual seeds, faint, so the spread behind the bar is visible
      { data: { values: seeds }, mark: { type: 'point', size: 30, opacity: 0.45 }, encoding: { x, y: { field: key, type: 'quantitative' }, color: { field: 'strategy', type: 'nominal' } } },
    ],
  } as TopLevelSpec;
}

/** Heat map of expert load fractions: one row per strategy × sparse layer, one column per expert. */
export function expertLoadSpec(rows: StrategySummary[]): TopLevelSpec | null {
  const values = rows.flatMap((r) => Object.entries(r.expertLoad).flatMap(([layer, load]) =>
    load.map((share, expert) => ({ row: `${r.strategy} · ${layer}`, expert, share }))));
  if (values.length === 0) return null;
  return {
    $schema: SCHEMA,
    title: 'Expert load per sparse layer (share of routed tokens, mean over seeds)',
    data: { values },
    mark: 'rect',
    encoding: {
      x: { field: 'expert', type: 'ordinal', title: 'expert' },
      y: { field: 'row', type: 'nominal', title: null, axis: { labelLimit: 420 } },
      color: { field: 'share', type: 'quantitative', title: 'share', scale: { scheme: 'blues' } },
    },
  } as TopLevelSpec;
}

/** Share of held-out tokens by number of active experts, bars grouped by strategy. */
export function activeHistogramSpec(rows: StrategySummary[]): TopLevelSpec | null {
  const values = rows.flatMap((r) => {
    const total = r.activeHistogram.reduce((a, b) => a + b, 0);
    return total === 0 ? [] : r.activeHistogram.map((c, activeExperts) => ({ strategy: r.strategy, activeExperts, share: c / total }));
  });
  if (values.length === 0) return null;
  return {
    $schema: SCHEMA,
    title: 'Active experts per held-out token (all sparse layers and seeds)',
    width: 480,
    height: 260,
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'activeExperts', type: 'ordinal', title: 'active experts per token' },
      xOffset: { field: 'strategy', type: 'nominal' },
      y: { field: 'share', type: 'quantitative', title: 'share of tokens', axis: { format: '.0%' } },
      color: { field: 'strategy', type: 'nominal', legend: { labelLimit: 360 } },
    },
  } as TopLevelSpec;
}

/** Training loss against step: colour = strategy, one line per seed. */
export function lossCurvesSpec(rows: StrategySummary[]): TopLevelSpec | null {
  const values = rows.flatMap((r) => r.runs.flatMap((run) => run.loss.map((p) => ({ strategy: r.strategy, seed: String(run.seed), step: p.step, loss: p.loss }))));
  if (values.length === 0) return null;
  return {
    $schema: SCHEMA,
    title: 'Training loss (one line per seed)',
    width: 480,
    height: 300,
    data: { values },
    // lines without point marks, so the seed legend shows the dash patterns
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'loss', type: 'quantitative', title: 'train loss', scale: { zero: false } },
      color: { field: 'strategy', type: 'nominal', legend: { labelLimit: 360 } },
      detail: { field: 'seed', type: 'nominal' },
      strokeDash: { field: 'seed', type: 'nominal', title: 'seed' },
    },
  } as TopLevelSpec;
}
