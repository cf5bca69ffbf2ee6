// StableMoE (two stages) and CompeteSMoE (competition via ctx.allExpertOutputs).
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { createRouter, competitionProbability, type RouterOutput } from '@switchyard/routers';
import { maxAbsDiff, setupBackend, values } from './helpers.js';

beforeAll(setupBackend);

function disposeOut(o: RouterOutput) {
  tf.dispose([o.logits, o.probs, o.weights, o.dispatch, o.selected, ...Object.values(o.losses)]);
  if (o.inputWeight) o.inputWeight.dispose();
}
const sig = (v: number) => 1 / (1 + Math.exp(-v));

describe('StableMoE', () => {
  const init = { dModel: 4, numExperts: 2, rng: new Rng(1), vocabSize: 5 };
  test('stage 1: greedy on a = x cᵀ, capacity int(n̄·cf), w = σ(a), distillation CE and balance loss', () => {
    const r = createRouter({ type: 'stablemoe', capacityFactor: 1.5, twoStageUpdates: 10, distillDim: 2 }, init);
    expect(r.parameters().map((p) => p.name)).toEqual(['expert_centroids', 'distill_embed.weight', 'distill_centroids']);
    const [c, v, c2] = r.parameters();
    c!.variable.assign(tf.tensor2d([[1, 0, 0, 0], [0, 1, 0, 0]]));         // a = x[:, :2]
    v!.variable.assign(tf.tensor2d([[1, 0], [0, 1], [1, 1], [2, 0], [0, 2]]));
    c2!.variable.assign(tf.tensor2d([[1, 0], [0, 1]]));                      // a' = v[id]
    const x = tf.tensor2d([[1, 0, 0, 0], [2, 0, 0, 0], [3, 0, 0, 0], [0, 1, 0, 0]]);
    const ids = tf.tensor1d([1, 0, 3, 4], 'int32');
    const o = r.route(x, { training: true, rng: new Rng(0), step: 3, tokenIds: ids });
    // all of tokens 0–2 choose e0, capacity int(2·1.5) = 3 → all kept; token 3 → e1
    expect(values(o.dispatch)).toEqual([1, 0, 1, 0, 1, 0, 0, 1]);
    expect(maxAbsDiff(values(o.weights), [sig(1), 0, sig(2), 0, sig(3), 0, 0, sig(1)])).toBeLessThan(1e-6);
    // distill: Σ_t −log softmax(a'_t)[argmax a_t]; a' rows [0,1],[1,0],[2,0],[0,2]; targets 0,0,0,1
    const lsm = (row: number[], j: number) => row[j]! - Math.log(row.reduce((s, z) => s + Math.exp(z), 0));
    const distill = -(lsm([0, 1], 0) + lsm([1, 0], 0) + lsm([2, 0], 0) + lsm([0, 2], 1));
    // balance: n̄ = 2; e0: (3−2)/2·(σ1+σ2+σ3); e1: (1−2)/2·σ(1)
    const balance = 0.5 * (sig(1) + sig(2) + sig(3)) - 0.5 * sig(1);
    // default lossReduction 'mean': the token sums over the N = 4 tokens of the call
    expect(o.losses.distill!.dataSync()[0]!).toBeCloseTo(distill / 4, 5);
    expect(o.losses.balance!.dataSync()[0]!).toBeCloseTo(balance / 4, 5);
    expect(o.lossCoefficients).toEqual({ distill: 0.3, balance: 0.3 });
    disposeOut(o);
    // 'sum': the reference's reduction
    const rs = createRouter({ type: 'stablemoe', capacityFactor: 1.5, twoStageUpdates: 10, distillDim: 2, lossReduction: 'sum' }, init);
    rs.parameters().forEach((p, i) => p.variable.assign(r.parameters()[i]!.variable));
    const os = rs.route(x, { training: true, rng: new Rng(0), step: 3, tokenIds: ids });
    expect(os.losses.distill!.dataSync()[0]!).toBeCloseTo(distill, 5);
    expect(os.losses.balance!.dataSync()[0]!).toBeCloseTo(balance, 5);
    disposeOut(os);
    rs.dispose();
    // stage 2 and inference route on a' = v[id]: token 0 (id 1) → e1, 1 (id 0) → e0, 2 (id 3) → e0, 3 (id 4) → e1
    for (const ctx of [{ training: true, step: 10 }, { training: false }]) {
      const o2 = r.route(x, { ...ctx, rng: new Rng(0), tokenIds: ids });
      expect(values(o2.dispatch)).toEqual([0, 1, 1, 0, 1, 0, 0, 1]);
      expect(Object.keys(o2.losses)).toEqual([]);
      disposeOut(o2);
    }
    tf.dispose([x, ids]); r.dispose();
  });
  test('capacity drops in position order; residual-expert mapping gives inputWeight = −α', () => {
    const r = createRouter({ type: 'stablemoe', distill: false, capacityFactor: 1, expertIsResidual: true }, init);
    r.parameters()[0]!.variable.assign(tf.tensor2d([[1, 0, 0, 0], [0, 1, 0, 0]]));
    const x = tf.tensor2d([[1, 0, 0, 0], [2, 0, 0, 0], [3, 0, 0, 0], [0, 1, 0, 0]]);
    const o = r.route(x, { training: false, rng: new Rng(0) });
    expect(values(o.dispatch)).toEqual([1, 0, 1, 0, 0, 0, 0, 1]);          // C = int(2·1) = 2
    expect(maxAbsDiff(values(o.inputWeight!), [-sig(1), -sig(2), 0, -sig(1)])).toBeLessThan(1e-6);
    disposeOut(o); x.dispose(); r.dispose();
  });
  test('missing vocabSize or tokenIds is an error', () => {
    expect(() => createRouter({ type: 'stablemoe' }, { dModel: 4, numExperts: 2, rng: new Rng(1) })).toThrow(/vocabSize/);
    const r = createRouter({ type: 'stablemoe' }, init);
    const x = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => r.route(x, { training: true, rng: new Rng(0) })).toThrow(/tokenIds/);
    x.dispose(); r.dispose();
  });
});

