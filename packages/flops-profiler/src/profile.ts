// The work behind the flops-profiler stage and `switchyard flops`: analytic FLOPs rows for the
// top-k curve, for routing statistics found upstream and for configured routers, optional
// measured layer timings, then flops.arrow, active-experts.arrow and the two plots.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import { Rng } from '@switchyard/tensor-engine';
import { createRouter, describeRouter, type RouterConfig, type RouterDescription } from '@switchyard/routers';
import { defaultRouterSlot, parseSwitchConfig } from '@switchyard/model-core';
import { flopsModel, type FlopsReport } from './analytic.js';
import { resolveModel, type ResolvedModel } from './model-config.js';
import { costSpecOf, type RouterCostSpec } from './router-cost.js';
import { readRoutingFile, pooledHistogram, pooledMeanActive, type RoutingSummary } from './routing-stats.js';
import type { FlopsStageConfig } from './stage-config.js';
import { createExperts, planFromMask } from './bench/moe-layer.js';
import { syntheticTopK, syntheticSupport } from './bench/synthetic-masks.js';
import { timeDenseLayer, timeRouterLayer, timeSparseLayer, type LayerTiming } from './bench/time-layer.js';
import { renderChart } from './plots/render-chart.js';
import { PUBLISHED_SETUP, PUBLISHED_SPARSEMAX } from './published.js';
import { impliedActiveExperts } from './comparison.js';
import { flopsVsKSpec, activeExpertsHistogramSpec, type CurvePoint, type HistogramBar, type SupportPoint } from './plots/flops-charts.js';

export interface ProfileContext {
  /** Upstream name → output folder; each may hold a routing.arrow. */
  inputs: Record<string, string>;
  outDir: string;
  seed: number;
  log(message: string): void;
  record?(key: string, value: unknown): void;
}

export type RowSource = 'fixed-k' | 'routing-stats' | 'untrained-router' | 'dense' | 'published';

export interface FlopsRow {
  router: string;
  gate: string;
  normaliser: string;
  source: RowSource;
  /** Fixed k, or null when the support size varies per token. */
  k: number | null;
  meanActive: number;
  /** histogram[a] = tokens with a active experts (empty for fixed k). */
  histogram: number[];
  report: FlopsReport;
  timing?: LayerTiming;
  /** How the timed layer was routed. */
  timingDispatch?: string;
  /** The router config of a configured-router row (measured with the real router). */
  routerConfig?: RouterConfig;
  /** The router's own description the row was costed from (routing-stats and configured rows). */
  description?: RouterDescription;
}

export interface ProfileResult {
  rows: FlopsRow[];
  dense?: LayerTiming;
  files: string[];
}

export const FLOPS_FILE = 'flops.arrow';
export const ACTIVE_EXPERTS_FILE = 'active-experts.arrow';

/** Route `tokens` N(0, 1) rows through a freshly initialised router; the dispatch histogram stands in for statistics. */
function probeUntrained(routerCfg: RouterConfig, d: number, E: number, vocab: number, tokens: number, rng: Rng): RoutingSummary {
  const router = createRouter(routerCfg, { dModel: d, numExperts: E, vocabSize: vocab, rng: rng.fork('probe-init') });
  try {
    const mask = tf.tidy(() => {
      const x = rng.normalTensor([tokens, d]) as tf.Tensor2D;
      const tokenIds = randomTokenIds(tokens, vocab, rng.fork('probe-ids'));
      const out = router.route(x, { training: false, rng: rng.fork('probe-route'), tokenIds });
      return out.dispatch.dataSync().slice();
    });
    const plan = planFromMask(mask, tokens, E);
    return { '*': { tokens, totalActive: Math.round(plan.meanActive * tokens), histogram: plan.histogram } };
  } finally {
    router.dispose();
  }
}

/** Token ids for routers that route on ids (StableMoE's distilled gate). [N] int32 */
function randomTokenIds(tokens: number, vocab: number, rng: Rng): tf.Tensor1D {
  const ids = new Int32Array(tokens);
  for (let i = 0; i < tokens; i++) ids[i] = rng.int(vocab);
  return tf.tensor1d(ids, 'int32');
}

