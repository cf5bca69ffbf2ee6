// Vega-Lite specs of the report's four plots. Data are plain rows; rendering is the shared
// renderChart of @switchyard/flops-profiler.
import type { TopLevelSpec } from 'vega-lite';
import type { MetricRecord } from '@switchyard/eval-rouge/metric-record';
import type { StrategySummary } from './summarise.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * An explicit scale domain that holds every value with `pad` of the span on each side (a
 * single value gets ±pad of itself, or ±1 at 0), so no point, bar end or band sits on the frame.
 */
export function paddedDomain(values: readonly number[], pad = 0.08): [number, number] {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return [0, 1];
  const lo = Math.min(...xs), hi = Math.max(...xs);
  const span = hi - lo || Math.abs(lo) || 1;
  return [lo - pad * span, hi + pad * span];
}

/** Strategies in a fixed order, so colour, shape and dash agree across every plot. */
const strategyScale = (rows: StrategySummary[]) => ({ domain: rows.map((r) => r.strategy) });

/**
 * The headline eval metric (mean, ±1 std over seeds as a rule, the seeds as small marks) against
 * forward FLOPs per token, one point per strategy. Strategies differ in colour AND shape; the
 * Pareto front is a dashed line through its strategies.
 */
export function metricVsFlopsSpec(rows: StrategySummary[], record: MetricRecord): TopLevelSpec | null {
  const key = record.primary;
  const spec = record.metrics.find((m) => m.name === key)!;
  const label = spec.label;
  const values = rows.filter((r) => r.flopsPerToken !== null && r.metricMean[key] !== null).map((r) => ({
    strategy: r.strategy,
    flops: r.flopsPerToken!,
    value: r.metricMean[key]!,
    lo: r.metricMean[key]! - (r.metricStd[key] ?? 0),
    hi: r.metricMean[key]! + (r.metricStd[key] ?? 0),
    pareto: r.pareto ? 'on the Pareto front' : 'dominated',
  }));
  if (values.length === 0) return null;
  const seeds = rows.flatMap((r) => r.runs.filter((run) => run.flopsPerToken !== null && run.metrics.mean[key] !== undefined)
    .map((run) => ({ strategy: r.strategy, seed: run.seed, flops: run.flopsPerToken!, value: run.metrics.mean[key]! })));
  const front = values.filter((v) => v.pareto === 'on the Pareto front').sort((a, b) => a.flops - b.flops);
  const xDomain = paddedDomain([...values.map((v) => v.flops), ...seeds.map((v) => v.flops)]);
  const yDomain = paddedDomain([...values.flatMap((v) => [v.lo, v.hi]), ...seeds.map((v) => v.value)]);
  const x = { field: 'flops', type: 'quantitative', title: 'forward FLOPs per token', scale: { domain: xDomain, nice: false, zero: false }, axis: { format: '.3s' } };
  const y = { field: 'value', type: 'quantitative', title: `${record.report.axisTitle} (${spec.higherIsBetter ? 'higher' : 'lower'} is better)`, scale: { domain: yDomain, nice: false, zero: false } };
  const sc = strategyScale(rows.filter((r) => values.some((v) => v.strategy === r.strategy)));
  const legend = { labelLimit: 360, symbolSize: 90, symbolOpacity: 1 };
  return {
    $schema: SCHEMA,
    title: { text: `${label} vs forward FLOPs per token`, subtitle: 'rules: ±1 std over seeds; small marks: seeds; dashed line: Pareto front' },
    width: 480,
    height: 320,
    layer: [
      ...(front.length > 1 ? [{ data: { values: front }, mark: { type: 'line', strokeDash: [6, 4], color: '#444', strokeWidth: 1.5 }, encoding: { x, y } }] : []),
      { data: { values }, mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color: { field: 'strategy', type: 'nominal', scale: sc, legend } } },
      { data: { values: seeds }, mark: { type: 'point', size: 25, opacity: 0.5, strokeWidth: 1 }, encoding: { x, y, color: { field: 'strategy', type: 'nominal', scale: sc, legend }, shape: { field: 'strategy', type: 'nominal', scale: sc, legend } } },
      { data: { values }, mark: { type: 'point', filled: true, size: 110, stroke: '#222', strokeWidth: 0.8 }, encoding: {
        x, y,
        color: { field: 'strategy', type: 'nominal', scale: sc, legend },
        shape: { field: 'strategy', type: 'nominal', scale: sc, legend },
      } },
    ],
    resolve: { scale: { color: 'shared', shape: 'shared' } },
  } as TopLevelSpec;
}

/**
 * One pipeline: the trained router on the top-k cost line. flops-profiler's fixed-k rows give
 * forward FLOPs per token at k = 1 … E active experts; the trained router sits at its measured
 * mean active experts per token and its own forward FLOPs per token.
 */
