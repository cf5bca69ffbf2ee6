// The numbers of the end-of-run headline, read from today's stage outputs (one module, so a
// generic metric record can replace these readers later without touching summarize.mjs):
//   main metric  ROUGE-L F ×100 of the eval-rouge stage that scores the trained model (its
//                manifest's `extra.rouge.percent`: bootstrap mid with the 95 % low/high, or the
//                mean when the bootstrap is off);
//   base         the same for the eval-rouge stage that scores the base model;
//   cost         mean active experts per token and forward FLOPs per token of the trained
//                router, from flops-profiler's flops.arrow row measured from routing statistics.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { columnValues, readArrowFile } from '@switchyard/runtime';

export const MAIN_METRIC = { name: 'ROUGE-L', type: 'rougeL', unit: 'F ×100' };

/** { value, low, high } of ROUGE-L in an eval-rouge manifest, or null. */
export function rougeOf(manifest) {
  const row = (manifest?.extra?.rouge?.percent ?? []).find((r) => r.type === MAIN_METRIC.type);
  if (!row) return null;
  return { value: row.midF ?? row.meanF, low: row.lowF ?? null, high: row.highF ?? null };
}

/** { activeExperts, flopsPerToken } of the trained router in a flops-profiler folder, or null. */
export function costOf(flopsDir) {
  const file = join(flopsDir, 'flops.arrow');
  if (!existsSync(file)) return null;
  const t = readArrowFile(file);
  const source = columnValues(t, 'source');
  const i = source.indexOf('routing-stats');
  if (i < 0) return null;
  return { activeExperts: columnValues(t, 'mean_active_experts')[i], flopsPerToken: columnValues(t, 'flops_forward_all_per_token')[i] };
}

/**
 * The headline numbers of one pipeline run. `stages` are the resolved stages ({ name, stage,
 * config, key }); `manifestOf(stage)` and `dirOf(stage)` give a stage's manifest and folder.
 */
export function runHeadline(stages, manifestOf, dirOf) {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const evals = stages.filter((s) => s.stage === 'eval-rouge');
  const fromStage = (s) => byName.get(s.config?.checkpointFrom)?.stage;
  // The trained model's test-split eval (a pipeline may also evaluate validation).
  const main = evals.filter((s) => fromStage(s) === 'train').sort((a, b) => Number((b.config.split ?? 'test') === 'test') - Number((a.config.split ?? 'test') === 'test'))[0];
  const base = evals.find((s) => fromStage(s) === 'base-model');
  const flops = stages.find((s) => s.stage === 'flops-profiler');
  const train = stages.find((s) => s.stage === 'train');
  return {
    router: train?.config?.router ?? null,
    metric: main ? rougeOf(manifestOf(main)) : null,
    base: base ? rougeOf(manifestOf(base)) : null,
    ...(flops ? costOf(dirOf(flops)) ?? {} : {}),
  };
}
