// Seeded property tests over random (T, E, k, capacity) tables.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import {
  createRouter, tokensChooseDispatch, topKIndices, sparsemax, entmax15, entmaxBisect, softmax,
} from '@switchyard/routers';
import { maxAbsDiff, setupBackend, values } from './helpers.js';

beforeAll(setupBackend);

describe('dispatch properties (200 random tables)', () => {
  test('kept ⊆ selected; per group and expert kept = min(C, demand); positional top-1 keeps the first C choosers', () => {
    const rng = new Rng(2024);
    for (let trial = 0; trial < 200; trial++) {
      const e = 2 + rng.int(7), k = 1 + rng.int(Math.min(e, 3)), g = 1 + rng.int(12), groups = 1 + rng.int(3);
      const n = g * groups, cap = 1 + rng.int(Math.max(1, Math.ceil((g * k) / e) + 1));
      const scores = rng.uniformArray(n * e);
      const choices = topKIndices(scores, n, e, k);
      const order = rng.uniform() < 0.5 ? 'position' : 'bpr';
      const priority = rng.uniformArray(n);
      const plan = tokensChooseDispatch(choices, n, e, k, { capacity: cap, groupSize: g, order, priority });
      // collect violations and assert once (thousands of expect() calls are slow)
      const bad: string[] = [];
      for (let t = 0; t < n; t++) {
        let s = 0;
        for (let j = 0; j < e; j++) { s += plan.selected[t * e + j]!; if (plan.dispatch[t * e + j]! > plan.selected[t * e + j]!) bad.push(`kept ⊄ selected at ${t},${j}`); }
        if (s !== k) bad.push(`token ${t} selected ${s} ≠ k`);
      }
      for (let s0 = 0; s0 < n; s0 += g) for (let j = 0; j < e; j++) {
        let demand = 0, kept = 0;
        for (let t = s0; t < s0 + g; t++) { demand += plan.selected[t * e + j]!; kept += plan.dispatch[t * e + j]!; }
        if (kept !== Math.min(cap, demand)) bad.push(`group ${s0} expert ${j}: kept ${kept}, C ${cap}, demand ${demand}`);
        if (k === 1 && order === 'position') {
          let seen = 0;
          for (let t = s0; t < s0 + g; t++) if (plan.selected[t * e + j]) { seen++; if (plan.dispatch[t * e + j] !== (seen <= cap ? 1 : 0)) bad.push(`positional order broken at ${t}`); }
        }
      }
      expect(bad).toEqual([]);
    }
  });
});

const ROUTERS: { type: string; k?: number; sparse?: boolean; [key: string]: unknown }[] = [
  { type: 'linear-softmax-topk', topK: 2, k: 2 },
  { type: 'attention-softmax-topk', topK: 1, k: 1 },
  { type: 'linear-sparsemax', sparse: true },
  { type: 'attention-entmax15', sparse: true },
  { type: 'smoe', topK: 2, k: 2 },
  { type: 'smoe-dropout', kMin: 2, kMax: 3, totalSteps: 10, k: 3 },
  { type: 'moesart', topK: 2, k: 2 },
  { type: 'competesmoe', freq: 0, k: 2 },
];

