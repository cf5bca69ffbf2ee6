// The k-sparse routers of MOESART's comparison hold their papers' guarantees:
// * MOESART (arXiv 2310.18217) activates at most k experts per example in every training step —
//   over seeds, E, k, modes, logit scales and 60 gradient updates of the gate — and exactly k
//   distinct ones whenever every expert has probability mass; inference is top-k with 1/k each.
// * Expert Choice (arXiv 2202.09368): each expert takes exactly C tokens per group, C from the
//   capacity formula computed here independently, and they are its top-C tokens by probability.
// * V-MoE Batch Prioritized Routing (arXiv 2106.05974): over capacity, the lowest-priority
//   (smallest max gate) tokens are dropped first, rank-1 choices before rank-2 — hand-built cases
//   (docs/routers.md §2.4 vectors and our own) and a seeded property check.
// Gates are set by hand through the gate variables: x = identity rows, W = the wanted logits.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { createRouter, expertsChooseDispatch, tokensChooseDispatch, type Router, type RouterOutput } from '@switchyard/routers';
import { setupBackend, values } from './helpers.js';

beforeAll(setupBackend);

function disposeOut(o: RouterOutput): void {
  tf.dispose([o.logits, o.probs, o.weights, o.dispatch, o.selected, ...Object.values(o.losses)]);
}
function rowsOf(v: number[], n: number, e: number): number[][] {
  return Array.from({ length: n }, (_, i) => v.slice(i * e, (i + 1) * e));
}
/** Set a linear gate so that logits = x·W + b with x = I: W = logits rows, b = 0. */
function setLogits(r: Router, logits: number[][]): tf.Tensor2D {
  const [w, b] = r.parameters();
  w!.variable.assign(tf.tensor2d(logits));
  if (b) b.variable.assign(tf.zerosLike(b.variable));
  return tf.eye(logits.length) as tf.Tensor2D;
}
const indexSet = (row: number[]) => row.flatMap((v, j) => (v !== 0 ? [j] : []));

