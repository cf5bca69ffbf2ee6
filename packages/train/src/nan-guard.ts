// NaN/Inf guard. The loop checks, every step: the loss parts (host values it reads anyway), the
// global gradient norm (and, when it is not finite, which gradient), and every parameter after
// the update. The first non-finite value stops training with a NonFiniteError naming the step,
// the tensor and the last good checkpoint; nothing written after that checkpoint is valid.
import type * as tf from '@tensorflow/tfjs';
import { finiteFlags } from '@switchyard/tensor-engine';
import type { GradMap } from './grad-utils.js';
import type { TrainParameter } from './types.js';

export class NonFiniteError extends Error {
  constructor(
    /** Optimiser step (1-based) whose computation produced the value. */
    readonly step: number,
    /** e.g. `loss part ce`, `gradient encoder.block.0…`, `parameter shared.weight`. */
    readonly tensor: string,
    /** Folder of the last good checkpoint, or undefined when none was written. */
    readonly lastGoodCheckpoint: string | undefined,
  ) {
    super(`non-finite value (NaN/Inf) in ${tensor} at step ${step}; training stopped. ` +
      (lastGoodCheckpoint ? `Last good checkpoint: ${lastGoodCheckpoint}; nothing after it is valid.` : 'No checkpoint was written before it.'));
    this.name = 'NonFiniteError';
  }
}

/** all(isFinite(t)) per tensor as 1/0, read back at once: one fused kernel on WASM with the native addon. */
function readFlags(tensors: tf.Tensor[]): number[] {
  const flags = finiteFlags(tensors);
  const ok = Array.from(flags.dataSync());
  flags.dispose();
  return ok;
}

/** Name of the first gradient holding a non-finite value, if any. */
export function firstNonFiniteGradient(grads: GradMap): string | undefined {
  const names = Object.keys(grads).sort();
  if (!names.length) return undefined;
  const ok = readFlags(names.map((n) => grads[n]!));
  const i = ok.findIndex((v) => v === 0);
  return i >= 0 ? names[i] : undefined;
}

/** Name of the first parameter holding a non-finite value, if any. */
export function firstNonFiniteParameter(params: readonly TrainParameter[]): string | undefined {
  if (!params.length) return undefined;
  const ok = readFlags(params.map((p) => p.variable));
  const i = ok.findIndex((v) => v === 0);
  return i >= 0 ? params[i]!.name : undefined;
}
