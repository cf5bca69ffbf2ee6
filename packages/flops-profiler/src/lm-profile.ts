// The flops-profiler stage for a trained decoder-only MoE language model (model-core's DecoderLM):
// when the model of `model: "input:<role>"` is an LM config.json, the rows are
//   - the top-k cost line of the trained router's gate (softmax, k = 1…E, `fixed-k`),
//   - the trained model itself (`routing-stats`): eval FLOPs at the active experts measured on the
//     held-out batch (routing.arrow), training FLOPs at the active experts measured during
//     training (routing-metrics.arrow `mean_active_experts`, mean over the logged steps; SMoE-
//     Dropout's k grows over the run, so the two differ), plus the extra expert evaluations the
//     router declares (CompeteSMoE),
//   - configured routers (`routers`), costed at their fixed k (a data-dependent support is probed
//     by profile.ts for the Switch model only; here it is an error naming the router).
// flops.arrow keeps profile.ts's column names for what the report reads (router, source, k,
// flops_*_per_token); `block_length` replaces the Switch rows' source/target lengths.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { columnValues, makeTable, readArrowFile, writeArrowFile } from '@switchyard/runtime';
import { describeRouter, type RouterConfig } from '@switchyard/routers';
import { lmLayerKinds, parseLmConfig } from '@switchyard/model-core';
import { fixedActive, lmFlopsModel, type LmFlopsReport, type LmMoeLayerCost, type LmShape } from './lm-flops.js';
import { costSpecOf, type RouterCostSpec } from './router-cost.js';
import type { FlopsStageConfig } from './stage-config.js';
import type { ProfileContext } from './profile.js';
import { renderChart } from './plots/render-chart.js';
import { flopsVsKSpec, type CurvePoint, type SupportPoint } from './plots/flops-charts.js';

/** Whether a config.json object is a decoder LM's (model-core LmConfig keys) rather than a Switch one. */
export function isLmConfigJson(obj: Record<string, unknown>): boolean {
  return 'dModel' in obj && 'blockSize' in obj && 'attnSpan' in obj && 'numLayers' in obj;
}

/** The folder of `model: "input:<role>"` when its config.json is a decoder LM's, else null. */
export function lmModelFolder(cfg: Pick<FlopsStageConfig, 'model'>, inputs: Record<string, string>): string | null {
  if (typeof cfg.model !== 'string' || !cfg.model.startsWith('input:')) return null;
  const dir = inputs[cfg.model.slice('input:'.length)];
  if (!dir) return null;
  const file = path.join(dir, 'config.json');
  if (!existsSync(file)) return null;
  try {
    const obj = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return obj && typeof obj === 'object' && !Array.isArray(obj) && isLmConfigJson(obj as Record<string, unknown>) ? dir : null;
  } catch {
    return null; // profile.ts reports a bad config.json with its path
  }
}

interface LmRow {
  router: string; gate: string; normaliser: string; source: 'fixed-k' | 'routing-stats';
  k: number | null; histogram: number[]; report: LmFlopsReport;
  /** A point of the top-k cost line (not a configured router at a fixed k). */
  curve?: boolean;
}

/** Per layer name: tokens and summed active experts of routing.arrow, with the pooled histogram. */
function evalActivity(file: string): { perLayer: Map<string, { tokens: number; total: number }>; histogram: number[] } {
  const t = readArrowFile(file, { layer: 'utf8', active_experts: 'int32' });
  const layers = columnValues<string>(t, 'layer');
  const active = columnValues<number>(t, 'active_experts');
  const perLayer = new Map<string, { tokens: number; total: number }>();
  const histogram: number[] = [];
  layers.forEach((l, i) => {
    const a = Number(active[i]);
    const acc = perLayer.get(l) ?? { tokens: 0, total: 0 };
    acc.tokens += 1; acc.total += a; perLayer.set(l, acc);
    while (histogram.length <= a) histogram.push(0);
    histogram[a]! += 1;
  });
  return { perLayer, histogram };
}

