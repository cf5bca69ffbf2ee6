// Config of the flops-profiler stage and of `switchyard flops` (JSON Schema 2020-12, unknown keys
// rejected), and the defaults filled in code so the result does not depend on the validator.
// A router's cost is never configured here: it comes from the router's own description in
// @switchyard/routers — for statistics, of the router in the upstream model's config.json.
import { GATE_KINDS, routerConfigSchema, type GateKind, type RouterConfig } from '@switchyard/routers';
import { modelPresetNames, resolveModel, type ModelSpec } from './model-config.js';

export interface RouterRowConfig {
  /** Row label; defaults to the router type. */
  name?: string;
  /** Router config of @switchyard/routers, e.g. `{ "type": "linear-sparsemax" }`. */
  router: RouterConfig;
}

/** How to label the statistics of an upstream stage (its router comes from its config.json). */
export interface StatisticsConfig {
  /** Row label; defaults to the router type. */
  label?: string;
}

export interface MeasureConfig {
  enabled: boolean;
  tokens: number;
  dModel: number;
  dFf: number;
  /** Experts of the timed layer; defaults to the model's num_experts. */
  experts?: number;
  kValues: number[];
  warmup: number;
  repeats: number;
  backward: boolean;
}

export interface FlopsStageConfig {
  model: ModelSpec;
  sourceLength: number;
  targetLength: number;
  topK: { gates: GateKind[]; kValues?: number[] };
  routers: RouterRowConfig[];
  /** Upstream stage name → how to label and cost its routing.arrow. */
  statistics: Record<string, StatisticsConfig>;
  /** Tokens routed through an untrained router to estimate support sizes when no statistics exist. */
  probeTokens: number;
  /** Add the SparTMoE study's sparsemax points (docs/routers.md §4) when the setup is theirs (switch-base-16, 128/64). */
  published: boolean;
  measure: MeasureConfig;
  plots: boolean;
  fontPath?: string;
  seed?: number;
}

/**
 * By default the two sparsemax routers of the study, probed untrained (as the study measured
 * them), the attention one as the notebook's HEAD ran it (scores not scaled by 1/√d).
 */
export const DEFAULT_ROUTERS: RouterRowConfig[] = [
  { router: { type: 'linear-sparsemax' } },
  { router: { type: 'attention-sparsemax', attentionScaled: false } },
];

const gateEnum = { enum: [...GATE_KINDS] };
const posInt = { type: 'integer', minimum: 1 };

export const flopsStageConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'switchyard:stage:flops-profiler',
  title: 'flops-profiler stage config',
  type: 'object',
  additionalProperties: false,
  properties: {
    model: {
      description: 'Preset name, an HF SwitchTransformers config.json object, or "input:<role>": the config.json of the upstream stage playing that input role (e.g. "input:model", the trained model).',
      default: 'switch-base-16',
      oneOf: [
        { type: 'string', enum: modelPresetNames() },
        { type: 'string', pattern: '^input:[a-z][a-z0-9-]*$' },
        // a config.json object, parsed (defaults filled, types checked) by model-core's parseSwitchConfig
        { type: 'object' },
      ],
    },
    sourceLength: { ...posInt, default: 128 },
    targetLength: { ...posInt, default: 64 },
    topK: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        gates: { type: 'array', items: gateEnum, default: ['linear', 'attention'] },
        kValues: { type: 'array', items: posInt, description: 'Defaults to 1…num_experts.' },
      },
    },
    routers: {
      type: 'array', default: DEFAULT_ROUTERS,
      items: {
        type: 'object', additionalProperties: false, required: ['router'],
        properties: {
          name: { type: 'string', minLength: 1 },
          router: routerConfigSchema(),
        },
      },
    },
    statistics: {
      type: 'object', default: {},
      additionalProperties: {
        type: 'object', additionalProperties: false,
        properties: { label: { type: 'string', minLength: 1 } },
      },
    },
    probeTokens: { ...posInt, default: 1024 },
    published: { type: 'boolean', default: true },
    measure: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        enabled: { type: 'boolean', default: false },
        tokens: { ...posInt, default: 256 },
        dModel: { ...posInt, default: 256 },
        dFf: { ...posInt, default: 1024 },
        experts: posInt,
        kValues: { type: 'array', items: posInt, default: [1, 2, 4, 8, 16] },
        warmup: { type: 'integer', minimum: 0, default: 1 },
        repeats: { ...posInt, default: 3 },
        backward: { type: 'boolean', default: true },
      },
    },
    plots: { type: 'boolean', default: true },
    fontPath: { type: 'string' },
    seed: { type: 'integer' },
  },
};

/** Fill defaults (idempotent) and check what the schema cannot (k ≤ E). */
export function resolveFlopsConfig(raw: Partial<FlopsStageConfig>): FlopsStageConfig {
  const model = raw.model ?? 'switch-base-16';
  const E = resolveModel(model).experts;
  const m: Partial<MeasureConfig> = raw.measure ?? {};
  const cfg: FlopsStageConfig = {
    model,
    sourceLength: raw.sourceLength ?? 128,
    targetLength: raw.targetLength ?? 64,
    topK: { gates: raw.topK?.gates ?? ['linear', 'attention'], kValues: raw.topK?.kValues ?? Array.from({ length: E }, (_, i) => i + 1) },
    routers: raw.routers ?? structuredClone(DEFAULT_ROUTERS),
    statistics: raw.statistics ?? {},
    probeTokens: raw.probeTokens ?? 1024,
    published: raw.published ?? true,
    measure: {
      enabled: m.enabled ?? false, tokens: m.tokens ?? 256, dModel: m.dModel ?? 256, dFf: m.dFf ?? 1024,
      experts: m.experts ?? E, kValues: m.kValues ?? [1, 2, 4, 8, 16], warmup: m.warmup ?? 1, repeats: m.repeats ?? 3,
      backward: m.backward ?? true,
    },
    plots: raw.plots ?? true,
    ...(raw.fontPath !== undefined ? { fontPath: raw.fontPath } : {}),
    ...(raw.seed !== undefined ? { seed: raw.seed } : {}),
  };
  for (const k of cfg.topK.kValues!) if (k > E) throw new Error(`topK.kValues: k = ${k} exceeds num_experts ${E}`);
  return cfg;
}
