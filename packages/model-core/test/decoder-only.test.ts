// The blocks are reusable outside the encoder-decoder (docs/design.md §8): a causal stack without
// cross-attention is a decoder-only LM body. Causality check: changing future tokens must not
// change earlier positions' outputs; cached incremental decoding equals the full pass.
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { ParamStore, T5Stack, presetConfig } from '@switchyard/model-core';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

test('a causal, cross-free T5Stack (with a sparse block) is causal and cache-consistent', () => {
  const cfg = presetConfig('micro', { expert_capacity: 64 });
  const rng = new Rng(12);
  const ps = new ParamStore(rng);
  const stack = new T5Stack(ps, cfg, { prefix: 'transformer', causal: true, cross: false, numLayers: 2, sparseStep: 2 }, rng);
  expect(ps.list.some((p) => p.name === 'transformer.block.1.layer.1.mlp.experts.expert_0.wi.weight')).toBe(true);
  expect(ps.list.some((p) => p.name.includes('EncDecAttention'))).toBe(false);
  const lc = { training: false, rng };
  const x = rng.normalTensor([2, 6, 32]) as tf.Tensor3D;
  const diff = tf.tidy(() => {
    const y1 = stack.forward({ embeddings: x }, lc).hidden;
    const x2 = tf.concat([x.slice([0, 0, 0], [-1, 4, -1]), tf.randomNormal([2, 2, 32], 0, 1, 'float32', 3)], 1) as tf.Tensor3D;
    const y2 = stack.forward({ embeddings: x2 }, lc).hidden;
    const prefix = tf.max(tf.abs(tf.sub(y1.slice([0, 0, 0], [-1, 4, -1]), y2.slice([0, 0, 0], [-1, 4, -1]))));
    const suffix = tf.max(tf.abs(tf.sub(y1.slice([0, 4, 0], [-1, 2, -1]), y2.slice([0, 4, 0], [-1, 2, -1]))));
    // Incremental: 5 positions, then the 6th with the cache.
    const first = stack.forward({ embeddings: x.slice([0, 0, 0], [-1, 5, -1]) as tf.Tensor3D, useCache: true }, lc);
    const step = stack.forward({ embeddings: x.slice([0, 5, 0], [-1, 1, -1]) as tf.Tensor3D, cache: first.cache, pastLength: 5, useCache: true }, lc);
    const cached = tf.max(tf.abs(tf.sub(step.hidden, y1.slice([0, 5, 0], [-1, 1, -1]))));
    return tf.stack([prefix, suffix, cached]);
  });
  const [prefix, suffix, cached] = Array.from(diff.dataSync());
  expect(prefix).toBeLessThan(1e-6);
  expect(suffix).toBeGreaterThan(1e-3);
  expect(cached).toBeLessThan(1e-5);
  tf.dispose([x, diff]);
  for (const p of ps.list) p.variable.dispose();
  for (const b of stack.blocks) b.sparse?.router.dispose();
});
