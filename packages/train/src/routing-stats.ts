// Routing statistics of one sparse layer over the real (unpadded) tokens: the routers' metrics
// (computeRoutingMetrics of @switchyard/routers) with the layer's token mask, named by layer.
import * as tf from '@tensorflow/tfjs';
import { computeRoutingMetrics, type RoutingMetrics } from '@switchyard/routers';
import type { LayerRouting } from './types.js';

export interface LayerStats extends RoutingMetrics {
  layer: string;
}

export function layerStats(r: LayerRouting): LayerStats {
  return { layer: r.layer, ...computeRoutingMetrics(r, r.tokenMask) };
}

export function routingTensors(r: LayerRouting): tf.Tensor[] {
  return [r.probs, r.dispatch, r.selected, ...(r.tokenMask ? [r.tokenMask] : [])];
}

export function disposeRouting(rs: readonly LayerRouting[] | undefined): void {
  for (const r of rs ?? []) tf.dispose(routingTensors(r));
}
