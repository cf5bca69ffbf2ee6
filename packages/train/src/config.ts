// Config schemas (JSON Schema 2020-12, unknown keys rejected, defaults documented) of the two
// stages. Defaults are sized so base-model + train on the embedded corpus finish in a few minutes
// on 2 CPU cores (the `tiny` preset of docs/design.md §5 with short runs); the optimiser defaults of
// `train` are the study's (HF Seq2SeqTrainer: AdamW lr 5e-5, linear decay, no warmup, wd 0).
// Each schema is a TypeBox declaration (runtime's config-schema.ts): the JSON Schema the runner
// validates and, through `Static`, the type of the resolved config come from the same lines.
import { assertSchema, ConfigObject, StringEnum, Type, type Static } from '@switchyard/runtime';
import { routerConfigSchema, type RouterConfig } from '@switchyard/routers';
import { PARAMETER_GROUPS, PRESETS } from '@switchyard/model-core';
import type { OptimizerConfig } from './optim/index.js';
import type { ScheduleConfig } from './schedule.js';

const SCHEMA = 'https://json-schema.org/draft/2020-12/schema';

const int = (def: number, min: number, description: string) => Type.Integer({ minimum: min, default: def, description });
const num = (def: number, description: string, extra: Record<string, unknown> = {}) => Type.Number({ default: def, description, ...extra });

const optimizerSchema = (lr: number) => ConfigObject({
  type: StringEnum(['adamw', 'adafactor'] as const, { default: 'adamw' }),
  lr: num(lr, 'Peak learning rate (the schedule scales it).', { exclusiveMinimum: 0 }),
  schedule: StringEnum(['constant', 'linear', 'inverse-sqrt', 'cosine'] as const, { default: 'linear', description: 'lr schedule over the run (HF shapes).' }),
  warmupSteps: int(0, 0, 'Linear warmup from 0.'),
  weightDecay: num(0, 'Decoupled weight decay.', { minimum: 0 }),
  beta1: num(0.9, 'AdamW β1 (Adafactor: ignored; it keeps no first moment).', { minimum: 0, exclusiveMaximum: 1 }),
  beta2: num(0.999, 'AdamW β2.', { minimum: 0, exclusiveMaximum: 1 }),
  eps: num(1e-8, 'AdamW ε.', { exclusiveMinimum: 0 }),
  relativeStep: Type.Boolean({ default: false, description: 'Adafactor only: ignore lr and use min(1e-2, 1/√t).' }),
  clipNorm: num(1, 'Max global gradient norm; 0 disables clipping (HF max_grad_norm).', { minimum: 0 }),
  gradAccumSteps: int(1, 1, 'Micro-batches per update.'),
}, {
  default: {},
  description: 'Optimiser. AdamW is torch.optim.AdamW; Adafactor is HF transformers\' variant (factored second moments, update clipping; see src/optim/adafactor.ts).',
});

const loopSchema = (steps: number, lr: number) => ({
  steps: int(steps, 1, 'Optimiser updates (ignored when epochs is given).'),
  epochs: Type.Optional(Type.Integer({ minimum: 1, description: 'If given: steps = epochs · ⌈rows / batchSize⌉. No default.' })),
  batchSize: int(8, 1, 'Sequences per micro-batch.'),
  maxSourceLength: int(128, 2, 'Truncate/pad input_ids to at most this (padding is to the batch\'s longest).'),
  maxTargetLength: int(32, 2, 'Truncate labels to at most this.'),
  optimizer: optimizerSchema(lr),
  logEvery: int(10, 1, 'Steps between metrics lines.'),
  checkpointEvery: int(50, 0, 'Steps between checkpoints (0: only at the end).'),
  keepCheckpoints: int(2, 1, 'Checkpoints kept (HF save_total_limit).'),
  seed: Type.Optional(Type.Integer({ description: 'Overrides the pipeline seed for this stage (runtime\'s seed rule).' })),
});

