// Optimiser factory: config `{ type: 'adamw' | 'adafactor', ...options }`.
import { AdamW, type AdamWOptions } from './adamw.js';
import { Adafactor, type AdafactorOptions } from './adafactor.js';
import type { Optimizer } from './optimizer.js';

export type OptimizerConfig = ({ type: 'adamw' } & AdamWOptions) | ({ type: 'adafactor' } & AdafactorOptions);

export function createOptimizer(cfg: OptimizerConfig): Optimizer {
  const { type, ...opts } = cfg;
  if (type === 'adamw') return new AdamW(opts as AdamWOptions);
  if (type === 'adafactor') return new Adafactor(opts as AdafactorOptions);
  throw new Error(`unknown optimiser "${type as string}"; allowed: adamw, adafactor`);
}

export { AdamW, Adafactor };
export type { AdamWOptions, AdafactorOptions, Optimizer };
export type { OptimizerState } from './optimizer.js';
