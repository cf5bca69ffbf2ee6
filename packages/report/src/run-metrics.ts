// The numbers of one run (strategy × seed), each read from the producing stage's own output:
// the eval metrics as its metric record describes them (per-example columns of its Arrow files,
// intervals), active experts from routing.arrow, expert load from routing-metrics.arrow, loss
// from metrics.arrow, FLOPs from flops.arrow, throughput from timing.jsonl, wall times from the
// manifests.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readArrowFile, columnValues, type Table } from '@switchyard/runtime';
import { readMetricRecord, type MetricRecord } from '@switchyard/eval-rouge/metric-record';
import type { RunInputs, StageFolder } from './collect.js';
import { ReportInputError } from './collect.js';

export interface MetricNumbers {
  /** The eval stage's metric record (names, labels, scales, report wording). */
  record: MetricRecord;
  /** metric name → the run's value, scaled (e.g. mean F-measure over the split's examples ×100). */
  mean: Record<string, number>;
  /** The run's interval of each metric, scaled (null when the eval computed none). */
  low: Record<string, number | null>;
  high: Record<string, number | null>;
  /** metric name → the unscaled per-example values (metrics with a `perExample` column only). */
  perExample: Record<string, number[]>;
  /** Example ids of the per-example file, in row order (null when it has no `id` column). */
  ids: string[] | null;
  examples: number;
}

export interface RunNumbers {
  strategy: string;
  seed: number;
  routerType: string;
  router: unknown;
  metrics: MetricNumbers;
  base: MetricNumbers | null;
  /** The same metrics of the trained model on the validation split (`validation` input), when given. */
  validation: MetricNumbers | null;
  /** Mean over held-out tokens and sparse layers of routing.arrow's active_experts. */
  activeExpertsMean: number | null;
  /** Tokens by active-expert count, pooled over sparse layers (from routing.arrow). */
  activeHistogram: number[];
  /** Forward FLOPs per token (flops.arrow flops_forward_all_per_token of the trained router's row). */
  flopsPerToken: number | null;
  flopsTrainingPerToken: number | null;
  flopsRow: string | null;
  /** Σ tokens / Σ step time over timing.jsonl. */
  trainTokensPerS: number | null;
  trainWallS: number;
  evalWallS: number;
  /** Last logged training-minibatch loss (metrics.arrow); kept for reference, not shown as "the" loss. */
  finalLoss: number | null;
  /** Eval-mode token cross-entropy of the train stage's held-out batch (manifest extra.training.heldOutLoss.ce). */
  heldOutLoss: number | null;
  /** The same of the base model (its manifest), on its own held-out batch. */
  baseHeldOutLoss: number | null;
  /** flops.arrow's fixed-k rows (the top-k cost line), ascending k. */
  topkCurve: { k: number; flops: number; flopsTraining: number }[];
  /** metrics.arrow step/loss. */
  loss: { step: number; loss: number }[];
  /** layer → expert load fractions (Σ expert_load over logged steps, normalised to sum 1). */
  expertLoad: Record<string, number[]>;
  backend: StageFolder['manifest']['backend'];
  evalBackend: StageFolder['manifest']['backend'];
  trainConfig: Record<string, unknown>;
}

