// The generic eval stage (`eval`, also registered as `eval-rouge`, the name pipelines used
// before there were tasks): evaluate the `checkpoint` input on a split of the `data` input with
// the evaluator of the data's task (src/evaluator-registry.ts; summarisation: generation + ROUGE
// in src/tasks/summarisation.ts) and write its metric record (metric-record.json), from which the
// report builds its tables.
import { join } from 'node:path';
import { roleInput, type StageDefinition } from '@switchyard/runtime';
import { readPreparedTask } from '@switchyard/data-prep';
import { evalStageConfigSchema, resolveEvalConfig, type EvalStageConfig } from './eval-stage-config.js';
import { evaluatorFor } from './evaluator-registry.js';
import { writeMetricRecord } from './metric-record.js';
import './tasks/index.js';

export const evalStage: StageDefinition<EvalStageConfig> = {
  name: 'eval',
  configSchema: evalStageConfigSchema as unknown as Record<string, unknown>,
  usesTensors: true,
  async run(ctx) {
    const cfg = resolveEvalConfig(ctx.config);
    const dataDir = roleInput(ctx, 'data', 'prepared data to evaluate');
    const checkpointDir = roleInput(ctx, 'checkpoint', 'the model to evaluate');
    const dataTask = readPreparedTask(dataDir);
    if (cfg.task !== undefined && cfg.task !== dataTask) throw new Error(`config task "${cfg.task}" does not match the task the data was prepared for ("${dataTask}", ${join(dataDir, 'task.json')})`);
    const record = await evaluatorFor(dataTask).evaluate({
      config: cfg, dataDir, checkpointDir, seed: ctx.seed, outDir: ctx.outDir, log: (m) => ctx.log(m), record: (k, v) => ctx.record(k, v),
    });
    writeMetricRecord(ctx.outDir, record);
  },
};

/** The same stage under the name the gating pipelines use. */
export const evalRougeStage: StageDefinition<EvalStageConfig> = { ...evalStage, name: 'eval-rouge' };
