import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { createRouter, describeRouter, routerTypes } from '@switchyard/routers';
import { costSpecOf, routerCost, createExperts, timeRouterLayer } from '@switchyard/flops-profiler';

const N = 16, D = 8, F = 16, E = 4, V = 30;

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

describe('every registered router', () => {
  const types = routerTypes();

  it('is registered (the list this suite iterates over is not empty)', () => {
    expect(types).toEqual(expect.arrayContaining(['switch-top1', 'linear-softmax-topk', 'linear-sparsemax']));
  });

  it.each(routerTypes())('%s: describes its cost, and runs through the timing harness without leaking', (type) => {
    const desc = describeRouter({ type }, { dModel: D, numExperts: E });
    const cost = routerCost(costSpecOf(desc), D, E);
    expect(cost.matmulPerToken).toBeGreaterThan(0);
    const active = desc.activeExperts;
    if (active.kind === 'fixed') expect(active.k).toBeGreaterThanOrEqual(1);
    // a router that reads token ids or all expert outputs says so
    if (type === 'stablemoe') expect(desc.needs.tokenIds).toBe(true);
    if (type === 'competesmoe') expect(desc.needs.allExpertOutputs).toBe(true);
    const rng = new Rng(11);
    const experts = createExperts(rng.fork('e'), E, D, F);
    const x = rng.normalTensor([N, D]) as tf.Tensor2D;
    const g = rng.normalTensor([N, D]) as tf.Tensor2D;
    const ids = tf.tensor1d(Int32Array.from({ length: N }, (_, i) => (7 * i) % V), 'int32');
    const router = createRouter({ type }, { dModel: D, numExperts: E, vocabSize: V, rng: rng.fork('r') });
    const before = tf.memory().numTensors;
    const t = timeRouterLayer(type, router, x, experts, g, rng.fork('route'), { warmup: 0, repeats: 1 }, { tokenIds: ids });
    expect(tf.memory().numTensors).toBe(before);
    expect(t.meanActive).toBeGreaterThanOrEqual(0);
    expect(t.meanActive).toBeLessThanOrEqual(E);
    if (active.kind === 'fixed' && !['switch-top1', 'xmoe', 'vmoe'].includes(type)) {
      // no capacity: a fixed-k router computes exactly k experts per token
      expect(t.meanActive).toBe(active.k);
    }
    // the dense ones compute every expert
    if (active.kind === 'all') expect(t.meanActive).toBe(E);
    router.dispose();
    tf.dispose([x, g, ids]);
    experts.dispose();
  });
});
