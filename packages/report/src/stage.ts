// The `report` pipeline stage: reads the gating runs' stage outputs by input role (collect.ts)
// and writes report.md,
// report.html, report.arrow (one row per strategy), runs.arrow (one row per run) and plots/.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeArrowFile, type StageDefinition } from '@switchyard/runtime';
import { reportConfigSchema, resolveReportConfig, type ReportConfig } from './config.js';
import { collectRuns } from './collect.js';
import { runNumbers } from './run-metrics.js';
import { sharedRecord, summarise } from './summarise.js';
import { provenance } from './provenance.js';
import { expertLoadTable, reportTable, runsTable } from './tables.js';
import { writePlots, type Plot } from './plots.js';
import { buildDocument } from './document.js';
import { renderMarkdown } from './render-md.js';
import { renderHtml } from './render-html.js';
import { pickExamples } from './examples.js';

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
  const record = sharedRecord(runs);
  const rows = summarise(runs, { baselineRouter: cfg.baselineRouter, ...(cfg.baselineOf ? { baselineOf: cfg.baselineOf } : {}), paired: cfg.paired });
  const prov = provenance(inputs);
  const layout = Object.keys(ctx.inputs).some((n) => n.includes('/')) ? 'sweep' : 'pipeline';
  const notes: string[] = [];
  if (prov.dataPrepVia.includes('sibling')) notes.push('The data-prep output was found next to the train stage\'s folder by the key its manifest records (it is not an input of this stage).');
  const missing = (role: 'baseline' | 'cost') => runs.filter((_, i) => !inputs[i]!.stages[role]).length;
  if (missing('baseline')) notes.push(`${missing('baseline')} run(s) have no baseline input (eval of the base model): base ${record.metrics.find((m) => m.name === record.primary)!.label} is blank for them.`);
  if (missing('cost')) notes.push(`${missing('cost')} run(s) have no cost input (flops-profiler): FLOPs are blank for them.`);

  writeArrowFile(join(ctx.outDir, 'report.arrow'), reportTable(rows));
  writeArrowFile(join(ctx.outDir, 'runs.arrow'), runsTable(rows.flatMap((r) => r.runs)));
  writeArrowFile(join(ctx.outDir, 'expert-load.arrow'), expertLoadTable(rows));
  const files = ['report.arrow', 'runs.arrow', 'expert-load.arrow'];
  let plots: Plot[] = [];
  if (cfg.plots) {
    plots = await writePlots(rows, record, layout, ctx.outDir, cfg.fontPath, ctx.log);
    files.push(...plots.flatMap((p) => p.files));
  }
  const examples = pickExamples(inputs, rows.map((r) => r.strategy), record.split, cfg.examples);
  const blocks = buildDocument({
    title: cfg.title, record, rows, runs, provenance: prov, plots, layout, notes, baselineRouter: cfg.baselineRouter, ...(cfg.baselineOf ? { baselineOf: cfg.baselineOf } : {}), paired: cfg.paired, examples,
    ...(cfg.sweepHint ? { sweepHint: cfg.sweepHint } : {}),
  });
  writeFileSync(join(ctx.outDir, 'report.md'), renderMarkdown(blocks));
  writeFileSync(join(ctx.outDir, 'report.html'), renderHtml(blocks, cfg.title));
  files.push('report.md', 'report.html');
  ctx.record?.('report', {
    layout, strategies: rows.map((r) => r.strategy), runs: runs.length, seeds: prov.seeds,
    backends: prov.backends, dataSources: prov.dataSources, splitSources: prov.splitSources, synthetic: prov.synthetic, files,
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
