// The numbers the FLOPs model reads from a Switch-Transformers model, derived from model-core's
// config (HF `config.json` keys verbatim, parsed and defaulted by model-core's parseSwitchConfig;
// presets are model-core's PRESETS), so a real switch-base-8 config.json or a trained model's
// config.json is read exactly as the model itself reads it.
import { PRESETS, isSparseBlock, parseSwitchConfig, presetConfig, type SwitchConfig } from '@switchyard/model-core';

/** A model: a model-core preset name or a config.json object (HF keys). */
export type ModelSpec = string | Record<string, unknown>;

/** Resolved numbers derived once from a config. */
export interface ResolvedModel {
  /** The parsed config (defaults filled, as model-core builds the model). */
  config: SwitchConfig;
  d: number;
  dKv: number;
  heads: number;
  /** num_heads · d_kv. */
  inner: number;
  dFf: number;
  encoderLayers: number;
  decoderLayers: number;
  experts: number;
  vocab: number;
  /** Number of FFN weight matrices (2 for ReLU, 3 for gated activations). */
  ffnMatrices: number;
  tieWordEmbeddings: boolean;
  /** Block indices with a sparse (MoE) FFN. */
  encoderSparse: number[];
  decoderSparse: number[];
}

/** Block indices of a stack that are sparse (model-core's isSparseBlock rule). */
export function sparseBlocks(numLayers: number, step: number): number[] {
  return Array.from({ length: numLayers }, (_, i) => i).filter((i) => isSparseBlock(i, step));
}

/** Look up a preset by name or parse a config.json object (`source` names it in errors). */
export function resolveModel(model: ModelSpec, source = 'model config'): ResolvedModel {
  const cfg = typeof model === 'string'
    ? presetConfig(model)
    : parseSwitchConfig(model, source);
  return {
    config: cfg,
    d: cfg.d_model,
    dKv: cfg.d_kv,
    heads: cfg.num_heads,
    inner: cfg.num_heads * cfg.d_kv,
    dFf: cfg.d_ff,
    encoderLayers: cfg.num_layers,
    decoderLayers: cfg.num_decoder_layers,
    experts: cfg.num_experts,
    vocab: cfg.vocab_size,
    ffnMatrices: cfg.feed_forward_proj.startsWith('gated-') ? 3 : 2,
    tieWordEmbeddings: cfg.tie_word_embeddings,
    encoderSparse: sparseBlocks(cfg.num_layers, cfg.encoder_sparse_step),
    decoderSparse: sparseBlocks(cfg.num_decoder_layers, cfg.decoder_sparse_step),
  };
}

/** Preset names (model-core's). */
export function modelPresetNames(): string[] { return Object.keys(PRESETS); }

/** Canonical name of a sparse layer, as in HF state-dict keys: `encoder.block.3`. */
export function layerName(stack: 'encoder' | 'decoder', block: number): string {
  return `${stack}.block.${block}`;
}
