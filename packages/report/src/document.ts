// The report as a list of blocks, rendered to Markdown and to HTML by two small renderers, so
// both files carry the same text and the same printed digits.
import type { MetricRecord } from '@switchyard/eval-rouge/metric-record';
import type { RunNumbers } from './run-metrics.js';
import type { StrategySummary } from './summarise.js';
import type { Provenance } from './provenance.js';
import type { Plot } from './plots.js';
import { fmtActive, fmtFlops, fmtInterval, fmtLoss, fmtMeanStd, fmtOne, fmtMetric, fmtSigned, fmtSignedInterval } from './format.js';
import type { ExampleOutputs } from './examples.js';
import type { SplitSource, DataSourceEntry } from './provenance.js';

export type Block =
  | { kind: 'h'; level: 1 | 2 | 3; text: string }
  | { kind: 'p'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][] }
  | { kind: 'code'; text: string }
  | { kind: 'quote'; text: string }
  | { kind: 'plot'; plot: Plot };

export const MAIN_TABLE_HEADING = 'Results by strategy';
export const PAIRED_TABLE_HEADING = 'Paired differences against the baseline';
export const BOOTSTRAP_TABLE_HEADING = 'Bootstrap intervals';
export const BASE_TABLE_HEADING = 'Untuned base model';
export const RUNS_TABLE_HEADING = 'Results by run';
export const EXAMPLES_HEADING = 'Examples';

export interface DocumentInput {
  title: string;
  /** The eval stages' metric record (what the metric columns are and how they are computed). */
  record: MetricRecord;
  /** Strategies, best first on the headline metric. */
  rows: StrategySummary[];
  runs: RunNumbers[];
  provenance: Provenance;
  plots: Plot[];
  layout: 'pipeline' | 'sweep';
  notes: string[];
  baselineRouter: string;
  /** Each strategy's baseline by name (report config baselineOf), instead of the one baselineRouter strategy. */
  baselineOf?: { match: string; baseline: string };
  paired: { confidence: number; samples: number; seed: number };
  examples: ExampleOutputs[];
  /** How to run the comparison (one-pipeline layout). */
  sweepHint?: string;
}

const describeSource = (via: string, path: string) => (via === 'embedded'
  ? `the embedded **synthetic** corpus (\`${path}\`), not SAMSum`
  : `${via === 'SAMSUM_DIR' ? 'SAMSum via SAMSUM_DIR' : via === 'hf-cache' ? 'SAMSum from the Hugging Face datasets cache' : via} (\`${path}\`)`);

