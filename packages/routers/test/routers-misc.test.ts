// SMoE, SMoE-Dropout, X-MoE, V-MoE, MOESART: closed forms and docs/routers.md vectors.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { createRouter, moesartWeights, smoeDropoutK, sampleWithoutReplacement, type Router, type RouterOutput } from '@switchyard/routers';
import { maxAbsDiff, setupBackend, values } from './helpers.js';

beforeAll(setupBackend);

function disposeOut(o: RouterOutput) {
  tf.dispose([o.logits, o.probs, o.weights, o.dispatch, o.selected, ...Object.values(o.losses)]);
  if (o.inputWeight) o.inputWeight.dispose();
  if (o.hfExpertIndex) o.hfExpertIndex.dispose();
}
function softmaxRow(r: number[]): number[] { const m = Math.max(...r); const e = r.map((v) => Math.exp(v - m)); const s = e.reduce((a, b) => a + b); return e.map((v) => v / s); }
function setIdentity(r: Router, e: number) {
  const [w, b] = r.parameters();
  w!.variable.assign(tf.eye(e));
  if (b) b.variable.assign(tf.zeros([e]));
}

describe('SMoE (TK-B)', () => {
  test('softmax over the k largest logits; fastmoe balance loss when enabled', () => {
    const r = createRouter({ type: 'smoe', topK: 2, balanceLoss: true }, { dModel: 4, numExperts: 4, rng: new Rng(1) });
    setIdentity(r, 4);
    expect(r.parameters().map((p) => p.name)).toEqual(['gate.weight', 'gate.bias']);
    const h = [[1, 0.5, 0.2, -1], [0, 3, 1, 2]];
    const x = tf.tensor2d(h);
    const o = r.route(x, { training: true, rng: new Rng(0) });
    const a = softmaxRow([1, 0.5]), b = softmaxRow([3, 2]);
    expect(maxAbsDiff(values(o.weights), [a[0]!, a[1]!, 0, 0, 0, b[0]!, 0, b[1]!])).toBeLessThan(1e-6);
    const p = h.map(softmaxRow);
    // L' = E·Σ_e f'_e P'_e, f' = count/(N k), P' = Σ_n p/(N k)
    const f = [1, 2, 0, 1].map((c) => c / 4);
    const P = [0, 1, 2, 3].map((e) => (p[0]![e]! + p[1]![e]!) / 4);
    expect(o.losses.balance!.dataSync()[0]!).toBeCloseTo(4 * f.reduce((s, v, e) => s + v * P[e]!, 0), 6);
    disposeOut(o); x.dispose(); r.dispose();
  });
  test('noisy top-k: seeded, and only in training', () => {
    const r = createRouter({ type: 'smoe', noise: 'noisy-top-k' }, { dModel: 4, numExperts: 4, rng: new Rng(1) });
    const x = new Rng(2).normalTensor([6, 4]) as tf.Tensor2D;
    const w = (training: boolean, seed: number) => tf.tidy(() => values(r.route(x, { training, rng: new Rng(seed) }).weights));
    expect(w(true, 3)).toEqual(w(true, 3));
    expect(w(true, 3)).not.toEqual(w(true, 4));
    expect(w(false, 3)).toEqual(w(false, 4));
    x.dispose(); r.dispose();
  });
});

describe('SMoE-Dropout', () => {
  test('k schedule rounds half to even', () => {
    expect(smoeDropoutK(0, 8, 16, 400000)).toBe(8);
    expect(smoeDropoutK(25000, 8, 16, 400000)).toBe(8);    // round(0.5) = 0
    expect(smoeDropoutK(75000, 8, 16, 400000)).toBe(10);   // round(1.5) = 2
    expect(smoeDropoutK(125000, 8, 16, 400000)).toBe(10);  // round(2.5) = 2
    expect(smoeDropoutK(400000, 8, 16, 400000)).toBe(16);
    expect(smoeDropoutK(900000, 8, 16, 400000)).toBe(16);
  });
  test('frozen gate; k from ctx.step in training, kMax at inference', () => {
    const r = createRouter({ type: 'smoe-dropout', kMin: 2, kMax: 6, totalSteps: 100 }, { dModel: 6, numExperts: 6, rng: new Rng(1) });
    expect(r.parameters().every((p) => p.frozen === true && !p.variable.trainable)).toBe(true);
    const x = new Rng(2).normalTensor([5, 6]) as tf.Tensor2D;
    const count = (ctx: { training: boolean; step?: number }) => tf.tidy(() => values(r.route(x, { ...ctx, rng: new Rng(0) }).selected).reduce((a, b) => a + b) / 5);
    expect(count({ training: true, step: 0 })).toBe(2);
    expect(count({ training: true, step: 50 })).toBe(4);
    expect(count({ training: true, step: 100 })).toBe(6);
    expect(count({ training: false })).toBe(6);
    x.dispose(); r.dispose();
  });
});

