import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { createRouter, routerZLoss, switchBalanceLossHF, switchBalanceLossFastMoE, computeRoutingMetrics } from '@switchyard/routers';
import { maxAbsDiff, setupBackend, values } from './helpers.js';

beforeAll(setupBackend);

// HF tests/models/switch_transformers/test_modeling_switch_transformers.py, SwitchTransformerRouterTest.
const HF_TOKENS = [
  [0.6433916, 0.18188512, 0.02240455, 0.563781], [0.5526401, 0.0958724, 0.34253013, 0.03644359],
  [0.08744538, 0.7909105, 0.35205448, 0.53364205], [0.02900076, 0.4168595, 0.5802449, 0.91486526],
  [0.27414513, 0.14991808, 0.9383501, 0.5209162], [0.51207185, 0.90618336, 0.7309413, 0.95533276],
];
const HF_W = [[0.02008116, 0.00620062], [-0.00811031, -0.00031623], [-0.03542127, 0.02703803], [0.02335377, -0.02971946]]; // [D=4, E=2]

describe('switch-top1 router', () => {
  test('HF router fixture: balance loss 1.000308 and z-loss 0.4789799', () => {
    const r = createRouter({ type: 'switch-top1', expertCapacity: 4, jitterNoise: 0 }, { dModel: 4, numExperts: 2, rng: new Rng(1) });
    expect(r.parameters().map((p) => [p.name, p.layout, p.variable.shape])).toEqual([['classifier.weight', 'linear', [4, 2]]]);
    r.parameters()[0]!.variable.assign(tf.tensor2d(HF_W));
    const x = tf.tensor2d(HF_TOKENS);
    const out = r.route(x, { training: false, rng: new Rng(0), groupSize: 3 });
    expect(Math.abs(out.losses.balance!.dataSync()[0]! - 1.000308)).toBeLessThan(5e-6);
    expect(Math.abs(out.losses.z!.dataSync()[0]! - 0.4789799)).toBeLessThan(5e-6);
    expect(out.lossCoefficients).toEqual({ balance: 0.001, z: 0.001 });
    tf.dispose([x, ...Object.values(out.losses), out.logits, out.probs, out.weights, out.dispatch, out.selected, out.hfExpertIndex!]);
    r.dispose();
  });

  test('capacity per sequence in position order; hfExpertIndex 0 for dropped; hf-v4.36 inputWeight', () => {
    const r = createRouter({ type: 'switch-top1', expertCapacity: 1, droppedTokens: 'hf-v4.36' }, { dModel: 2, numExperts: 2, rng: new Rng(1) });
    r.parameters()[0]!.variable.assign(tf.tensor2d([[1, 0], [0, 1]])); // logits = x
    // two sequences of 3; seq 0 all choose e1 → tokens 1, 2 dropped; seq 1: e0, e1, e0 → token 5 dropped
    const x = tf.tensor2d([[0, 2], [0, 1], [0, 3], [2, 0], [0, 1], [1, 0]]);
    const out = r.route(x, { training: true, rng: new Rng(0), groupSize: 3 }); // jitter on: argmaxes are robust
    expect(values(out.dispatch)).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
    expect(values(out.selected)).toEqual([0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0]);
    expect(values(out.hfExpertIndex!)).toEqual([1, 0, 0, 0, 1, 0]);
    const p = out.probs.arraySync() as number[][];
    const top1 = p.map((row) => Math.max(...row));
    const w = values(out.weights);
    expect(maxAbsDiff(w, [0, top1[0]!, 0, 0, 0, 0, top1[3]!, 0, 0, top1[4]!, 0, 0])).toBeLessThan(1e-7);
    expect(maxAbsDiff(values(out.inputWeight!), [0, top1[1]!, top1[2]!, 0, 0, top1[5]!])).toBeLessThan(1e-7);
    const m = computeRoutingMetrics(out);
    expect(m.expertLoad).toEqual([1, 2]);
    expect(m.droppedFraction).toBeCloseTo(3 / 6, 12);
    expect(m.activeExpertsHistogram).toEqual([3, 3, 0]);
    tf.dispose([x, ...Object.values(out.losses), out.logits, out.probs, out.weights, out.dispatch, out.selected, out.hfExpertIndex!, out.inputWeight!]);
    r.dispose();
  });

  test('same seed gives identical jittered routing; different seed changes logits; no leaks', () => {
    const r = createRouter({ type: 'switch-top1', jitterNoise: 0.5 }, { dModel: 8, numExperts: 4, rng: new Rng(3) });
    const x = new Rng(9).normalTensor([16, 8]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const run = (seed: number) => tf.tidy(() => r.route(x, { training: true, rng: new Rng(seed), groupSize: 8 }).logits.arraySync());
    const a = run(5), b = run(5), c = run(6);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    r.dispose();
  });

  test('exposeJitteredInput returns x ⊙ U(1−ε, 1+ε) in training only, and logits use it', () => {
    const r = createRouter({ type: 'switch-top1', jitterNoise: 0.1, exposeJitteredInput: true }, { dModel: 3, numExperts: 2, rng: new Rng(3) });
    const x = tf.tensor2d([[1, -2, 3], [0.5, 0.5, -1]]);
    const o = r.route(x, { training: true, rng: new Rng(4) });
    const u = new Rng(4).uniformArray(6, 0.9, 1.1);
    expect(maxAbsDiff(values(o.jitteredInput!), values(x).map((v, i) => v * u[i]!))).toBeLessThan(1e-6);
    const ref = tf.matMul(o.jitteredInput!, r.parameters()[0]!.variable as tf.Tensor2D);
    expect(maxAbsDiff(values(o.logits), values(ref))).toBeLessThan(1e-5);
    const ev = r.route(x, { training: false, rng: new Rng(4) });
    expect(ev.jitteredInput).toBeUndefined();
    tf.dispose([x, ref, o.jitteredInput!, o.logits, o.probs, o.weights, o.dispatch, o.selected, o.hfExpertIndex!, ...Object.values(o.losses),
      ev.logits, ev.probs, ev.weights, ev.dispatch, ev.selected, ev.hfExpertIndex!, ...Object.values(ev.losses)]);
    r.dispose();
  });

  test('unknown options and wrong types are rejected', () => {
    const init = { dModel: 4, numExperts: 2, rng: new Rng(1) };
    expect(() => createRouter({ type: 'switch-top1', capacity: 3 }, init)).toThrow(/invalid options/);
    expect(() => createRouter({ type: 'switch-top1', droppedTokens: 'keep' }, init)).toThrow(/invalid options/);
    expect(() => createRouter({ type: 'no-such-router' }, init)).toThrow(/unknown router type/);
    const r = createRouter({ type: 'switch-top1' }, init);
    expect(r.options).toEqual({ expertCapacity: 64, jitterNoise: 0.01, droppedTokens: 'zero', auxLossCoef: 0.001, zLossCoef: 0.001, initStd: 1, exposeJitteredInput: false });
    r.dispose();
  });
});

describe('Switch balance loss and z-loss', () => {
  test('HF test_equivalency_balancy_loss: 0.8741045', () => {
    const probs = tf.tensor3d([[[0.35490513, 0.60419905], [0.4275843, 0.23061597], [0.32985854, 0.43953657], [0.25099766, 0.27730572], [0.7678207, 0.71474564]]]);
    const idx = tf.tensor2d([[0, 1, 1, 0, 0]], [1, 5], 'int32');
    const l = switchBalanceLossHF(probs, idx);
    expect(Math.abs(l.dataSync()[0]! - 0.8741045)).toBeLessThan(5e-6);
    tf.dispose([probs, idx, l]);
  });

  test('HF test_equivalency_router_z_loss: 13.786719', () => {
    const logits = tf.tensor3d([
      [[-4.2124424, 3.891939, -3.6481273, 1.8849981], [0.32625437, 2.918651, 0.84758997, -4.556842], [-3.32062, 4.6977115, -0.15439987, 0.44086337],
        [3.4467149, 4.3436565, -4.7224274, -4.264637], [-2.224406, -2.5318158, -1.3832569, 1.1891162], [-2.320062, -0.44705987, 4.289819, -0.00662684]],
      [[0.99470854, -0.6992364, 0.25503993, 4.2952085], [3.5937333, -3.2408535, -4.298278, 4.426601], [0.7669008, 2.6588762, 2.4505413, 4.6051874],
        [0.23330331, -3.0845237, 0.6262374, -2.9865491], [0.7595146, -2.1099675, -4.155346, -2.8326452], [2.3771453, 1.004138, -3.1781673, 0.7581556]],
    ]);
    const l = routerZLoss(logits);
    expect(Math.abs(l.dataSync()[0]! - 13.786719)).toBeLessThan(5e-5);
    tf.dispose([logits, l]);
  });

  test('docs/routers.md §2.2: HF form 2.1, fastmoe form 0.525 (k = 2)', () => {
    const p = [[0.5, 0.3, 0.2], [0.1, 0.6, 0.3], [0.2, 0.25, 0.55], [0.4, 0.45, 0.15]];
    const idx = [[0, 1], [1, 2], [2, 1], [1, 0]];
    const probs = tf.tensor3d([p]);
    const ix = tf.tensor3d([idx], [1, 4, 2], 'int32');
    const hf = switchBalanceLossHF(probs, ix);
    expect(hf.dataSync()[0]!).toBeCloseTo(2.1, 5);
    const mask = tf.tensor2d(idx.map((r) => [0, 1, 2].map((e) => (r.includes(e) ? 1 : 0))));
    const fm = switchBalanceLossFastMoE(tf.tensor2d(p), mask, 2);
    expect(fm.dataSync()[0]!).toBeCloseTo(0.525, 5);
    // pooling two "layers" along the sequence axis equals one concatenated call
    const pooled = switchBalanceLossHF([tf.tensor3d([p.slice(0, 2)]), tf.tensor3d([p.slice(2)])],
      [tf.tensor3d([idx.slice(0, 2)], [1, 2, 2], 'int32'), tf.tensor3d([idx.slice(2)], [1, 2, 2], 'int32')]);
    expect(pooled.dataSync()[0]!).toBeCloseTo(2.1, 5);
    tf.dispose([probs, ix, hf, mask, fm, pooled]);
  });

  test('docs/routers.md §2.3: logits = log p + 0.5 → z-loss 0.25, gradient 2·LSE·p/(GT)', () => {
    const p = [[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]];
    const h = tf.tensor2d(p.map((r) => r.map((v) => Math.log(v) + 0.5)));
    const l = routerZLoss(h);
    expect(l.dataSync()[0]!).toBeCloseTo(0.25, 6);
    const g = tf.grad((z: tf.Tensor) => routerZLoss(z))(h);
    expect(maxAbsDiff(values(g), p.flat().map((v) => (2 * 0.5 * v) / 2))).toBeLessThan(1e-6);
    tf.dispose([h, l, g]);
  });
});