/** Sample per-token support sizes from a histogram (clamped to E). */
function sampleSizes(histogram: number[], tokens: number, E: number, rng: Rng): Int32Array {
  const total = histogram.reduce((a, b) => a + b, 0);
  const out = new Int32Array(tokens);
  for (let n = 0; n < tokens; n++) {
    let u = rng.uniform() * total;
    let a = 0;
    while (a < histogram.length - 1 && u >= histogram[a]!) { u -= histogram[a]!; a++; }
    out[n] = Math.min(a, E);
  }
  return out;
}

/** `model: "input:<role>"` → the config.json of the upstream folder playing that input role (the model that produced the statistics). */
export function modelFromInput<C extends { model?: FlopsStageConfig['model'] }>(cfg: C, inputs: Record<string, string>): C {
  if (typeof cfg.model !== 'string' || !cfg.model.startsWith('input:')) return cfg;
  const name = cfg.model.slice('input:'.length);
  const dir = inputs[name];
  if (!dir) throw new Error(`model "${cfg.model}": no input role "${name}" (map it to a stage in the pipeline's "inputs"; inputs: ${Object.keys(inputs).join(', ') || 'none'})`);
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) throw new Error(`model "${cfg.model}": ${file} does not exist`);
  const model = readJsonObject(file);
  resolveModel(model, file); // a bad config.json is reported with its path
  return { ...cfg, model: model as FlopsStageConfig['model'] };
}

