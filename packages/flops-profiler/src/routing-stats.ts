// Routing statistics from a trained model: for each sparse layer, how many experts computed
// each token (the support size |S_t| for sparse normalisers, k for top-k, 0 for dropped tokens).
// Accepted as plain arrays or as an Arrow table with columns `layer` (utf8) and
// `active_experts` (int32), one row per (layer, token) — the `routing.arrow` files the train
// and eval stages write.
import { readArrowFile, columnValues, type Table } from '@switchyard/runtime';

/** Per layer: tokens seen and the sum of their active-expert counts. */
export interface LayerActivity {
  tokens: number;
  totalActive: number;
  /** histogram[a] = tokens with a active experts. */
  histogram: number[];
}

/** Layer name → activity. Names are normalised to `encoder.block.<i>` / `decoder.block.<i>`; `*` applies to every sparse layer. */
export type RoutingSummary = Record<string, LayerActivity>;

export const ROUTING_COLUMNS = { layer: 'utf8', active_experts: 'int32' } as const;

export class RoutingStatsError extends Error {}

/**
 * Normalise a layer label to the HF block name: `encoder.block.3`, `enc/3`, `encoder_layer_3`,
 * `encoder.block.3.layer.1.mlp` → `encoder.block.3`. `*` / `all` stand for every layer.
 */
export function canonicalLayer(label: string): string {
  const s = label.trim().toLowerCase();
  if (s === '*' || s === 'all') return '*';
  const m = /^(enc|encoder|dec|decoder)\D*?(\d+)/.exec(s);
  if (!m) throw new RoutingStatsError(`cannot tell the stack and block of routing layer "${label}" (expected e.g. "encoder.block.1")`);
  return `${m[1]!.startsWith('enc') ? 'encoder' : 'decoder'}.block.${Number(m[2])}`;
}

function addCount(acc: LayerActivity, a: number, where: string): void {
  if (!Number.isInteger(a) || a < 0) throw new RoutingStatsError(`${where}: active_experts must be a non-negative integer, got ${a}`);
  acc.tokens += 1;
  acc.totalActive += a;
  while (acc.histogram.length <= a) acc.histogram.push(0);
  acc.histogram[a]! += 1;
}

/** Summarise per-token counts given as `{ layer: counts[] }`. */
export function summariseRouting(perLayer: Record<string, ArrayLike<number>>): RoutingSummary {
  const out: RoutingSummary = {};
  for (const [label, counts] of Object.entries(perLayer)) {
    const name = canonicalLayer(label);
    const acc = (out[name] ??= { tokens: 0, totalActive: 0, histogram: [] });
    for (let i = 0; i < counts.length; i++) addCount(acc, counts[i]!, `layer ${label} token ${i}`);
  }
  return out;
}

/** Summarise two parallel columns (one row per token): layer labels and active-expert counts. */
export function summariseRoutingRows(layers: readonly string[], active: ArrayLike<number>): RoutingSummary {
  if (layers.length !== active.length) throw new RoutingStatsError(`layer column has ${layers.length} rows but active_experts has ${active.length}`);
  const out: RoutingSummary = {};
  for (let i = 0; i < layers.length; i++) {
    const name = canonicalLayer(layers[i]!);
    addCount((out[name] ??= { tokens: 0, totalActive: 0, histogram: [] }), active[i]!, `row ${i}`);
  }
  return out;
}

export function summariseRoutingTable(table: Table): RoutingSummary {
  return summariseRoutingRows(columnValues<string>(table, 'layer'), columnValues<number>(table, 'active_experts'));
}

/** Read and summarise a `routing.arrow` file (schema checked: layer utf8, active_experts int32). */
export function readRoutingFile(path: string): RoutingSummary {
  return summariseRoutingTable(readArrowFile(path, { ...ROUTING_COLUMNS }));
}

/** Merge several summaries (e.g. routing files of several shards). */
export function mergeRouting(parts: RoutingSummary[]): RoutingSummary {
  const out: RoutingSummary = {};
  for (const part of parts) {
    for (const [name, a] of Object.entries(part)) {
      const acc = (out[name] ??= { tokens: 0, totalActive: 0, histogram: [] });
      acc.tokens += a.tokens;
      acc.totalActive += a.totalActive;
      a.histogram.forEach((c, i) => { while (acc.histogram.length <= i) acc.histogram.push(0); acc.histogram[i]! += c; });
    }
  }
  return out;
}

/** Histogram over all layers together (index = active experts). */
export function pooledHistogram(summary: RoutingSummary): number[] {
  const h: number[] = [];
  for (const a of Object.values(summary)) a.histogram.forEach((c, i) => { while (h.length <= i) h.push(0); h[i]! += c; });
  return h;
}

/** Token-weighted mean active experts over all layers of a summary. */
export function pooledMeanActive(summary: RoutingSummary): number {
  let t = 0, s = 0;
  for (const a of Object.values(summary)) { t += a.tokens; s += a.totalActive; }
  return t === 0 ? 0 : s / t;
}
