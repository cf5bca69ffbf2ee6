// Named sizes of the decoder-only MoE LM. The reference ones are the CompeteSMoE pretraining
// scripts' (giangdip2410/CompeteSMoE scripts/pretraining/*): 16 experts, top-2, d_ff = d, 8 heads,
// dropout 0.1, block 512, span 2048 for enwik8/text8; WikiText-103 S: 3 layers, d 128, block 256,
// span 256, dropout 0.7. The reference "GLaM" sizes count MoE/dense pairs (`--nlayers 3` = 6 layers).
// The vocabulary is set by the data (enwik8 256 bytes, text8 27 characters, WikiText its words).
import { parseLmConfig, type LmConfig } from './lm-config.js';

const REFERENCE_CHAR: Record<string, unknown> = {
  vocabSize: 256, numHeads: 8, numExperts: 16, blockSize: 512, attnSpan: 2048, dropout: 0.1,
  router: { type: 'smoe', topK: 2 },
};

export const LM_PRESETS: Record<string, Record<string, unknown>> = {
  /** enwik8/text8 Transformer-S: 6 MoE layers, d 264. */
  'transformer-s': { ...REFERENCE_CHAR, architecture: 'transformer', numLayers: 6, dModel: 264, dFf: 264 },
  /** Transformer-M: 8 MoE layers, d 352. */
  'transformer-m': { ...REFERENCE_CHAR, architecture: 'transformer', numLayers: 8, dModel: 352, dFf: 352 },
  /** GLaM-S: 3 MoE/dense pairs (6 layers), d 264. */
  'glam-s': { ...REFERENCE_CHAR, architecture: 'glam', numLayers: 6, dModel: 264, dFf: 264 },
  /** GLaM-M: 4 pairs (8 layers), d 352. */
  'glam-m': { ...REFERENCE_CHAR, architecture: 'glam', numLayers: 8, dModel: 352, dFf: 352 },
  /** WikiText-103 S: 3 MoE layers, d 128, block 256, span 256, dropout 0.7 (vocabulary from the data). */
  'wikitext-s': { ...REFERENCE_CHAR, architecture: 'transformer', numLayers: 3, dModel: 128, dFf: 128, blockSize: 256, attnSpan: 256, dropout: 0.7, vocabSize: null },
  /**
   * Switchyard's CPU protocol: the reference family shrunk to train in minutes on 2 cores —
   * 4 layers, d 128 (d_ff 128, as the reference's d_ff = d), 4 heads of 32, 8 experts top-2,
   * block 128, span 256 (two blocks of context), dropout 0.1.
   */
  'cpu-mini': { ...REFERENCE_CHAR, architecture: 'transformer', numLayers: 4, dModel: 128, dFf: 128, numHeads: 4, numExperts: 8, blockSize: 128, attnSpan: 256 },
  /** Test-sized: 2 layers, d 16, 4 experts, block 8, span 8. */
  'lm-micro': { ...REFERENCE_CHAR, vocabSize: 32, architecture: 'transformer', numLayers: 2, dModel: 16, dFf: 16, numHeads: 2, numExperts: 4, blockSize: 8, attnSpan: 8, dropout: 0 },
};

/** A preset with `overrides` applied on top (e.g. `{ architecture: 'glam', vocabSize: 27 }`). */
export function lmPresetConfig(name: string, overrides: Record<string, unknown> = {}): LmConfig {
  const p = LM_PRESETS[name];
  if (!p) throw new Error(`unknown LM preset "${name}"; known: ${Object.keys(LM_PRESETS).join(', ')}`);
  if (p.vocabSize === null && overrides.vocabSize === undefined) throw new Error(`LM preset "${name}" needs "vocabSize" (the corpus's vocabulary size) in the overrides`);
  return parseLmConfig({ ...structuredClone(p), ...structuredClone(overrides) }, `LM preset ${name}`);
}