/** The numbers of an eval output, as its metric record says to compute them. */
export function metricsOf(folder: StageFolder): MetricNumbers {
  const record = readMetricRecord(folder.dir);
  const tables = new Map<string, Table>();
  const mean: Record<string, number> = {};
  const low: Record<string, number | null> = {};
  const high: Record<string, number | null> = {};
  const perExample: Record<string, number[]> = {};
  let ids: string[] | null = null;
  let examples: number | undefined;
  for (const m of record.metrics) {
    if (m.perExample) {
      const file = join(folder.dir, m.perExample.file);
      let table = tables.get(file);
      if (!table) {
        const expected = Object.fromEntries(record.metrics.filter((x) => x.perExample?.file === m.perExample!.file).map((x) => [x.perExample!.column, 'float64' as const]));
        table = readArrowFile(file, expected);
        if (table.numRows === 0) throw new ReportInputError(`${file}: no scored examples`);
        tables.set(file, table);
      }
      if (examples === undefined) {
        examples = table.numRows;
        ids = table.schema.fields.some((f) => f.name === 'id') ? columnValues<unknown>(table, 'id').map(String) : null;
      }
      const xs = columnValues<number>(table, m.perExample.column);
      perExample[m.name] = xs;
      let s = 0;
      for (const x of xs) s += x;
      mean[m.name] = (m.scale * s) / xs.length;
    } else {
      mean[m.name] = m.scale * m.value!;
    }
    low[m.name] = m.interval ? m.scale * m.interval.low : null;
    high[m.name] = m.interval ? m.scale * m.interval.high : null;
  }
  return { record, mean, low, high, perExample, ids, examples: examples ?? record.examples };
}

function routingOf(dir: string): { mean: number | null; histogram: number[] } {
  const file = join(dir, 'routing.arrow');
  if (!existsSync(file)) return { mean: null, histogram: [] };
  const active = columnValues<number>(readArrowFile(file, { layer: 'utf8', active_experts: 'int32' }), 'active_experts');
  const histogram: number[] = [];
  let s = 0;
  for (const a of active) {
    s += a;
    while (histogram.length <= a) histogram.push(0);
    histogram[a]! += 1;
  }
  return { mean: active.length ? s / active.length : null, histogram };
}

function expertLoadOf(dir: string): Record<string, number[]> {
  const file = join(dir, 'routing-metrics.arrow');
  if (!existsSync(file)) return {};
  const t = readArrowFile(file, { layer: 'utf8', expert_load: 'list<float32>' });
  const layers = columnValues<string>(t, 'layer');
  const loads = columnValues<number[]>(t, 'expert_load');
  const sums: Record<string, number[]> = {};
  layers.forEach((layer, i) => {
    const acc = (sums[layer] ??= new Array<number>(loads[i]!.length).fill(0));
    loads[i]!.forEach((x, e) => { acc[e] = (acc[e] ?? 0) + x; });
  });
  for (const layer of Object.keys(sums)) {
    const total = sums[layer]!.reduce((a, b) => a + b, 0);
    sums[layer] = sums[layer]!.map((x) => (total > 0 ? x / total : 0));
  }
  return sums;
}

function lossOf(dir: string): { step: number; loss: number }[] {
  const file = join(dir, 'metrics.arrow');
  if (!existsSync(file)) return [];
  const t = readArrowFile(file, { step: 'int32', loss: 'float64' });
  const steps = columnValues<number>(t, 'step');
  const loss = columnValues<number>(t, 'loss');
  return steps.map((step, i) => ({ step, loss: loss[i]! }));
}

/** Σ interval tokens / Σ interval seconds, the intervals being the gaps between logged steps. */
export function tokensPerSecond(timingJsonl: string): number | null {
  let prev = 0, tokens = 0, seconds = 0;
  for (const line of timingJsonl.split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { step: number; ms_per_step: number; tokens_per_s: number };
    const s = (r.ms_per_step * (r.step - prev)) / 1000;
    seconds += s;
    tokens += r.tokens_per_s * s;
    prev = r.step;
  }
  return seconds > 0 ? tokens / seconds : null;
}

/** Eval-mode held-out cross-entropy a train/base-model stage recorded, or null. */
function heldOutCe(folder: StageFolder | undefined): number | null {
  const h = (folder?.manifest.extra as { training?: { heldOutLoss?: { ce?: unknown } | null } } | undefined)?.training?.heldOutLoss;
  return h && typeof h.ce === 'number' && Number.isFinite(h.ce) ? h.ce : null;
}

