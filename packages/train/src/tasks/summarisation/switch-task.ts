// Adapters between the generic loop and model-core / data-prep:
//   SwitchTask     — a SwitchTransformer as a TrainTask: model-core's loss parts (CE over labels
//                    ≠ −100 plus the router losses, per layer by default; HF's per-stack pooling
//                    with `lossPooling: 'hf-stack'`, see model-core losses.ts).
//   PreparedSource — a data-prep split as a BatchSource of collated seq2seq batches.
// Dims: B batch, S source, T target, N tokens of a sparse layer, E experts.
import * as tf from '@tensorflow/tfjs';
import { modelLossParts, type RouterLossPooling, type SwitchTransformer } from '@switchyard/model-core';
import type { PreparedSplit } from '@switchyard/data-prep';
import { collateSeq2Seq, disposeSeq2SeqBatch, LABEL_PAD, type CollateOptions, type Seq2SeqBatch } from './batching.js';
import type { BatchSource, ForwardContext, ForwardResult, LayerRouting, TrainParameter, TrainTask } from '../../types.js';

export class SwitchTask implements TrainTask<Seq2SeqBatch> {
  constructor(readonly model: SwitchTransformer, readonly lossPooling: RouterLossPooling = 'per-layer') {}

  parameters(): TrainParameter[] {
    return this.model.parameters().map((p) => ({ name: p.name, variable: p.variable, layout: p.layout, frozen: p.frozen || !p.variable.trainable }));
  }

  forward(b: Seq2SeqBatch, ctx: ForwardContext): ForwardResult {
    const out = this.model.forward(
      { inputIds: b.inputIds, attentionMask: b.attentionMask, decoderInputIds: b.decoderInputIds },
      { training: ctx.training, rng: ctx.rng, step: ctx.step },
    );
    const parts = modelLossParts(out, b.labels, { pooling: this.lossPooling, config: this.model.config });
    let routing: LayerRouting[] | undefined;
    if (ctx.wantRouting) {
      // Real tokens: encoder positions with attention 1, decoder positions with a label.
      const encMask = tf.reshape(b.attentionMask, [-1]) as tf.Tensor1D;                           // [B·S]
      const decMask = tf.cast(tf.notEqual(tf.reshape(b.labels, [-1]), LABEL_PAD), 'float32') as tf.Tensor1D; // [B·T]
      routing = out.sparseLayers.map((rec) => ({
        layer: rec.name, probs: rec.router.probs, dispatch: rec.router.dispatch, selected: rec.router.selected,
        tokenMask: (rec.stack === 'encoder' ? encMask : decMask).clone(),
      }));
      encMask.dispose(); decMask.dispose();
    }
    return { parts, routing };
  }
}

export class PreparedSource implements BatchSource<Seq2SeqBatch> {
  readonly numExamples: number;
  constructor(private readonly split: Pick<PreparedSplit, 'inputIds' | 'labels' | 'rows'>, private readonly collate: CollateOptions = {}) {
    this.numExamples = split.rows;
    if (split.rows === 0) throw new Error('the training split has no rows');
  }
  makeBatch(indices: Int32Array): Seq2SeqBatch {
    return collateSeq2Seq(Array.from(indices, (i) => ({ inputIds: this.split.inputIds[i]!, labels: this.split.labels[i]! })), this.collate);
  }
  tokenCount(b: Seq2SeqBatch): number { return b.inputIds.size + b.labels.size; }
  disposeBatch(b: Seq2SeqBatch): void { disposeSeq2SeqBatch(b); }
  /** Largest token id of the split (to check against the model's vocabulary). */
  maxTokenId(): number {
    let m = 0;
    for (const row of [...this.split.inputIds, ...this.split.labels]) for (const t of row) if (t > m) m = t;
    return m;
  }
}
