// Data order as a pure function of (seed, epoch): each epoch is a fresh seeded permutation, so
// the position (epoch, batch index) is all a checkpoint needs to resume the same order.
import { Rng } from '@switchyard/tensor-engine';

export interface DataPosition { epoch: number; batchInEpoch: number }

export function epochPermutation(seed: number, epoch: number, n: number): Int32Array {
  return new Rng(seed).fork(`data-order/epoch-${epoch}`).permutation(n);
}

/** Batches per epoch; the last, smaller batch is kept (HF's dataloader_drop_last = false). */
export function batchesPerEpoch(n: number, batchSize: number): number { return Math.ceil(n / batchSize); }

/** Example indices of the batch at `pos`, and the position after it. */
export function batchAt(seed: number, n: number, batchSize: number, pos: DataPosition, cache?: { epoch: number; perm: Int32Array }): { indices: Int32Array; next: DataPosition; perm: { epoch: number; perm: Int32Array } } {
  const perm = cache && cache.epoch === pos.epoch ? cache : { epoch: pos.epoch, perm: epochPermutation(seed, pos.epoch, n) };
  const start = pos.batchInEpoch * batchSize;
  const indices = perm.perm.slice(start, Math.min(n, start + batchSize));
  const last = pos.batchInEpoch + 1 >= batchesPerEpoch(n, batchSize);
  return { indices, next: last ? { epoch: pos.epoch + 1, batchInEpoch: 0 } : { epoch: pos.epoch, batchInEpoch: pos.batchInEpoch + 1 }, perm };
}
