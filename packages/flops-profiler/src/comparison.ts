// Our analytic top-k curve next to the SparTMoE study's published profiler numbers
// (docs/routers.md §4). The README table is this function's output (scripts/published-table.mjs).
import { flopsModel, deltaFlopsPerExpert } from './analytic.js';
import { PUBLISHED_SETUP, PUBLISHED_LINEAR_TOPK, PUBLISHED_ATTENTION_TOPK, PUBLISHED_SPARSEMAX } from './published.js';
import type { GateKind } from '@switchyard/routers';

export interface ComparisonRow {
  k: number;
  gate: 'linear' | 'attention';
  published: number;
  /** Matmul-only forward FLOPs of our model (what the profiler's matmul formulas count). */
  model: number;
  /** (model − published) / published. */
  relativeDifference: number;
}

const setup = { model: PUBLISHED_SETUP.model, sourceLength: PUBLISHED_SETUP.sourceLength, targetLength: PUBLISHED_SETUP.targetLength };

export function publishedComparison(): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const [gate, values] of [['linear', PUBLISHED_LINEAR_TOPK], ['attention', PUBLISHED_ATTENTION_TOPK]] as const) {
    values.forEach((published, i) => {
      const k = i + 1;
      const model = flopsModel({ ...setup, router: { gate: gate as GateKind }, activeExperts: k }).forward.matmul;
      rows.push({ k, gate, published, model, relativeDifference: (model - published) / published });
    });
  }
  return rows;
}

/** Mean active experts a sparsemax FLOPs figure implies: k such that F(k) = F (docs/routers.md §4). */
export function impliedActiveExperts(gate: 'linear' | 'attention', flops: number): number {
  const f0 = flopsModel({ ...setup, router: { gate }, activeExperts: 0 }).forward.matmul;
  return (flops - f0) / deltaFlopsPerExpert(setup.model, setup.sourceLength, setup.targetLength);
}

const fmt = (x: number) => x.toExponential(4);
const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}%`;

/** The README table: k, published and modelled FLOPs for both gates, relative differences. */
export function comparisonMarkdown(): string {
  const rows = publishedComparison();
  const lines = [
    '| k | linear, published | linear, model | rel. diff | attention, published | attention, model | rel. diff |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (let k = 1; k <= 16; k++) {
    const l = rows.find((r) => r.gate === 'linear' && r.k === k)!;
    const a = rows.find((r) => r.gate === 'attention' && r.k === k)!;
    lines.push(`| ${k} | ${l.published.toExponential(2)} | ${fmt(l.model)} | ${pct(l.relativeDifference)} | ${a.published.toExponential(2)} | ${fmt(a.model)} | ${pct(a.relativeDifference)} |`);
  }
  const maxAbs = Math.max(...rows.map((r) => Math.abs(r.relativeDifference)));
  lines.push('');
  lines.push(`Largest |relative difference|: ${(100 * maxAbs).toFixed(2)}%.`);
  lines.push('');
  lines.push('| sparsemax run | published (printed) | implied mean active experts | published (plot) | implied mean active experts |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const gate of ['linear', 'attention'] as const) {
    const p = PUBLISHED_SPARSEMAX[gate];
    lines.push(`| ${gate} | ${p.printed.toExponential(2)} | ${impliedActiveExperts(gate, p.printed).toFixed(3)} | ${p.plotted.toExponential(2)} | ${impliedActiveExperts(gate, p.plotted).toFixed(3)} |`);
  }
  return lines.join('\n');
}
