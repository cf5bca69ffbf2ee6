// Router replacement for fine-tuning a pretrained decoder LM (decoder-lm.ts) or the classifier on
// it (lm-classifier.ts). The CompeteSMoE study fine-tunes each method from that method's own
// pretrained checkpoint with competition switched off (plain SMoE routing in its fine-tuning
// scripts), so:
// * a slot of the router type the layer already has keeps the trained router parameters and takes
//   the slot's options (e.g. competition off, another top-k);
// * a slot of another type puts a freshly initialised router in every MoE layer (the gating
//   study's protocol);
// * CompeteSMoE competition is off unless asked for: fineTuneRouterSlot gives a router with a
//   competition probability (`freq`) `freq: 0` unless `competition` (the classifier config's
//   switch), so fine-tuning takes SMoE steps only.
// The LM config's `router` becomes the slot (and `routerByLayer` is cleared), so a saved model
// reloads with the router it was fine-tuned with.
import type { Rng } from '@switchyard/tensor-engine';
import { createRouter, routerOptionsSchema } from '@switchyard/routers';
import type { RouterSlotConfig } from './config.js';
import { resolveLmRouterSlot, type DecoderLM } from './decoder-lm.js';

/**
 * The fine-tuning slot: a router with a competition probability option `freq` (CompeteSMoE, asked
 * of the router's option schema) gets `freq: 0` (competition off) unless `competition`.
 */
export function fineTuneRouterSlot(slot: RouterSlotConfig, competition = false): RouterSlotConfig {
  const out = structuredClone(slot);
  const props = (routerOptionsSchema(slot.type).properties ?? {}) as Record<string, unknown>;
  if ('freq' in props && !competition) out.freq = 0;
  return out;
}

export interface LmRouterReplacement {
  /** MoE layers whose trained router parameters were kept (same router type). */
  kept: string[];
  /** MoE layers that got a freshly initialised router. */
  fresh: string[];
}

/** Put a router of `slot` in every MoE layer of `lm` (see the file comment). */
export function replaceLmRouters(lm: DecoderLM, slot: RouterSlotConfig, rng: Rng): LmRouterReplacement {
  const result: LmRouterReplacement = { kept: [], fresh: [] };
  for (const layer of lm.moeLayers()) {
    const resolved = resolveLmRouterSlot(slot, lm.config);
    const next = createRouter(resolved, layer.routerInit(rng.fork(layer.name)));
    if (resolved.type === layer.slot.type) {
      const trained = new Map(layer.router.parameters().map((p) => [p.name, p.variable]));
      for (const p of next.parameters()) {
        const src = trained.get(p.name);
        if (!src || src.shape.join() !== p.variable.shape.join()) {
          next.dispose();
          throw new Error(`replaceLmRouters: router "${resolved.type}" of ${layer.name} with ${JSON.stringify(slot)} has parameter "${p.name}" [${p.variable.shape.join(', ')}] that the trained router lacks or shapes differently; give options that keep the parameters, or another router type for a fresh router`);
        }
        p.variable.assign(src);
      }
      result.kept.push(layer.name);
    } else result.fresh.push(layer.name);
    layer.router.dispose();
    layer.router = next;
    layer.slot = resolved;
  }
  lm.config.router = structuredClone(slot);
  lm.config.routerByLayer = {};
  return result;
}
