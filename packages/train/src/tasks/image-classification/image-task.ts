// The image family's model as the generic loop sees it: ImageMoeModel (model-core) wrapped with
// its routing recorder (routing-record.ts); a TrainTask (cross-entropy + every router's losses,
// routing on request, every training step's active-expert counts recorded, the probe snapshot
// taken when an epoch has ended) and a BatchSource over a prepared split (pixels / 255).
// Data order is the loop's (seeded permutation per epoch). Dims: B batch, P pixels, E experts.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { imageLossParts, type ImageMoeModel } from '@switchyard/model-core';
import type { ImageSplit } from '@switchyard/data-prep';
import type { BatchSource, TrainTask } from '../../types.js';
import { RoutingRecorder, activePerExample, expertSets, type SnapshotRow } from './routing-record.js';

/** Probe images per snapshot: the first ≤ this many of the held-out split. */
export const PROBE_MAX = 1000;
const CHUNK = 500;

export interface ImageBatch { x: tf.Tensor2D; y: tf.Tensor1D } // [B, P] float32 in [0, 1], [B] int32

export interface ImageTrainModel {
  net: ImageMoeModel;
  recorder: RoutingRecorder;
  /** Probe pixels / 255, [N, P], when a held-out split was given. */
  probe?: { x: Float32Array; n: number; split: string };
}

/** pixels [N, P] uint8 of the given rows → float32 / 255. */
export function scaledPixels(split: ImageSplit, indices: ArrayLike<number>): Float32Array {
  const p = split.pixelsPerImage;
  const x = new Float32Array(indices.length * p);
  for (let i = 0; i < indices.length; i++) {
    const s = indices[i]! * p;
    for (let j = 0; j < p; j++) x[i * p + j] = split.pixels[s + j]! / 255;
  }
  return x;
}

export class ImageBatchSource implements BatchSource<ImageBatch> {
  readonly numExamples: number;
  constructor(readonly split: ImageSplit) { this.numExamples = split.count; }
  makeBatch(indices: Int32Array): ImageBatch {
    const y = Int32Array.from(indices, (i) => this.split.labels[i]!);
    return { x: tf.tensor2d(scaledPixels(this.split, indices), [indices.length, this.split.pixelsPerImage]), y: tf.tensor1d(y, 'int32') };
  }
  tokenCount(b: ImageBatch): number { return b.y.shape[0]; }
  disposeBatch(b: ImageBatch): void { b.x.dispose(); b.y.dispose(); }
}

/** The probe images' selected expert sets per layer, inference mode, fixed randomness. */
export function probeSets(m: ImageTrainModel): { layer: string; sets: number[][] }[] {
  const { x, n } = m.probe!;
  const p = m.net.config.inputSize, e = m.net.config.numExperts;
  const out = m.net.layers.map((l) => ({ layer: l.name, sets: [] as number[][] }));
  const rng = new Rng(0).fork('image/probe');
  for (let s = 0; s < n; s += CHUNK) {
    const rows = Math.min(CHUNK, n - s);
    tf.tidy(() => {
      const o = m.net.forward(tf.tensor2d(x.subarray(s * p, (s + rows) * p), [rows, p]), { training: false, rng });
      o.layers.forEach((l, i) => out[i]!.sets.push(...expertSets(l.router.selected.dataSync(), rows, e)));
    });
  }
  return out;
}

export function snapshot(m: ImageTrainModel, kind: SnapshotRow['kind'], step: number): void {
  if (m.probe) m.recorder.addSnapshot(kind, step, probeSets(m));
}

export function imageTrainTask(m: ImageTrainModel): TrainTask<ImageBatch> {
  return {
    parameters: () => m.net.parameters().map((p) => ({ name: p.name, variable: p.variable, frozen: p.frozen, layout: p.layout })),
    forward(batch, ctx) {
      if (ctx.training) {
        // The probe runs before this update's forward pass, on the weights after `ctx.step` updates;
        // its ops are off the loss's path, so they add nothing to the gradients.
        const due = m.recorder.dueAt(ctx.step);
        if (due) snapshot(m, due, ctx.step);
      }
      const o = m.net.forward(batch.x, { training: ctx.training, rng: ctx.rng, step: ctx.step });
      if (ctx.training) {
        const n = batch.x.shape[0], e = m.net.config.numExperts;
        for (const l of o.layers) m.recorder.recordStep(ctx.step, l.layer, activePerExample(l.router.denseCompute ? [] : l.router.dispatch.dataSync(), n, e, l.router.denseCompute));
      }
      const parts = imageLossParts(o, batch.y);
      const routing = ctx.wantRouting ? o.layers.map((l) => ({ layer: l.layer, probs: l.router.probs, dispatch: l.router.dispatch, selected: l.router.selected })) : undefined;
      return { parts, routing };
    },
  };
}
