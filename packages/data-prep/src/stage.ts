// The `data-prep` pipeline stage (design.md §3): validated config in, Arrow splits +
// tokenizer.json + stats.json out, the source choice and every skipped row in the manifest.
import type { StageDefinition } from '@switchyard/runtime';
import { dataPrepConfigSchema, resolveConfig, type DataPrepConfig } from './config.js';
import { prepareData } from './prepare.js';

export const dataPrepStage: StageDefinition<DataPrepConfig> = {
  name: 'data-prep',
  configSchema: dataPrepConfigSchema as unknown as Record<string, unknown>,
  usesTensors: false,
  async run(ctx) {
    // Re-resolving is idempotent and fills defaults if the runner did not.
    const cfg = resolveConfig(ctx.config);
    ctx.record('config', cfg);
    ctx.record('seed', ctx.seed);
    await prepareData(cfg, ctx.outDir, { log: (m) => ctx.log(m), record: (k, v) => ctx.record(k, v) });
  },
};
