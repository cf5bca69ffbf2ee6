// The two pipeline stages of this package (design.md §1, §3).
//   base-model: import an HF checkpoint folder, or pretrain a tiny Switch preset with its native
//               switch-top1 router on data-prep's train split (seq2seq summarisation). Its config
//               never mentions the gating strategy, so every gating pipeline shares it.
//   train:      load the base model, put a fresh router of the configured type in every sparse
//               layer, fine-tune, write the HF checkpoint and the training curves.
// Outputs (into ctx.outDir): config.json, model.safetensors, metrics.jsonl, timing.jsonl,
// metrics.arrow, routing-metrics.arrow, routing.arrow (held-out batch; base-model: pretraining only). Loop checkpoints live in
// outDir/checkpoints while the stage runs and are removed at the end (the stage runner's
// atomic rename already protects the output; `switchyard train` keeps them for resume).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Rng, stageInput as input, type StageDefinition } from '@switchyard/runtime';
import { SwitchTransformer, loadCheckpoint, presetConfig, replaceRouters, type ParameterGroup } from '@switchyard/model-core';
import { preparedSplits, readPreparedSplit, readPreparedStats } from '@switchyard/data-prep';
import { baseModelConfigSchema, resolveBaseModelConfig, resolveTrainConfig, trainConfigSchema, type BaseModelConfig, type TrainConfig } from './config.js';
import { trainSwitch, writeHfFilesInto } from './run-training.js';


function vocabFor(cfg: BaseModelConfig, dataDir: string): number {
  if (cfg.vocabSize !== 'tokenizer') return cfg.vocabSize;
  return readPreparedStats(dataDir).tokenizer.vocabSize;
}

export const baseModelStage: StageDefinition<BaseModelConfig> = {
  name: 'base-model',
  configSchema: baseModelConfigSchema(),
  usesTensors: true,
  resumable: true,
  async run(ctx) {
    const cfg = resolveBaseModelConfig(ctx.config);
    const seed = cfg.seed ?? ctx.seed;
    ctx.record('config', cfg);
    if (cfg.source === 'import') {
      const model = await loadCheckpoint(cfg.importDir!, { configOverrides: cfg.configOverrides, seed });
      try { writeHfFilesInto(ctx.outDir, model); } finally { model.dispose(); }
      ctx.record('base', { source: 'import', dir: cfg.importDir });
      ctx.log(`imported ${cfg.importDir}`);
      return;
    }
    const dataDir = input(ctx, 'data-prep');
    const vocab = vocabFor(cfg, dataDir);
    const config = presetConfig(cfg.preset, { ...cfg.configOverrides, vocab_size: vocab });
    const model = new SwitchTransformer(config, new Rng(seed).fork('base-model/init'));
    try {
      const train = readPreparedSplit(dataDir, 'train');
      // routing.arrow of the native router too, on the validation split (flops-profiler input).
      const heldOut = preparedSplits(dataDir).includes('validation') ? readPreparedSplit(dataDir, 'validation') : undefined;
      const r = await trainSwitch({
        model, train, heldOut, heldOutSize: 16, loop: cfg, seed, runDir: ctx.outDir, resume: ctx.resume === true, log: (m) => ctx.log(m),
        fingerprint: JSON.stringify({ stage: 'base-model', preset: cfg.preset, vocab, overrides: cfg.configOverrides }),
      });
      writeHfFilesInto(ctx.outDir, model);
      rmSync(join(ctx.outDir, 'checkpoints'), { recursive: true, force: true });
      ctx.record('training', { steps: r.steps, finalLoss: r.finalLoss, preset: cfg.preset, vocabSize: vocab, heldOutLoss: r.heldOutLoss ?? null });
    } finally {
      model.dispose();
    }
  },
};

export const trainStage: StageDefinition<TrainConfig> = {
  name: 'train',
  configSchema: trainConfigSchema(),
  usesTensors: true,
  resumable: true,
  async run(ctx) {
    const cfg = resolveTrainConfig(ctx.config);
    const seed = cfg.seed ?? ctx.seed;
    ctx.record('config', cfg);
    const r = await fineTune({ cfg, seed, baseDir: input(ctx, 'base-model'), dataDir: input(ctx, 'data-prep'), outDir: ctx.outDir, runDir: ctx.outDir, resume: ctx.resume === true, log: (m) => ctx.log(m) });
    rmSync(join(ctx.outDir, 'checkpoints'), { recursive: true, force: true });
    ctx.record('training', r);
  },
};

export interface FineTuneArgs {
  cfg: TrainConfig;
  seed: number;
  baseDir: string;
  dataDir: string;
  /** Where config.json + model.safetensors go. */
  outDir: string;
  /** Where checkpoints and metrics go. */
  runDir: string;
  resume: boolean;
  log: (m: string) => void;
  onStep?: (info: { step: number; checkpoint?: string }) => void | Promise<void>;
}

export interface FineTuneSummary {
  steps: number; finalLoss: number; router: TrainConfig['router']; resumedFrom: number | null; sparseLayers: number;
  /** Eval-mode loss parts on the held-out batch (`ce` = its token cross-entropy). */
  heldOutLoss: Record<string, number> | null;
}

/** Load base → replace routers → train → export (the train stage without the stage plumbing). */
export async function fineTune(a: FineTuneArgs): Promise<FineTuneSummary> {
  const model = await loadCheckpoint(a.baseDir, { seed: a.seed });
  try {
    replaceRouters(model, a.cfg.router, new Rng(a.seed).fork('train/router-init'), { freeze: a.cfg.freeze as ParameterGroup[] });
    const train = readPreparedSplit(a.dataDir, 'train');
    const heldOut = preparedSplits(a.dataDir).includes(a.cfg.heldOutSplit) ? readPreparedSplit(a.dataDir, a.cfg.heldOutSplit) : undefined;
    const r = await trainSwitch({
      model, train, heldOut, heldOutSize: a.cfg.heldOutSize, loop: a.cfg, seed: a.seed, runDir: a.runDir, resume: a.resume, log: a.log, onStep: a.onStep,
      fingerprint: JSON.stringify({ stage: 'train', router: a.cfg.router, freeze: a.cfg.freeze, len: [a.cfg.maxSourceLength, a.cfg.maxTargetLength] }),
    });
    writeHfFilesInto(a.outDir, model);
    return { steps: r.steps, finalLoss: r.finalLoss, router: a.cfg.router, resumedFrom: r.resumedFrom ?? null, sparseLayers: model.sparseLayers().length, heldOutLoss: r.heldOutLoss ?? null };
  } finally {
    model.dispose();
  }
}
