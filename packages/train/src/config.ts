// Config schemas (JSON Schema 2020-12, unknown keys rejected, defaults documented) of the two
// stages. Defaults are sized so base-model + train on the embedded corpus finish in a few minutes
// on 2 CPU cores (the `tiny` preset of design.md §5 with short runs); the optimiser defaults of
// `train` are the study's (HF Seq2SeqTrainer: AdamW lr 5e-5, linear decay, no warmup, wd 0).
import { assertSchema } from '@switchyard/runtime';
import { routerConfigSchema } from '@switchyard/routers';
import { PARAMETER_GROUPS, PRESETS } from '@switchyard/model-core';
import type { OptimizerConfig } from './optim/index.js';
import type { ScheduleConfig } from './schedule.js';

const SCHEMA = 'https://json-schema.org/draft/2020-12/schema';

const int = (def: number, min: number, description: string) => ({ type: 'integer', minimum: min, default: def, description });
const num = (def: number, description: string, extra: Record<string, unknown> = {}) => ({ type: 'number', default: def, description, ...extra });

const optimizerSchema = (lr: number) => ({
  type: 'object', additionalProperties: false, default: {},
  description: 'Optimiser. AdamW is torch.optim.AdamW; Adafactor is HF transformers\' variant (factored second moments, update clipping; see src/optim/adafactor.ts).',
  properties: {
    type: { type: 'string', enum: ['adamw', 'adafactor'], default: 'adamw' },
    lr: num(lr, 'Peak learning rate (the schedule scales it).', { exclusiveMinimum: 0 }),
    schedule: { type: 'string', enum: ['constant', 'linear', 'inverse-sqrt', 'cosine'], default: 'linear', description: 'lr schedule over the run (HF shapes).' },
    warmupSteps: int(0, 0, 'Linear warmup from 0.'),
    weightDecay: num(0, 'Decoupled weight decay.', { minimum: 0 }),
    beta1: num(0.9, 'AdamW β1 (Adafactor: ignored; it keeps no first moment).', { minimum: 0, exclusiveMaximum: 1 }),
    beta2: num(0.999, 'AdamW β2.', { minimum: 0, exclusiveMaximum: 1 }),
    eps: num(1e-8, 'AdamW ε.', { exclusiveMinimum: 0 }),
    relativeStep: { type: 'boolean', default: false, description: 'Adafactor only: ignore lr and use min(1e-2, 1/√t).' },
    clipNorm: num(1, 'Max global gradient norm; 0 disables clipping (HF max_grad_norm).', { minimum: 0 }),
    gradAccumSteps: int(1, 1, 'Micro-batches per update.'),
  },
});

const loopSchema = (steps: number, lr: number) => ({
  steps: int(steps, 1, 'Optimiser updates (ignored when epochs is given).'),
  epochs: { type: 'integer', minimum: 1, description: 'If given: steps = epochs · ⌈rows / batchSize⌉. No default.' },
  batchSize: int(8, 1, 'Sequences per micro-batch.'),
  maxSourceLength: int(128, 2, 'Truncate/pad input_ids to at most this (padding is to the batch\'s longest).'),
  maxTargetLength: int(32, 2, 'Truncate labels to at most this.'),
  optimizer: optimizerSchema(lr),
  logEvery: int(10, 1, 'Steps between metrics lines.'),
  checkpointEvery: int(50, 0, 'Steps between checkpoints (0: only at the end).'),
  keepCheckpoints: int(2, 1, 'Checkpoints kept (HF save_total_limit).'),
  seed: { type: 'integer', description: 'Overrides the pipeline seed for this stage.' },
});

/** The `task` key: no default, so a config without it resolves as before; the data's task.json decides. */
const taskSchema = { type: 'string', pattern: '^[a-z][a-z0-9-]*$', description: 'Task family (src/task-registry.ts). Default: the task the data input was prepared for (task.json), else "summarisation".' };