/** flops.arrow's fixed-k rows (router of a fixed top-k), when the file has a `k` column. */
function topkCurveOf(folder: StageFolder | undefined): RunNumbers['topkCurve'] {
  if (!folder) return [];
  const file = join(folder.dir, 'flops.arrow');
  const t = readArrowFile(file, { source: 'utf8', flops_forward_all_per_token: 'float64', flops_training_all_per_token: 'float64' });
  if (!t.schema.fields.some((f) => f.name === 'k')) return [];
  const source = columnValues<string>(t, 'source');
  const k = columnValues<number | null>(t, 'k');
  const fwd = columnValues<number>(t, 'flops_forward_all_per_token');
  const trn = columnValues<number>(t, 'flops_training_all_per_token');
  const out: RunNumbers['topkCurve'] = [];
  source.forEach((src, i) => { if (src === 'fixed-k' && k[i] !== null) out.push({ k: Number(k[i]), flops: fwd[i]!, flopsTraining: trn[i]! }); });
  return out.sort((a, b) => a.k - b.k);
}

/** The flops.arrow row of the trained router: its routing statistics, else the configured row. */
function flopsOf(folder: StageFolder | undefined, routerType: string) {
  if (!folder) return { perToken: null, training: null, row: null };
  const t = readArrowFile(join(folder.dir, 'flops.arrow'), {
    router: 'utf8', source: 'utf8', flops_forward_all_per_token: 'float64', flops_training_all_per_token: 'float64',
  });
  const router = columnValues<string>(t, 'router');
  const source = columnValues<string>(t, 'source');
  const fwd = columnValues<number>(t, 'flops_forward_all_per_token');
  const trn = columnValues<number>(t, 'flops_training_all_per_token');
  const order = [
    (i: number) => source[i] === 'routing-stats' && router[i] === routerType,
    (i: number) => source[i] === 'routing-stats',
    (i: number) => router[i] === 'trained' && source[i] !== 'published',
  ];
  for (const test of order) {
    const i = router.findIndex((_, j) => test(j));
    if (i >= 0) return { perToken: fwd[i]!, training: trn[i]!, row: `${router[i]} (${source[i]})` };
  }
  return { perToken: null, training: null, row: null };
}

export function runNumbers(run: RunInputs): RunNumbers {
  const train = run.stages.model!;
  const evalRouge = run.stages.eval!;
  const cfg = (train.manifest.config ?? {}) as Record<string, unknown> & { router?: { type?: string } };
  const routerType = cfg.router?.type ?? 'unknown-router';
  const routing = routingOf(train.dir);
  const flops = flopsOf(run.stages.cost, routerType);
  const timingPath = join(train.dir, 'timing.jsonl');
  const loss = lossOf(train.dir);
  const { router, ...trainConfig } = cfg;
  return {
    strategy: run.strategy,
    seed: run.seed,
    routerType,
    router: router ?? null,
    metrics: metricsOf(evalRouge),
    base: run.stages.baseline ? metricsOf(run.stages.baseline) : null,
    validation: run.stages.validation ? metricsOf(run.stages.validation) : null,
    activeExpertsMean: routing.mean,
    activeHistogram: routing.histogram,
    flopsPerToken: flops.perToken,
    flopsTrainingPerToken: flops.training,
    flopsRow: flops.row,
    trainTokensPerS: existsSync(timingPath) ? tokensPerSecond(readFileSync(timingPath, 'utf8')) : null,
    trainWallS: train.manifest.wallTimeSeconds,
    evalWallS: evalRouge.manifest.wallTimeSeconds,
    finalLoss: loss.length ? loss[loss.length - 1]!.loss : null,
    heldOutLoss: heldOutCe(train),
    baseHeldOutLoss: heldOutCe(run.stages.base),
    topkCurve: topkCurveOf(run.stages.cost),
    loss,
    expertLoad: expertLoadOf(train.dir),
    backend: train.manifest.backend,
    evalBackend: evalRouge.manifest.backend,
    trainConfig,
  };
}
