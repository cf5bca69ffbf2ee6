// A fixed set of random seq2seq examples as a BatchSource: ids in [2, vocab) (0 = pad, 1 = eos),
// full length, so every position is a real token. For tests that train a model on fixed data.
import { Rng } from '@switchyard/tensor-engine';
import { collateSeq2Seq, disposeSeq2SeqBatch, type Seq2SeqBatch } from '../../src/tasks/summarisation/batching.js';
import type { BatchSource } from '../../src/types.js';

export function syntheticSeq2Seq(seed: number, examples: number, sourceLength: number, targetLength: number, vocab: number): BatchSource<Seq2SeqBatch> {
  const rng = new Rng(seed);
  const rows = Array.from({ length: examples }, () => ({
    inputIds: Array.from({ length: sourceLength }, () => 2 + rng.int(vocab - 2)),
    labels: Array.from({ length: targetLength }, () => 2 + rng.int(vocab - 2)),
  }));
  return {
    numExamples: rows.length,
    makeBatch: (idx: Int32Array) => collateSeq2Seq(Array.from(idx, (i) => rows[i]!)),
    tokenCount: (b: Seq2SeqBatch) => b.inputIds.size + b.labels.size,
    disposeBatch: disposeSeq2SeqBatch,
  };
}