describe('X-MoE', () => {
  test('embeddings renormalised to 1.5; logits = <xW_r, e/‖e‖>; eval top-2 renormalised; aux loss', () => {
    const r = createRouter({ type: 'xmoe', useCapacity: false }, { dModel: 5, numExperts: 4, rng: new Rng(1) });
    const x = new Rng(2).normalTensor([6, 5]) as tf.Tensor2D;
    const o = r.route(x, { training: false, rng: new Rng(0) });
    const [wr, emb] = r.parameters();
    expect(wr!.variable.shape).toEqual([5, 16]);
    const norms = values(tf.norm(emb!.variable, 'euclidean', 1));
    expect(maxAbsDiff(norms, [1.5, 1.5, 1.5, 1.5])).toBeLessThan(1e-5);
    const ref = tf.tidy(() => tf.matMul(tf.matMul(x, wr!.variable as tf.Tensor2D), tf.div(emb!.variable, 1.5) as tf.Tensor2D, false, true));
    expect(maxAbsDiff(values(o.logits), values(ref))).toBeLessThan(1e-5);
    const p = o.probs.arraySync() as number[][];
    const w = o.weights.arraySync() as number[][];
    const top1 = p.map((row) => row.indexOf(Math.max(...row)));
    for (let t = 0; t < 6; t++) {
      const order = [0, 1, 2, 3].sort((a, b) => p[t]![b]! - p[t]![a]!);
      const s = p[t]![order[0]!]! + p[t]![order[1]!]!;
      const exp = [0, 0, 0, 0]; exp[order[0]!] = p[t]![order[0]!]! / s; exp[order[1]!] = p[t]![order[1]!]! / s;
      expect(maxAbsDiff(w[t]!, exp)).toBeLessThan(1e-6);
    }
    const me = [0, 1, 2, 3].map((e) => p.reduce((a, row) => a + row[e]!, 0) / 6);
    const ce = [0, 1, 2, 3].map((e) => top1.filter((v) => v === e).length / 6);
    expect(o.losses.balance!.dataSync()[0]!).toBeCloseTo(16 * me.reduce((a, v, e) => a + v * ce[e]!, 0) / 4, 5);
    disposeOut(o); tf.dispose([x, ref]); r.dispose();
  });
  test('training top-2: capacity 2·⌈S/E⌉ never exceeded; Gumbel second choice is seeded', () => {
    const r = createRouter({ type: 'xmoe' }, { dModel: 5, numExperts: 4, rng: new Rng(1) });
    const x = new Rng(2).normalTensor([16, 5]) as tf.Tensor2D;
    const run = (seed: number) => tf.tidy(() => values(r.route(x, { training: true, rng: new Rng(seed), groupSize: 8 }).dispatch));
    const d = run(1);
    expect(d).toEqual(run(1));
    for (let gi = 0; gi < 2; gi++) for (let e = 0; e < 4; e++) {
      let c = 0; for (let t = gi * 8; t < gi * 8 + 8; t++) c += d[t * 4 + e]!;
      expect(c).toBeLessThanOrEqual(4);
    }
    x.dispose(); r.dispose();
  });
});

// Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), for an independent Φ.
function erf(x: number): number {
  const s = Math.sign(x); x = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return s * y;
}
const cv2 = (v: number[]) => { const m = v.reduce((a, b) => a + b) / v.length; return v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length / (m * m); };

describe('V-MoE', () => {
  test('eval: gates = softmax(h), raw kept gates, importance and load losses in closed form', () => {
    const r = createRouter({ type: 'vmoe', topK: 2, capacityFactor: null }, { dModel: 4, numExperts: 4, rng: new Rng(1) });
    const [w] = r.parameters();
    w!.variable.assign(tf.eye(4));
    const h = [[1, 0.5, 0.2, -1], [0, 3, 1, 2], [0.3, 0.1, 0.2, 0.4]];
    const x = tf.tensor2d(h);
    const o = r.route(x, { training: false, rng: new Rng(0) });
    const p = h.map(softmaxRow);
    const top2 = [[0, 1], [1, 3], [3, 0]];
    expect(maxAbsDiff(values(o.weights), p.flatMap((row, t) => row.map((v, e) => (top2[t]!.includes(e) ? v : 0))))).toBeLessThan(1e-6);
    const imp = [0, 1, 2, 3].map((e) => p.reduce((a, row) => a + row[e]!, 0));
    expect(o.losses.importance!.dataSync()[0]!).toBeCloseTo(cv2(imp), 5);
    const sigma = 1 / 4;
    const theta = h.map((row, t) => row[top2[t]![1]!]!);
    const P = [0, 1, 2, 3].map((e) => h.reduce((a, row, t) => a + (1 - 0.5 * (1 + erf((theta[t]! - row[e]!) / sigma / Math.SQRT2))), 0) / 3);
    expect(o.losses.load!.dataSync()[0]!).toBeCloseTo(cv2(P), 4);
    expect(o.lossCoefficients).toEqual({ importance: 0.005, load: 0.005 });
    disposeOut(o); x.dispose(); r.dispose();
  });
  test('training noise is seeded; BPR capacity respected per group', () => {
    const r = createRouter({ type: 'vmoe', topK: 1, capacityFactor: 1, batchPriority: true }, { dModel: 4, numExperts: 4, rng: new Rng(1) });
    const x = new Rng(5).normalTensor([32, 4]) as tf.Tensor2D;
    const run = (seed: number) => tf.tidy(() => values(r.route(x, { training: true, rng: new Rng(seed), groupSize: 16 }).weights));
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
    x.dispose(); r.dispose();
  });
});

