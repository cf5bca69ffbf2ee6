// From a router config of @switchyard/routers (`{ type, ...options }`) to what the FLOPs model
// needs: the gate's cost class and how many experts a token activates (fixed k, all E, or the
// support of a sparse normaliser, which only routing statistics can tell).
import { routerOptionsSchema } from '@switchyard/routers';
import type { GateKind, NormaliserKind, RouterCostSpec } from './router-cost.js';

export interface RouterConfig { type: string; [key: string]: unknown }

export type Activity = { kind: 'fixed'; k: number } | { kind: 'dense' } | { kind: 'support' };

export interface RouterFlopsClass {
  spec: RouterCostSpec;
  activity: Activity;
}

export interface RouterFlopsOverride { gate?: GateKind; normaliser?: NormaliserKind; k?: number }

function normaliserOf(type: string, opts: Record<string, unknown>): NormaliserKind {
  const n = typeof opts.normType === 'string' ? opts.normType : type;
  if (n.includes('sparsemax')) return 'sparsemax';
  if (n.includes('entmax')) return 'entmax15'; // entmax-1.5 and α-entmax by bisection: same order of work per row
  return 'softmax';
}

function gateOf(type: string, opts: Record<string, unknown>): GateKind {
  if (type.includes('switch')) return 'switch';
  if (type.includes('xmoe')) return 'xmoe';
  if (type.includes('stable')) return opts.variant === 'competesmoe' || opts.distill === false ? 'stablemoe' : 'stablemoe-distilled';
  if (type.includes('compete')) return 'competesmoe';
  const attention = opts.routerType === 'attention' || type.startsWith('attention');
  if (attention) return opts.attentionKeyProjection === true ? 'attention-keyproj' : 'attention';
  return 'linear';
}

/** The config with the router's schema defaults filled in (what createRouter would resolve). */
export function withRouterDefaults(cfg: RouterConfig): RouterConfig {
  const props = (routerOptionsSchema(cfg.type).properties ?? {}) as Record<string, { default?: unknown }>;
  const out: RouterConfig = { ...cfg };
  for (const [key, p] of Object.entries(props)) if (!(key in out) && p && 'default' in p) out[key] = structuredClone(p.default);
  return out;
}

/**
 * Classify a router config (pass it through withRouterDefaults first for a registered router); `override` fixes what the names cannot tell. `numExperts` resolves
 * defaults that depend on E (SMoE-Dropout's k_max = E).
 */
export function classifyRouter(cfg: RouterConfig, override: RouterFlopsOverride = {}, numExperts?: number): RouterFlopsClass {
  const gate = override.gate ?? gateOf(cfg.type, cfg);
  const normaliser = override.normaliser ?? normaliserOf(cfg.type, cfg);
  let topK = typeof cfg.topK === 'number' ? cfg.topK : typeof cfg.k === 'number' ? cfg.k : undefined;
  if (cfg.type === 'smoe-dropout') {
    // inference after the schedule: k_max (default E); a 'fixed' schedule keeps k_min (default ⌈E/2⌉)
    const E = numExperts ?? 0;
    const kMax = typeof cfg.kMax === 'number' ? cfg.kMax : E || undefined;
    const kMin = typeof cfg.kMin === 'number' ? cfg.kMin : E ? Math.ceil(E / 2) : undefined;
    topK = cfg.schedule === 'fixed' ? kMin : kMax;
  }
  // two-stage StableMoE and Switch route top-1
  if (gate === 'stablemoe-distilled' || (cfg.type.includes('stable') && cfg.variant !== 'competesmoe')) topK = 1;
  const ignoreTopK = cfg.compatIgnoreTopK === true;
  const spec: RouterCostSpec = { gate, normaliser, topK: topK !== undefined && !ignoreTopK };
  if (typeof cfg.reductionDim === 'number') spec.reductionDim = cfg.reductionDim;
  if (gate === 'xmoe') spec.reductionDim = typeof cfg.reducedDim === 'number' ? cfg.reducedDim : cfg.variant === 'competesmoe' ? 8 : (spec.reductionDim ?? 16);
  if (typeof cfg.distillDim === 'number') spec.distillDim = cfg.distillDim;
  if (typeof cfg.freq === 'number') spec.competitionFrequency = cfg.freq;
  if (typeof cfg.competitionFrequency === 'number') spec.competitionFrequency = cfg.competitionFrequency;
  let activity: Activity;
  if (override.k !== undefined) activity = { kind: 'fixed', k: override.k };
  else if (gate === 'switch') activity = { kind: 'fixed', k: 1 };
  else if (cfg.type === 'expert-choice') activity = { kind: 'support' }; // 0…E experts per token
  else if (topK !== undefined && !ignoreTopK) activity = { kind: 'fixed', k: topK };
  else if (normaliser === 'softmax' && (cfg.type.includes('dense') || ignoreTopK || cfg.topK === null)) activity = { kind: 'dense' };
  else if (normaliser !== 'softmax') activity = { kind: 'support' };
  else activity = { kind: 'fixed', k: 2 }; // SMoE-family default (routers.md R4–R8: k = 2)
  return { spec, activity };
}
