// The report as a list of blocks, rendered to Markdown and to HTML by two small renderers, so
// both files carry the same text and the same printed digits.
import type { MetricRecord } from '@switchyard/eval-rouge/metric-record';
import type { RunNumbers } from './run-metrics.js';
import type { StrategySummary } from './summarise.js';
import type { Provenance } from './provenance.js';
import type { Plot } from './plots.js';
import { fmtActive, fmtFlops, fmtInterval, fmtLoss, fmtMeanStd, fmtOne, fmtMetric } from './format.js';

export type Block =
  | { kind: 'h'; level: 1 | 2 | 3; text: string }
  | { kind: 'p'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][] }
  | { kind: 'code'; text: string }
  | { kind: 'plot'; plot: Plot };

export const MAIN_TABLE_HEADING = 'Results by strategy';
export const BOOTSTRAP_TABLE_HEADING = 'Bootstrap intervals';
export const BASE_TABLE_HEADING = 'Untuned base model';
export const RUNS_TABLE_HEADING = 'Results by run';

export interface DocumentInput {
  title: string;
  /** The eval stages' metric record (what the metric columns are and how they are computed). */
  record: MetricRecord;
  rows: StrategySummary[];
  runs: RunNumbers[];
  provenance: Provenance;
  plots: Plot[];
  layout: 'pipeline' | 'sweep';
  notes: string[];
}