/** Per layer name: mean over the logged training steps of routing-metrics.arrow's mean_active_experts. */
function trainingActivity(file: string): Map<string, number> {
  const t = readArrowFile(file, { layer: 'utf8', mean_active_experts: 'float64' });
  const layers = columnValues<string>(t, 'layer');
  const mean = columnValues<number>(t, 'mean_active_experts');
  const acc = new Map<string, { n: number; s: number }>();
  layers.forEach((l, i) => {
    const v = Number(mean[i]);
    if (!Number.isFinite(v)) return;
    const a = acc.get(l) ?? { n: 0, s: 0 };
    a.n += 1; a.s += v; acc.set(l, a);
  });
  return new Map([...acc].map(([l, a]) => [l, a.s / a.n]));
}

export async function runLmFlopsProfile(cfg: FlopsStageConfig, dir: string, ctx: ProfileContext): Promise<{ files: string[]; rows: number }> {
  const file = path.join(dir, 'config.json');
  const lm = parseLmConfig(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>, file);
  const kinds = lmLayerKinds(lm);
  const E = lm.numExperts;
  const shape: LmShape = {
    vocabSize: lm.vocabSize, dModel: lm.dModel, numHeads: lm.numHeads, dFf: lm.dFf, blockSize: lm.blockSize, attnSpan: lm.attnSpan,
    layerKinds: kinds, numExperts: E, doubleMoeNorm: lm.compatDoubleMoeNorm,
  };
  const dims = { dModel: lm.dModel, numExperts: E };
  const moeIdx = kinds.flatMap((k, i) => (k === 'moe' ? [i] : []));
  const slotOf = (i: number): RouterConfig => (lm.routerByLayer[String(i)] ?? lm.router) as RouterConfig;
  const layerSpecs = moeIdx.map((i) => {
    const d = describeRouter(slotOf(i), dims, `${file} ${lm.routerByLayer[String(i)] ? `routerByLayer.${i}` : 'router'}`);
    return { layer: `layers.${i}.moe`, desc: d, spec: costSpecOf(d) };
  });
  const rows: LmRow[] = [];
  const at = (spec: (l: typeof layerSpecs[number]) => RouterCostSpec, a: (l: typeof layerSpecs[number]) => [number, number]): LmFlopsReport =>
    lmFlopsModel(shape, layerSpecs.map((l): LmMoeLayerCost => { const [ev, tr] = a(l); return { layer: l.layer, router: spec(l), activeEval: ev, activeTraining: tr }; }));

  // 1. the top-k cost line of the trained router's gate (of the first MoE layer)
  const first = layerSpecs[0];
  if (first) {
    for (const k of cfg.topK.kValues ?? Array.from({ length: E }, (_, i) => i + 1)) {
      if (k > E) continue;
      const spec: RouterCostSpec = { gate: first.spec.gate, normaliser: 'softmax', selectionSort: k < E };
      rows.push({ router: `${first.spec.gate}-softmax-topk`, gate: first.spec.gate, normaliser: 'softmax', source: 'fixed-k', k, histogram: [], curve: true,
        report: at(() => spec, () => [k, k]) });
    }
  }

  // 2. the trained model: measured active experts at eval (routing.arrow) and in training (routing-metrics.arrow)
  const routingFile = path.join(dir, 'routing.arrow');
  const metricsFile = path.join(dir, 'routing-metrics.arrow');
  if (first && existsSync(routingFile)) {
    const ev = evalActivity(routingFile);
    const tr = existsSync(metricsFile) ? trainingActivity(metricsFile) : new Map<string, number>();
    const missing = layerSpecs.filter((l) => !ev.perLayer.get(l.layer)?.tokens).map((l) => l.layer);
    if (missing.length > 0) throw new Error(`${routingFile}: no tokens for MoE layer(s) ${missing.join(', ')} (layers present: ${[...ev.perLayer.keys()].join(', ') || 'none'})`);
    if (tr.size === 0) ctx.log(`${metricsFile}: no training statistics; training FLOPs use the eval-time active experts`);
    const report = at((l) => l.spec, (l) => {
      const e = ev.perLayer.get(l.layer)!;
      const mean = e.total / e.tokens;
      return [mean, tr.get(l.layer) ?? mean];
    });
    rows.push({ router: lm.router.type, gate: first.spec.gate, normaliser: first.spec.normaliser ?? 'softmax', source: 'routing-stats', k: null, histogram: ev.histogram, report });
    ctx.log(`${lm.router.type}: ${report.meanActiveExperts.toFixed(2)} active experts/token at eval, ${report.meanActiveExpertsTraining.toFixed(2)} in training; ${fmt(report.perToken.forwardAll)} forward and ${fmt(report.perToken.trainingAll)} training FLOPs per token`);
  } else if (first) {
    ctx.log(`${routingFile} is absent: the trained model is costed from its router's description`);
    const k = fixedActive(first.desc, E);
    if (k === null) throw new Error(`${file}: router "${lm.router.type}" has a data-dependent support and ${routingFile} is absent, so its active experts are unknown`);
    rows.push({ router: lm.router.type, gate: first.spec.gate, normaliser: first.spec.normaliser ?? 'softmax', source: 'fixed-k', k, histogram: [],
      report: at((l) => l.spec, () => [k, k]) });
  }

  // 3. configured routers at their fixed k
  cfg.routers.forEach((rc, i) => {
    const desc = describeRouter(rc.router, dims, `routers[${i}].router`);
    const k = fixedActive(desc, E);
    if (k === null) throw new Error(`routers[${i}] (${rc.router.type}): a data-dependent support cannot be costed for a language model without its routing statistics; train it and cost the trained model instead`);
    const spec = costSpecOf(desc);
    rows.push({ router: rc.name ?? rc.router.type, gate: spec.gate, normaliser: spec.normaliser ?? 'softmax', source: 'fixed-k', k, histogram: [], report: at(() => spec, () => [k, k]) });
  });

  const files = ['flops.arrow'];
  writeArrowFile(path.join(ctx.outDir, 'flops.arrow'), lmFlopsTable(rows));
  if (cfg.plots) {
    const curve: CurvePoint[] = rows.filter((r) => r.curve).map((r) => ({ router: r.router, k: r.k!, flops: r.report.perToken.forwardAll }));
    const support: SupportPoint[] = rows.filter((r) => r.source === 'routing-stats').map((r) => ({ router: `${r.router} (trained)`, meanActive: r.report.meanActiveExperts, flops: r.report.perToken.forwardAll }));
    const { svg, png } = await renderChart(flopsVsKSpec(curve, support, 'Forward FLOPs per token vs active experts (decoder LM)', 'FLOPs per token'), cfg.fontPath ? { fontPath: cfg.fontPath } : {});
    writeFileSync(path.join(ctx.outDir, 'flops-vs-k.svg'), svg);
    writeFileSync(path.join(ctx.outDir, 'flops-vs-k.png'), png);
    files.push('flops-vs-k.svg', 'flops-vs-k.png');
  }
  return { files, rows: rows.length };
}

