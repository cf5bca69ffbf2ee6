// Configuration of the MoE image classifier (image-moe-model.ts): sizes, number of MoE layers and
// the router every MoE layer holds (`{ type, ...options }` as `createRouter` of
// `@switchyard/routers` takes it). Unknown keys and bad sizes are errors naming the key.
import { routerTypes } from '@switchyard/routers';
import type { RouterSlotConfig } from './config.js';

export interface ImageMoeConfig {
  /** Pixels per image, flattened (Fashion-MNIST: 28·28 = 784). */
  inputSize: number;
  numClasses: number;
  /** Width of the residual stream. */
  dModel: number;
  /** Hidden width of each expert MLP. */
  dFf: number;
  numExperts: number;
  /** MoE layers, each a residual block h ← h + MoE(h). */
  numMoeLayers: number;
  router: RouterSlotConfig;
}

export const IMAGE_MOE_DEFAULTS: ImageMoeConfig = {
  inputSize: 784, numClasses: 10, dModel: 64, dFf: 128, numExperts: 8, numMoeLayers: 2,
  router: { type: 'linear-softmax-topk', topK: 2 },
};

const SIZE_KEYS = ['inputSize', 'numClasses', 'dModel', 'dFf', 'numExperts', 'numMoeLayers'] as const;

function closest(name: string, known: readonly string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0]!; d[0] = i;
      for (let j = 1; j <= b.length; j++) { const t = d[j]!; d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1)); prev = t; }
    }
    return d[b.length]!;
  };
  const best = [...known].sort((x, y) => dist(name, x) - dist(name, y))[0];
  return best !== undefined && dist(name, best) <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Defaults filled in; every size a positive integer; the router type registered. */
export function parseImageMoeConfig(input: Partial<ImageMoeConfig> & Record<string, unknown> = {}, where = 'image model config'): ImageMoeConfig {
  const known = [...SIZE_KEYS, 'router'];
  for (const k of Object.keys(input)) {
    if (!known.includes(k)) {
      const near = closest(k, known);
      throw new Error(`${where}: unknown key "${k}"${near ? ` (did you mean "${near}"?)` : ''}; known: ${known.join(', ')}`);
    }
  }
  const cfg = { ...IMAGE_MOE_DEFAULTS, ...input } as ImageMoeConfig;
  for (const k of SIZE_KEYS) {
    const v = cfg[k];
    if (!Number.isInteger(v) || v < 1) throw new Error(`${where}: "${k}" must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (!cfg.router || typeof cfg.router.type !== 'string') throw new Error(`${where}: "router" must be an object with a "type"`);
  const types = routerTypes();
  if (!types.includes(cfg.router.type)) {
    const near = closest(cfg.router.type, types);
    throw new Error(`${where}: router type "${cfg.router.type}" is not registered${near ? ` (did you mean "${near}"?)` : ''}; known: ${types.join(', ')}`);
  }
  if (cfg.router.type === 'stablemoe' && cfg.router.distill !== false) {
    throw new Error(`${where}: router "stablemoe" distils its gate into token-id embeddings, and images have no token ids; set "distill": false`);
  }
  return { ...cfg, router: structuredClone(cfg.router) };
}
