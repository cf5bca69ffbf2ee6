// docs/routers.md §2.4 capacity tables and R11 Expert Choice vector, on the host dispatchers and
// through the routers that use them.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import {
  tokensChooseDispatch, topKIndices, expertsChooseDispatch, capacityFlaxformer, capacityVmoe, capacitySwitchPaper,
  roundHalfEven, createRouter, computeRoutingMetrics,
} from '@switchyard/routers';
import { maxAbsDiff, setupBackend, values } from './helpers.js';

beforeAll(setupBackend);

const G = [[0.7, 0.2, 0.1], [0.15, 0.8, 0.05], [0.6, 0.3, 0.1], [0.5, 0.1, 0.4], [0.9, 0.06, 0.04], [0.2, 0.3, 0.5]];
const flat = G.flat();
const N = 6, E = 3;

function keptWeights(k: number, capacity: number, order: 'position' | 'bpr'): number[][] {
  const choices = topKIndices(flat, N, E, k);
  const priority = G.map((r) => Math.max(...r));
  const plan = tokensChooseDispatch(choices, N, E, k, { capacity, groupSize: N, order, priority });
  return G.map((row, t) => row.map((v, e) => (plan.dispatch[t * E + e] ? v : 0)));
}

describe('§2.4 tokens-choose dispatch with capacity', () => {
  test('top-1, C=2, positional: tokens 3, 4 dropped', () => {
    expect(keptWeights(1, 2, 'position')).toEqual([[0.7, 0, 0], [0, 0.8, 0], [0.6, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0.5]]);
  });
  test('top-1, C=2, BPR: tokens 2, 3 dropped', () => {
    expect(keptWeights(1, 2, 'bpr')).toEqual([[0.7, 0, 0], [0, 0.8, 0], [0, 0, 0], [0, 0, 0], [0.9, 0, 0], [0, 0, 0.5]]);
  });
  test('top-2, C=3, positional', () => {
    expect(keptWeights(2, 3, 'position')).toEqual([[0.7, 0.2, 0], [0, 0.8, 0], [0.6, 0.3, 0], [0.5, 0, 0.4], [0, 0, 0], [0, 0, 0.5]]);
  });
  test('top-2, C=3, BPR', () => {
    expect(keptWeights(2, 3, 'bpr')).toEqual([[0.7, 0.2, 0], [0, 0.8, 0], [0.6, 0, 0], [0, 0, 0.4], [0.9, 0.06, 0], [0, 0, 0.5]]);
  });
  test('capacity rules', () => {
    expect(capacityFlaxformer(1, 6, 3)).toBe(4);           // max(round(2), 4)
    expect(capacityFlaxformer(1.25, 40, 8)).toBe(6);       // round(6.25)
    expect(capacityFlaxformer(1, 36, 8)).toBe(4);          // round(4.5) = 4 (half to even)
    expect(capacityFlaxformer(1, 44, 8)).toBe(6);          // round(5.5) = 6
    expect(capacityVmoe(1.05, 16, 2, 8)).toBe(8);          // ceil(4.2) = 5 → 8
    expect(capacityVmoe(1, 64, 1, 8)).toBe(8);
    expect(capacitySwitchPaper(1.25, 10, 4)).toBe(4);      // ceil(3.125)
    expect([0.5, 1.5, 2.5, -0.5, 3.2].map(roundHalfEven)).toEqual([0, 2, 2, 0, 3]);
  });
  test('capacity applies per group', () => {
    const choices = new Int32Array([0, 0, 0, 0]);
    const plan = tokensChooseDispatch(choices, 4, 2, 1, { capacity: 1, groupSize: 2, order: 'position' });
    expect(Array.from(plan.dispatch)).toEqual([1, 0, 0, 0, 1, 0, 0, 0]);
  });
});

describe('R11 Expert Choice', () => {
  const expected = [[0.7, 0, 0], [0, 0.8, 0], [0, 0.3, 0], [0, 0, 0.4], [0.9, 0, 0], [0, 0, 0.5]];
  test('host dispatcher, C = 2', () => {
    const mask = expertsChooseDispatch(flat, N, E, 2, N);
    expect(G.map((row, t) => row.map((v, e) => (mask[t * E + e] ? v : 0)))).toEqual(expected);
  });
  test('router with logits = log G picks the same tokens and weights p', () => {
    const r = createRouter({ type: 'expert-choice', capacityFactor: 1, capacityRule: 'vmoe' }, { dModel: 3, numExperts: 3, rng: new Rng(1) });
    // vmoe rule: ceil(1·6/3) = 2 → multiple of 4 = 4; use groups of 2 tokens… instead check C directly:
    const [w, b] = r.parameters();
    w!.variable.assign(tf.eye(3)); b!.variable.assign(tf.zeros([3]));
    const x = tf.log(tf.tensor2d(G)) as tf.Tensor2D;
    const o = r.route(x, { training: false, rng: new Rng(0) });
    // C = 4 per expert over 6 tokens: each expert takes its 4 best tokens.
    const mask = expertsChooseDispatch(flat, N, E, 4, N);
    expect(values(o.dispatch)).toEqual(Array.from(mask));
    expect(maxAbsDiff(values(o.weights), flat.map((v, i) => (mask[i] ? v : 0)))).toBeLessThan(1e-6);
    const m = computeRoutingMetrics(o);
    expect(m.expertLoad).toEqual([4, 4, 4]);
    expect(m.droppedFraction).toBe(0);
    tf.dispose([x, o.logits, o.probs, o.weights, o.dispatch, o.selected, ...Object.values(o.losses)]);
    r.dispose();
    const r2 = createRouter({ type: 'expert-choice', capacityFactor: 1 }, { dModel: 3, numExperts: 3, rng: new Rng(1) });
    expect((r2 as unknown as { capacity(g: number): number }).capacity(6)).toBe(4); // flaxformer max(round(2), 4)
    r2.dispose();
  });
});
