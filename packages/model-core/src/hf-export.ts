// What an exported `config.json` claims about the model. Hugging Face transformers v4.36.2
// `SwitchTransformersForConditionalGeneration` runs exactly one router: its own top-1 router
// (linear without bias, softmax, argmax, capacity `expert_capacity` per sequence in position order)
// whose capacity-dropped tokens output `top1_prob · x` (v4.36.2's rule; newer upstream outputs 0).
// A checkpoint is labelled `switch_transformers` only when every sparse layer runs exactly that in
// a forward pass; anything else gets its own model type and architecture, so `AutoConfig` /
// `AutoModel` refuse it (unknown model type) and `SwitchTransformers*.from_pretrained` warns that
// the model type differs, instead of loading it silently as another model. Training-only settings
// (jitter, loss coefficients) do not change what a forward pass computes and are not checked.
import { routerOptionsSchema } from '@switchyard/routers';
import { switchConfigToJson, type SwitchConfig } from './config.js';
import { defaultRouterSlot } from './router-slot.js';

export const HF_MODEL_TYPE = 'switch_transformers';
export const HF_ARCHITECTURE = 'SwitchTransformersForConditionalGeneration';
/** Model type / architecture of checkpoints whose routers HF v4.36.2 cannot run. */
export const SWITCHYARD_MODEL_TYPE = 'switchyard_switch_transformers';
export const SWITCHYARD_ARCHITECTURE = 'SwitchyardSwitchTransformersForConditionalGeneration';

export interface HfCompatibility {
  /** True when HF v4.36.2 SwitchTransformers computes the same forward pass. */
  exact: boolean;
  /** Why not (empty when exact). */
  reasons: string[];
}

/** The router options with the router schema's defaults filled in. */
function withDefaults(slot: Record<string, unknown>): Record<string, unknown> {
  const props = (routerOptionsSchema(String(slot.type)).properties ?? {}) as Record<string, { default?: unknown }>;
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(props)) if (p && 'default' in p) out[k] = p.default;
  return { ...out, ...slot };
}

/** Can HF v4.36.2 SwitchTransformers run this model's routers exactly? */
export function hfCompatibility(cfg: SwitchConfig): HfCompatibility {
  const slot = withDefaults(defaultRouterSlot(cfg));
  const reasons: string[] = [];
  if (slot.type !== 'switch-top1') {
    reasons.push(`router "${String(slot.type)}" (HF SwitchTransformers has only its top-1 router without bias)`);
  } else {
    if (slot.droppedTokens !== 'hf-v4.36') reasons.push(`dropped-token rule "${String(slot.droppedTokens)}" (v4.36.2 outputs top1_prob·x for a dropped token)`);
    if (slot.expertCapacity !== cfg.expert_capacity) reasons.push(`router capacity ${JSON.stringify(slot.expertCapacity)} differs from expert_capacity ${cfg.expert_capacity}`);
  }
  return { exact: reasons.length === 0, reasons };
}

/**
 * The `config.json` object to write for `cfg`: the HF keys, `architectures`, and a model type
 * that says whether HF v4.36.2 can run it (`switchyard_hf_incompatible` lists why not).
 */
export function hfConfigJson(cfg: SwitchConfig): Record<string, unknown> {
  const json = switchConfigToJson(cfg);
  delete json.switchyard_hf_incompatible; // recomputed below (an imported config may carry an old one)
  const c = hfCompatibility(cfg);
  json.model_type = c.exact ? HF_MODEL_TYPE : SWITCHYARD_MODEL_TYPE;
  json.architectures = [c.exact ? HF_ARCHITECTURE : SWITCHYARD_ARCHITECTURE];
  if (!c.exact) json.switchyard_hf_incompatible = c.reasons;
  return Object.fromEntries(Object.entries(json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
