// One row per strategy from its runs: means over seeds, sample std of each eval metric over seeds
// (its record's `overSeeds`), and the metric's interval as the mean over seeds of each seed's
// own interval bounds.
import type { MetricRecord } from '@switchyard/eval-rouge/metric-record';
import { mean, sampleStd } from './stats.js';
import type { RunNumbers } from './run-metrics.js';
import { ReportInputError } from './collect.js';
import { byQuality, paretoFront } from './pareto.js';
import { pairedDifference, type PairedDifference, type PairedSettings } from './paired.js';

export interface StrategySummary {
  strategy: string;
  routerType: string;
  router: unknown;
  seeds: number[];
  /** Per eval metric (by name): mean, sample std, mean interval bounds over seeds; the baseline's mean. */
  metricMean: Record<string, number | null>;
  metricStd: Record<string, number | null>;
  metricLow: Record<string, number | null>;
  metricHigh: Record<string, number | null>;
  baseMetric: Record<string, number | null>;
  /** Mean over seeds of each metric on the validation split (null without a `validation` input). */
  validationMean: Record<string, number | null>;
  activeExpertsMean: number | null;
  flopsPerToken: number | null;
  flopsTrainingPerToken: number | null;
  trainTokensPerS: number | null;
  trainWallS: number | null;
  evalWallS: number | null;
  finalLoss: number | null;
  heldOutLoss: number | null;
  baseHeldOutLoss: number | null;
  /** On the headline-metric-vs-forward-FLOPs Pareto front (null: no FLOPs or metric to rank). */
  pareto: boolean | null;
  /** Paired difference against the baseline strategy on the headline metric (null for the baseline itself or without one). */
  paired: PairedDifference | null;
  /** layer → mean over seeds of the load fractions. */
  expertLoad: Record<string, number[]>;
  /** Tokens by active-expert count, summed over seeds. */
  activeHistogram: number[];
  runs: RunNumbers[];
}

/**
 * The metric record of the report: the first run's, with any metric only some runs measured
 * appended (e.g. SMoE-Dropout's `test_bpc_k1` beside every method's `test_bpc`); runs without a
 * metric show no value for it. Every run must share the headline metric, and a metric name must
 * mean the same thing (label, direction, scale) in every run that has it, or the columns would mix
 * different quantities. Method notes of the extra metrics' records are appended too.
 */
export function sharedRecord(runs: RunNumbers[]): MetricRecord {
  const first = runs[0]?.metrics.record;
  if (!first) throw new ReportInputError('no runs to report');
  const metrics = [...first.metrics];
  const method = [...first.report.method];
  const where = (r: RunNumbers) => `${r.strategy} seed ${r.seed}`;
  for (const r of runs) {
    const rec = r.metrics.record;
    if (rec.primary !== first.primary) throw new ReportInputError(`${where(r)}: its eval's headline metric is ${rec.primary} but ${where(runs[0]!)}'s is ${first.primary}; one report compares one headline metric`);
    for (const m of rec.metrics) {
      const known = metrics.find((x) => x.name === m.name);
      if (!known) { metrics.push(m); continue; }
      if (known.label !== m.label || known.higherIsBetter !== m.higherIsBetter || known.scale !== m.scale) {
        throw new ReportInputError(`${where(r)}: metric ${m.name} is "${m.label}" (${m.higherIsBetter ? 'higher' : 'lower'} is better, scale ${m.scale}) but "${known.label}" (${known.higherIsBetter ? 'higher' : 'lower'} is better, scale ${known.scale}) in another run; one column cannot hold both`);
      }
    }
    for (const line of rec.report.method) if (!method.includes(line)) method.push(line);
  }
  return { ...first, metrics, report: { ...first.report, method } };
}

export interface SummariseOptions {
  /** Router type of the baseline strategy of the paired differences (e.g. switch-top1). */
  baselineRouter: string;
  /** Instead: each strategy's baseline by name (`strategy.replace(RegExp(match), baseline)`). */
  baselineOf?: { match: string; baseline: string };
  paired: PairedSettings;
}

/** The name of a strategy's baseline under `baselineOf`, or undefined (no match, or itself). */
export function baselineNameOf(strategy: string, of: { match: string; baseline: string }): string | undefined {
  const re = new RegExp(of.match);
  if (!re.test(strategy)) return undefined;
  const name = strategy.replace(re, of.baseline);
  return name === strategy ? undefined : name;
}

