// Named configurations. The switch-base ones are the published HF checkpoints' config.json
// (google/switch-base-8, -16, -32: identical except num_experts); the tiny ones are
// Switchyard's own, sized to train on 2 CPU cores (docs/design.md §5).
import { parseSwitchConfig, type SwitchConfig } from './config.js';

const SWITCH_BASE: Record<string, unknown> = {
  architectures: ['SwitchTransformersForConditionalGeneration'],
  add_router_probs: false,
  d_ff: 3072,
  d_kv: 64,
  d_model: 768,
  decoder_sparse_step: 2,
  decoder_start_token_id: 0,
  dense_act_fn: 'relu',
  dropout_rate: 0.1,
  encoder_sparse_step: 2,
  eos_token_id: 1,
  expert_capacity: 64,
  feed_forward_proj: 'relu',
  initializer_factor: 1.0,
  is_encoder_decoder: true,
  is_gated_act: false,
  layer_norm_epsilon: 1e-6,
  model_type: 'switch_transformers',
  num_decoder_layers: 12,
  num_heads: 12,
  num_layers: 12,
  num_selected_experts: 1,
  num_sparse_decoder_layers: 6,
  num_sparse_encoder_layers: 6,
  pad_token_id: 0,
  relative_attention_max_distance: 128,
  relative_attention_num_buckets: 32,
  router_aux_loss_coef: 0.001,
  router_bias: false,
  router_dtype: 'float32',
  router_ignore_padding_tokens: false,
  router_jitter_noise: 0.01,
  router_type: 'tokens_masked',
  router_z_loss_coef: 0.001,
  torch_dtype: 'float32',
  transformers_version: '4.25.0.dev0',
  use_cache: true,
  vocab_size: 32128,
};

// Small models keep the T5 structure (sparse every 2nd block, 32 buckets) and shrink widths.
const TINY: Record<string, unknown> = {
  d_model: 128, d_kv: 32, num_heads: 4, d_ff: 512, num_layers: 2, num_decoder_layers: 2,
  num_experts: 8, encoder_sparse_step: 2, decoder_sparse_step: 2, num_sparse_encoder_layers: 1,
  num_sparse_decoder_layers: 1, vocab_size: 8000, expert_capacity: 64, dropout_rate: 0.0,
  router_jitter_noise: 0.0,
};

// Test-sized: seconds per forward on one core.
const MICRO: Record<string, unknown> = {
  ...TINY, d_model: 32, d_kv: 8, d_ff: 64, num_experts: 4, vocab_size: 64, expert_capacity: 8,
};

export const PRESETS: Record<string, Record<string, unknown>> = {
  'switch-base-8': { ...SWITCH_BASE, num_experts: 8 },
  'switch-base-16': { ...SWITCH_BASE, num_experts: 16 },
  'switch-base-32': { ...SWITCH_BASE, num_experts: 32 },
  tiny: TINY,
  micro: MICRO,
};

/** A preset's config with `overrides` (HF keys) applied on top. */
export function presetConfig(name: string, overrides: Record<string, unknown> = {}): SwitchConfig {
  const p = PRESETS[name];
  if (!p) throw new Error(`unknown model preset "${name}"; known: ${Object.keys(PRESETS).join(', ')}`);
  return parseSwitchConfig({ ...p, ...overrides }, `preset ${name}`);
}