describe('router output properties over random shapes', () => {
  test('weights ≥ 0, selected count = k (or the support size), weights vanish off the dispatch mask', () => {
    const rng = new Rng(77);
    for (let trial = 0; trial < 4; trial++) {
      const e = 3 + rng.int(4), d = 2 + rng.int(5), n = 2 + rng.int(10);
      for (const spec of ROUTERS) {
        const { k, sparse, ...config } = spec;
        const r = createRouter(config as { type: string }, { dModel: d, numExperts: e, rng: new Rng(trial) });
        const x = rng.normalTensor([n, d], 0, 2) as tf.Tensor2D;
        const o = r.route(x, { training: true, rng: new Rng(trial + 100), step: 10 });
        const w = values(o.weights), sel = values(o.selected), disp = values(o.dispatch), p = values(o.probs);
        for (let i = 0; i < w.length; i++) {
          expect(w[i]!).toBeGreaterThanOrEqual(0);
          if (!disp[i]) expect(w[i]).toBe(0);
        }
        for (let t = 0; t < n; t++) {
          const count = sel.slice(t * e, t * e + e).reduce((a, b) => a + b, 0);
          const support = p.slice(t * e, t * e + e).filter((v) => v > 0).length;
          expect(count).toBe(sparse ? support : k);
        }
        tf.dispose([x, o.logits, o.probs, o.weights, o.dispatch, o.selected, ...Object.values(o.losses)]);
        r.dispose();
      }
    }
  });

  test('top-1 through the generic top-k path equals the Switch router', () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 10; trial++) {
      const e = 2 + rng.int(6), d = 2 + rng.int(6), g = 2 + rng.int(6), n = g * (1 + rng.int(3)), cap = 1 + rng.int(3);
      const sw = createRouter({ type: 'switch-top1', expertCapacity: cap }, { dModel: d, numExperts: e, rng: new Rng(trial) });
      const x = rng.normalTensor([n, d]) as tf.Tensor2D;
      const o = sw.route(x, { training: false, rng: new Rng(0), groupSize: g });
      // generic path on the same gate: softmax → top-k(k=1) → capacity in position order → TK-A
      const gen = createRouter({ type: 'linear-softmax-topk', topK: 1 }, { dModel: d, numExperts: e, rng: new Rng(0) });
      const [gw, gb] = gen.parameters();
      gw!.variable.assign(sw.parameters()[0]!.variable);
      gb!.variable.assign(tf.zeros([e]));
      const og = gen.route(x, { training: false, rng: new Rng(0), groupSize: g });
      const plan = tokensChooseDispatch(topKIndices(og.probs.dataSync(), n, e, 1), n, e, 1, { capacity: cap, groupSize: g, order: 'position' });
      const pg = values(og.probs);
      expect(values(o.dispatch)).toEqual(Array.from(plan.dispatch));
      expect(maxAbsDiff(values(o.weights), values(og.weights).map((v, i) => v * plan.dispatch[i]!))).toBeLessThan(1e-7);
      expect(maxAbsDiff(values(o.probs), pg)).toBeLessThan(1e-7);
      tf.dispose([x, o.logits, o.probs, o.weights, o.dispatch, o.selected, o.hfExpertIndex!, ...Object.values(o.losses),
        og.logits, og.probs, og.weights, og.dispatch, og.selected]);
      sw.dispose(); gen.dispose();
    }
  });
});

/** Central differences of f at x (flat), eps. */
function numericGrad(f: (x: tf.Tensor) => tf.Scalar, x: number[], shape: number[], eps: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const val = (delta: number) => tf.tidy(() => { const y = x.slice(); y[i]! += delta; return f(tf.tensor(y, shape)).dataSync()[0]!; });
    out.push((val(eps) - val(-eps)) / (2 * eps));
  }
  return out;
}

