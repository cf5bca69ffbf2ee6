// Optimisers with explicit state. tfjs's built-in optimisers keep their moments in hidden
// variables that cannot be checkpointed bit-exactly; here every slot is a named float32 tensor
// that `exportState` copies to the host and `importState` restores, so resume is exact.
import * as tf from '@tensorflow/tfjs';
import type { TrainParameter } from '../types.js';

/** Host copy of an optimiser's state: scalars in JSON, slot tensors as float32 arrays. */
export interface OptimizerState {
  kind: string;
  /** Updates applied so far (bias correction / relative step use it). */
  step: number;
  /** `<parameter name>::<slot>` → tensor. */
  slots: Record<string, { shape: number[]; data: Float32Array }>;
}

export interface Optimizer {
  readonly kind: string;
  /** Updates applied so far. */
  readonly step: number;
  /**
   * Apply one update to the trainable parameters. `grads` maps parameter name → gradient
   * (same shape); parameters without a gradient are left untouched. `lr` is this step's rate.
   * The gradient used is `gradScale · grads` (clipping and accumulation averaging folded into
   * the update, which saves a pass over every gradient). Defaults to 1.
   */
  apply(params: readonly TrainParameter[], grads: Readonly<Record<string, tf.Tensor>>, lr: number, gradScale?: number): void;
  exportState(): OptimizerState;
  importState(state: OptimizerState): void;
  dispose(): void;
}

/** Named slot tensors owned by an optimiser (kept outside tidy scopes). */
export class SlotStore {
  private slots = new Map<string, tf.Tensor>();

  get(key: string): tf.Tensor | undefined { return this.slots.get(key); }

  /** Replace a slot, disposing the previous tensor. */
  set(key: string, t: tf.Tensor): void {
    const old = this.slots.get(key);
    tf.keep(t);
    this.slots.set(key, t);
    if (old && old !== t) old.dispose();
  }

  export(): OptimizerState['slots'] {
    const out: OptimizerState['slots'] = {};
    for (const key of [...this.slots.keys()].sort()) {
      const t = this.slots.get(key)!;
      out[key] = { shape: t.shape.slice(), data: Float32Array.from(t.dataSync() as Float32Array) };
    }
    return out;
  }

  import(slots: OptimizerState['slots']): void {
    this.dispose();
    for (const [key, s] of Object.entries(slots)) this.set(key, tf.tensor(s.data, s.shape, 'float32'));
  }

  dispose(): void {
    for (const t of this.slots.values()) t.dispose();
    this.slots.clear();
  }
}

export function assertStateKind(state: OptimizerState, kind: string): void {
  if (state.kind !== kind) throw new Error(`optimiser state is for "${state.kind}", cannot load into "${kind}"`);
}

/**
 * What every optimiser here shares: the update count and the slot tensors, and their
 * checkpoint state. Subclasses implement `apply` (incrementing `t`) and name their `kind`.
 */
export abstract class SlotOptimizer implements Optimizer {
  abstract readonly kind: string;
  protected t = 0;
  protected readonly slots = new SlotStore();

  get step(): number { return this.t; }

  abstract apply(params: readonly TrainParameter[], grads: Readonly<Record<string, tf.Tensor>>, lr: number, gradScale?: number): void;

  exportState(): OptimizerState {
    return { kind: this.kind, step: this.t, slots: this.slots.export() };
  }

  importState(state: OptimizerState): void {
    assertStateKind(state, this.kind);
    this.t = state.step;
    this.slots.import(state.slots);
  }

  dispose(): void { this.slots.dispose(); }
}
