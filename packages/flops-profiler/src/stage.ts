// The `flops-profiler` pipeline stage (docs/design.md §3): analytic FLOPs per routing method from
// the config and any upstream routing.arrow, optional measured layer time, flops.arrow + plots.
import type { StageDefinition } from '@switchyard/runtime';
import { flopsStageConfigSchema, resolveFlopsConfig, type FlopsStageConfig } from './stage-config.js';
import { modelFromInput, runFlopsProfile } from './profile.js';

export const flopsProfilerStage: StageDefinition<FlopsStageConfig> = {
  name: 'flops-profiler',
  configSchema: flopsStageConfigSchema as unknown as Record<string, unknown>,
  // Probing untrained routers and the timing harness need tensors; pure analytic runs do not mind.
  usesTensors: true,
  async run(ctx) {
    const cfg = resolveFlopsConfig(modelFromInput(ctx.config, ctx.inputs));
    ctx.record('config', cfg);
    const result = await runFlopsProfile(cfg, { inputs: ctx.inputs, outDir: ctx.outDir, seed: ctx.seed, log: (m) => ctx.log(m) });
    ctx.record('rows', result.rows.length);
    ctx.record('files', result.files);
    if (result.dense) ctx.record('measuredDense', result.dense);
    if (ctx.backend) ctx.record('backend', ctx.backend);
  },
};