export function buildDocument(d: DocumentInput): Block[] {
  const b: Block[] = [{ kind: 'h', level: 1, text: d.title }];
  const p = d.provenance;
  const metrics = d.record.metrics;
  const primary = metrics.find((m) => m.name === d.record.primary)!;
  const words = d.record.report;

  b.push({ kind: 'h', level: 2, text: 'Setup' });
  const dataLine = p.dataSources.length === 0
    ? 'Data: unknown (no data-prep output reachable; add `data-prep` to the report stage\'s inputs).'
    : p.synthetic
      ? `Data: **the embedded synthetic corpus** (${p.dataSources.filter((s) => s.via === 'embedded').map((s) => `\`${s.path}\``).join(', ')}), not SAMSum: these numbers are not SAMSum results.`
      : `Data: ${p.dataSources.map((s) => `${s.via} \`${s.path}\``).join(', ')}.`;
  b.push({ kind: 'list', items: [
    `Layout: ${d.layout === 'sweep' ? 'sweep (runs grouped by pipeline = strategy and seed)' : 'one pipeline (one strategy, one seed)'}; ${d.rows.length} strateg${d.rows.length === 1 ? 'y' : 'ies'}, ${d.runs.length} run${d.runs.length === 1 ? '' : 's'}.`,
    `Backend: ${p.backends.join('; ') || 'unknown'}.`,
    dataLine,
    ...p.dataSources.filter((s) => s.notice).map((s) => `data-prep notice: ${s.notice}`),
    ...(p.dataSourceUnknown > 0 && p.dataSources.length > 0 ? [`${p.dataSourceUnknown} run(s) had no reachable data-prep output.`] : []),
    `Seeds: ${p.seeds.join(', ')}.`,
    ...d.notes,
  ] });

  b.push({ kind: 'h', level: 2, text: MAIN_TABLE_HEADING });
  b.push({ kind: 'p', text: `${words.valueNote}: mean ± sample std over seeds (std omitted for one seed). Active experts, FLOPs, throughput and wall times are means over seeds.` });
  b.push({ kind: 'table',
    header: ['strategy', 'router', 'seeds', ...metrics.map((m) => m.label), `base ${primary.label}`, 'active experts / token', 'FLOPs / token', 'train tokens/s', 'train wall s', 'eval wall s', 'final loss'],
    rows: d.rows.map((r) => [
      r.strategy, `\`${r.routerType}\``, String(r.seeds.length),
      ...metrics.map((m) => fmtMeanStd(r.metricMean[m.name]!, r.metricStd[m.name]!, m.digits)),
      fmtMetric(r.baseMetric[primary.name]!, primary.digits), fmtActive(r.activeExpertsMean), fmtFlops(r.flopsPerToken),
      fmtOne(r.trainTokensPerS), fmtOne(r.trainWallS), fmtOne(r.evalWallS), fmtLoss(r.finalLoss),
    ]) });

  b.push({ kind: 'h', level: 3, text: BOOTSTRAP_TABLE_HEADING });
  b.push({ kind: 'p', text: `${words.intervalNote}; the bounds here are the means over seeds of those per-seed bounds (an average per-seed uncertainty, not an interval over seeds; the std above is the seed-to-seed spread).` });
  b.push({ kind: 'table', header: ['strategy', ...metrics.map((m) => m.label)],
    rows: d.rows.map((r) => [r.strategy, ...metrics.map((m) => fmtInterval(r.metricLow[m.name]!, r.metricHigh[m.name]!, m.digits))]) });

  b.push({ kind: 'h', level: 3, text: BASE_TABLE_HEADING });
  b.push({ kind: 'p', text: 'The base model before fine-tuning, scored by the same eval (`eval-base`), mean over the strategy\'s seeds.' });
  b.push({ kind: 'table', header: ['strategy', ...metrics.map((m) => m.label)],
    rows: d.rows.map((r) => [r.strategy, ...metrics.map((m) => fmtMetric(r.baseMetric[m.name]!, m.digits))]) });

  b.push({ kind: 'h', level: 2, text: RUNS_TABLE_HEADING });
  b.push({ kind: 'table',
    header: ['strategy', 'seed', ...metrics.map((m) => m.label), `${primary.label} ${words.intervalName}`, `base ${primary.label}`, 'active experts / token', 'FLOPs / token', 'train tokens/s', 'train wall s', 'eval wall s', 'final loss'],
    rows: d.runs.map((r) => [
      r.strategy, String(r.seed), ...metrics.map((m) => fmtMetric(r.metrics.mean[m.name]!, m.digits)),
      fmtInterval(r.metrics.low[primary.name]!, r.metrics.high[primary.name]!, primary.digits), fmtMetric(r.base?.mean[primary.name] ?? null, primary.digits),
      fmtActive(r.activeExpertsMean), fmtFlops(r.flopsPerToken), fmtOne(r.trainTokensPerS), fmtOne(r.trainWallS), fmtOne(r.evalWallS), fmtLoss(r.finalLoss),
    ]) });

  if (d.plots.length) {
    b.push({ kind: 'h', level: 2, text: 'Plots' });
    for (const plot of d.plots) b.push({ kind: 'plot', plot });
  }

  b.push({ kind: 'h', level: 2, text: 'Strategies' });
  b.push({ kind: 'p', text: 'Router config as resolved by the train stage (from its manifest), and the rest of its training config.' });
  for (const r of d.rows) {
    b.push({ kind: 'h', level: 3, text: r.strategy });
    b.push({ kind: 'code', text: JSON.stringify(r.router, null, 2) });
    const train = r.runs[0]!.trainConfig;
    const same = r.runs.every((x) => JSON.stringify(x.trainConfig) === JSON.stringify(train));
    b.push({ kind: 'p', text: `Training config${same ? '' : ' (of seed ' + r.runs[0]!.seed + '; differs between seeds)'}:` });
    b.push({ kind: 'code', text: JSON.stringify(train) });
    const flopsRows = [...new Set(r.runs.map((x) => x.flopsRow ?? 'none'))];
    b.push({ kind: 'p', text: `FLOPs row used from flops.arrow: ${flopsRows.map((x) => `\`${x}\``).join(', ')}.` });
  }

  b.push({ kind: 'h', level: 2, text: 'How the numbers are computed' });
  b.push({ kind: 'list', items: [
    ...words.method,
    'Active experts / token: mean of routing.arrow `active_experts` over every held-out token and sparse layer of the train stage.',
    'FLOPs / token: flops.arrow `flops_forward_all_per_token` (forward pass, matmuls and element-wise work) of the row costed from the trained router\'s routing statistics (`routing-stats`), else the configured row.',
    'Train tokens/s: Σ tokens / Σ step time over timing.jsonl (each record covers the steps since the previous one).',
    'Wall times: `wallTimeSeconds` of the train and eval-rouge manifests. Final loss: the last row of metrics.arrow.',
    'Expert load: Σ over logged steps of routing-metrics.arrow `expert_load` per layer, normalised to shares, then averaged over seeds.',
  ] });
  return b;
}
