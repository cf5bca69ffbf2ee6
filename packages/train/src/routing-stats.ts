// Routing statistics of one sparse layer over the real (unpadded) tokens, on the host.
// Same quantities as the routers' RoutingMetrics (flaxformer's set); computed here from the
// layer's probs/dispatch/selected so that padding can be excluded.
// Dims: N tokens, E experts.
import * as tf from '@tensorflow/tfjs';
import type { LayerRouting } from './types.js';

export interface LayerStats {
  layer: string;
  /** Real tokens dispatched to each expert after capacity. [E] */
  expertLoad: number[];
  /** Dropped / selected (token, expert) pairs. */
  droppedFraction: number;
  /** Mean experts computing a real token. */
  meanActiveExperts: number;
  /** Mean entropy (nats) of probs over real tokens. */
  routerEntropy: number;
  /** Mean max prob over real tokens. */
  routerConfidence: number;
  /** Experts computing each real token, in token order. */
  activePerToken: Int32Array;
}

export function layerStats(r: LayerRouting): LayerStats {
  const [n, e] = r.probs.shape;
  const probs = r.probs.dataSync();
  const dispatch = r.dispatch.dataSync();
  const selected = r.selected.dataSync();
  const mask = r.tokenMask ? r.tokenMask.dataSync() : undefined;
  const expertLoad = new Array<number>(e).fill(0);
  const active: number[] = [];
  let sel = 0, kept = 0, ent = 0, conf = 0;
  for (let i = 0; i < n; i++) {
    if (mask && mask[i]! === 0) continue;
    let a = 0, h = 0, mx = 0;
    for (let j = 0; j < e; j++) {
      const d = dispatch[i * e + j]!, s = selected[i * e + j]!, p = probs[i * e + j]!;
      if (d > 0) { expertLoad[j]! += 1; a += 1; }
      sel += s > 0 ? 1 : 0; kept += s > 0 && d > 0 ? 1 : 0;
      if (p > 0) h -= p * Math.log(p);
      if (p > mx) mx = p;
    }
    active.push(a); ent += h; conf += mx;
  }
  const m = Math.max(1, active.length);
  return {
    layer: r.layer, expertLoad,
    droppedFraction: sel > 0 ? (sel - kept) / sel : 0,
    meanActiveExperts: active.reduce((x, y) => x + y, 0) / m,
    routerEntropy: ent / m, routerConfidence: conf / m,
    activePerToken: Int32Array.from(active),
  };
}

export function routingTensors(r: LayerRouting): tf.Tensor[] {
  return [r.probs, r.dispatch, r.selected, ...(r.tokenMask ? [r.tokenMask] : [])];
}

export function disposeRouting(rs: readonly LayerRouting[] | undefined): void {
  for (const r of rs ?? []) tf.dispose(routingTensors(r));
}
