// The two pipeline stages of this package, generic over task families
// (src/task-registry.ts; summarisation in src/tasks/summarisation/):
//   base-model: import a checkpoint folder, or pretrain the family's model of a preset (for
//               summarisation a tiny Switch preset with its native switch-top1 router) on the
//               `data` input's train split. Its config never mentions the gating strategy, so
//               every gating pipeline shares it.
//   train:      load the base model, put a fresh router of the configured type in every sparse
//               layer, fine-tune, write the HF checkpoint and the training curves.
// Outputs (into ctx.outDir): config.json, model.safetensors, metrics.jsonl, timing.jsonl,
// metrics.arrow, routing-metrics.arrow, routing.arrow (held-out batch; base-model: pretraining only). Loop checkpoints live in
// outDir/checkpoints while the stage runs and are removed at the end (the stage runner's
// atomic rename already protects the output; `switchyard train` keeps them for resume).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { roleInput, type StageDefinition } from '@switchyard/runtime';
import { Rng } from '@switchyard/tensor-engine';
import { preparedSplits, readPreparedTask } from '@switchyard/data-prep';
import { baseModelConfigSchema, resolveBaseModelConfig, resolveTrainConfig, trainConfigSchema, type BaseModelConfig, type TrainConfig } from './config.js';
import { trainModel, writeFilesInto } from './run-training.js';
import { trainFamily, type TrainFamily } from './task-registry.js';
import './tasks/index.js';

/**
 * The task family of a stage: the config's `task`, else the one the data was prepared for, else
 * summarisation (an imported base model with no data). A config task that contradicts the data's
 * is an error.
 */
export function familyFor(configTask: string | undefined, dataDir: string | undefined): TrainFamily {
  const dataTask = dataDir !== undefined ? readPreparedTask(dataDir) : undefined;
  if (configTask !== undefined && dataTask !== undefined && configTask !== dataTask) {
    throw new Error(`config task "${configTask}" does not match the task the data was prepared for ("${dataTask}", ${join(dataDir!, 'task.json')})`);
  }
  return trainFamily(configTask ?? dataTask ?? 'summarisation');
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
      // The model to import: an upstream stage's output (role "model", e.g. a pretrained LM's train
      // stage, shared through the cache), else the config's importDir.
      const dir = ctx.inputs.model ?? cfg.importDir;
      if (!dir) throw new Error('base-model: source "import" needs a folder to import: map the "model" input role to a stage (e.g. "inputs": { "model": "pretrain" }) or set "importDir"');
      const family = familyFor(cfg.task, ctx.inputs.data);
      const model = await family.loadModel(dir, { configOverrides: cfg.configOverrides, seed, dataDir: ctx.inputs.data });
      try { writeFilesInto(ctx.outDir, family.modelFiles(model)); } finally { family.dispose(model); }
      ctx.record('base', ctx.inputs.model ? { source: 'import', input: 'model' } : { source: 'import', dir: cfg.importDir });
      ctx.log(`imported ${ctx.inputs.model ? 'the "model" input' : cfg.importDir}`);
      return;
    }
    const dataDir = roleInput(ctx, 'data', 'prepared data to pretrain on');
    const family = familyFor(cfg.task, dataDir);
    const model = family.createModel({ preset: cfg.preset, configOverrides: cfg.configOverrides, vocabSize: cfg.vocabSize, dataDir, rng: new Rng(seed).fork('base-model/init') });
    try {
      const vocab = family.describe(model).vocabSize;
      // routing.arrow of the native router too, on the validation split (flops-profiler input).
      const r = await trainModel({
        family, model, dataDir, heldOutSplit: 'validation', heldOutSize: 16, loop: cfg, seed, runDir: ctx.outDir, resume: ctx.resume === true, log: (m) => ctx.log(m),
        fingerprint: JSON.stringify({ stage: 'base-model', preset: cfg.preset, vocab, overrides: cfg.configOverrides }),
      });
      writeFilesInto(ctx.outDir, family.modelFiles(model));
      family.copyDataFiles?.(dataDir, ctx.outDir);
      rmSync(join(ctx.outDir, 'checkpoints'), { recursive: true, force: true });
      ctx.record('training', { steps: r.steps, finalLoss: r.finalLoss, preset: cfg.preset, vocabSize: vocab, heldOutLoss: r.heldOutLoss ?? null });
    } finally {
      family.dispose(model);
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
    // Without a `base` input the family builds a fresh model of `preset` (language-modelling pretrains from scratch here).
    const baseDir = ctx.inputs.base ?? (cfg.preset === undefined ? roleInput(ctx, 'base', 'the model to fine-tune, or give "preset" to train a fresh model') : undefined);
    const r = await fineTune({ cfg, seed, baseDir, dataDir: roleInput(ctx, 'data', 'prepared data to fine-tune on'), outDir: ctx.outDir, runDir: ctx.outDir, resume: ctx.resume === true, log: (m) => ctx.log(m) });
    rmSync(join(ctx.outDir, 'checkpoints'), { recursive: true, force: true });
    ctx.record('training', r);
  },
};

export interface FineTuneArgs {
  cfg: TrainConfig;
  seed: number;
  /** The model to continue; undefined: a fresh model of cfg.preset + cfg.configOverrides. */
  baseDir: string | undefined;
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
  const family = familyFor(a.cfg.task, a.dataDir);
  const taskOptions = a.cfg.taskOptions ?? {};
  if (a.baseDir === undefined && a.cfg.preset === undefined) throw new Error('train: no base model and no "preset" to build a fresh one');
  const model = a.baseDir !== undefined
    ? await family.loadModel(a.baseDir, { seed: a.seed, dataDir: a.dataDir, ...(Object.keys(taskOptions).length ? { configOverrides: taskOptions } : {}) })
    : family.createModel({ preset: a.cfg.preset!, configOverrides: a.cfg.configOverrides ?? {}, vocabSize: 'tokenizer', dataDir: a.dataDir, rng: new Rng(a.seed).fork('train/model-init'), router: a.cfg.router });
  try {
    family.replaceRouters(model, a.cfg.router, new Rng(a.seed).fork('train/router-init'), a.cfg.freeze);
    const heldOutSplit = preparedSplits(a.dataDir).includes(a.cfg.heldOutSplit) ? a.cfg.heldOutSplit : undefined;
    const r = await trainModel({
      family, model, dataDir: a.dataDir, heldOutSplit, heldOutSize: a.cfg.heldOutSize, loop: a.cfg, seed: a.seed, runDir: a.runDir, resume: a.resume, log: a.log, onStep: a.onStep,
      fingerprint: JSON.stringify({ stage: 'train', router: a.cfg.router, freeze: a.cfg.freeze, len: [a.cfg.maxSourceLength, a.cfg.maxTargetLength], ...(Object.keys(taskOptions).length ? { taskOptions } : {}), ...(a.baseDir === undefined ? { fresh: { preset: a.cfg.preset, overrides: a.cfg.configOverrides } } : {}) }),
    });
    writeFilesInto(a.outDir, family.modelFiles(model));
    family.copyDataFiles?.(a.dataDir, a.outDir);
    return { steps: r.steps, finalLoss: r.finalLoss, router: a.cfg.router, resumedFrom: r.resumedFrom ?? null, sparseLayers: family.describe(model).sparseLayers, heldOutLoss: r.heldOutLoss ?? null };
  } finally {
    family.dispose(model);
  }
}