/**
 * One row per strategy, best first on the record's headline metric, with its Pareto flag and
 * its paired difference against the strategy whose router type is `baselineRouter` (when there
 * is exactly one such strategy and it is not the row itself).
 */
export function summarise(runs: RunNumbers[], opts: SummariseOptions): StrategySummary[] {
  const record = sharedRecord(runs);
  const primary = record.metrics.find((m) => m.name === record.primary)!;
  const rows = byQuality(groupRuns(runs), (r) => r.metricMean[primary.name] ?? null, primary.higherIsBetter);
  const front = paretoFront(rows.map((r) => ({ strategy: r.strategy, quality: r.metricMean[primary.name] ?? null, flops: r.flopsPerToken })), primary.higherIsBetter);
  const baselines = rows.filter((r) => r.routerType === opts.baselineRouter);
  const single = baselines.length === 1 ? baselines[0]! : undefined;
  const byName = new Map(rows.map((r) => [r.strategy, r]));
  const baselineOf = (r: StrategySummary) => {
    if (opts.baselineOf) { const n = baselineNameOf(r.strategy, opts.baselineOf); return n === undefined ? undefined : byName.get(n); }
    return single && r !== single ? single : undefined;
  };
  for (const r of rows) {
    r.pareto = front.get(r.strategy) ?? null;
    const baseline = baselineOf(r);
    r.paired = baseline ? pairedDifference(r.strategy, r.runs, baseline.strategy, baseline.runs, primary.name, primary.scale, opts.paired) : null;
  }
  return rows;
}

function groupRuns(runs: RunNumbers[]): StrategySummary[] {
  const names = sharedRecord(runs).metrics.map((m) => m.name);
  const perType = (f: (t: string) => number | null) => Object.fromEntries(names.map((t) => [t, f(t)])) as Record<string, number | null>;
  const groups = new Map<string, RunNumbers[]>();
  for (const r of runs) groups.set(r.strategy, [...(groups.get(r.strategy) ?? []), r]);
  return [...groups.entries()].map(([strategy, rs]) => {
    const layers = [...new Set(rs.flatMap((r) => Object.keys(r.expertLoad)))];
    const expertLoad: Record<string, number[]> = {};
    for (const layer of layers) {
      const have = rs.map((r) => r.expertLoad[layer]).filter((x): x is number[] => Boolean(x));
      const E = Math.max(...have.map((x) => x.length));
      expertLoad[layer] = Array.from({ length: E }, (_, e) => mean(have.map((x) => x[e] ?? 0)) ?? 0);
    }
    const activeHistogram: number[] = [];
    for (const r of rs) r.activeHistogram.forEach((c, a) => { activeHistogram[a] = (activeHistogram[a] ?? 0) + c; });
    for (let a = 0; a < activeHistogram.length; a++) activeHistogram[a] ??= 0;
    return {
      strategy,
      routerType: rs[0]!.routerType,
      router: rs[0]!.router,
      seeds: rs.map((r) => r.seed),
      metricMean: perType((t) => mean(rs.map((r) => r.metrics.mean[t]))),
      metricStd: perType((t) => sampleStd(rs.map((r) => r.metrics.mean[t]))),
      metricLow: perType((t) => mean(rs.map((r) => r.metrics.low[t]))),
      metricHigh: perType((t) => mean(rs.map((r) => r.metrics.high[t]))),
      baseMetric: perType((t) => mean(rs.map((r) => r.base?.mean[t] ?? null))),
      validationMean: perType((t) => mean(rs.map((r) => r.validation?.mean[t] ?? null))),
      activeExpertsMean: mean(rs.map((r) => r.activeExpertsMean)),
      flopsPerToken: mean(rs.map((r) => r.flopsPerToken)),
      flopsTrainingPerToken: mean(rs.map((r) => r.flopsTrainingPerToken)),
      trainTokensPerS: mean(rs.map((r) => r.trainTokensPerS)),
      trainWallS: mean(rs.map((r) => r.trainWallS)),
      evalWallS: mean(rs.map((r) => r.evalWallS)),
      finalLoss: mean(rs.map((r) => r.finalLoss)),
      heldOutLoss: mean(rs.map((r) => r.heldOutLoss)),
      baseHeldOutLoss: mean(rs.map((r) => r.baseHeldOutLoss)),
      pareto: null,
      paired: null,
      expertLoad,
      activeHistogram,
      runs: rs,
    };
  });
}
