// The metric record: what an eval stage measured and how the report is to show it. The eval
// stage writes it as metric-record.json; the report builds its tables and plots from it alone,
// so a task family with other metrics (perplexity, accuracy) needs no report change. No tfjs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const METRIC_RECORD_FILE = 'metric-record.json';

export interface MetricSpec {
  /** Key; report columns are named from it (`<name>_mean`, `base_<name>`, …). */
  name: string;
  /** Heading in the report, e.g. "ROUGE-L". */
  label: string;
  /** Whether a larger value is better. */
  higherIsBetter: boolean;
  /**
   * Where the run's value comes from: the mean over the rows of `column` of the eval output's
   * Arrow `file` (float64), or the corpus-level `value` itself. Either way multiplied by `scale`.
   */
  perExample?: { file: string; column: string };
  value?: number;
  /** Display scale (100 for F-measures shown ×100). */
  scale: number;
  /** Decimals printed. */
  digits: number;
  /** The run's interval of the value (unscaled), e.g. a bootstrap interval; null when not computed. */
  interval: { low: number; high: number } | null;
  /** How runs of one strategy over several seeds combine: mean and sample std (n − 1). */
  overSeeds: 'mean-sample-std';
}

export interface MetricRecord {
  /** Task family that produced it. */
  task: string;
  split: string;
  examples: number;
  metrics: MetricSpec[];
  /** Name of the headline metric (plotted against FLOPs; the baseline column of the main table). */
  primary: string;
  /** The report's wording for these metrics. */
  report: {
    /** Names the numbers of the main table, e.g. "ROUGE F-measure ×100 on the eval split". */
    valueNote: string;
    /** How the interval bounds come about, e.g. "Each eval stage bootstraps its own 95% interval …". */
    intervalNote: string;
    /** Name of the interval in the runs table, e.g. "bootstrap". */
    intervalName: string;
    /** Y-axis title of the headline metric's plot. */
    axisTitle: string;
    /** File name (without extension) of the headline-vs-FLOPs plot. */
    plotName: string;
    /** Items of "How the numbers are computed" for these metrics. */
    method: string[];
  };
}

export function writeMetricRecord(dir: string, record: MetricRecord): void {
  writeFileSync(join(dir, METRIC_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

export class MetricRecordError extends Error {
  override name = 'MetricRecordError';
}

/** Read and check an eval output's metric record (file and field named on a problem). */
export function readMetricRecord(dir: string): MetricRecord {
  const file = join(dir, METRIC_RECORD_FILE);
  if (!existsSync(file)) throw new MetricRecordError(`${file}: no metric record (was this folder written by an eval stage?)`);
  let r: MetricRecord;
  try { r = JSON.parse(readFileSync(file, 'utf8')) as MetricRecord; } catch (e) { throw new MetricRecordError(`${file}: not valid JSON (${(e as Error).message})`); }
  if (!Array.isArray(r.metrics) || r.metrics.length === 0) throw new MetricRecordError(`${file}: "metrics" must be a non-empty array`);
  r.metrics.forEach((m, i) => {
    if (typeof m.name !== 'string' || typeof m.label !== 'string') throw new MetricRecordError(`${file}: /metrics/${i}: needs "name" and "label" strings`);
    if ((m.perExample === undefined) === (m.value === undefined)) throw new MetricRecordError(`${file}: /metrics/${i} (${m.name}): give exactly one of "perExample" and "value"`);
    if (m.overSeeds !== 'mean-sample-std') throw new MetricRecordError(`${file}: /metrics/${i}/overSeeds: ${JSON.stringify(m.overSeeds)} is not allowed; allowed values: "mean-sample-std"`);
  });
  if (!r.metrics.some((m) => m.name === r.primary)) throw new MetricRecordError(`${file}: /primary: ${JSON.stringify(r.primary)} is not one of the metrics (${r.metrics.map((m) => m.name).join(', ')})`);
  return r;
}
