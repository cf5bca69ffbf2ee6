// Dropout at T5's sites applies only in training, is reproducible from the Rng, and changes
// nothing at inference.
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { SwitchTransformer, presetConfig } from '@switchyard/model-core';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

test('dropout: eval unaffected, training reproducible per seed and different across seeds', () => {
  const withDrop = new SwitchTransformer(presetConfig('micro', { dropout_rate: 0.3 }), new Rng(5));
  const noDrop = new SwitchTransformer(presetConfig('micro', { dropout_rate: 0 }), new Rng(5));
  const ids = tf.tensor2d([[4, 9, 13, 22, 1], [7, 8, 1, 0, 0]], [2, 5], 'int32');
  const mask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], [2, 5], 'int32');
  const dec = tf.tensor2d([[0, 4, 9], [0, 7, 8]], [2, 3], 'int32');
  const run = (m: SwitchTransformer, training: boolean, seed: number) => tf.tidy(() =>
    Array.from(m.forward({ inputIds: ids, attentionMask: mask, decoderInputIds: dec }, { training, rng: new Rng(seed) }).logits.dataSync()));
  const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
  expect(maxDiff(run(withDrop, false, 1), run(noDrop, false, 1))).toBe(0);
  expect(maxDiff(run(noDrop, true, 1), run(noDrop, false, 1))).toBeLessThan(1e-6);
  expect(run(withDrop, true, 1)).toEqual(run(withDrop, true, 1));
  expect(maxDiff(run(withDrop, true, 1), run(withDrop, true, 2))).toBeGreaterThan(1e-3);
  tf.dispose([ids, mask, dec]);
  withDrop.dispose(); noDrop.dispose();
});
