import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { createRouter, routerTypes, routerOptionsSchema, sparsemax, computeRoutingMetrics, type Router, type RouterOutput } from '@switchyard/routers';
import { maxAbsDiff, setupBackend, values } from './helpers.js';

beforeAll(setupBackend);

function disposeOut(o: RouterOutput) {
  tf.dispose([o.logits, o.probs, o.weights, o.dispatch, o.selected, ...Object.values(o.losses)]);
  if (o.inputWeight) o.inputWeight.dispose();
  if (o.hfExpertIndex) o.hfExpertIndex.dispose();
}

/** A linear-gated router whose logits equal x (W = I, b = 0). */
function identityLinear(config: { type: string; [k: string]: unknown }, e: number): Router {
  const r = createRouter(config, { dModel: e, numExperts: e, rng: new Rng(1) });
  const [w, b] = r.parameters();
  w!.variable.assign(tf.eye(e));
  b!.variable.assign(tf.zeros([e]));
  return r;
}

const ctx = { training: true, rng: new Rng(0) };

describe('gating-study routers', () => {
  test('registry lists the six study configurations and entmax variants', () => {
    for (const t of ['gating-study', 'linear-softmax-topk', 'linear-softmax-dense', 'linear-sparsemax', 'attention-softmax-topk',
      'attention-softmax-dense', 'attention-sparsemax', 'linear-entmax15', 'attention-entmax15', 'linear-entmax-bisect']) {
      expect(routerTypes()).toContain(t);
    }
    const s = routerOptionsSchema('linear-softmax-topk') as { properties: Record<string, { const?: string }>; additionalProperties: boolean };
    expect(s.properties.routerType!.const).toBe('linear');
    expect(s.additionalProperties).toBe(false);
    expect(() => createRouter({ type: 'linear-softmax-topk', normType: 'sparsemax' }, { dModel: 2, numExperts: 2, rng: new Rng(0) })).toThrow();
  });

  test('TK-A: softmax, keep the k largest, no renormalisation', () => {
    const r = identityLinear({ type: 'linear-softmax-topk', topK: 2 }, 4);
    const h = [[1, 0.5, 0.2, -1], [0, 3, 1, 2]];
    const x = tf.tensor2d(h);
    const o = r.route(x, ctx);
    const p = h.map((row) => { const m = Math.max(...row); const ex = row.map((v) => Math.exp(v - m)); const s = ex.reduce((a, b) => a + b); return ex.map((v) => v / s); });
    expect(values(o.selected)).toEqual([1, 1, 0, 0, 0, 1, 0, 1]);
    expect(maxAbsDiff(values(o.weights), [p[0]![0]!, p[0]![1]!, 0, 0, 0, p[1]![1]!, 0, p[1]![3]!])).toBeLessThan(1e-6);
    expect(Object.keys(o.losses)).toEqual([]);
    disposeOut(o); x.dispose(); r.dispose();
  });

  test('sparsemax dense: weights = sparsemax(h), selected = support; metrics count support sizes', () => {
    const r = identityLinear({ type: 'linear-sparsemax' }, 4);
    const x = tf.tensor2d([[1, 0.5, 0.2, -1], [0.3, 0.2, 0.1, 0]]);
    const o = r.route(x, ctx);
    expect(maxAbsDiff(values(o.weights), [0.75, 0.25, 0, 0, 0.4, 0.3, 0.2, 0.1])).toBeLessThan(1e-6);
    expect(values(o.selected)).toEqual([1, 1, 0, 0, 1, 1, 1, 1]);
    const m = computeRoutingMetrics(o);
    expect(m.meanActiveExperts).toBe(3);
    expect(m.activeExpertsHistogram).toEqual([0, 0, 1, 0, 1]);
    expect(m.droppedFraction).toBe(0);
    disposeOut(o); x.dispose(); r.dispose();
  });

  test('sparsemax with topK selects min(k, support)', () => {
    const r = identityLinear({ type: 'linear-sparsemax', topK: 3 }, 4);
    const x = tf.tensor2d([[1, 0.5, 0.2, -1], [0.3, 0.2, 0.1, 0]]);
    const o = r.route(x, ctx);
    expect(values(o.selected)).toEqual([1, 1, 0, 0, 1, 1, 1, 0]);
    expect(maxAbsDiff(values(o.weights), [0.75, 0.25, 0, 0, 0.4, 0.3, 0.2, 0])).toBeLessThan(1e-6);
    disposeOut(o); x.dispose(); r.dispose();
  });

  test('compatibility options: centred sparsemax, never-applied top-k, HF loss artefacts', () => {
    const r = identityLinear({ type: 'linear-sparsemax', topK: 1, compatCentredSparsemax: true, compatIgnoreTopK: true, compatHfLossArtefacts: true }, 4);
    const x = tf.tensor2d([[0.3, 0.2, 0.1, 0], [1, 0.5, 0.2, -1]]);
    const o = r.route(x, { ...ctx, groupSize: 2 });
    expect(maxAbsDiff(values(o.weights), [0.35, 0.25, 0.2, 0.2, 0.75, 0.25, 0, 0])).toBeLessThan(1e-6);
    // artefactBalance = E · mean_t softmax(w)_{t,0}; artefactZ = mean LSE(w)²
    const w = o.weights.arraySync() as number[][];
    const sm0 = w.map((row) => Math.exp(row[0]!) / row.reduce((a, v) => a + Math.exp(v), 0));
    const lse = w.map((row) => Math.log(row.reduce((a, v) => a + Math.exp(v), 0)));
    expect(o.losses.artefactBalance!.dataSync()[0]!).toBeCloseTo(4 * (sm0[0]! + sm0[1]!) / 2, 5);
    expect(o.losses.artefactZ!.dataSync()[0]!).toBeCloseTo((lse[0]! ** 2 + lse[1]! ** 2) / 2, 5);
    expect(o.lossCoefficients).toEqual({ artefactZ: 0.001, artefactBalance: 0.001 });
    disposeOut(o); x.dispose(); r.dispose();
  });

  test('attention gate: h = (xW_q + b_q)Kᵀ/√D by default, unscaled on request', () => {
    for (const scaled of [true, false]) {
      const r = createRouter({ type: 'attention-softmax-dense', attentionScaled: scaled }, { dModel: 3, numExperts: 2, rng: new Rng(4) });
      const [wq, bq, keys] = r.parameters();
      expect(r.parameters().map((p) => p.name)).toEqual(['query.weight', 'query.bias', 'expert_embeddings']);
      const x = tf.tensor2d([[0.5, -1, 2], [1, 0, -0.5]]);
      const o = r.route(x, ctx);
      const ref = tf.tidy(() => tf.mul(tf.matMul(tf.add(tf.matMul(x, wq!.variable as tf.Tensor2D), bq!.variable), keys!.variable as tf.Tensor2D, false, true), scaled ? 1 / Math.sqrt(3) : 1));
      expect(maxAbsDiff(values(o.logits), values(ref))).toBeLessThan(1e-6);
      expect(maxAbsDiff(values(o.weights), values(tf.softmax(ref)))).toBeLessThan(1e-6);
      disposeOut(o); tf.dispose([x, ref]); r.dispose();
    }
  });

  test('entmax15 and bisect variants route with their normaliser', () => {
    const x = tf.tensor2d([[-2, 0, 0.5], [1, 1, 1]]);
    const r = identityLinear({ type: 'linear-entmax15' }, 3);
    const o = r.route(x, ctx);
    expect(maxAbsDiff(values(o.weights), [0, 0.326007, 0.673993, 1 / 3, 1 / 3, 1 / 3])).toBeLessThan(2e-6);
    const rb = identityLinear({ type: 'linear-entmax-bisect', alpha: 2 }, 3);
    const ob = rb.route(x, ctx);
    const sp = sparsemax(x);
    expect(maxAbsDiff(values(ob.weights), values(sp))).toBeLessThan(1e-5);
    disposeOut(o); disposeOut(ob); tf.dispose([x, sp]); r.dispose(); rb.dispose();
  });
});
