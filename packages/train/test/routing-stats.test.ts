// layerStats (the loop's per-layer routing metrics, padding excluded) equals the routers'
// computeRoutingMetrics on the real tokens, for routers with different selection rules.
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { createRouter, computeRoutingMetrics } from '@switchyard/routers';
import { layerStats } from '../src/routing-stats.js';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

test.each(['switch-top1', 'linear-sparsemax', 'smoe', 'expert-choice'])('%s: masked layerStats = computeRoutingMetrics of the real rows', (type) => {
  const before = tf.memory().numTensors;
  const router = createRouter({ type }, { dModel: 8, numExperts: 4, rng: new Rng(3) });
  const x = new Rng(5).normalTensor([12, 8]) as tf.Tensor2D;  // [N, D], two groups of 6
  const out = router.route(x, { training: false, rng: new Rng(6), groupSize: 6 });
  const mask = [1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0];
  const real = mask.flatMap((m, i) => (m ? [i] : []));
  const maskT = tf.tensor1d(mask);
  const s = layerStats({ layer: 'l', probs: out.probs, dispatch: out.dispatch, selected: out.selected, tokenMask: maskT as tf.Tensor1D });
  const idx = tf.tensor1d(real, 'int32');
  const sub = { ...out, probs: tf.gather(out.probs, idx), dispatch: tf.gather(out.dispatch, idx), selected: tf.gather(out.selected, idx) };
  const ref = computeRoutingMetrics(sub as typeof out);
  expect(s.expertLoad).toEqual(ref.expertLoad);
  expect(s.droppedFraction).toBeCloseTo(ref.droppedFraction, 12);
  expect(s.meanActiveExperts).toBeCloseTo(ref.meanActiveExperts, 12);
  expect(s.routerEntropy).toBeCloseTo(ref.routerEntropy, 12);
  expect(s.routerConfidence).toBeCloseTo(ref.routerConfidence, 12);
  expect(s.activePerToken.length).toBe(real.length);
  const all = layerStats({ layer: 'l', probs: out.probs, dispatch: out.dispatch, selected: out.selected });
  expect(all.meanActiveExperts).toBeCloseTo(computeRoutingMetrics(out).meanActiveExperts, 12);
  tf.dispose([x, maskT, idx, sub.probs, sub.dispatch, sub.selected, out as unknown as tf.TensorContainer]);
  tf.dispose(Object.values(out.losses));
  router.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
