// The model description the FLOPs model reads: the Hugging Face `config.json` keys of
// SwitchTransformers, verbatim, so a real switch-base-8 config.json can be passed unchanged
// (style.md §4). Only the keys that change the arithmetic are read.

export interface SwitchModelConfig {
  d_model: number;
  /** Width of one attention head (inner width = num_heads · d_kv). */
  d_kv: number;
  num_heads: number;
  d_ff: number;
  /** Encoder blocks. */
  num_layers: number;
  /** Decoder blocks. Defaults to num_layers (HF does the same). */
  num_decoder_layers?: number;
  num_experts: number;
  /** Block i of the encoder is sparse when i % step == 1 (or step == 1); 0 = no sparse block. */
  encoder_sparse_step: number;
  decoder_sparse_step: number;
  vocab_size: number;
  /** `relu` (T5 v1.0 / Switch) or `gated-gelu` etc.; a `gated-` prefix means three FFN matrices. */
  feed_forward_proj?: string;
  /** When true the head input is scaled by d_model^-0.5 (one multiply per element; all-FLOPs only). HF default true. */
  tie_word_embeddings?: boolean;
}

/** Resolved numbers derived once from a config. */
export interface ResolvedModel {
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

const SWITCH_BASE = {
  d_model: 768,
  d_kv: 64,
  num_heads: 12,
  d_ff: 3072,
  num_layers: 12,
  num_decoder_layers: 12,
  encoder_sparse_step: 2,
  decoder_sparse_step: 2,
  vocab_size: 32128,
  feed_forward_proj: 'relu',
  tie_word_embeddings: true,
} as const;

/** Presets with the switch-base-N numbers (routers.md R1: base-8/16 assumed equal to base-32 except E). */
export const MODEL_PRESETS: Record<string, SwitchModelConfig> = {
  'switch-base-8': { ...SWITCH_BASE, num_experts: 8 },
  'switch-base-16': { ...SWITCH_BASE, num_experts: 16 },
  'switch-base-32': { ...SWITCH_BASE, num_experts: 32 },
};

export class ModelConfigError extends Error {}

/** HF's rule (SwitchTransformersStack): block i is sparse iff i % step == 1 or step == 1; step 0 = dense stack. */
export function sparseBlocks(numLayers: number, step: number): number[] {
  const out: number[] = [];
  if (step <= 0) return out;
  for (let i = 0; i < numLayers; i++) if (i % step === 1 || step === 1) out.push(i);
  return out;
}

function positiveInt(cfg: Record<string, unknown>, key: string, allowZero = false): number {
  const v = cfg[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ModelConfigError(`model config: "${key}" must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Look up a preset by name or check a config object; returns the derived numbers. */
export function resolveModel(config: string | SwitchModelConfig): ResolvedModel {
  let cfg: SwitchModelConfig;
  if (typeof config === 'string') {
    const preset = MODEL_PRESETS[config];
    if (!preset) throw new ModelConfigError(`unknown model preset "${config}"; known: ${Object.keys(MODEL_PRESETS).join(', ')}`);
    cfg = preset;
  } else {
    cfg = config;
  }
  const raw = cfg as unknown as Record<string, unknown>;
  const numLayers = positiveInt(raw, 'num_layers');
  const numDecoder = raw.num_decoder_layers === undefined ? numLayers : positiveInt(raw, 'num_decoder_layers');
  const encStep = positiveInt(raw, 'encoder_sparse_step', true);
  const decStep = positiveInt(raw, 'decoder_sparse_step', true);
  const ffp = cfg.feed_forward_proj ?? 'relu';
  return {
    d: positiveInt(raw, 'd_model'),
    dKv: positiveInt(raw, 'd_kv'),
    heads: positiveInt(raw, 'num_heads'),
    inner: cfg.num_heads * cfg.d_kv,
    dFf: positiveInt(raw, 'd_ff'),
    encoderLayers: numLayers,
    decoderLayers: numDecoder,
    experts: positiveInt(raw, 'num_experts'),
    vocab: positiveInt(raw, 'vocab_size'),
    ffnMatrices: ffp.startsWith('gated-') ? 3 : 2,
    tieWordEmbeddings: cfg.tie_word_embeddings ?? true,
    encoderSparse: sparseBlocks(numLayers, encStep),
    decoderSparse: sparseBlocks(numDecoder, decStep),
  };
}

/** Canonical name of a sparse layer, as in HF state-dict keys: `encoder.block.3`. */
export function layerName(stack: 'encoder' | 'decoder', block: number): string {
  return `${stack}.block.${block}`;
}
