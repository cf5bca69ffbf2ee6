import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/runtime';
import { createRouter, routerTypes } from '@switchyard/routers';
import { classifyRouter, withRouterDefaults, routerCost, createExperts, timeRouterLayer } from '@switchyard/flops-profiler';

const N = 16, D = 8, F = 16, E = 4, V = 30;

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

describe('every registered router', () => {
  const types = routerTypes();

  it('is registered (the list this suite iterates over is not empty)', () => {
    expect(types).toEqual(expect.arrayContaining(['switch-top1', 'linear-softmax-topk', 'linear-sparsemax']));
  });

  it.each(routerTypes())('%s: gets a cost class and runs through the timing harness without leaking', (type) => {
    const cls = classifyRouter(withRouterDefaults({ type }), {}, E);
    const cost = routerCost(cls.spec, D, E);
    expect(cost.matmulPerToken).toBeGreaterThan(0);
    if (cls.activity.kind === 'fixed') expect(cls.activity.k).toBeGreaterThanOrEqual(1);
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
    if (cls.activity.kind === 'fixed' && !['switch-top1', 'xmoe', 'vmoe'].includes(type)) {
      // no capacity: a fixed-k router computes exactly k experts per token
      expect(t.meanActive).toBe(cls.activity.k);
    }
    router.dispose();
    tf.dispose([x, g, ids]);
    experts.dispose();
  });
});