/** The `task` key: no default, so a config without it resolves as before; the data's task.json decides. */
const taskSchema = () => Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]*$', description: 'Task family (src/task-registry.ts). Default: the task the data input was prepared for (task.json), else "summarisation".' }));

const baseModelDeclaration = () => ConfigObject({
  task: taskSchema(),
  source: StringEnum(['pretrain', 'import'] as const, { default: 'pretrain' }),
  importDir: Type.Optional(Type.String({ minLength: 1, description: 'source "import": folder with config.json + model.safetensors (or a sharded index), when no "model" input is mapped.' })),
  preset: Type.Unsafe<string>({ type: 'string', enum: Object.keys(PRESETS), default: 'tiny', description: 'source "pretrain": model-core preset.' }),
  configOverrides: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'HF config.json keys applied over the preset (or the imported config).' }),
  vocabSize: Type.Union([Type.Unsafe<'tokenizer'>({ const: 'tokenizer' }), Type.Integer({ minimum: 8 })], { default: 'tokenizer', description: '"tokenizer": the data-prep tokenizer\'s size.' }),
  ...loopSchema(150, 1e-3),
}, {
  $schema: SCHEMA, title: 'base-model stage',
  description: 'The shared base model: import an HF checkpoint folder, or pretrain a tiny Switch preset (native switch-top1 router) on data-prep\'s train split. Mentions no gating strategy, so every gating pipeline reuses it.',
});

const trainDeclaration = () => ConfigObject({
  task: taskSchema(),
  router: Type.Unsafe<RouterConfig>(routerConfigSchema()),
  freeze: Type.Array(Type.Unsafe<string>({ enum: [...PARAMETER_GROUPS] }), { uniqueItems: true, default: [], description: 'Parameter groups excluded from updates.' }),
  preset: Type.Optional(Type.String({ minLength: 1, description: 'Only without a "base" input: the family builds a fresh model of this preset (language-modelling: an LM preset of model-core lm-presets.ts, e.g. "cpu-mini").' })),
  configOverrides: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Only without a "base" input: config keys applied over `preset`.' })),
  heldOutSplit: StringEnum(['validation', 'test', 'train'] as const, { default: 'validation', description: 'Split whose first batch gives routing.arrow.' }),
  heldOutSize: int(16, 1, 'Sequences in the routing.arrow batch.'),
  taskOptions: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'Options of the task family, given to its loadModel as configOverrides (text-classification: transfer, pooling, headDropout, compatIgnoreAttentionMask, compatCarryCache, competition, lm.<LmConfig key>). Empty: none.' }),
  ...loopSchema(60, 5e-5),
}, {
  $schema: SCHEMA, title: 'train stage',
  description: 'Replace every sparse layer\'s router with a fresh one of `router`, fine-tune the base model on data-prep\'s train split, save the HF checkpoint and training curves.',
});

export function baseModelConfigSchema(): Record<string, unknown> { return baseModelDeclaration() as unknown as Record<string, unknown>; }
export function trainConfigSchema(): Record<string, unknown> { return trainDeclaration() as unknown as Record<string, unknown>; }

/** Resolved configs (defaults filled in), typed from the same declarations. */
export type OptimizerSection = Static<ReturnType<typeof optimizerSchema>>;
export type LoopSection = Static<ReturnType<typeof ConfigObject<ReturnType<typeof loopSchema>>>>;
export type BaseModelConfig = Static<ReturnType<typeof baseModelDeclaration>>;
export type TrainConfig = Static<ReturnType<typeof trainDeclaration>>;

/** Validate (defaults filled in, on a copy) or throw a ConfigError listing every problem. */
export function resolveTrainConfig(raw: unknown, where = 'train config'): TrainConfig {
  const c = structuredClone(raw ?? {});
  assertSchema(trainConfigSchema(), c, where);
  return c as TrainConfig;
}

export function resolveBaseModelConfig(raw: unknown, where = 'base-model config'): BaseModelConfig {
  const c = structuredClone(raw ?? {}) as BaseModelConfig;
  assertSchema(baseModelConfigSchema(), c, where);
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