describe('CompeteSMoE', () => {
  const init = { dModel: 3, numExperts: 4, rng: new Rng(1) };
  // f_e(x) = (e + 1)·x, so responses are (e + 1)·‖x‖ and the winners are experts 3 and 2.
  const experts = (x: tf.Tensor2D) => tf.stack([1, 2, 3, 4].map((s) => tf.mul(x, s))) as tf.Tensor3D;
  test('competition step: winners by response norm, w = t = softmax(a_S), loss = MSE(softmax h, t)', () => {
    const r = createRouter({ type: 'competesmoe' }, init);
    const x = tf.tensor2d([[1, 2, 2], [0, 3, 4]]);
    const o = r.route(x, { training: true, rng: new Rng(0), allExpertOutputs: experts });
    expect(o.denseCompute).toBe(true);
    expect(values(o.selected)).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    const t = [3, 5].map((nrm) => { const a = [3 * nrm, 4 * nrm]; const m = Math.max(...a); const ex = a.map((z) => Math.exp(z - m)); const s = ex[0]! + ex[1]!; return [0, 0, ex[0]! / s, ex[1]! / s]; });
    expect(maxAbsDiff(values(o.weights), t.flat())).toBeLessThan(1e-5);
    const p = o.probs.arraySync() as number[][];
    const mse = p.flat().reduce((s, v, i) => s + (v - t.flat()[i]!) ** 2, 0) / 8;
    expect(o.losses.compete!.dataSync()[0]!).toBeCloseTo(mse, 6);
    expect(o.lossCoefficients.compete).toBeCloseTo(0.05, 12);
    // the router learns from the MSE: its gradient w.r.t. the gate weight is nonzero
    const gw = r.parameters()[0]!.variable;
    const { grads } = tf.variableGrads(() => r.route(x, { training: true, rng: new Rng(0), allExpertOutputs: experts }).losses.compete!, [gw]);
    expect(Math.max(...values(grads[gw.name]!).map(Math.abs))).toBeGreaterThan(1e-6);
    tf.dispose(Object.values(grads));
    disposeOut(o); x.dispose(); r.dispose();
  });
  test('normal steps use TK-B on the router; competition needs allExpertOutputs; λ(t) schedule', () => {
    const r = createRouter({ type: 'competesmoe', freq: 0 }, init);
    const x = tf.tensor2d([[1, 2, 2], [0, 3, 4]]);
    const o = r.route(x, { training: true, rng: new Rng(0) });
    expect(o.denseCompute).toBe(false);
    expect(o.losses.compete!.dataSync()[0]).toBe(0);
    const h = o.logits.arraySync() as number[][];
    const w = o.weights.arraySync() as number[][];
    for (let t = 0; t < 2; t++) {
      const order = [0, 1, 2, 3].sort((a, b) => h[t]![b]! - h[t]![a]!);
      const ex = [Math.exp(h[t]![order[0]!]!), Math.exp(h[t]![order[1]!]!)];
      expect(w[t]![order[0]!]!).toBeCloseTo(ex[0]! / (ex[0]! + ex[1]!), 6);
    }
    disposeOut(o); r.dispose();
    const r1 = createRouter({ type: 'competesmoe' }, init);
    expect(() => r1.route(x, { training: true, rng: new Rng(0) })).toThrow(/allExpertOutputs/);
    r1.dispose(); x.dispose();
    const o2 = { freq: 1, freqType: 'function' as const, iterationSteps: 1000 };
    expect(competitionProbability(o2, 0)).toBeCloseTo(2 / (2 + 1), 12);
    expect(competitionProbability(o2, 3999)).toBeCloseTo(2 / (2 + 2), 12);
  });
});