/** The data lines of the setup: per split when data-prep recorded it, else per source. */
export function dataLines(p: Provenance, evalSplit: string): string[] {
  if (p.splitSources.length > 0) {
    const per = p.splitSources.map((s: SplitSource) => `${s.split}: ${describeSource(s.via, s.path)}${s.rows !== null ? `, ${s.rows.toLocaleString('en-US')} rows` : ''}`);
    const evalSynthetic = p.splitSources.some((s) => s.split === evalSplit && s.via === 'embedded');
    const trainSynthetic = p.splitSources.some((s) => s.split === 'train' && s.via === 'embedded');
    const verdict = evalSynthetic
      ? `The evaluated split (${evalSplit}) is the embedded synthetic corpus: **these numbers are not SAMSum results**.`
      : trainSynthetic
        ? `The evaluated split (${evalSplit}) is real, but **the models were trained on the embedded synthetic corpus**: these are SAMSum ${evalSplit} scores of models that never saw SAMSum training data.`
        : `Every split is real data (${[...new Set(p.splitSources.map((s) => s.via))].join(', ')}).`;
    return [`Data by split — ${per.join('; ')}.`, verdict];
  }
  if (p.dataSources.length === 0) return ['Data: unknown (no data-prep output reachable; add `data-prep` to the report stage\'s inputs).'];
  return p.synthetic
    ? [`Data: **the embedded synthetic corpus** (${p.dataSources.filter((s: DataSourceEntry) => s.via === 'embedded').map((s) => `\`${s.path}\``).join(', ')}), not SAMSum: these numbers are not SAMSum results.`]
    : [`Data: ${p.dataSources.map((s) => `${s.via} \`${s.path}\``).join(', ')}.`];
}

export function buildDocument(d: DocumentInput): Block[] {
  const b: Block[] = [{ kind: 'h', level: 1, text: d.title }];
  const p = d.provenance;
  const metrics = d.record.metrics;
  const primary = metrics.find((m) => m.name === d.record.primary)!;
  const words = d.record.report;
  const dir = primary.higherIsBetter ? 'higher is better' : 'lower is better';
  const hasVal = d.rows.some((r) => r.validationMean[primary.name] !== null);
  const baseline = d.rows.find((r) => r.routerType === d.baselineRouter && d.rows.filter((x) => x.routerType === d.baselineRouter).length === 1);

  b.push({ kind: 'h', level: 2, text: 'Setup' });
  b.push({ kind: 'list', items: [
    `Layout: ${d.layout === 'sweep' ? 'sweep (runs grouped by pipeline = strategy and seed)' : 'one pipeline (one strategy, one seed)'}; ${d.rows.length} strateg${d.rows.length === 1 ? 'y' : 'ies'}, ${d.runs.length} run${d.runs.length === 1 ? '' : 's'}.`,
    `Backend: ${p.backends.join('; ') || 'unknown'}.`,
    ...dataLines(p, d.record.split),
    ...p.dataSources.filter((s) => s.notice).map((s) => `data-prep notice: ${s.notice}`),
    ...(p.dataSourceUnknown > 0 && p.dataSources.length > 0 ? [`${p.dataSourceUnknown} run(s) had no reachable data-prep output.`] : []),
    `Evaluated: the ${d.record.split} split, ${d.record.examples.toLocaleString('en-US')} examples${hasVal ? '; the validation split too (its own column)' : ''}.`,
    `Seeds: ${p.seeds.join(', ')}.`,
    ...d.notes,
  ] });
  if (d.layout === 'pipeline') {
    b.push({ kind: 'p', text: `This is one strategy with one seed: it cannot say which router is better. The cost plot puts the trained router on the top-k cost line; for comparisons between strategies (over seeds, with paired differences) run a sweep${d.sweepHint ? `: \`${d.sweepHint}\`` : ' (pipelines/sweeps/)'}.` });
  }

  b.push({ kind: 'h', level: 2, text: MAIN_TABLE_HEADING });
  b.push({ kind: 'p', text: `${words.valueNote}: mean ± sample std over seeds (std omitted for one seed); rows sorted by ${primary.label} (${dir}), best first. "Pareto" marks the strategies no other beats on ${primary.label} at no more forward FLOPs per token. Base: the untuned base model on the same split; Δ base = strategy − base. FLOPs per token: forward pass, and one training step (forward + backward + the router's extra expert evaluations). Held-out loss: eval-mode token cross-entropy of the train stage's held-out batch (the first validation examples), not a training minibatch. Active experts, FLOPs, losses, throughput and wall times are means over seeds.` });
  b.push({ kind: 'table',
    header: ['strategy', 'router', 'seeds', ...metrics.map((m) => m.label), ...(hasVal ? [`val ${primary.label}`] : []), `base ${primary.label}`, 'Δ base', 'Pareto',
      'active experts / token', 'forward FLOPs / token', 'training FLOPs / token', 'held-out loss', 'train tokens/s', 'train wall s', 'eval wall s'],
    rows: d.rows.map((r) => [
      r.strategy, `\`${r.routerType}\``, String(r.seeds.length),
      ...metrics.map((m) => fmtMeanStd(r.metricMean[m.name]!, r.metricStd[m.name]!, m.digits)),
      ...(hasVal ? [fmtMetric(r.validationMean[primary.name] ?? null, primary.digits)] : []),
      fmtMetric(r.baseMetric[primary.name]!, primary.digits),
      fmtSigned(r.metricMean[primary.name] !== null && r.baseMetric[primary.name] !== null ? r.metricMean[primary.name]! - r.baseMetric[primary.name]! : null, primary.digits),
      r.pareto === null ? '–' : r.pareto ? 'yes' : 'no',
      fmtActive(r.activeExpertsMean), fmtFlops(r.flopsPerToken), fmtFlops(r.flopsTrainingPerToken), fmtLoss(r.heldOutLoss),
      fmtOne(r.trainTokensPerS), fmtOne(r.trainWallS), fmtOne(r.evalWallS),
    ]) });

  if (d.layout === 'sweep') {
    b.push({ kind: 'h', level: 3, text: PAIRED_TABLE_HEADING });
    const pairedRows = d.rows.filter((r) => r.paired);
    if (d.baselineOf && pairedRows.length === 0) {
      b.push({ kind: 'p', text: `No paired differences: no strategy's baseline (config \`baselineOf\`: \`${d.baselineOf.match}\` → \`${d.baselineOf.baseline}\`) is among the strategies.` });
    } else if (!d.baselineOf && !baseline) {
      b.push({ kind: 'p', text: `No paired differences: the report compares against the one strategy whose router is \`${d.baselineRouter}\` (config \`baselineRouter\`), and ${d.rows.some((r) => r.routerType === d.baselineRouter) ? 'there is more than one' : 'there is none'}.` });
    } else {
      const conf = Math.round(d.paired.confidence * 100);
      const against = d.baselineOf ? `its baseline (column "baseline": config \`baselineOf\` maps \`${d.baselineOf.match}\` to \`${d.baselineOf.baseline}\`, so each strategy is paired with the baseline of its own group)` : baseline!.strategy;
      b.push({ kind: 'p', text: `Δ = strategy − ${against} on ${primary.label} (${dir}), over the seeds both have. Seed interval: mean of the per-seed Δ ± t(${((1 + d.paired.confidence) / 2).toFixed(3)}, n − 1) · sd / √n, a ${conf}% Student-t interval over seeds (n seeds; none for one seed) — how much the difference moves with the training seed. Paired bootstrap: the per-example Δ of the same eval example, averaged over the shared seeds, resampled over examples ${d.paired.samples} times (seed ${d.paired.seed}), ${conf}% percentile interval — how much it depends on which eval examples were drawn. An interval that excludes 0 on both counts is a difference these runs support.` });
      b.push({ kind: 'table', header: ['strategy', ...(d.baselineOf ? ['baseline'] : []), 'seeds', 'Δ per seed', 'mean Δ', `${conf}% t-interval over seeds`, `${conf}% paired bootstrap over examples`, 'examples'],
        rows: pairedRows.map((r) => {
          const q = r.paired!;
          return [r.strategy, ...(d.baselineOf ? [q.baseline] : []), q.seeds.join(', ') || '–', q.perSeed.map((x) => fmtSigned(x, primary.digits)).join(', ') || '–', fmtSigned(q.mean, primary.digits),
            fmtSignedInterval(q.tLow, q.tHigh, primary.digits), q.bootNote ? `– (${q.bootNote})` : fmtSignedInterval(q.bootLow, q.bootHigh, primary.digits), q.examples === null ? '–' : String(q.examples)];
        }) });
    }
  }

  b.push({ kind: 'h', level: 3, text: BOOTSTRAP_TABLE_HEADING });
  b.push({ kind: 'p', text: `${words.intervalNote}; the bounds here are the means over seeds of those per-seed bounds (an average per-seed uncertainty, not an interval over seeds; the std above is the seed-to-seed spread).` });
  b.push({ kind: 'table', header: ['strategy', ...metrics.map((m) => m.label)],
    rows: d.rows.map((r) => [r.strategy, ...metrics.map((m) => fmtInterval(r.metricLow[m.name]!, r.metricHigh[m.name]!, m.digits))]) });

  b.push({ kind: 'h', level: 3, text: BASE_TABLE_HEADING });
  b.push({ kind: 'p', text: 'The base model before fine-tuning (its native router), scored by the same eval (`eval-base`), mean over the strategy\'s seeds, beside the fine-tuned strategy. Base held-out loss: the base-model stage\'s own held-out batch (first validation examples).' });
  b.push({ kind: 'table', header: ['strategy', ...metrics.flatMap((m) => [`${m.label}`, `base ${m.label}`]), 'held-out loss', 'base held-out loss'],
    rows: d.rows.map((r) => [r.strategy, ...metrics.flatMap((m) => [fmtMetric(r.metricMean[m.name]!, m.digits), fmtMetric(r.baseMetric[m.name]!, m.digits)]), fmtLoss(r.heldOutLoss), fmtLoss(r.baseHeldOutLoss)]) });

  b.push({ kind: 'h', level: 2, text: RUNS_TABLE_HEADING });
  b.push({ kind: 'table',
    header: ['strategy', 'seed', ...metrics.map((m) => m.label), `${primary.label} ${words.intervalName}`, `base ${primary.label}`, 'active experts / token', 'forward FLOPs / token', 'training FLOPs / token', 'held-out loss', 'train tokens/s', 'train wall s', 'eval wall s'],
    rows: d.rows.flatMap((row) => row.runs).map((r) => [
      r.strategy, String(r.seed), ...metrics.map((m) => fmtMetric(r.metrics.mean[m.name]!, m.digits)),
      fmtInterval(r.metrics.low[primary.name]!, r.metrics.high[primary.name]!, primary.digits), fmtMetric(r.base?.mean[primary.name] ?? null, primary.digits),
      fmtActive(r.activeExpertsMean), fmtFlops(r.flopsPerToken), fmtFlops(r.flopsTrainingPerToken), fmtLoss(r.heldOutLoss), fmtOne(r.trainTokensPerS), fmtOne(r.trainWallS), fmtOne(r.evalWallS),
    ]) });

  if (d.plots.length) {
    b.push({ kind: 'h', level: 2, text: 'Plots' });
    for (const plot of d.plots) b.push({ kind: 'plot', plot });
  }

  if (d.examples.length) {
    b.push({ kind: 'h', level: 2, text: EXAMPLES_HEADING });
    b.push({ kind: 'p', text: `${d.examples.length} examples of the ${d.record.split} split, spread evenly over it: the reference, the untuned base model and each strategy's output (its lowest seed), strategies in table order.` });
    for (const e of d.examples) {
      b.push({ kind: 'h', level: 3, text: `Example ${e.id}` });
      if (e.input !== null) b.push({ kind: 'quote', text: e.input.length > 600 ? `${e.input.slice(0, 600)} …(${e.input.length - 600} more characters)` : e.input });
      b.push({ kind: 'table', header: ['', 'output'], rows: [
        ['reference', e.reference],
        ...(e.base !== null ? [['untuned base model', e.base]] : []),
        ...d.rows.filter((r) => r.strategy in e.outputs).map((r) => [r.strategy, e.outputs[r.strategy]!]),
      ] });
    }
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
    `Sorting and Pareto front: by the mean over seeds of ${primary.label} (${dir}); Pareto against forward FLOPs per token.`,
    'Active experts / token: mean of routing.arrow `active_experts` over every held-out token and sparse layer of the train stage.',
    'FLOPs / token: flops.arrow `flops_forward_all_per_token` (forward pass, matmuls and element-wise work) and `flops_training_all_per_token` (one training step, with any extra expert evaluations the router needs) of the row costed from the trained router\'s routing statistics (`routing-stats`), else the configured row.',
    'Held-out loss: `extra.training.heldOutLoss.ce` of the train manifest (eval mode, first held-out batch); the base model\'s from the base-model manifest.',
    'Train tokens/s: Σ tokens / Σ step time over timing.jsonl (each record covers the steps since the previous one).',
    'Wall times: `wallTimeSeconds` of the train and eval manifests.',
    'Expert load: Σ over logged steps of routing-metrics.arrow `expert_load` per layer, normalised to shares, then averaged over seeds.',
    'Loss curves: the training-minibatch loss of metrics.arrow; line = mean over seeds at each logged step, band = min to max over seeds.',
  ] });
  return b;
}
