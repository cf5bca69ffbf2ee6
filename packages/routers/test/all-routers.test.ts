// Every registered router: schema round trip, same seed → identical routing, no tensor leaks,
// routing metrics consistent with the dispatch mask.
import * as tf from '@tensorflow/tfjs';
import { Rng, checkSchema } from '@switchyard/runtime';
import { createRouter, routerTypes, routerOptionsSchema, computeRoutingMetrics, type RouterContext, type RouterOutput } from '@switchyard/routers';
import { setupBackend, values } from './helpers.js';

beforeAll(setupBackend);

const D = 6, E = 4, N = 12, G = 6, V = 11;
const init = (seed: number) => ({ dModel: D, numExperts: E, rng: new Rng(seed), vocabSize: V });
function ctx(training: boolean, seed: number): RouterContext {
  return {
    training, rng: new Rng(seed), groupSize: G, step: 3,
    tokenIds: tf.tensor1d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1], 'int32'),
    allExpertOutputs: (x) => tf.stack([1, -2, 0.5, 3].map((s, i) => tf.add(tf.mul(x, s), i * 0.1))) as tf.Tensor3D,
  };
}
function outTensors(o: RouterOutput): tf.Tensor[] {
  const ts: tf.Tensor[] = [o.logits, o.probs, o.weights, o.dispatch, o.selected, ...Object.values(o.losses)];
  if (o.inputWeight) ts.push(o.inputWeight);
  if (o.hfExpertIndex) ts.push(o.hfExpertIndex);
  if (o.jitteredInput) ts.push(o.jitteredInput);
  return ts;
}
function snapshot(o: RouterOutput) {
  return {
    weights: values(o.weights), dispatch: values(o.dispatch), selected: values(o.selected), logits: values(o.logits),
    losses: Object.fromEntries(Object.entries(o.losses).map(([k, v]) => [k, v.dataSync()[0]])),
    inputWeight: o.inputWeight ? values(o.inputWeight) : null,
  };
}

describe('every registered router', () => {
  test('there are at least 18 routers', () => { expect(routerTypes().length).toBeGreaterThanOrEqual(18); });

  test.each(routerTypes().map((t) => [t]))('%s', (type) => {
    const schema = routerOptionsSchema(type);
    expect(checkSchema(schema, { type })).toEqual([]);
    expect(checkSchema(schema, { type, notAnOption: 1 })).toEqual([expect.stringMatching(/^\/: unknown key "notAnOption"; allowed keys: type/)]);
    expect(() => createRouter({ type, notAnOption: 1 }, init(1))).toThrow(/invalid options/);

    const x = new Rng(42).normalTensor([N, D]) as tf.Tensor2D;
    for (const training of [true, false]) {
      const c1 = ctx(training, 9), c2 = ctx(training, 9);
      const r1 = createRouter({ type }, init(1)), r2 = createRouter({ type }, init(1));
      const before = tf.memory().numTensors;
      const o1 = r1.route(x, c1);
      const s1 = snapshot(o1);
      const m = computeRoutingMetrics(o1);
      tf.dispose(outTensors(o1));
      expect(tf.memory().numTensors).toBe(before);
      const s2 = tf.tidy(() => snapshot(r2.route(x, c2)));
      expect(tf.memory().numTensors).toBe(before);
      expect(s2).toEqual(s1);
      // metrics agree with the dispatch mask
      const disp = s1.dispatch;
      expect(m.expertLoad.reduce((a, b) => a + b, 0)).toBe(disp.reduce((a, b) => a + b, 0));
      expect(m.activeExpertsHistogram.reduce((a, b) => a + b, 0)).toBe(N);
      expect(m.meanActiveExperts).toBeCloseTo(disp.reduce((a, b) => a + b, 0) / N, 10);
      expect(m.droppedFraction).toBeGreaterThanOrEqual(0);
      expect(m.droppedFraction).toBeLessThanOrEqual(1);
      expect(m.routerEntropy).toBeGreaterThanOrEqual(0);
      expect(m.routerConfidence).toBeGreaterThan(0);
      for (const v of [...s1.weights, ...Object.values(s1.losses) as number[]]) expect(Number.isFinite(v)).toBe(true);
      tf.dispose([c1.tokenIds!, c2.tokenIds!]);
      r1.dispose(); r2.dispose();
    }
    x.dispose();
  });
});
