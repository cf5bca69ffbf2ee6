// The `flops-profiler` pipeline stage (docs/design.md §3): analytic FLOPs per routing method from
// the config and any upstream routing.arrow, optional measured layer time, flops.arrow + plots.
import type { StageDefinition } from '@switchyard/runtime';
import { flopsStageConfigSchema, resolveFlopsConfig, type FlopsStageConfig } from './stage-config.js';
import { modelFromInput, runFlopsProfile } from './profile.js';
import { lmModelFolder, runLmFlopsProfile } from './lm-profile.js';

export const flopsProfilerStage: StageDefinition<FlopsStageConfig> = {
  name: 'flops-profiler',
  configSchema: flopsStageConfigSchema as unknown as Record<string, unknown>,
  // Probing untrained routers and the timing harness need tensors; pure analytic runs do not mind.
  usesTensors: true,
  async run(ctx) {
    const lmDir = lmModelFolder(ctx.config, ctx.inputs);
    if (lmDir) {
      // A decoder-only LM (model-core's DecoderLM): its own per-token count (lm-profile.ts).
      // Defaults filled as for any model (the preset only satisfies the resolver; k is checked against the LM's E).
      const cfg = resolveFlopsConfig({ ...ctx.config, model: 'tiny', topK: { gates: ctx.config.topK?.gates ?? ['linear'] } });
      ctx.record('config', { ...cfg, model: ctx.config.model });
      const result = await runLmFlopsProfile({ ...cfg, topK: { ...cfg.topK, kValues: ctx.config.topK?.kValues } }, lmDir, { inputs: ctx.inputs, outDir: ctx.outDir, seed: ctx.seed, log: (m) => ctx.log(m) });
      ctx.record('rows', result.rows);
      ctx.record('files', result.files);
      return;
    }
    const cfg = resolveFlopsConfig(modelFromInput(ctx.config, ctx.inputs));
    ctx.record('config', cfg);
    const result = await runFlopsProfile(cfg, { inputs: ctx.inputs, outDir: ctx.outDir, seed: ctx.seed, log: (m) => ctx.log(m) });
    ctx.record('rows', result.rows.length);
    ctx.record('files', result.files);
    if (result.dense) ctx.record('measuredDense', result.dense);
    if (ctx.backend) ctx.record('backend', ctx.backend);
  },
};