describe('MOESART (R9)', () => {
  const o = [1, 0.2, -0.5, 0.3, 2];
  test('small-random: S={0,3}, pivot 0, k=2 → [.169856, 0, 0, .830144, 0]', () => {
    const t = tf.tensor2d([o]);
    const w = moesartWeights(t, tf.tensor2d([[1, 0, 0, 1, 0]]), 2, 'small-random', new Int32Array([0]));
    expect(maxAbsDiff(values(w), [0.169856, 0, 0, 0.830144, 0])).toBeLessThan(2e-6);
    // closed form w_j = g_j/(1+g_j)
    const g = softmaxRow(o);
    expect(values(w)[0]!).toBeCloseTo(g[0]! / (1 + g[0]!), 6);
    tf.dispose([t, w]);
  });
  test('small-random: S={0,3,4}, pivot 3, k=3 → [.453882, 0, 0, .092235, .453882]', () => {
    const t = tf.tensor2d([o]);
    const w = moesartWeights(t, tf.tensor2d([[1, 0, 0, 1, 1]]), 3, 'small-random', new Int32Array([3]));
    expect(maxAbsDiff(values(w), [0.453882, 0, 0, 0.092235, 0.453882])).toBeLessThan(2e-6);
    tf.dispose([t, w]);
  });
  test("'zero' mode gives 1/k and zero gradient; 'large' gives g_S/Σg_S", () => {
    const t = tf.tensor2d([o]);
    const S = tf.tensor2d([[1, 0, 0, 1, 1]]);
    expect(maxAbsDiff(values(moesartWeights(t, S, 3, 'zero')), [1 / 3, 0, 0, 1 / 3, 1 / 3])).toBeLessThan(1e-6);
    const grad = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(moesartWeights(z as tf.Tensor2D, S, 3, 'zero'), tf.tensor2d([[1, 2, 3, 4, 5]]))))(t);
    expect(Math.max(...values(grad).map(Math.abs))).toBeLessThan(1e-5);
    const g = softmaxRow(o); const s = g[0]! + g[3]! + g[4]!;
    expect(maxAbsDiff(values(moesartWeights(t, S, 3, 'large')), [g[0]! / s, 0, 0, g[3]! / s, g[4]! / s])).toBeLessThan(1e-6);
    tf.dispose([t, S, grad]);
  });
  test('router: inference uses top-k with uniform weights; training samples with the trimmed lasso', () => {
    const r = createRouter({ type: 'moesart', topK: 2 }, { dModel: 5, numExperts: 5, rng: new Rng(1) });
    setIdentity(r, 5);
    const x = tf.tensor2d([o, [0, 0.1, 0.2, 0.3, 0.4]]);
    const ev = r.route(x, { training: false, rng: new Rng(0) });
    expect(maxAbsDiff(values(ev.weights), [0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5, 0.5])).toBeLessThan(1e-6);
    expect(Object.keys(ev.losses)).toEqual([]);
    const tr = r.route(x, { training: true, rng: new Rng(3) });
    const g = [o, [0, 0.1, 0.2, 0.3, 0.4]].map(softmaxRow);
    const R = g.map((row) => { const s = [...row].sort((a, b) => b - a); return s.slice(2).reduce((a, b) => a + b, 0); });
    expect(tr.losses.trimmedLasso!.dataSync()[0]!).toBeCloseTo((R[0]! + R[1]!) / 2, 6);
    expect(values(tr.selected).reduce((a, b) => a + b)).toBe(4);
    disposeOut(ev); disposeOut(tr); x.dispose(); r.dispose();
  });
  test('sampling without replacement follows P(S={i,j}) = g_i g_j/(1−g_i) + g_j g_i/(1−g_j)', () => {
    const g = [0.5, 0.3, 0.2];
    const trials = 20000;
    const rows = new Float32Array(trials * 3);
    for (let t = 0; t < trials; t++) rows.set(g, t * 3);
    const s = sampleWithoutReplacement(rows, trials, 3, 2, new Rng(11));
    const count: Record<string, number> = {};
    for (let t = 0; t < trials; t++) { const key = [s[2 * t]!, s[2 * t + 1]!].sort().join(''); count[key] = (count[key] ?? 0) + 1; expect(s[2 * t]).not.toBe(s[2 * t + 1]); }
    const law = (i: number, j: number) => (g[i]! * g[j]!) / (1 - g[i]!) + (g[j]! * g[i]!) / (1 - g[j]!);
    expect(Math.abs(count['01']! / trials - law(0, 1))).toBeLessThan(0.015);
    expect(Math.abs(count['02']! / trials - law(0, 2))).toBeLessThan(0.015);
    expect(Math.abs(count['12']! / trials - law(1, 2))).toBeLessThan(0.015);
  });
});
