import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@switchyard/tensor-engine';
import { AdamW, Adafactor, createOptimizer } from '../src/optim/index.js';
import type { TrainParameter } from '../src/types.js';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

let nextId = 0;
function param(name: string, values: number[], shape: number[], frozen = false): TrainParameter {
  const init = tf.tensor(values, shape);
  const variable = tf.variable(init, true, `opt-test-${nextId++}`);
  init.dispose();
  return { name, variable, frozen };
}

describe('AdamW', () => {
  test('constant gradient: closed form p_t = p0 − t·lr·g/(|g|+ε) without decay', () => {
    const p = param('w', [1, -2], [2]);
    const g = { w: tf.tensor([0.5, -1]) };
    const opt = new AdamW({ eps: 1e-8 });
    const lr = 0.01;
    for (let t = 0; t < 5; t++) opt.apply([p], g, lr);
    const got = Array.from(p.variable.dataSync());
    const want = [1 - 5 * lr * 0.5 / (0.5 + 1e-8), -2 + 5 * lr * 1 / (1 + 1e-8)];
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 6));
    tf.dispose([p.variable, g.w]); opt.dispose();
  });

  test('matches a float64 torch.optim.AdamW recurrence with weight decay and varying gradients', () => {
    const p = param('w', [0.3, -0.7, 1.1], [3]);
    const opt = new AdamW({ weightDecay: 0.1, beta1: 0.8, beta2: 0.99, eps: 1e-6 });
    const ref = [0.3, -0.7, 1.1], m = [0, 0, 0], v = [0, 0, 0];
    for (let t = 1; t <= 4; t++) {
      const gv = ref.map((x, i) => Math.fround(Math.sin(t + i) * 0.5));
      const lr = 0.02 / t;
      const g = { w: tf.tensor(gv) };
      opt.apply([p], g, lr);
      g.w.dispose();
      for (let i = 0; i < 3; i++) {
        ref[i] = ref[i]! * (1 - lr * 0.1);
        m[i] = 0.8 * m[i]! + 0.2 * gv[i]!;
        v[i] = 0.99 * v[i]! + 0.01 * gv[i]! * gv[i]!;
        const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - 0.99 ** t) + 1e-6;
        ref[i] = ref[i]! - (lr / (1 - 0.8 ** t)) * m[i]! / denom;
      }
    }
    Array.from(p.variable.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(ref[i]!, 5));
    p.variable.dispose(); opt.dispose();
  });

  test('frozen parameters and parameters without gradient are not updated', () => {
    const a = param('a', [1, 2], [2], true);
    const b = param('b', [3], [1]);
    const opt = createOptimizer({ type: 'adamw' });
    const g = { a: tf.tensor([1, 1]) };
    opt.apply([a, b], g, 0.1);
    expect(Array.from(a.variable.dataSync())).toEqual([1, 2]);
    expect(Array.from(b.variable.dataSync())).toEqual([3]);
    tf.dispose([a.variable, b.variable, g.a]); opt.dispose();
  });

  test('exported state resumes bit-identically and the optimiser does not leak', () => {
    const before = tf.memory().numTensors;
    const mk = () => param('w', [0.5, -0.25, 2, 1], [2, 2]);
    const grads = (t: number) => ({ w: tf.tensor([t * 0.1, -0.2, 0.3 / t, 0.05], [2, 2]) });
    const run = (split: boolean) => {
      const p = mk();
      let opt = new AdamW({ weightDecay: 0.01 });
      for (let t = 1; t <= 6; t++) {
        if (split && t === 4) { const s = opt.exportState(); opt.dispose(); opt = new AdamW({ weightDecay: 0.01 }); opt.importState(s); }
        const g = grads(t); opt.apply([p], g, 0.01); g.w.dispose();
      }
      opt.dispose();
      const out = Array.from(p.variable.dataSync()); p.variable.dispose();
      return out;
    };
    expect(run(true)).toEqual(run(false));
    expect(tf.memory().numTensors).toBe(before);
  });

  test.each(['adamw', 'adafactor'] as const)('%s: gradScale c applies the update of c·g', (type) => {
    const a = param('w', [0.5, -1, 2, 0.25], [2, 2]), b = param('w', [0.5, -1, 2, 0.25], [2, 2]);
    const oa = createOptimizer({ type }), ob = createOptimizer({ type });
    for (let t = 1; t <= 3; t++) {
      const g = { w: tf.tensor([0.3 * t, -0.2, 0.1, 0.4 / t], [2, 2]) };
      const scaled = { w: tf.mul(g.w, 0.37) };
      oa.apply([a], g, 0.01, 0.37);
      ob.apply([b], scaled, 0.01);
      tf.dispose([g.w, scaled.w]);
    }
    const va = Array.from(a.variable.dataSync()), vb = Array.from(b.variable.dataSync());
    va.forEach((x, i) => expect(x).toBeCloseTo(vb[i]!, 6));
    tf.dispose([a.variable, b.variable]); oa.dispose(); ob.dispose();
  });

  test('refuses state of another optimiser', () => {
    const s = new Adafactor().exportState();
    expect(() => new AdamW().importState(s)).toThrow(/adafactor/);
  });
});

