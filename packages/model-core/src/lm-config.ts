// Configuration of the decoder-only MoE language model (decoder-lm.ts): the adaptive-span /
// CompeteSMoE family (facebookresearch/adaptive-span `TransformerSeq`, giangdip2410/CompeteSMoE
// `models.py`). Keys are camelCase like the router options; every key is checked, unknown keys
// are an error with a did-you-mean.
import type { RouterSlotConfig } from './config.js';
/** A decoder LM config that cannot be used (unknown key, wrong type, inconsistent sizes). */
export class LmConfigError extends Error {}

/** `transformer`: an MoE FFN in every layer. `glam`: MoE in even layers, a dense FFN in odd ones. */
export type LmArchitecture = 'transformer' | 'glam';

/** What follows a layer's attention sub-layer. */
export type LmLayerKind = 'moe' | 'dense' | 'none';

export interface LmConfig {
  vocabSize: number;
  dModel: number;
  numHeads: number;
  /** Hidden width of every expert and of the dense FFN (the reference: d_ff = d). */
  dFf: number;
  /** Total number of layers (GLaM: 2 per MoE/dense pair). */
  numLayers: number;
  architecture: LmArchitecture;
  numExperts: number;
  /** Tokens per block (the training sequence length M). */
  blockSize: number;
  /** Attention span L: each position attends to the L positions before it (the cache size). */
  attnSpan: number;
  /** Dropout on attention probabilities, inside experts/FFN, and on the MoE output. */
  dropout: number;
  layerNormEps: number;
  /** Router of every MoE layer, `{ type, ...options }` as `createRouter` of `@switchyard/routers` takes it. */
  router: RouterSlotConfig;
  /** Per-layer router overrides, by layer index (must be an MoE layer). */
  routerByLayer: Record<string, RouterSlotConfig>;
  /**
   * Training length in optimiser steps. Filled into a router's `totalSteps` option when the router
   * has one and the slot does not set it (SMoE-Dropout's k(t) schedule). null = leave the router default.
   */
  totalSteps: number | null;
  /**
   * Steps per "iteration" for router randomness: when set, each MoE layer's router draws from an
   * Rng fixed for (seed, layer, ⌊step / routerIterationSteps⌋), so a router whose first draw is a
   * switch (CompeteSMoE `freqType: 'function'`) makes the same choice for a whole iteration, per
   * layer independently, as the reference does. null = a fresh draw on every call.
   */
  routerIterationSteps: number | null;
  /**
   * The reference GLaM builds pair i from architecture characters [2i, 2i+1] and [2i+2, 2i+3]
   * (instead of [4i..4i+3]): with `sgsf…` every odd pair gets no FFN at all (attention only).
   */
  compatGlamPairIndexing: boolean;
  /**
   * The reference MoE sub-layer already does `LN(h + dropout(moe(h)))` and its layer adds a second
   * residual + LayerNorm around it: h = LN2(h + LN_moe(h + dropout(moe(h)))).
   */
  compatDoubleMoeNorm: boolean;
  /**
   * The reference starts every stream with an all-zero cache that is attended to (zero keys still
   * get q·key_pe scores, zero values). Default: positions before the stream start are masked.
   */
  compatZeroInitialCache: boolean;
}

export const DEFAULT_LM_CONFIG: LmConfig = {
  vocabSize: 256,
  dModel: 264,
  numHeads: 8,
  dFf: 264,
  numLayers: 6,
  architecture: 'transformer',
  numExperts: 16,
  blockSize: 512,
  attnSpan: 2048,
  dropout: 0.1,
  layerNormEps: 1e-5,
  router: { type: 'smoe', topK: 2 },
  routerByLayer: {},
  totalSteps: null,
  routerIterationSteps: null,
  compatGlamPairIndexing: false,
  compatDoubleMoeNorm: false,
  compatZeroInitialCache: false,
};

const POSITIVE_INT = ['vocabSize', 'dModel', 'numHeads', 'dFf', 'numLayers', 'numExperts', 'blockSize', 'attnSpan'] as const;
const BOOLEAN = ['compatGlamPairIndexing', 'compatDoubleMoeNorm', 'compatZeroInitialCache'] as const;

/** Closest known key by edit distance (for did-you-mean). */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0]![j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
    }
    return d[a.length]![b.length]!;
  };
  let best: string | undefined, bestD = Infinity;
  for (const k of known) { const v = dist(name, k); if (v < bestD) { bestD = v; best = k; } }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function isRouterSlot(v: unknown): v is RouterSlotConfig {
  return !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as RouterSlotConfig).type === 'string';
}