describe('gradients match central differences (eps 1e-2)', () => {
  // [name, map, a cheaper map with the same support (bisection's support is entmax15's)]
  const maps: [string, (x: tf.Tensor) => tf.Tensor, (x: tf.Tensor) => tf.Tensor][] = [
    ['softmax', (x) => softmax(x), (x) => softmax(x)], ['sparsemax', (x) => sparsemax(x), (x) => sparsemax(x)],
    ['entmax15', (x) => entmax15(x), (x) => entmax15(x)], ['entmaxBisect', (x) => entmaxBisect(x, 1.5, -1, 30), (x) => entmax15(x)],
    ['sparsemax axis 0', (x) => sparsemax(x, 0), (x) => sparsemax(x, 0)],
  ];
  test.each(maps)('%s', (_name, f, supportMap) => {
    const rng = new Rng(31);
    let checked = 0;
    for (let trial = 0; trial < 5; trial++) {
      const shape = [2, 3 + rng.int(3)];
      const x = Array.from(rng.normalArray(shape[0]! * shape[1]!, 0, 1));
      const gOut = tf.tensor(Array.from(rng.normalArray(x.length)), shape);
      // skip inputs whose support changes within ±eps (the map is not differentiable there)
      const supp = (v: number[]) => tf.tidy(() => values(supportMap(tf.tensor(v, shape))).map((y) => y > 1e-6));
      const base = supp(x);
      let stable = true;
      for (let i = 0; i < x.length && stable; i++) for (const dlt of [-0.011, 0.011]) {
        const y = x.slice(); y[i]! += dlt; if (supp(y).some((s, j) => s !== base[j])) stable = false;
      }
      if (stable) {
        const loss = (z: tf.Tensor) => tf.sum(tf.mul(f(z), gOut)) as tf.Scalar;
        const xt = tf.tensor(x, shape);
        const analytic = tf.grad(loss)(xt);
        const numeric = numericGrad(loss, x, shape, 1e-2);
        expect(maxAbsDiff(values(analytic), numeric)).toBeLessThan(3e-3);
        tf.dispose([xt, analytic]);
        checked++;
      }
      gOut.dispose();
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  test.each([
    ['linear-softmax-topk (TK-A)', { type: 'linear-softmax-topk', topK: 2 }],
    ['smoe (TK-B)', { type: 'smoe', topK: 2 }],
    ['switch-top1 (TK-C) + aux losses', { type: 'switch-top1', jitterNoise: 0 }],
    ['vmoe eval + losses', { type: 'vmoe', topK: 2, capacityFactor: null }],
    ['xmoe top-2 (TK-D) + aux', { type: 'xmoe', useCapacity: false }],
    ['stablemoe stage 1 (α and balance loss)', { type: 'stablemoe', distill: false, capacityFactor: null }],
    ['moesart small-random + trimmed lasso', { type: 'moesart', topK: 2 }],
    ['attention-sparsemax', { type: 'attention-sparsemax' }],
  ] as const)('router parameters: %s', (_name, config) => {
    const rng = new Rng(8);
    const d = 3, e = 4, n = 5;
    const r = createRouter({ ...config }, { dModel: d, numExperts: e, rng: new Rng(3) });
    const x = rng.normalTensor([n, d]) as tf.Tensor2D;
    const gOut = rng.normalTensor([n, e]);
    const w = r.parameters()[0]!.variable;
    w.assign(rng.normalTensor(w.shape)); // unit-scale logits, so ±eps does not flip the routing
    const w0 = Array.from(w.dataSync());
    const objective = () => {
      const training = config.type === 'stablemoe' || config.type === 'moesart';
      const o = r.route(x, { training, rng: new Rng(0), step: 0 });
      let s = tf.sum(tf.mul(o.weights, gOut));
      for (const l of Object.values(o.losses)) s = tf.add(s, l);
      return { s: s as tf.Scalar, sel: values(o.dispatch) };
    };
    const sel0 = tf.tidy(() => objective().sel);
    const { grads } = tf.variableGrads(() => objective().s, [w]);
    const analytic = values(grads[w.name]!);
    const numeric: number[] = [];
    for (let i = 0; i < w0.length; i++) {
      const at = (delta: number) => { const y = w0.slice(); y[i]! += delta; w.assign(tf.tensor(y, w.shape)); return tf.tidy(() => { const o = objective(); expect(o.sel).toEqual(sel0); return o.s.dataSync()[0]!; }); };
      numeric.push((at(1e-2) - at(-1e-2)) / 2e-2);
    }
    w.assign(tf.tensor(w0, w.shape));
    expect(maxAbsDiff(analytic, numeric)).toBeLessThan(3e-3);
    expect(Math.max(...analytic.map(Math.abs))).toBeGreaterThan(1e-4);
    tf.dispose([x, gOut, ...Object.values(grads)]);
    r.dispose();
  });
});
