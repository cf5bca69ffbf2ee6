import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { createRouter, routerTypes } from '@switchyard/routers';
import {
  createExperts, planFromMask, gatherDispatchForward, denseForward, syntheticTopK, syntheticSupport,
  timeSparseLayer, timeDenseLayer, timeRouterLayer,
} from '@switchyard/flops-profiler';

const N = 12, D = 8, F = 16, E = 4;

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

describe('synthetic masks', () => {
  it('top-k picks exactly k experts per token with softmax weights over them', () => {
    const r = syntheticTopK(N, E, 2, new Rng(1));
    for (let n = 0; n < N; n++) {
      const row = Array.from(r.mask.subarray(n * E, n * E + E));
      expect(row.reduce((a, b) => a + b, 0)).toBe(2);
      const w = Array.from(r.weights.subarray(n * E, n * E + E));
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      w.forEach((x, e) => expect(x > 0).toBe(row[e] === 1));
    }
  });

  it('support masks have the requested size per token', () => {
    const sizes = [0, 1, 2, 3, 4, 1];
    const r = syntheticSupport(sizes, E, new Rng(2));
    const plan = planFromMask(r.mask, sizes.length, E);
    expect(plan.histogram).toEqual([1, 2, 1, 1, 1]);
    expect(plan.meanActive).toBeCloseTo(11 / 6, 12);
    expect(plan.rows.reduce((a, r) => a + r.length, 0)).toBe(11);
  });
});

describe('gather dispatch', () => {
  it('equals the dense all-experts layer with the same (masked) weights, in outputs and gradients', () => {
    const rng = new Rng(3);
    const experts = createExperts(rng, E, D, F);
    const r = syntheticTopK(N, E, 2, rng);
    const plan = planFromMask(r.mask, N, E);
    const x = rng.normalTensor([N, D]) as tf.Tensor2D;
    const w = tf.tensor2d(r.weights, [N, E]);
    const g = rng.normalTensor([N, D]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const sparse = gatherDispatchForward(x, w, plan, experts);
    const dense = denseForward(x, w, experts);
    expect(maxAbsDiff(sparse, dense)).toBeLessThan(1e-5);
    const vars = [...experts.wi, ...experts.wo];
    const gs = tf.variableGrads(() => tf.sum(tf.mul(gatherDispatchForward(x, w, plan, experts), g)) as tf.Scalar, vars);
    const gd = tf.variableGrads(() => tf.sum(tf.mul(denseForward(x, w, experts), g)) as tf.Scalar, vars);
    for (const v of vars) expect(maxAbsDiff(gs.grads[v.name]!, gd.grads[v.name]!)).toBeLessThan(1e-5);
    tf.dispose([sparse, dense, gs.value, gd.value, gs.grads, gd.grads]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, g]);
    experts.dispose();
  });

  it('returns zeros when no token is dispatched', () => {
    const rng = new Rng(4);
    const experts = createExperts(rng, E, D, F);
    const x = rng.normalTensor([N, D]) as tf.Tensor2D;
    const w = tf.zeros([N, E]) as tf.Tensor2D;
    const y = gatherDispatchForward(x, w, planFromMask(new Float32Array(N * E), N, E), experts);
    expect(Array.from(y.dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([x, w, y]);
    experts.dispose();
  });
});

describe('timing harness', () => {
  it('times the sparse, dense and router-driven layers without leaking tensors', () => {
    const rng = new Rng(5);
    const experts = createExperts(rng, E, D, F);
    const x = rng.normalTensor([N, D]) as tf.Tensor2D;
    const g = rng.normalTensor([N, D]) as tf.Tensor2D;
    const r = syntheticTopK(N, E, 1, rng);
    const w = tf.tensor2d(r.weights, [N, E]);
    const plan = planFromMask(r.mask, N, E);
    expect(routerTypes()).toContain('linear-softmax-topk');
    const router = createRouter({ type: 'linear-softmax-topk', topK: 2 }, { dModel: D, numExperts: E, rng: rng.fork('router') });
    const before = tf.memory().numTensors;
    const opts = { warmup: 0, repeats: 1 };
    const sparse = timeSparseLayer('top-1', x, w, plan, experts, g, opts);
    const dense = timeDenseLayer('dense', x, w, experts, g, opts);
    const routed = timeRouterLayer('linear-softmax-topk', router, x, experts, g, rng, opts);
    expect(tf.memory().numTensors).toBe(before);
    expect(sparse.meanActive).toBe(1);
    expect(dense.meanActive).toBe(E);
    expect(routed.meanActive).toBe(2);
    for (const t of [sparse, dense, routed]) {
      expect(t.tokens).toBe(N);
      expect(t.forwardMs).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(t.forwardBackwardMs)).toBe(true);
      expect(t.forwardUsPerToken).toBeCloseTo((1000 * t.forwardMs) / N, 9);
    }
    router.dispose();
    tf.dispose([x, g, w]);
    experts.dispose();
  });
});

describe('experts', () => {
  it('own exactly their 2·E variables and free them on dispose', () => {
    const before = tf.memory().numTensors;
    const experts = createExperts(new Rng(6), E, D, F);
    expect(tf.memory().numTensors).toBe(before + 2 * E);
    experts.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