describe('Adafactor', () => {
  // Float64 reference of HF transformers' Adafactor step (factored for matrices, beta1 off).
  function refStep(p: number[][], g: number[][], st: { r: number[]; c: number[] }, t: number, lr: number) {
    const rows = p.length, cols = p[0]!.length, eps1 = 1e-30, eps2 = 1e-3;
    const rmsP = Math.sqrt(p.flat().reduce((a, x) => a + x * x, 0) / (rows * cols));
    const alpha = Math.max(eps2, rmsP) * lr;
    const b2 = 1 - Math.pow(t, -0.8);
    const u0 = g.map((row) => row.map((x) => x * x + eps1));
    st.r = st.r.map((x, i) => b2 * x + (1 - b2) * u0[i]!.reduce((a, y) => a + y, 0) / cols);
    st.c = st.c.map((x, j) => b2 * x + (1 - b2) * u0.reduce((a, row) => a + row[j]!, 0) / rows);
    const rMean = st.r.reduce((a, x) => a + x, 0) / rows;
    let u = g.map((row, i) => row.map((x, j) => x / Math.sqrt(st.r[i]! / rMean) / Math.sqrt(st.c[j]!)));
    const rmsU = Math.sqrt(u.flat().reduce((a, x) => a + x * x, 0) / (rows * cols));
    u = u.map((row) => row.map((x) => (x / Math.max(1, rmsU)) * alpha));
    return p.map((row, i) => row.map((x, j) => x - u[i]![j]!));
  }

  test('factored update equals a float64 reference of HF Adafactor over 3 steps', () => {
    let ref = [[0.5, -1.2, 0.3], [2.0, 0.1, -0.4]];
    const p = param('m', ref.flat(), [2, 3]);
    const opt = new Adafactor();
    const st = { r: [0, 0], c: [0, 0, 0] };
    for (let t = 1; t <= 3; t++) {
      const gv = [[0.1 * t, -0.3, 0.2], [0.05, 0.4 / t, -0.1]].map((r) => r.map(Math.fround));
      const g = { m: tf.tensor(gv.flat(), [2, 3]) };
      opt.apply([p], g, 0.01); g.m.dispose();
      ref = refStep(ref, gv, st, t, 0.01);
    }
    Array.from(p.variable.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(ref.flat()[i]!, 5));
    const state = opt.exportState();
    expect(Object.keys(state.slots).sort()).toEqual(['m::exp_avg_sq_col', 'm::exp_avg_sq_row']);
    p.variable.dispose(); opt.dispose();
  });

  test('vector update: unfactored second moment, clipped to RMS ≤ 1 on the first step', () => {
    // Step 1: β2_1 = 0, V = g² + ε1, u = g/|g| = sign(g), RMS(u) = 1, so p ← p − α·sign(g)
    // with α = max(1e-3, RMS(p))·lr.
    const p = param('v', [3, -4], [2]);
    const opt = new Adafactor({ relativeStep: true });
    const g = { v: tf.tensor([0.2, 0.5]) };
    opt.apply([p], g, 123 /* ignored with relativeStep */);
    const alpha = Math.sqrt((9 + 16) / 2) * 1e-2; // ρ_1 = min(1e-2, 1) = 1e-2
    const got = Array.from(p.variable.dataSync());
    expect(got[0]).toBeCloseTo(3 - alpha, 6);
    expect(got[1]).toBeCloseTo(-4 - alpha, 6);
    tf.dispose([p.variable, g.v]); opt.dispose();
  });
});