describe('MOESART activates at most k experts per example', () => {
  const cases: [number, number, 'zero' | 'small-random' | 'large'][] = [];
  for (const e of [4, 8, 16]) for (const k of [1, 2, 4]) for (const mode of ['zero', 'small-random', 'large'] as const) {
    if (k <= e && !(mode === 'small-random' && k < 2)) cases.push([e, k, mode]);
  }
  it.each(cases)('E=%i k=%i %s: every training step over seeds and logit scales', (e, k, mode) => {
    const d = 6, n = 16;
    for (const seed of [1, 2]) for (const scale of [0.1, 1, 10]) {
      const r = createRouter({ type: 'moesart', topK: k, mode }, { dModel: d, numExperts: e, rng: new Rng(seed) });
      const x = new Rng(100 + seed).normalTensor([n, d], 0, scale) as tf.Tensor2D;
      const rng = new Rng(seed).fork('route');
      for (let step = 0; step < 4; step++) {
        const o = r.route(x, { training: true, rng });
        const dispatch = values(o.dispatch), w = values(o.weights), p = values(o.probs);
        expect(values(o.selected)).toEqual(dispatch);
        const bad: string[] = [];
        for (let t = 0; t < n; t++) {
          const act = indexSet(dispatch.slice(t * e, (t + 1) * e));
          const allMass = p.slice(t * e, (t + 1) * e).every((v) => v > 0);
          if (act.length > k || (allMass && act.length !== k)) bad.push(`seed ${seed} scale ${scale} step ${step} example ${t}: ${act.length} experts`);
          // weights live on the chosen set only and sum to 1
          let s = 0;
          for (let j = 0; j < e; j++) { if (!act.includes(j) && w[t * e + j] !== 0) bad.push(`example ${t}: weight on unchosen expert ${j}`); s += w[t * e + j]!; }
          if (Math.abs(s - 1) > 1e-5) bad.push(`example ${t}: weights sum to ${s}`);
        }
        expect(bad).toEqual([]);
        disposeOut(o);
      }
      x.dispose(); r.dispose();
    }
  });

  it('across 60 gradient updates of the gate (trimmed lasso + a task loss), every step k-sparse', () => {
    const e = 8, k = 2, d = 5, n = 32;
    const r = createRouter({ type: 'moesart', topK: k, lambda: 0.5 }, { dModel: d, numExperts: e, rng: new Rng(7) });
    const x = new Rng(8).normalTensor([n, d]) as tf.Tensor2D;
    const target = new Rng(9).normalTensor([n, e], 0, 3);
    const rng = new Rng(10);
    const opt = tf.train.sgd(0.5);
    const vars = r.parameters().map((p) => p.variable);
    const activeSeen = new Set<number>();
    for (let step = 0; step < 60; step++) {
      let dispatch: number[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const o = r.route(x, { training: true, rng });
        dispatch = values(o.dispatch);
        return tf.add(tf.neg(tf.sum(tf.mul(o.weights, target))), tf.mul(o.losses.trimmedLasso!, o.lossCoefficients.trimmedLasso!)) as tf.Scalar;
      }, vars);
      opt.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads)]);
      for (const row of rowsOf(dispatch, n, e)) {
        const c = indexSet(row).length;
        activeSeen.add(c);
        expect(c).toBeLessThanOrEqual(k);
      }
    }
    expect([...activeSeen]).toEqual([k]);
    opt.dispose();
    x.dispose(); target.dispose(); r.dispose();
  });

  it('inference: the top-k experts, weight 1/k each', () => {
    const r = createRouter({ type: 'moesart', topK: 2 }, { dModel: 3, numExperts: 4, rng: new Rng(1) });
    const x = setLogits(r, [[1, 0.2, -0.5, 0.3], [0, 3, 2, -1], [-2, -1, 0, 5]]);
    const o = r.route(x, { training: false, rng: new Rng(0) });
    expect(rowsOf(values(o.dispatch), 3, 4)).toEqual([[1, 0, 0, 1], [0, 1, 1, 0], [0, 0, 1, 1]]);
    expect(values(o.weights)).toEqual([0.5, 0, 0, 0.5, 0, 0.5, 0.5, 0, 0, 0, 0.5, 0.5].map((v) => expect.closeTo(v, 6)));
    disposeOut(o); x.dispose(); r.dispose();
  });

  // Known deviation (reported, not fixed here): when fewer than k experts have float32 mass
  // (softmax underflow), the sampler falls back to expert 0 again, so an example gets fewer than
  // k distinct experts. At most k still holds; "exactly k distinct" does not.
  it.failing('with softmax underflow (2 experts with mass, k = 3) still picks 3 distinct experts', () => {
    const r = createRouter({ type: 'moesart', topK: 3, mode: 'large' }, { dModel: 2, numExperts: 4, rng: new Rng(1) });
    const x = setLogits(r, [[0, 0, -200, -200], [-200, 0, 0, -200]]);
    const o = r.route(x, { training: true, rng: new Rng(3) });
    const d = rowsOf(values(o.dispatch), 2, 4);
    disposeOut(o); x.dispose(); r.dispose();
    expect(d.map((row) => indexSet(row).length)).toEqual([3, 3]);
  });
});