function fmt(v: number): string {
  return v.toExponential(3);
}

function lmFlopsTable(rows: LmRow[]) {
  const col = <T>(f: (r: LmRow) => T) => rows.map(f);
  return makeTable({
    router: { kind: 'utf8', values: col((r) => r.router) },
    gate: { kind: 'utf8', values: col((r) => r.gate) },
    normaliser: { kind: 'utf8', values: col((r) => r.normaliser) },
    source: { kind: 'utf8', values: col((r) => r.source) },
    k: { kind: 'int32', values: col((r) => r.k) },
    mean_active_experts: { kind: 'float64', values: col((r) => r.report.meanActiveExperts) },
    mean_active_experts_training: { kind: 'float64', values: col((r) => r.report.meanActiveExpertsTraining) },
    active_experts_histogram: { kind: 'list<int32>', values: col((r) => r.histogram) },
    block_length: { kind: 'int32', values: col((r) => r.report.blockSize) },
    flops_forward_matmul_per_token: { kind: 'float64', values: col((r) => r.report.perToken.forwardMatmul) },
    flops_forward_all_per_token: { kind: 'float64', values: col((r) => r.report.perToken.forwardAll) },
    flops_training_matmul_per_token: { kind: 'float64', values: col((r) => r.report.perToken.trainingMatmul) },
    flops_training_all_per_token: { kind: 'float64', values: col((r) => r.report.perToken.trainingAll) },
  });
}
