// The router slot of a sparse layer: which `@switchyard/routers` router it holds, built from the
// model config. Without an explicit `switchyard_router` the slot holds HF's own top-1 router,
// configured from the HF keys (expert_capacity, router_jitter_noise, loss coefficients).
import type { Rng } from '@switchyard/tensor-engine';
import { createRouter, type Router } from '@switchyard/routers';
import type { RouterSlotConfig, SwitchConfig } from './config.js';

export function defaultRouterSlot(cfg: SwitchConfig): RouterSlotConfig {
  if (cfg.switchyard_router) return structuredClone(cfg.switchyard_router);
  return {
    type: 'switch-top1',
    expertCapacity: cfg.expert_capacity,
    jitterNoise: cfg.router_jitter_noise,
    // The golden checkpoints and switch-base-8 fine-tuning ran transformers v4.36 semantics.
    droppedTokens: cfg.switchyard_dropped_tokens ?? 'hf-v4.36',
    auxLossCoef: cfg.router_aux_loss_coef,
    zLossCoef: cfg.router_z_loss_coef,
    // HF `_init_weights`: router classifier ~ N(0, factor²).
    initStd: cfg.initializer_factor,
    // HF's in-place fp32 jitter also perturbs the expert inputs; the layer uses this tensor.
    exposeJitteredInput: true,
  };
}

export function createSlotRouter(slot: RouterSlotConfig, cfg: SwitchConfig, rng: Rng): Router {
  return createRouter(slot, { dModel: cfg.d_model, numExperts: cfg.num_experts, rng, vocabSize: cfg.vocab_size });
}