function readJsonObject(file: string): Record<string, unknown> {
  let v: unknown;
  try { v = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw new Error(`${file}: not valid JSON (${(e as Error).message})`); }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${file}: expected a JSON object`);
  return v as Record<string, unknown>;
}

/**
 * The router of the model that wrote `<dir>/routing.arrow`, from its `<dir>/config.json`
 * (`switchyard_router`, else HF's own top-1 router), described by the registry for the costed model.
 */
function routerOfModelFolder(dir: string, m: ResolvedModel): { router: RouterConfig; description: RouterDescription } {
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) throw new Error(`${dir}: routing.arrow has no config.json beside it; the router (and so its cost) is read from the config.json of the model that wrote the statistics`);
  const router = defaultRouterSlot(parseSwitchConfig(readJsonObject(file), file));
  return { router, description: describeRouter(router, { dModel: m.d, numExperts: m.experts }, `${file} switchyard_router`) };
}

export async function runFlopsProfile(rawCfg: FlopsStageConfig, ctx: ProfileContext): Promise<ProfileResult> {
  const cfg = modelFromInput(rawCfg, ctx.inputs);
  const m = resolveModel(cfg.model, 'flops-profiler config "model"');
  const E = m.experts;
  const base = { model: cfg.model, sourceLength: cfg.sourceLength, targetLength: cfg.targetLength };
  const rng = new Rng(ctx.seed);
  const rows: FlopsRow[] = [];

  // 1. the top-k curve
  for (const gate of cfg.topK.gates) {
    for (const k of cfg.topK.kValues ?? []) {
      const spec: RouterCostSpec = { gate, normaliser: 'softmax', selectionSort: k < E };
      rows.push({ router: `${gate}-softmax-topk`, gate, normaliser: 'softmax', source: 'fixed-k', k, meanActive: k, histogram: [],
        report: flopsModel({ ...base, router: spec, activeExperts: k }) });
    }
  }

  // 2. routing statistics written by upstream stages
  for (const [name, dir] of Object.entries(ctx.inputs)) {
    const file = path.join(dir, 'routing.arrow');
    if (!existsSync(file)) {
      if (cfg.statistics[name]) throw new Error(`statistics.${name}: upstream folder ${dir} has no routing.arrow`);
      continue;
    }
    const st = cfg.statistics[name] ?? {};
    const measured = readRoutingFile(file);
    if (Object.values(measured).every((a) => a.tokens === 0)) throw new Error(`${file}: no routing statistics (0 rows)`);
    const sparse = [...m.encoderSparse.map((b) => `encoder.block.${b}`), ...m.decoderSparse.map((b) => `decoder.block.${b}`)];
    const missing = sparse.filter((l) => !measured[l]);
    let summary = measured;
    if (missing.length > 0 && !measured['*']) {
      // e.g. statistics of a smaller trained model applied to switch-base: cost the other layers at the pooled mean
      const mean = pooledMeanActive(measured);
      ctx.log(`${name}: routing.arrow has no tokens for ${missing.length} of ${sparse.length} sparse layers of the model; those use the pooled mean ${mean.toFixed(3)}`);
      summary = { ...measured, '*': { tokens: 1, totalActive: mean, histogram: [] } };
    }
    const { router, description } = routerOfModelFolder(dir, m);
    const spec = costSpecOf(description);
    const report = flopsModel({ ...base, router: spec, activeExperts: summary });
    rows.push({ router: st.label ?? router.type, gate: spec.gate, normaliser: spec.normaliser!, source: 'routing-stats', k: null,
      meanActive: report.meanActiveExperts, histogram: pooledHistogram(measured), report, description });
  }

  // 3. configured routers, each costed from its own description
  cfg.routers.forEach((rc, i) => {
    const description = describeRouter(rc.router, { dModel: m.d, numExperts: E }, `routers[${i}].router`);
    const spec = costSpecOf(description);
    const label = rc.name ?? rc.router.type;
    const active = description.activeExperts;
    const common = { router: label, gate: spec.gate, normaliser: spec.normaliser!, routerConfig: rc.router, description };
    if (active.kind === 'support') {
      const summary = probeUntrained(rc.router, m.d, E, m.vocab, cfg.probeTokens, rng.fork(`probe:${label}`));
      const report = flopsModel({ ...base, router: spec, activeExperts: summary });
      rows.push({ ...common, source: 'untrained-router', k: null, meanActive: report.meanActiveExperts, histogram: summary['*']!.histogram, report });
    } else {
      const k = active.kind === 'all' ? E : active.k;
      rows.push({ ...common, source: active.kind === 'all' ? 'dense' : 'fixed-k', k, meanActive: k, histogram: [],
        report: flopsModel({ ...base, router: spec, activeExperts: k }) });
    }
  });

  // 4. the study's sparsemax points, placed at the mean active experts their FLOPs imply
  if (cfg.published) {
    const theirs = cfg.model === PUBLISHED_SETUP.model && cfg.sourceLength === PUBLISHED_SETUP.sourceLength && cfg.targetLength === PUBLISHED_SETUP.targetLength;
    if (!theirs) ctx.log(`published sparsemax points skipped: they are for ${PUBLISHED_SETUP.model} at ${PUBLISHED_SETUP.sourceLength}/${PUBLISHED_SETUP.targetLength} tokens`);
    else {
      for (const gate of ['linear', 'attention'] as const) {
        const a = impliedActiveExperts(gate, PUBLISHED_SPARSEMAX[gate].printed);
        const spec: RouterCostSpec = { gate, normaliser: 'sparsemax' };
        rows.push({ router: `${gate}-sparsemax (SparTMoE, published)`, gate, normaliser: 'sparsemax', source: 'published', k: null,
          meanActive: a, histogram: [], report: flopsModel({ ...base, router: spec, activeExperts: a }) });
      }
    }
  }

  // 5. measured layer time
  let dense: LayerTiming | undefined;
  if (cfg.measure.enabled) dense = measureRows(cfg, rows, rng.fork('measure'), ctx);

  // 6. outputs
  const files = [FLOPS_FILE, ACTIVE_EXPERTS_FILE];
  writeArrowFile(path.join(ctx.outDir, FLOPS_FILE), flopsTable(rows, dense));
  writeArrowFile(path.join(ctx.outDir, ACTIVE_EXPERTS_FILE), histogramTable(rows));
  if (cfg.plots) files.push(...(await writePlots(rows, ctx.outDir, cfg.fontPath, ctx.log)));
  return { rows, ...(dense ? { dense } : {}), files };
}

function measureRows(cfg: FlopsStageConfig, rows: FlopsRow[], rng: Rng, ctx: ProfileContext): LayerTiming {
  const { tokens: N, dModel: D, dFf: F } = cfg.measure;
  const Eb = cfg.measure.experts ?? resolveModel(cfg.model).experts;
  const opts = { warmup: cfg.measure.warmup, repeats: cfg.measure.repeats, backward: cfg.measure.backward };
  const experts = createExperts(rng.fork('experts'), Eb, D, F);
  const x = rng.normalTensor([N, D]) as tf.Tensor2D;
  const g = rng.normalTensor([N, D]) as tf.Tensor2D;
  try {
    const all = syntheticTopK(N, Eb, Eb, rng.fork('dense'));
    const wAll = tf.tensor2d(all.weights, [N, Eb]);
    const dense = timeDenseLayer('dense', x, wAll, experts, g, opts);
    wAll.dispose();
    ctx.log(`measured dense all-${Eb} layer: ${dense.forwardMs.toFixed(1)} ms forward, ${dense.forwardBackwardMs.toFixed(1)} ms forward+backward (N=${N} D=${D} F=${F})`);
    const sparse = (label: string, r: { mask: Float32Array; weights: Float32Array }) => {
      const w = tf.tensor2d(r.weights, [N, Eb]);
      try { return timeSparseLayer(label, x, w, planFromMask(r.mask, N, Eb), experts, g, opts); } finally { w.dispose(); }
    };
    const byK = new Map<number, LayerTiming>();
    for (const row of rows) {
      if (row.source === 'fixed-k' && row.k !== null && !row.routerConfig) {
        if (!cfg.measure.kValues.includes(row.k) || row.k > Eb) continue;
        if (!byK.has(row.k)) byK.set(row.k, sparse(`top-${row.k}`, syntheticTopK(N, Eb, row.k, rng.fork(`top-${row.k}`))));
        row.timing = byK.get(row.k)!;
        row.timingDispatch = `synthetic top-${row.k} of ${Eb}`;
      } else if (row.source === 'routing-stats') {
        row.timing = sparse(row.router, syntheticSupport(sampleSizes(row.histogram, N, Eb, rng.fork(row.router)), Eb, rng.fork(`${row.router}:experts`)));
        row.timingDispatch = `support sizes sampled from routing statistics, of ${Eb}`;
      } else if (row.routerConfig) {
        const rc = row.routerConfig;
        const vocab = resolveModel(cfg.model).vocab;
        const router = createRouter(rc, { dModel: D, numExperts: Eb, vocabSize: vocab, rng: rng.fork(`${row.router}:init`) });
        const tokenIds = randomTokenIds(N, vocab, rng.fork(`${row.router}:ids`));
        try {
          row.timing = timeRouterLayer(row.router, router, x, experts, g, rng.fork(`${row.router}:route`), opts, { tokenIds });
        } finally { router.dispose(); tokenIds.dispose(); }
        row.timingDispatch = `router ${rc.type} (untrained) over ${Eb}`;
      }
      if (row.timing) ctx.log(`measured ${row.router}${row.k !== null ? ` k=${row.k}` : ''}: ${row.timing.forwardMs.toFixed(1)} ms forward, ${row.timing.forwardBackwardMs.toFixed(1)} ms forward+backward, ${row.timing.meanActive.toFixed(2)} active`);
    }
    return dense;
  } finally {
    tf.dispose([x, g]);
    experts.dispose();
  }
}

const nul = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);

function flopsTable(rows: FlopsRow[], dense?: LayerTiming) {
  const col = <T>(f: (r: FlopsRow) => T) => rows.map(f);
  return makeTable({
    router: { kind: 'utf8', values: col((r) => r.router) },
    gate: { kind: 'utf8', values: col((r) => r.gate) },
    normaliser: { kind: 'utf8', values: col((r) => r.normaliser) },
    source: { kind: 'utf8', values: col((r) => r.source) },
    k: { kind: 'int32', values: col((r) => r.k) },
    mean_active_experts: { kind: 'float64', values: col((r) => r.meanActive) },
    active_experts_histogram: { kind: 'list<int32>', values: col((r) => r.histogram) },
    source_length: { kind: 'int32', values: col((r) => r.report.sourceLength) },
    target_length: { kind: 'int32', values: col((r) => r.report.targetLength) },
    flops_forward_matmul_per_sequence: { kind: 'float64', values: col((r) => r.report.forward.matmul) },
    flops_forward_all_per_sequence: { kind: 'float64', values: col((r) => r.report.forward.all) },
    flops_training_matmul_per_sequence: { kind: 'float64', values: col((r) => r.report.training.matmul) },
    flops_training_all_per_sequence: { kind: 'float64', values: col((r) => r.report.training.all) },
    flops_forward_matmul_per_token: { kind: 'float64', values: col((r) => r.report.perToken.forwardMatmul) },
    flops_forward_all_per_token: { kind: 'float64', values: col((r) => r.report.perToken.forwardAll) },
    flops_training_all_per_token: { kind: 'float64', values: col((r) => r.report.perToken.trainingAll) },
    measured_dispatch: { kind: 'utf8', values: col((r) => r.timingDispatch ?? null) },
    measured_mean_active_experts: { kind: 'float64', values: col((r) => nul(r.timing?.meanActive)) },
    measured_forward_ms: { kind: 'float64', values: col((r) => nul(r.timing?.forwardMs)) },
    measured_forward_backward_ms: { kind: 'float64', values: col((r) => nul(r.timing?.forwardBackwardMs)) },
    measured_forward_us_per_token: { kind: 'float64', values: col((r) => nul(r.timing?.forwardUsPerToken)) },
    measured_forward_backward_us_per_token: { kind: 'float64', values: col((r) => nul(r.timing?.forwardBackwardUsPerToken)) },
    measured_forward_ratio_to_dense: { kind: 'float64', values: col((r) => nul(r.timing && dense ? r.timing.forwardMs / dense.forwardMs : undefined)) },
    measured_forward_backward_ratio_to_dense: { kind: 'float64', values: col((r) => nul(r.timing && dense ? r.timing.forwardBackwardMs / dense.forwardBackwardMs : undefined)) },
  });
}

function histogramTable(rows: FlopsRow[]) {
  const router: string[] = [], source: string[] = [], active: number[] = [], tokens: number[] = [];
  for (const r of rows) {
    r.histogram.forEach((c, a) => { router.push(r.router); source.push(r.source); active.push(a); tokens.push(c); });
  }
  return makeTable({
    router: { kind: 'utf8', values: router },
    source: { kind: 'utf8', values: source },
    active_experts: { kind: 'int32', values: active },
    tokens: { kind: 'int32', values: tokens },
  });
}

async function writePlots(rows: FlopsRow[], outDir: string, fontPath: string | undefined, log: (m: string) => void): Promise<string[]> {
  const curve: CurvePoint[] = rows.filter((r) => r.source === 'fixed-k' && !r.routerConfig) // the top-k curve rows
    .map((r) => ({ router: r.router, k: r.k!, flops: r.report.forward.matmul }));
  const support: SupportPoint[] = rows.filter((r) => r.k === null)
    .map((r) => ({ router: r.source === 'published' ? r.router : `${r.router} (${r.source})`, meanActive: r.meanActive, flops: r.report.forward.matmul }));
  const bars: HistogramBar[] = rows.filter((r) => r.histogram.length > 0)
    .flatMap((r) => r.histogram.map((tokens, activeExperts) => ({ router: r.router, activeExperts, tokens })));
  const files: string[] = [];
  const save = async (stem: string, spec: Parameters<typeof renderChart>[0]) => {
    const { svg, png, fontFile } = await renderChart(spec, fontPath ? { fontPath } : {});
    writeFileSync(path.join(outDir, `${stem}.svg`), svg);
    writeFileSync(path.join(outDir, `${stem}.png`), png);
    if (!fontFile) log('no DejaVu Sans font found (set SWITCHYARD_FONT or install fonts-dejavu-core); PNG text uses system fonts');
    files.push(`${stem}.svg`, `${stem}.png`);
  };
  await save('flops-vs-k', flopsVsKSpec(curve, support));
  if (bars.length > 0) await save('active-experts-histogram', activeExpertsHistogramSpec(bars));
  else log('no support-size statistics: the active-experts histogram is not drawn');
  return files;
}
