// Adapters between the generic loop and the LM classifier (model-core lm-classifier.ts):
//   ClassifierTask   — an LmClassifier as a TrainTask: cross-entropy over the batch's labels plus
//                      every router's auxiliary losses with their coefficients (any router).
//   ClassifierSource — a prepared text-classification split as a BatchSource of left-padded
//                      batches (ids + attention mask + labels).
// Dims: B batch, T the batch's longest example, N = B·T tokens of a sparse layer.
import * as tf from '@tensorflow/tfjs';
import { classifierLossParts, collateClassification, disposeClassificationBatch, type ClassificationBatch, type LmClassifier } from '@switchyard/model-core';
import type { PreparedClassificationSplit } from '@switchyard/data-prep';
import type { BatchSource, ForwardContext, ForwardResult, LayerRouting, TrainParameter, TrainTask } from '../../types.js';

export class ClassifierTask implements TrainTask<ClassificationBatch> {
  constructor(readonly model: LmClassifier) {}

  parameters(): TrainParameter[] {
    return this.model.parameters().map((p) => ({ name: p.name, variable: p.variable, layout: p.layout, frozen: p.frozen || !p.variable.trainable }));
  }

  forward(b: ClassificationBatch, ctx: ForwardContext): ForwardResult {
    const out = this.model.forward(b.ids, b.attentionMask, { training: ctx.training, rng: ctx.rng, step: ctx.step });
    const parts = classifierLossParts(out, b.labels);
    let routing: LayerRouting[] | undefined;
    if (ctx.wantRouting) {
      const mask = tf.reshape(b.attentionMask, [-1]) as tf.Tensor1D;                      // [N] real tokens only
      routing = out.moeLayers.map((rec) => ({ layer: rec.name, probs: rec.router.probs, dispatch: rec.router.dispatch, selected: rec.router.selected, tokenMask: mask.clone() }));
      mask.dispose();
    }
    return { parts, routing };
  }
}

export class ClassifierSource implements BatchSource<ClassificationBatch> {
  readonly numExamples: number;
  /**
   * Examples as data-prep cut them (its `classification.maxLength`, so training and evaluation see
   * the same tokens); `padId` fills the left padding (masked, so its value does not matter).
   * Every example must be labelled.
   */
  constructor(private readonly split: PreparedClassificationSplit, private readonly o: { padId: number; where: string }) {
    this.numExamples = split.ids.length;
    if (this.numExamples === 0) throw new Error(`${o.where}: the split has no examples`);
    const unlabelled = split.labels.findIndex((l) => l < 0);
    if (unlabelled >= 0) throw new Error(`${o.where}: row ${unlabelled} has no label (training and held-out loss need labels)`);
  }
  makeBatch(indices: Int32Array): ClassificationBatch {
    const rows = Array.from(indices, (i) => this.split.ids[i]!);
    return collateClassification(rows, Array.from(indices, (i) => this.split.labels[i]!), this.o.padId);
  }
  tokenCount(b: ClassificationBatch): number { return b.ids.size; }
  disposeBatch(b: ClassificationBatch): void { disposeClassificationBatch(b); }
  /** Largest token id (checked against the model's vocabulary). */
  maxTokenId(): number {
    let m = 0;
    for (const r of this.split.ids) for (const t of r) if (t > m) m = t;
    return m;
  }
  /** Largest label (checked against the model's classes). */
  maxLabel(): number { return Math.max(...this.split.labels); }
}
