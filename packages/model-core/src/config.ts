// Switch-Transformer configuration with HF `config.json` keys verbatim (docs/style.md §4), so a real
// switch-base-8 config loads without a mapping. Defaults equal HF's SwitchTransformersConfig
// defaults (= the switch-base-8 checkpoint). Keys this module does not know are kept in
// `extra` and written back unchanged, so import → export preserves a checkpoint's config.

/** Router slot configuration: `{ type, ...options }` as `createRouter` of `@switchyard/routers` takes it. */
export interface RouterSlotConfig {
  type: string;
  [option: string]: unknown;
}

/** What a sparse layer outputs for a token its expert dropped for capacity. */
export type DroppedTokenRule = 'hf-v4.36' | 'zero';

export interface SwitchConfig {
  vocab_size: number;
  d_model: number;
  d_kv: number;
  d_ff: number;
  num_layers: number;
  num_decoder_layers: number;
  num_heads: number;
  num_experts: number;
  expert_capacity: number;
  /** Sparse blocks are those with index i where i % step == 1 (step 1: every block; 0: none). */
  encoder_sparse_step: number;
  decoder_sparse_step: number;
  num_sparse_encoder_layers: number;
  num_sparse_decoder_layers: number;
  relative_attention_num_buckets: number;
  relative_attention_max_distance: number;
  layer_norm_epsilon: number;
  dropout_rate: number;
  initializer_factor: number;
  router_z_loss_coef: number;
  router_aux_loss_coef: number;
  router_jitter_noise: number;
  router_bias: boolean;
  router_dtype: string;
  router_ignore_padding_tokens: boolean;
  add_router_probs: boolean;
  dense_act_fn: string;
  feed_forward_proj: string;
  tie_word_embeddings: boolean;
  is_encoder_decoder: boolean;
  use_cache: boolean;
  pad_token_id: number;
  eos_token_id: number;
  decoder_start_token_id: number;
  model_type: string;
  transformers_version: string;
  /**
   * Switchyard's router for every sparse layer. Absent = HF's own top-1 router
   * (`switch-top1` with expert_capacity, jitter and loss coefficients from this config).
   */
  switchyard_router?: RouterSlotConfig;
  /** Dropped-token rule of the default router. Absent = HF v4.36 (`top1_prob × normed input`). */
  switchyard_dropped_tokens?: DroppedTokenRule;
  /** Unknown keys of the source config.json, written back verbatim. */
  extra: Record<string, unknown>;
}

/** HF's SwitchTransformersConfig defaults (switch-base-8). */
export const DEFAULT_CONFIG: Omit<SwitchConfig, 'extra'> = {
  vocab_size: 32128,
  d_model: 768,
  d_kv: 64,
  d_ff: 2048,
  num_layers: 12,
  num_decoder_layers: 12,
  num_heads: 12,
  num_experts: 8,
  expert_capacity: 64,
  encoder_sparse_step: 3,
  decoder_sparse_step: 3,
  num_sparse_encoder_layers: 3,
  num_sparse_decoder_layers: 3,
  relative_attention_num_buckets: 32,
  relative_attention_max_distance: 128,
  layer_norm_epsilon: 1e-6,
  dropout_rate: 0.1,
  initializer_factor: 1.0,
  router_z_loss_coef: 0.001,
  router_aux_loss_coef: 0.001,
  router_jitter_noise: 0.01,
  router_bias: false,
  router_dtype: 'float32',
  router_ignore_padding_tokens: false,
  add_router_probs: false,
  dense_act_fn: 'relu',
  feed_forward_proj: 'relu',
  tie_word_embeddings: true,
  is_encoder_decoder: true,
  use_cache: true,
  pad_token_id: 0,
  eos_token_id: 1,
  decoder_start_token_id: 0,
  model_type: 'switch_transformers',
  transformers_version: '4.36.2',
};

const NUMERIC_INT = new Set([
  'vocab_size', 'd_model', 'd_kv', 'd_ff', 'num_layers', 'num_decoder_layers', 'num_heads', 'num_experts',
  'expert_capacity', 'encoder_sparse_step', 'decoder_sparse_step', 'num_sparse_encoder_layers',
  'num_sparse_decoder_layers', 'relative_attention_num_buckets', 'relative_attention_max_distance',
  'pad_token_id', 'eos_token_id', 'decoder_start_token_id',
]);

