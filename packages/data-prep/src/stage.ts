// The `data-prep` pipeline stage: validated config in, the prepared folder of the
// config's task out (summarisation: Arrow splits + tokenizer.json + stats.json) plus task.json
// naming the task; the source choice and every skipped row in the manifest.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StageDefinition } from '@switchyard/runtime';
import { dataPrepConfigSchema, resolveConfig, type DataPrepConfig } from './config.js';
import { dataPrepTask, type PrepareHooks } from './task-registry.js';
import { TASK_FILE } from './prepared-folder.js';
import './tasks/index.js';

/** Prepare `cfg`'s task into `outDir` and name the task in task.json. */
export async function prepareTask(cfg: DataPrepConfig, outDir: string, hooks: PrepareHooks): Promise<unknown> {
  const task = dataPrepTask(cfg.task);
  const result = await task.prepare(cfg, outDir, hooks);
  writeFileSync(join(outDir, TASK_FILE), `${JSON.stringify({ task: task.name })}\n`);
  return result;
}

export const dataPrepStage: StageDefinition<DataPrepConfig> = {
  name: 'data-prep',
  configSchema: dataPrepConfigSchema as unknown as Record<string, unknown>,
  usesTensors: false,
  async run(ctx) {
    // Re-resolving is idempotent and fills defaults if the runner did not.
    const cfg = resolveConfig(ctx.config);
    ctx.record('config', cfg);
    ctx.record('seed', ctx.seed);
    await prepareTask(cfg, ctx.outDir, { log: (m) => ctx.log(m), record: (k, v) => ctx.record(k, v) });
  },
};
