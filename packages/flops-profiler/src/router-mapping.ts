// From a router config of @switchyard/routers (`{ type, ...options }`) to what the FLOPs model
// needs: the gate's cost class and how many experts a token activates (fixed k, all E, or the
// support of a sparse normaliser, which only routing statistics can tell).
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
  if (type.includes('stable')) return 'stablemoe';
  if (type.includes('compete')) return 'competesmoe';
  const attention = opts.routerType === 'attention' || type.startsWith('attention');
  if (attention) return opts.attentionKeyProjection === true ? 'attention-keyproj' : 'attention';
  return 'linear';
}

/** Classify a router config; `override` fixes what the names cannot tell. */
export function classifyRouter(cfg: RouterConfig, override: RouterFlopsOverride = {}): RouterFlopsClass {
  const gate = override.gate ?? gateOf(cfg.type, cfg);
  const normaliser = override.normaliser ?? normaliserOf(cfg.type, cfg);
  const topK = typeof cfg.topK === 'number' ? cfg.topK : typeof cfg.k === 'number' ? cfg.k : undefined;
  const ignoreTopK = cfg.compatIgnoreTopK === true;
  const spec: RouterCostSpec = { gate, normaliser, topK: topK !== undefined && !ignoreTopK };
  if (typeof cfg.reductionDim === 'number') spec.reductionDim = cfg.reductionDim;
  if (typeof cfg.frequency === 'number') spec.competitionFrequency = cfg.frequency;
  if (typeof cfg.competitionFrequency === 'number') spec.competitionFrequency = cfg.competitionFrequency;
  let activity: Activity;
  if (override.k !== undefined) activity = { kind: 'fixed', k: override.k };
  else if (gate === 'switch') activity = { kind: 'fixed', k: 1 };
  else if (topK !== undefined && !ignoreTopK) activity = { kind: 'fixed', k: topK };
  else if (normaliser === 'softmax' && (cfg.type.includes('dense') || ignoreTopK || cfg.topK === null)) activity = { kind: 'dense' };
  else if (normaliser !== 'softmax') activity = { kind: 'support' };
  else activity = { kind: 'fixed', k: 2 }; // SMoE-family default (routers.md R4–R8: k = 2)
  return { spec, activity };
}