export class SwitchConfigError extends Error {}

/**
 * Resolve a config.json object (HF keys) into a SwitchConfig: defaults filled, types checked.
 * `source` names the file in errors.
 */
export function parseSwitchConfig(raw: Record<string, unknown>, source = 'config'): SwitchConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SwitchConfigError(`${source}: config is not a JSON object`);
  const out: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const extra: Record<string, unknown> = {};
  // HF: an explicit num_layers for the decoder defaults to the encoder's.
  if (raw.num_decoder_layers === undefined && raw.num_layers !== undefined) out.num_decoder_layers = raw.num_layers;
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'extra') continue;
    // Derived from the routers on every export (src/hf-export.ts), so not kept from the file.
    if (k === 'architectures' || k === 'switchyard_hf_incompatible') continue;
    if (k in DEFAULT_CONFIG) {
      const def = (DEFAULT_CONFIG as Record<string, unknown>)[k];
      if (typeof v !== typeof def) throw new SwitchConfigError(`${source}: "${k}" must be a ${typeof def}, got ${JSON.stringify(v)}`);
      if (NUMERIC_INT.has(k) && (!Number.isInteger(v) || (v as number) < 0)) throw new SwitchConfigError(`${source}: "${k}" must be a non-negative integer, got ${JSON.stringify(v)}`);
      out[k] = v;
    } else if (k === 'switchyard_router') {
      const r = v as RouterSlotConfig;
      if (!r || typeof r !== 'object' || Array.isArray(r) || typeof r.type !== 'string') throw new SwitchConfigError(`${source}: "switchyard_router" must be an object { type: string, ...options }`);
      out[k] = structuredClone(r);
    } else if (k === 'switchyard_dropped_tokens') {
      if (v !== 'hf-v4.36' && v !== 'zero') throw new SwitchConfigError(`${source}: "switchyard_dropped_tokens" must be "hf-v4.36" or "zero", got ${JSON.stringify(v)}`);
      out[k] = v;
    } else {
      extra[k] = v;
    }
  }
  const cfg = { ...out, extra } as SwitchConfig;
  // HF's config __init__ derives the step from num_sparse_*_layers; an explicit step (as
  // config.json files carry) overrides it.
  if (raw.encoder_sparse_step === undefined) {
    cfg.encoder_sparse_step = cfg.num_sparse_encoder_layers > 0 ? Math.floor(cfg.num_layers / cfg.num_sparse_encoder_layers) : cfg.num_layers;
  }
  if (raw.decoder_sparse_step === undefined) {
    cfg.decoder_sparse_step = cfg.num_sparse_decoder_layers > 0 ? Math.floor(cfg.num_decoder_layers / cfg.num_sparse_decoder_layers) : cfg.num_decoder_layers;
  }
  if (cfg.num_heads * cfg.d_kv <= 0 || cfg.d_model <= 0) throw new SwitchConfigError(`${source}: d_model, num_heads and d_kv must be positive`);
  if (cfg.dense_act_fn !== 'relu') throw new SwitchConfigError(`${source}: dense_act_fn "${cfg.dense_act_fn}" is not supported (only relu)`);
  if (cfg.num_experts < 1) throw new SwitchConfigError(`${source}: "num_experts" must be at least 1, got ${cfg.num_experts}`);
  return cfg;
}

/**
 * config.json object for a SwitchConfig. HF writes only non-default PretrainedConfig keys, so
 * `tie_word_embeddings` appears only when false; Switchyard keys only when set.
 */
export function switchConfigToJson(cfg: SwitchConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cfg.extra };
  for (const k of Object.keys(DEFAULT_CONFIG)) {
    if (k === 'tie_word_embeddings' && cfg.tie_word_embeddings) continue;
    out[k] = (cfg as unknown as Record<string, unknown>)[k];
  }
  if (cfg.switchyard_router) out.switchyard_router = cfg.switchyard_router;
  if (cfg.switchyard_dropped_tokens) out.switchyard_dropped_tokens = cfg.switchyard_dropped_tokens;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Is block i of a stack sparse? HF: `i % sparse_step == 1`, step 1 = all, step 0 = none. */
export function isSparseBlock(i: number, sparseStep: number): boolean {
  if (sparseStep <= 0) return false;
  if (sparseStep === 1) return true;
  return i % sparseStep === 1;
}
