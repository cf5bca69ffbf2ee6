import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@switchyard/tensor-engine';
import { learningRate } from '../src/schedule.js';
import { collateArrays, collateSeq2Seq, disposeSeq2SeqBatch, maskedCrossEntropy } from '../src/tasks/summarisation/batching.js';
import { accumulate, clipByGlobalNorm, disposeGrads, globalNorm, scaleGrads } from '../src/grad-utils.js';
import { totalLoss } from '@switchyard/model-core';
import { summarizeLossParts } from '../src/compose-loss.js';
import { batchAt, epochPermutation } from '../src/data-order.js';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

describe('schedules (HF transformers shapes)', () => {
  test.each([
    // [type, warmup, step, total, expected fraction of peak]
    ['constant', 0, 7, 10, 1],
    ['constant', 4, 1, 10, 0.25],
    ['linear', 0, 0, 10, 1],
    ['linear', 0, 5, 10, 0.5],
    ['linear', 2, 2, 10, 1],
    ['linear', 2, 6, 10, 0.5],
    ['linear', 0, 10, 10, 0],
    ['inverse-sqrt', 4, 16, 100, 0.5],
    ['inverse-sqrt', 0, 0, 100, 1],
    ['cosine', 0, 5, 10, 0.5],
    ['cosine', 0, 0, 10, 1],
    ['cosine', 2, 10, 10, 0],
  ] as const)('%s warmup %d: lr(%d of %d) = %d·peak', (type, warmupSteps, step, total, frac) => {
    expect(learningRate({ type, lr: 2e-3, warmupSteps }, step, total)).toBeCloseTo(2e-3 * frac, 12);
  });

  test('the study schedule: 5e-5 at step 0, linear to 0', () => {
    expect(learningRate({ type: 'linear', lr: 5e-5 }, 0, 100)).toBe(5e-5);
    expect(learningRate({ type: 'linear', lr: 5e-5 }, 99, 100)).toBeCloseTo(5e-7, 15);
  });
});

describe('seq2seq batching', () => {
  test('pads inputs with 0, labels with −100, shifts labels right with start 0 and −100 → 0', () => {
    const a = collateArrays([{ inputIds: [5, 6, 1], labels: [7, 1] }, { inputIds: [9, 1], labels: [3, 4, 1] }]);
    expect([a.b, a.s, a.t]).toEqual([2, 3, 3]);
    expect(Array.from(a.inputIds)).toEqual([5, 6, 1, 9, 1, 0]);
    expect(Array.from(a.attentionMask)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(Array.from(a.labels)).toEqual([7, 1, -100, 3, 4, 1]);
    expect(Array.from(a.decoderInputIds)).toEqual([0, 7, 1, 0, 3, 4]);
  });

  test('fixed lengths truncate, padToMultipleOf rounds up', () => {
    const a = collateArrays([{ inputIds: [1, 2, 3, 4, 5], labels: [1] }], { sourceLength: 3, padToMultipleOf: 4 });
    expect(a.s).toBe(4);
    expect(Array.from(a.inputIds)).toEqual([1, 2, 3, 0]);
    expect(a.t).toBe(4);
  });

  test('masked CE equals the mean of −log p over non-ignored labels; tensors freed', () => {
    const before = tf.memory().numTensors;
    const batch = collateSeq2Seq([{ inputIds: [1], labels: [1, 2] }, { inputIds: [1], labels: [0] }]);
    const logits = tf.tensor3d([[[0, 1, 2], [2, 0, 0]], [[1, 1, 1], [5, 0, 0]]]); // [2, 2, 3]
    const ce = maskedCrossEntropy(logits, batch.labels);
    const lse = (r: number[]) => Math.log(r.reduce((a, x) => a + Math.exp(x), 0));
    const want = ((lse([0, 1, 2]) - 1) + (lse([2, 0, 0]) - 0) + (lse([1, 1, 1]) - 1)) / 3;
    expect(ce.dataSync()[0]).toBeCloseTo(want, 5);
    tf.dispose([ce, logits]); disposeSeq2SeqBatch(batch);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('gradients and loss composition', () => {
  test('global norm, clipping (torch coefficient), accumulation and scaling', () => {
    const before = tf.memory().numTensors;
    const g = { a: tf.tensor([3, 0]), b: tf.tensor([[0, 4]]) };
    const n = globalNorm(g);
    expect(n.dataSync()[0]).toBeCloseTo(5, 6);
    const c = clipByGlobalNorm(g, 1, 5);
    expect(globalNorm(c).dataSync()[0]).toBeCloseTo(5 / (5 + 1e-6), 5);
    const unclipped = clipByGlobalNorm(g, 10, 5);
    expect(Array.from(unclipped.a!.dataSync())).toEqual([3, 0]);
    const acc = {};
    accumulate(acc, g); accumulate(acc, c);
    const mean = scaleGrads(acc, 0.5);
    expect(mean.a!.dataSync()[0]).toBeCloseTo((3 + 3 / (5 + 1e-6)) / 2, 5);
    tf.dispose(n);
    [g, c, unclipped, acc, mean].forEach(disposeGrads);
    expect(tf.memory().numTensors).toBe(before + 1); // the second globalNorm result, held by expect
  });

  test('totalLoss = Σ coefficient · part; summary groups aux losses by name', () => {
    const parts = [
      { name: 'ce', value: tf.scalar(2.5), coefficient: 1 },
      { name: 'aux', value: tf.scalar(1.2), coefficient: 0.01, layer: 'encoder.block.1' },
      { name: 'aux', value: tf.scalar(0.8), coefficient: 0.01, layer: 'decoder.block.1' },
      { name: 'z', value: tf.scalar(4), coefficient: 0.001, layer: 'encoder.block.1' },
    ];
    const total = totalLoss(parts);
    expect(total.dataSync()[0]).toBeCloseTo(2.5 + 0.012 + 0.008 + 0.004, 6);
    const s = summarizeLossParts(parts, [2.5, 1.2, 0.8, 4]);
    expect(s.ce).toBe(2.5);
    expect(s.aux.aux).toBeCloseTo(2.0, 12);
    expect(s.aux.z).toBe(4);
    expect(s.perLayer['decoder.block.1/aux']).toBe(0.8);
    tf.dispose([total, ...parts.map((p) => p.value)]);
  });
});

describe('data order', () => {
  test('each epoch is a seeded permutation; batches cover it in order, last batch smaller', () => {
    const p0 = epochPermutation(3, 0, 10);
    expect([...p0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(epochPermutation(3, 0, 10))).toEqual(Array.from(p0));
    expect(Array.from(epochPermutation(3, 1, 10))).not.toEqual(Array.from(p0));
    let pos = { epoch: 0, batchInEpoch: 0 };
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) { const b = batchAt(3, 10, 4, pos); seen.push(...b.indices); pos = b.next; }
    expect(seen).toEqual(Array.from(p0));
    expect(pos).toEqual({ epoch: 1, batchInEpoch: 0 });
  });
});
