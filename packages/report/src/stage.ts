// The `report` pipeline stage: reads the gating runs' stage outputs and writes report.md,
// report.html, report.arrow (one row per strategy), runs.arrow (one row per run) and plots/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeArrowFile, type StageDefinition } from '@switchyard/runtime';
import { reportConfigSchema, resolveReportConfig, type ReportConfig } from './config.js';
import { collectRuns } from './collect.js';
import { runNumbers } from './run-metrics.js';
import { summarise } from './summarise.js';
import { provenance } from './provenance.js';
import { expertLoadTable, reportTable, runsTable } from './tables.js';
import { writePlots, type Plot } from './plots.js';
import { buildDocument } from './document.js';
import { renderMarkdown } from './render-md.js';
import { renderHtml } from './render-html.js';

export interface ReportContext {
  inputs: Record<string, string>;
  outDir: string;
  log(message: string): void;
  record?(key: string, value: unknown): void;
}

/** The whole report, callable without the stage runner (tests, a CLI). Returns the files written. */
export async function writeReport(rawConfig: unknown, ctx: ReportContext): Promise<string[]> {
  const cfg: ReportConfig = resolveReportConfig(rawConfig);
  const inputs = collectRuns(ctx.inputs);
  const runs = inputs.map(runNumbers);
  const rows = summarise(runs);
  const prov = provenance(inputs);
  const layout = Object.keys(ctx.inputs).some((n) => n.includes('/')) ? 'sweep' : 'pipeline';
  const notes: string[] = [];
  if (prov.dataPrepVia.includes('sibling')) notes.push('The data-prep output was found next to the train stage\'s folder by the key its manifest records (it is not an input of this stage).');
  const missing = (stage: 'eval-base' | 'flops-profiler') => runs.filter((_, i) => !inputs[i]!.stages[stage]).length;
  if (missing('eval-base')) notes.push(`${missing('eval-base')} run(s) have no eval-base input: base ROUGE is blank for them.`);
  if (missing('flops-profiler')) notes.push(`${missing('flops-profiler')} run(s) have no flops-profiler input: FLOPs are blank for them.`);

  writeArrowFile(join(ctx.outDir, 'report.arrow'), reportTable(rows));
  writeArrowFile(join(ctx.outDir, 'runs.arrow'), runsTable(runs));
  writeArrowFile(join(ctx.outDir, 'expert-load.arrow'), expertLoadTable(rows));
  const files = ['report.arrow', 'runs.arrow', 'expert-load.arrow'];
  let plots: Plot[] = [];
  if (cfg.plots) {
    plots = await writePlots(rows, ctx.outDir, cfg.fontPath, ctx.log);
    files.push(...plots.flatMap((p) => p.files));
  }
  const blocks = buildDocument({ title: cfg.title, rows, runs, provenance: prov, plots, layout, notes });
  writeFileSync(join(ctx.outDir, 'report.md'), renderMarkdown(blocks));
  writeFileSync(join(ctx.outDir, 'report.html'), renderHtml(blocks, cfg.title));
  files.push('report.md', 'report.html');
  ctx.record?.('report', {
    layout, strategies: rows.map((r) => r.strategy), runs: runs.length, seeds: prov.seeds,
    backends: prov.backends, dataSources: prov.dataSources, synthetic: prov.synthetic, files,
  });
  ctx.log(`${rows.length} strateg${rows.length === 1 ? 'y' : 'ies'}, ${runs.length} run(s) → report.md, report.html, report.arrow, runs.arrow${plots.length ? `, ${plots.length} plots` : ''}`);
  return files;
}

export const reportStage: StageDefinition<ReportConfig> = {
  name: 'report',
  configSchema: reportConfigSchema as unknown as Record<string, unknown>,
  usesTensors: false,
  async run(ctx) {
    await writeReport(ctx.config, { inputs: ctx.inputs, outDir: ctx.outDir, log: (m) => ctx.log(m), record: (k, v) => ctx.record(k, v) });
  },
};