/** Resolve a partial config: defaults filled, every key and value checked. `source` names the origin in errors. */
export function parseLmConfig(raw: Record<string, unknown>, source = 'lm config'): LmConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new LmConfigError(`${source}: config is not an object`);
  const known = Object.keys(DEFAULT_LM_CONFIG);
  for (const k of Object.keys(raw)) {
    if (!known.includes(k)) {
      const guess = closestName(k, known);
      throw new LmConfigError(`${source}: unknown key "${k}"${guess ? ` (did you mean "${guess}"?)` : ''}; known: ${known.join(', ')}`);
    }
  }
  const cfg = { ...structuredClone(DEFAULT_LM_CONFIG), ...structuredClone(raw) } as LmConfig;
  for (const k of POSITIVE_INT) {
    const v = cfg[k];
    if (!Number.isInteger(v) || v < 1) throw new LmConfigError(`${source}: "${k}" must be a positive integer, got ${JSON.stringify(v)}`);
  }
  for (const k of BOOLEAN) if (typeof cfg[k] !== 'boolean') throw new LmConfigError(`${source}: "${k}" must be a boolean, got ${JSON.stringify(cfg[k])}`);
  if (cfg.architecture !== 'transformer' && cfg.architecture !== 'glam') {
    throw new LmConfigError(`${source}: "architecture" must be "transformer" or "glam", got ${JSON.stringify(cfg.architecture)}`);
  }
  if (cfg.dModel % cfg.numHeads !== 0) throw new LmConfigError(`${source}: "dModel" (${cfg.dModel}) must be a multiple of "numHeads" (${cfg.numHeads})`);
  if (typeof cfg.dropout !== 'number' || !(cfg.dropout >= 0 && cfg.dropout < 1)) throw new LmConfigError(`${source}: "dropout" must be in [0, 1), got ${JSON.stringify(cfg.dropout)}`);
  if (typeof cfg.layerNormEps !== 'number' || !(cfg.layerNormEps > 0)) throw new LmConfigError(`${source}: "layerNormEps" must be > 0, got ${JSON.stringify(cfg.layerNormEps)}`);
  for (const k of ['totalSteps', 'routerIterationSteps'] as const) {
    const v = cfg[k];
    if (v !== null && (!Number.isInteger(v) || v < 1)) throw new LmConfigError(`${source}: "${k}" must be null or a positive integer, got ${JSON.stringify(v)}`);
  }
  if (!isRouterSlot(cfg.router)) throw new LmConfigError(`${source}: "router" must be an object { type: string, ...options }, got ${JSON.stringify(cfg.router)}`);
  if (!cfg.routerByLayer || typeof cfg.routerByLayer !== 'object' || Array.isArray(cfg.routerByLayer)) throw new LmConfigError(`${source}: "routerByLayer" must be an object { "<layer>": { type, ... } }`);
  const kinds = lmLayerKinds(cfg);
  for (const [layer, slot] of Object.entries(cfg.routerByLayer)) {
    const i = Number(layer);
    if (!Number.isInteger(i) || i < 0 || i >= cfg.numLayers) throw new LmConfigError(`${source}: "routerByLayer" key "${layer}" is not a layer index in 0..${cfg.numLayers - 1}`);
    if (kinds[i] !== 'moe') throw new LmConfigError(`${source}: "routerByLayer" layer ${i} has no MoE sub-layer (it is ${kinds[i]}); MoE layers: ${kinds.flatMap((k, j) => (k === 'moe' ? [j] : [])).join(', ')}`);
    if (!isRouterSlot(slot)) throw new LmConfigError(`${source}: "routerByLayer.${layer}" must be an object { type: string, ...options }`);
  }
  return cfg;
}

/**
 * The sub-layer after attention in each layer. Transformer: MoE everywhere. GLaM (Du et al. 2022,
 * arXiv 2112.06905: "every other Transformer layer" is MoE): layer i is MoE when i is even, dense
 * when odd. With `compatGlamPairIndexing` the layers of odd pairs (⌊i/2⌋ odd) have no FFN.
 */
export function lmLayerKinds(cfg: Pick<LmConfig, 'numLayers' | 'architecture' | 'compatGlamPairIndexing'>): LmLayerKind[] {
  return Array.from({ length: cfg.numLayers }, (_, i): LmLayerKind => {
    if (cfg.architecture === 'transformer') return 'moe';
    if (cfg.compatGlamPairIndexing && Math.floor(i / 2) % 2 === 1) return 'none';
    return i % 2 === 0 ? 'moe' : 'dense';
  });
}