/** Capacities as the papers' implementations define them, written out independently. */
function roundHalfEvenRef(v: number): number {
  const f = Math.floor(v), diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
const flaxformerC = (cf: number, g: number, e: number) => Math.max(roundHalfEvenRef((cf * g) / e), 4);
const vmoeC = (cf: number, g: number, k: number, e: number) => 4 * Math.ceil(Math.ceil((cf * g * k) / e) / 4);

describe('Expert Choice: per-expert capacity holds', () => {
  it('docs/routers.md R11 vector: C = 2 over the §2.4 gates', () => {
    const G = [[0.7, 0.2, 0.1], [0.15, 0.8, 0.05], [0.6, 0.3, 0.1], [0.5, 0.1, 0.4], [0.9, 0.06, 0.04], [0.2, 0.3, 0.5]];
    const m = expertsChooseDispatch(G.flat(), 6, 3, 2, 6);
    const byExpert = [0, 1, 2].map((ex) => [0, 1, 2, 3, 4, 5].filter((t) => m[t * 3 + ex] === 1));
    expect(byExpert).toEqual([[0, 4], [1, 2], [3, 5]]);
  });
  const cases: ['flaxformer' | 'vmoe', number, number, number][] = [
    ['flaxformer', 2, 16, 4], ['flaxformer', 1, 40, 8], ['flaxformer', 0.5, 24, 3], ['flaxformer', 2, 6, 2],
    ['vmoe', 2, 16, 4], ['vmoe', 1.25, 40, 8], ['vmoe', 0.5, 24, 3],
  ];
  it.each(cases)('%s cf=%f group=%i E=%i: each expert takes exactly C tokens per group, its top-C by probability', (rule, cf, g, e) => {
    const d = 5, groups = 3, n = g * groups;
    const c = Math.min(rule === 'flaxformer' ? flaxformerC(cf, g, e) : vmoeC(cf, g, 1, e), g);
    for (const seed of [1, 2, 3, 4]) for (const training of [true, false]) {
      const r = createRouter({ type: 'expert-choice', capacityFactor: cf, capacityRule: rule }, { dModel: d, numExperts: e, rng: new Rng(seed) });
      const x = new Rng(50 + seed).normalTensor([n, d], 0, 20) as tf.Tensor2D;   // large scale: spread-out probabilities
      const o = r.route(x, { training, rng: new Rng(0), groupSize: g });
      const dispatch = values(o.dispatch), p = values(o.probs), w = values(o.weights);
      const bad: string[] = [];
      for (let s = 0; s < n; s += g) {
        for (let ex = 0; ex < e; ex++) {
          const taken: number[] = [];
          for (let t = s; t < s + g; t++) if (dispatch[t * e + ex] === 1) taken.push(t);
          if (taken.length !== c) bad.push(`group ${s / g} expert ${ex}: ${taken.length} tokens, C = ${c}`);
          // no token left out has a larger probability for this expert than one taken
          const minTaken = Math.min(...taken.map((t) => p[t * e + ex]!));
          for (let t = s; t < s + g; t++) if (!taken.includes(t) && p[t * e + ex]! > minTaken) bad.push(`expert ${ex}: token ${t} left out above a taken one`);
          // combine weight = p for the taken tokens, 0 otherwise
          for (let t = s; t < s + g; t++) if (Math.abs(w[t * e + ex]! - (taken.includes(t) ? p[t * e + ex]! : 0)) > 1e-6) bad.push(`weight [${t}, ${ex}]`);
        }
      }
      expect(bad).toEqual([]);
      disposeOut(o); x.dispose(); r.dispose();
    }
  });
});

describe('V-MoE Batch Prioritized Routing drops the lowest-priority tokens first', () => {
  const G = [[0.7, 0.2, 0.1], [0.15, 0.8, 0.05], [0.6, 0.3, 0.1], [0.5, 0.1, 0.4], [0.9, 0.06, 0.04], [0.2, 0.3, 0.5]];
  const top = (k: number) => Int32Array.from(G.flatMap((row) => row.map((v, j) => [v, j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k).map(([, j]) => j)));
  const prio = G.map((row) => Math.max(...row));
  const kept = (m: Float32Array) => rowsOf(Array.from(m), 6, 3).map(indexSet);
  it('docs/routers.md §2.4 vectors: top-1 C=2 and top-2 C=3, positional vs BPR', () => {
    const pos1 = tokensChooseDispatch(top(1), 6, 3, 1, { capacity: 2, groupSize: 6, order: 'position' });
    expect(kept(pos1.dispatch)).toEqual([[0], [1], [0], [], [], [2]]);
    const bpr1 = tokensChooseDispatch(top(1), 6, 3, 1, { capacity: 2, groupSize: 6, order: 'bpr', priority: prio });
    expect(kept(bpr1.dispatch)).toEqual([[0], [1], [], [], [0], [2]]);
    const pos2 = tokensChooseDispatch(top(2), 6, 3, 2, { capacity: 3, groupSize: 6, order: 'position' });
    expect(kept(pos2.dispatch)).toEqual([[0, 1], [1], [0, 1], [0, 2], [], [2]]);
    const bpr2 = tokensChooseDispatch(top(2), 6, 3, 2, { capacity: 3, groupSize: 6, order: 'bpr', priority: prio });
    expect(kept(bpr2.dispatch)).toEqual([[0, 1], [1], [0], [2], [0, 1], [2]]);
  });

  // Our own case through the router: 8 tokens, E = 2, top-1, cf 1 → C = ceil(1·8/2) = 4.
  // Tokens 0..5 choose e0 with max gates .55 .95 .60 .90 .65 .85 (priority order 1,3,5,4,2,0);
  // tokens 6, 7 choose e1. Over capacity at e0: BPR keeps 1,3,5,4 and drops 2 and 0 (the two
  // lowest); positional order keeps 0..3 and drops 4, 5.
  const gates = [0.55, 0.95, 0.6, 0.9, 0.65, 0.85].map((g) => [g, 1 - g]).concat([[0.3, 0.7], [0.2, 0.8]]);
  it.each([[true], [false]])('through the vmoe router (training %s, no noise)', (training) => {
    for (const [bpr, expectKept] of [[true, [1, 3, 4, 5]], [false, [0, 1, 2, 3]]] as const) {
      const r = createRouter({ type: 'vmoe', topK: 1, capacityFactor: 1, batchPriority: bpr, noiseStd: 0 }, { dModel: 8, numExperts: 2, rng: new Rng(1) });
      const x = setLogits(r, gates.map((row) => row.map(Math.log)));
      const o = r.route(x, { training, rng: new Rng(2), groupSize: 8 });
      const d = rowsOf(values(o.dispatch), 8, 2);
      expect(d.flatMap((row, t) => (row[0] === 1 ? [t] : []))).toEqual(expectKept);
      expect(d.flatMap((row, t) => (row[1] === 1 ? [t] : []))).toEqual([6, 7]);
      expect(values(o.selected).reduce((a, b) => a + b, 0)).toBe(8);
      disposeOut(o); x.dispose(); r.dispose();
    }
  });

  it('seeded property: for every expert, no dropped pair outranks a kept pair of the same rank', () => {
    for (const [k, e, g, cf] of [[1, 4, 32, 0.5], [2, 4, 32, 0.5], [2, 8, 48, 0.3], [1, 3, 12, 0.25]] as const) {
      for (const seed of [1, 2, 3]) {
        const d = 6;
        const r = createRouter({ type: 'vmoe', topK: k, capacityFactor: cf, batchPriority: true }, { dModel: d, numExperts: e, rng: new Rng(seed) });
        const x = new Rng(70 + seed).normalTensor([2 * g, d], 0, 30) as tf.Tensor2D;
        const o = r.route(x, { training: true, rng: new Rng(seed), groupSize: g });
        const gv = values(o.probs), sel = values(o.selected), dis = values(o.dispatch);
        const c = vmoeC(cf, g, k, e);
        for (let s = 0; s < 2 * g; s += g) {
          for (let ex = 0; ex < e; ex++) {
            // rank of expert ex in token t's choice (0 = rank-1), priority = max gate
            const pairs: { t: number; rank: number; prio: number; kept: boolean }[] = [];
            for (let t = s; t < s + g; t++) {
              if (sel[t * e + ex] !== 1) continue;
              const row = gv.slice(t * e, (t + 1) * e);
              const rank = row.filter((v, j) => v > row[ex]! || (v === row[ex]! && j < ex)).length;
              pairs.push({ t, rank, prio: Math.max(...row), kept: dis[t * e + ex] === 1 });
            }
            expect(pairs.filter((p) => p.kept).length).toBeLessThanOrEqual(c);
            if (pairs.length <= c) expect(pairs.every((p) => p.kept)).toBe(true);
            for (const a of pairs) for (const b of pairs) {
              if (a.kept && !b.kept && a.rank === b.rank) expect(a.prio).toBeGreaterThanOrEqual(b.prio);
              // a rank-1 pair is never dropped while a rank-2 pair of the same expert is kept
              if (!a.kept && b.kept) expect(a.rank).toBeGreaterThanOrEqual(b.rank);
            }
          }
        }
        disposeOut(o); x.dispose(); r.dispose();
      }
    }
  });
});
