// What the image family records about routing while it trains, for MOESART's measures
// (arXiv 2310.18217: k-sparse in training, stable routing):
//   routing-steps.arrow  one row per training forward pass and MoE layer: how many experts
//                        computed each example of the batch (min, mean, max) — the k-sparsity
//                        of every training step, not only of logged ones.
//   routing-epochs.arrow the expert set each probe image (the first ≤ 1,000 images of the
//                        held-out split, inference mode) selects, before training ("init"), at
//                        every epoch end ("epoch-end") and after the last step ("last-step"), so
//                        the evaluator can measure how often an example's experts change.
// "Active" = experts that compute the example: E for a dense-compute router, else the non-zero
// entries of the dispatch mask. "Selected" = the router's choice before capacity.
// Dims: N examples, E experts.
import { tableToIPC } from 'apache-arrow';
import { makeTable } from '@switchyard/runtime';

export interface StepRow { step: number; layer: string; examples: number; minActive: number; meanActive: number; maxActive: number }
export interface SnapshotRow { kind: 'init' | 'epoch-end' | 'last-step'; step: number; epoch: number; layer: string; example: number; experts: number[] }

/** Per-example counts of non-zero entries. mask [N, E] row-major */
export function activePerExample(mask: ArrayLike<number>, n: number, e: number, denseCompute: boolean): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (denseCompute) { out[i] = e; continue; }
    let c = 0;
    for (let j = 0; j < e; j++) if (mask[i * e + j] !== 0) c++;
    out[i] = c;
  }
  return out;
}

/** Expert ids with a non-zero mask entry, per example. mask [N, E] */
export function expertSets(mask: ArrayLike<number>, n: number, e: number): number[][] {
  return Array.from({ length: n }, (_, i) => { const s: number[] = []; for (let j = 0; j < e; j++) if (mask[i * e + j] !== 0) s.push(j); return s; });
}

export class RoutingRecorder {
  readonly steps: StepRow[] = [];
  readonly snapshots: SnapshotRow[] = [];
  /** Updates per epoch, from the train split and the loop (null until the train source is made). */
  private geometry: { batchesPerEpoch: number; accum: number } | null = null;
  private lastSnapshotStep = -1;
  private lastTrainStep = -1;

  setGeometry(rows: number, batchSize: number, accum: number): void {
    this.geometry = { batchesPerEpoch: Math.ceil(rows / batchSize), accum };
  }

  /** Epochs of data consumed before update `step`. */
  epochAt(step: number): number {
    return this.geometry ? (step * this.geometry.accum) / this.geometry.batchesPerEpoch : 0;
  }

  recordStep(step: number, layer: string, active: Int32Array): void {
    let min = Infinity, max = 0, sum = 0;
    for (const a of active) { min = Math.min(min, a); max = Math.max(max, a); sum += a; }
    this.steps.push({ step, layer, examples: active.length, minActive: active.length ? min : 0, meanActive: active.length ? sum / active.length : 0, maxActive: max });
    this.lastTrainStep = Math.max(this.lastTrainStep, step);
  }

  /** Before the forward pass of update `step`: the snapshot due (init, or the previous update ended an epoch), if any. */
  dueAt(step: number): SnapshotRow['kind'] | null {
    if (step <= this.lastSnapshotStep) return null;
    if (step === 0) return 'init';
    return Math.floor(this.epochAt(step) + 1e-9) > Math.floor(this.epochAt(step - 1) + 1e-9) ? 'epoch-end' : null;
  }

  /** After training: the snapshot of the weights after the last update, when still due ("epoch-end" when that update ended an epoch). */
  lastStepDue(): { step: number; kind: SnapshotRow['kind'] } | null {
    const s = this.lastTrainStep + 1;
    if (this.lastTrainStep < 0 || s <= this.lastSnapshotStep) return null;
    return { step: s, kind: this.dueAt(s) ?? 'last-step' };
  }

  addSnapshot(kind: SnapshotRow['kind'], step: number, layers: { layer: string; sets: number[][] }[]): void {
    for (const l of layers) l.sets.forEach((experts, example) => this.snapshots.push({ kind, step, epoch: this.epochAt(step), layer: l.layer, example, experts }));
    this.lastSnapshotStep = step;
  }

  stepsArrow(): Uint8Array {
    const r = this.steps;
    return tableToIPC(makeTable({
      step: { kind: 'int32', values: r.map((x) => x.step) },
      layer: { kind: 'utf8', values: r.map((x) => x.layer) },
      examples: { kind: 'int32', values: r.map((x) => x.examples) },
      min_active: { kind: 'int32', values: r.map((x) => x.minActive) },
      mean_active: { kind: 'float64', values: r.map((x) => x.meanActive) },
      max_active: { kind: 'int32', values: r.map((x) => x.maxActive) },
    }), 'file');
  }

  epochsArrow(): Uint8Array {
    const r = this.snapshots;
    return tableToIPC(makeTable({
      kind: { kind: 'utf8', values: r.map((x) => x.kind) },
      step: { kind: 'int32', values: r.map((x) => x.step) },
      epoch: { kind: 'float64', values: r.map((x) => x.epoch) },
      layer: { kind: 'utf8', values: r.map((x) => x.layer) },
      example: { kind: 'int32', values: r.map((x) => x.example) },
      experts: { kind: 'list<int32>', values: r.map((x) => x.experts) },
    }), 'file');
  }
}
