// Render the report's plots to plots/<name>.svg and .png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { renderChart } from '@switchyard/flops-profiler';
import type { MetricRecord } from '@switchyard/eval-rouge/metric-record';
import type { StrategySummary } from './summarise.js';
import { activeHistogramSpec, costLineSpec, expertLoadSpec, lossCurvesSpec, metricVsFlopsSpec } from './plot-specs.js';

export interface Plot { name: string; title: string; svg: string; files: string[] }

export async function writePlots(rows: StrategySummary[], record: MetricRecord, layout: 'pipeline' | 'sweep', outDir: string, fontPath: string | undefined, log: (m: string) => void): Promise<Plot[]> {
  const primary = record.metrics.find((m) => m.name === record.primary)!.label;
  // One strategy is one dot on a quality-vs-cost plot; show it on the top-k cost line instead
  // (falling back to the dot when flops-profiler wrote no fixed-k rows).
  const cost = layout === 'pipeline' ? costLineSpec(rows) : null;
  const specs: [string, string, TopLevelSpec | null][] = [
    cost ? ['cost-vs-topk', 'The trained router on the top-k cost line', cost] : [record.report.plotName, `${primary} vs FLOPs per token`, metricVsFlopsSpec(rows, record)],
    ['expert-load', 'Expert load per layer', expertLoadSpec(rows)],
    ['active-experts-histogram', 'Active experts per token', activeHistogramSpec(rows)],
    ['loss-curves', 'Training loss', lossCurvesSpec(rows)],
  ];
  const dir = join(outDir, 'plots');
  mkdirSync(dir, { recursive: true });
  const plots: Plot[] = [];
  let warned = false;
  for (const [name, title, spec] of specs) {
    if (!spec) { log(`plot ${name}: no data, not drawn`); continue; }
    const { svg, png, fontFile } = await renderChart(spec, fontPath ? { fontPath } : {});
    writeFileSync(join(dir, `${name}.svg`), svg);
    writeFileSync(join(dir, `${name}.png`), png);
    if (!fontFile && !warned) { log('no DejaVu Sans font found (set SWITCHYARD_FONT); PNG text uses system fonts'); warned = true; }
    plots.push({ name, title, svg, files: [`plots/${name}.svg`, `plots/${name}.png`] });
  }
  return plots;
}
