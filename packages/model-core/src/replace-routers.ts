// Router replacement, the gating study's protocol (SparTMoE `replace_routers`): every sparse
// layer's router is discarded and a freshly initialised router of another type takes its slot;
// experts, attention and embeddings keep their (pretrained) weights. Optionally parameter groups
// are frozen (excluded from gradients) for partial fine-tuning.
import type { Rng } from '@switchyard/tensor-engine';
import type { RouterSlotConfig } from './config.js';
import { createSlotRouter } from './router-slot.js';
import type { ModelParameter, SwitchTransformer } from './switch-transformer.js';

/** Parameter groups by HF name. */
export type ParameterGroup = 'router' | 'experts' | 'dense-ffn' | 'attention' | 'embeddings' | 'norms';
export const PARAMETER_GROUPS: readonly ParameterGroup[] = ['router', 'experts', 'dense-ffn', 'attention', 'embeddings', 'norms'];

export function parameterGroup(name: string): ParameterGroup {
  if (name.includes('.mlp.router.')) return 'router';
  if (name.includes('.mlp.experts.')) return 'experts';
  if (name.includes('.mlp.')) return 'dense-ffn';
  if (name.includes('Attention.')) return 'attention';
  if (name === 'shared.weight' || name === 'lm_head.weight' || name.includes('embed_tokens')) return 'embeddings';
  if (name.includes('layer_norm')) return 'norms';
  throw new Error(`parameter "${name}" belongs to no known group`);
}

/**
 * Freeze the parameters of the given groups (tfjs `trainable = false`, so tf.variableGrads and
 * optimisers skip them). Others keep their state (a router may freeze its own gate).
 */
export function freezeParameters(model: SwitchTransformer, groups: readonly ParameterGroup[]): void {
  for (const g of groups) if (!PARAMETER_GROUPS.includes(g)) throw new Error(`unknown parameter group "${g}"; known: ${PARAMETER_GROUPS.join(', ')}`);
  for (const p of model.parameters()) if (groups.includes(parameterGroup(p.name))) freeze(p);
}

function freeze(p: ModelParameter): void {
  p.frozen = true;
  p.variable.trainable = false;
}

export interface ReplaceRoutersOptions {
  /** Groups to freeze after the replacement (e.g. ['attention', 'embeddings']). Defaults to none. */
  freeze?: readonly ParameterGroup[];
}

/**
 * Swap every sparse layer's router for a new one built from `routerConfig` (`{ type, ...options }`
 * of `@switchyard/routers`), drawing initial weights from `rng` in layer order. The old routers
 * are disposed. The model config records the new router so an exported checkpoint reloads it.
 */
export function replaceRouters(model: SwitchTransformer, routerConfig: RouterSlotConfig, rng: Rng, opts: ReplaceRoutersOptions = {}): void {
  const layers = model.sparseLayers();
  // Build all new routers first, so a bad config leaves the model untouched.
  const fresh = layers.map(() => createSlotRouter(routerConfig, model.config, rng));
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    layer.router.dispose();
    layer.router = fresh[i]!;
    layer.routerSlot = structuredClone(routerConfig);
    layer.bindRouterParams();
  }
  model.config.switchyard_router = structuredClone(routerConfig);
  freezeParameters(model, opts.freeze ?? []);
}