export function baseModelConfigSchema(): Record<string, unknown> {
  return {
    $schema: SCHEMA, title: 'base-model stage', type: 'object', additionalProperties: false,
    description: 'The shared base model: import an HF checkpoint folder, or pretrain a tiny Switch preset (native switch-top1 router) on data-prep\'s train split. Mentions no gating strategy, so every gating pipeline reuses it.',
    properties: {
      task: taskSchema,
      source: { type: 'string', enum: ['pretrain', 'import'], default: 'pretrain' },
      importDir: { type: 'string', minLength: 1, description: 'source "import": folder with config.json + model.safetensors (or a sharded index).' },
      preset: { type: 'string', enum: Object.keys(PRESETS), default: 'tiny', description: 'source "pretrain": model-core preset.' },
      configOverrides: { type: 'object', default: {}, description: 'HF config.json keys applied over the preset (or the imported config).' },
      vocabSize: { oneOf: [{ const: 'tokenizer' }, { type: 'integer', minimum: 8 }], default: 'tokenizer', description: '"tokenizer": the data-prep tokenizer\'s size.' },
      ...loopSchema(150, 1e-3),
    },
  };
}

export function trainConfigSchema(): Record<string, unknown> {
  return {
    $schema: SCHEMA, title: 'train stage', type: 'object', additionalProperties: false,
    description: 'Replace every sparse layer\'s router with a fresh one of `router`, fine-tune the base model on data-prep\'s train split, save the HF checkpoint and training curves.',
    required: ['router'],
    properties: {
      task: taskSchema,
      router: routerConfigSchema(),
      freeze: { type: 'array', items: { enum: [...PARAMETER_GROUPS] }, uniqueItems: true, default: [], description: 'Parameter groups excluded from updates.' },
      preset: { type: 'string', minLength: 1, description: 'Only without a "base" input: the family builds a fresh model of this preset (language-modelling: an LM preset of model-core lm-presets.ts, e.g. "cpu-mini") and trains it from scratch.' },
      configOverrides: { type: 'object', description: 'Only without a "base" input: config keys applied over `preset`.' },
      heldOutSplit: { type: 'string', enum: ['validation', 'test', 'train'], default: 'validation', description: 'Split whose first batch gives routing.arrow.' },
      heldOutSize: int(16, 1, 'Sequences in the routing.arrow batch.'),
      ...loopSchema(60, 5e-5),
    },
  };
}

export interface OptimizerSection {
  type: 'adamw' | 'adafactor'; lr: number; schedule: ScheduleConfig['type']; warmupSteps: number; weightDecay: number;
  beta1: number; beta2: number; eps: number; relativeStep: boolean; clipNorm: number; gradAccumSteps: number;
}

export interface LoopSection {
  steps: number; epochs?: number; batchSize: number; maxSourceLength: number; maxTargetLength: number;
  optimizer: OptimizerSection; logEvery: number; checkpointEvery: number; keepCheckpoints: number; seed?: number;
}

export interface BaseModelConfig extends LoopSection {
  task?: string; source: 'pretrain' | 'import'; importDir?: string; preset: string; configOverrides: Record<string, unknown>; vocabSize: 'tokenizer' | number;
}

export interface TrainConfig extends LoopSection {
  task?: string; router: { type: string; [k: string]: unknown }; freeze: string[]; heldOutSplit: 'validation' | 'test' | 'train'; heldOutSize: number;
  /** Without a base input: the fresh model's preset and overrides. */
  preset?: string; configOverrides?: Record<string, unknown>;
}

/** Validate (defaults filled in, on a copy) or throw a ConfigError listing every problem. */
export function resolveTrainConfig(raw: unknown, where = 'train config'): TrainConfig {
  const c = structuredClone(raw ?? {});
  assertSchema(trainConfigSchema(), c, where);
  return c as TrainConfig;
}

export function resolveBaseModelConfig(raw: unknown, where = 'base-model config'): BaseModelConfig {
  const c = structuredClone(raw ?? {}) as BaseModelConfig;
  assertSchema(baseModelConfigSchema(), c, where);
  if (c.source === 'import' && !c.importDir) assertSchema({ type: 'object', required: ['importDir'] }, c, where);
  return c;
}

export function optimizerConfig(o: OptimizerSection): OptimizerConfig {
  return o.type === 'adamw'
    ? { type: 'adamw', beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay }
    : { type: 'adafactor', weightDecay: o.weightDecay, relativeStep: o.relativeStep };
}

export function scheduleConfig(o: OptimizerSection): ScheduleConfig {
  return { type: o.schedule, lr: o.lr, warmupSteps: o.warmupSteps };
}