export function costLineSpec(rows: StrategySummary[]): TopLevelSpec | null {
  const curve = rows[0]?.runs[0]?.topkCurve ?? [];
  const points = rows.filter((r) => r.activeExpertsMean !== null && r.flopsPerToken !== null)
    .map((r) => ({ router: `${r.strategy} (trained, measured)`, active: r.activeExpertsMean!, flops: r.flopsPerToken! }));
  if (curve.length === 0 || points.length === 0) return null;
  const line = curve.map((c) => ({ router: 'top-k (fixed k)', active: c.k, flops: c.flops }));
  const xDomain = paddedDomain([...line.map((v) => v.active), ...points.map((v) => v.active)]);
  const yDomain = paddedDomain([...line.map((v) => v.flops), ...points.map((v) => v.flops)]);
  const x = { field: 'active', type: 'quantitative', title: 'active experts per token', scale: { domain: xDomain, nice: false } };
  const y = { field: 'flops', type: 'quantitative', title: 'forward FLOPs per token', scale: { domain: yDomain, nice: false }, axis: { format: '.3s' } };
  const sc = { domain: ['top-k (fixed k)', ...points.map((p) => p.router)], range: ['circle', 'diamond', 'square', 'triangle-up'] };
  return {
    $schema: SCHEMA,
    title: 'The trained router on the top-k cost line (forward FLOPs per token)',
    width: 480,
    height: 300,
    layer: [
      { data: { values: line }, mark: { type: 'line', point: { size: 40, filled: false }, color: '#555', strokeDash: [4, 3] }, encoding: { x, y } },
      { data: { values: [...line, ...points] }, mark: { type: 'point', filled: true, size: 90 }, encoding: { x, y, shape: { field: 'router', type: 'nominal', scale: sc, title: null, legend: { labelLimit: 420 } }, color: { field: 'router', type: 'nominal', title: null, scale: { domain: sc.domain, range: ['#888888', '#d62728', '#1f77b4', '#2ca02c'] } } } },
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

/**
 * Share of held-out tokens by number of active experts: one small panel per strategy (no
 * colour needed to tell them apart), bars centred on their ticks (ordinal x with every count
 * from 0 to the largest, so the panels share one axis).
 */
export function activeHistogramSpec(rows: StrategySummary[]): TopLevelSpec | null {
  const values = rows.flatMap((r) => {
    const total = r.activeHistogram.reduce((a, b) => a + b, 0);
    return total === 0 ? [] : r.activeHistogram.map((c, activeExperts) => ({ strategy: r.strategy, activeExperts, share: c / total }));
  });
  if (values.length === 0) return null;
  const maxActive = Math.max(...values.map((v) => v.activeExperts));
  return {
    $schema: SCHEMA,
    title: 'Active experts per held-out token (all sparse layers and seeds)',
    data: { values },
    facet: { row: { field: 'strategy', type: 'nominal', sort: rows.map((r) => r.strategy), title: null, header: { labelAngle: 0, labelAlign: 'left', labelLimit: 320 } } },
    spec: {
      width: 360,
      height: 70,
      mark: { type: 'bar', color: '#4c78a8' },
      encoding: {
        x: { field: 'activeExperts', type: 'ordinal', title: 'active experts per token', scale: { domain: Array.from({ length: maxActive + 1 }, (_, i) => i), paddingInner: 0.2 }, axis: { labelAngle: 0 } },
        y: { field: 'share', type: 'quantitative', title: 'share', axis: { format: '.0%', tickCount: 3 }, scale: { domain: [0, 1] } },
      },
    },
  } as TopLevelSpec;
}

/**
 * Training (minibatch) loss against step, one line per strategy = the mean over its seeds at
 * each logged step, with a band from the lowest to the highest seed. Strategies differ in
 * colour AND dash pattern.
 */
export function lossCurvesSpec(rows: StrategySummary[]): TopLevelSpec | null {
  const values = rows.flatMap((r) => {
    const bySteps = new Map<number, number[]>();
    for (const run of r.runs) for (const p of run.loss) bySteps.set(p.step, [...(bySteps.get(p.step) ?? []), p.loss]);
    return [...bySteps.entries()].sort((a, b) => a[0] - b[0]).map(([step, xs]) => ({
      strategy: r.strategy, step, loss: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs),
    }));
  });
  if (values.length === 0) return null;
  const sc = strategyScale(rows.filter((r) => values.some((v) => v.strategy === r.strategy)));
  const x = { field: 'step', type: 'quantitative', title: 'step', scale: { domain: paddedDomain(values.map((v) => v.step), 0.02), nice: false } };
  const yDomain = paddedDomain(values.flatMap((v) => [v.min, v.max]));
  const dashes = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3], [10, 4], [6, 2, 2, 2, 2, 2]];
  const legend = { labelLimit: 360, symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 300, symbolOpacity: 1 };
  return {
    $schema: SCHEMA,
    title: { text: 'Training loss', subtitle: 'line: mean over seeds; band: lowest to highest seed' },
    width: 480,
    height: 300,
    data: { values },
    layer: [
      { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'min', type: 'quantitative', title: 'train loss (minibatch)', scale: { domain: yDomain, nice: false } }, y2: { field: 'max' }, color: { field: 'strategy', type: 'nominal', scale: sc, legend } } },
      { mark: { type: 'line', strokeWidth: 2 }, encoding: {
        x, y: { field: 'loss', type: 'quantitative', scale: { domain: yDomain, nice: false } },
        color: { field: 'strategy', type: 'nominal', scale: sc, legend },
        strokeDash: { field: 'strategy', type: 'nominal', scale: { ...sc, range: dashes.slice(0, Math.max(1, sc.domain.length)) }, legend },
      } },
    ],
  } as TopLevelSpec;
}
