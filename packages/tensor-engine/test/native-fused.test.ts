import * as tf from '@tensorflow/tfjs';
import { adamwStep, finiteFlags, globalL2Norm, initBackend, rmsNorm, Rng, sparseSoftmaxCrossEntropy, type AdamWStepOptions } from '@switchyard/tensor-engine';
import { fusedOpActive, setFusedOps } from '@switchyard/tensor-engine/testing';
import { loadNativeKernels } from '../src/kernels/native/addon.js';
import { compareEach as compare, cotangent, hostRandom, relErr, size, type Host } from './helpers/cpu-reference.js';

// The fused native kernels (RMSNorm, sparse cross-entropy, AdamW, global norm, finiteness) on the
// WASM backend against their tfjs compositions on the CPU backend: values and gradients from
// the same host inputs. Skipped, with a message, when the addon has not been built.
const native = process.env.SWITCHYARD_NATIVE === '0' ? null : loadNativeKernels();
if (!native) console.log('native-fused: packages/native-kernels is not built (or SWITCHYARD_NATIVE=0); skipping');
const maybe = native ? describe : describe.skip;
const TOL = 1e-5;
const rng = new Rng(11);

const { normal, ints, dim } = hostRandom(rng);

/** rmsNorm's value and its gradients with respect to x and weight. */
const rmsNormWithGrads = (eps: number) => (x: tf.Tensor, w: tf.Tensor) => {
  const y = rmsNorm(x, w, eps);
  const dy = cotangent(y.shape);
  return [y, ...tf.grads((p: tf.Tensor, q: tf.Tensor) => rmsNorm(p, q, eps).mul(dy).sum())([x, w])];
};

/** The cross-entropy's value and its gradients with respect to logits and scale (dy = 1.7). */
const crossEntropyWithGrads = (logits: tf.Tensor, labels: tf.Tensor, scale: tf.Tensor) => {
  const f = (l: tf.Tensor, s: tf.Tensor) => sparseSoftmaxCrossEntropy(l as tf.Tensor2D, labels as tf.Tensor1D, s as tf.Tensor1D);
  return [f(logits, scale), ...tf.grads((l: tf.Tensor, s: tf.Tensor) => f(l, s).mul(1.7))([logits, scale])];
};

maybe('fused native kernels on the WASM backend', () => {
  beforeAll(async () => { await initBackend('wasm', { quiet: true }); });
  afterAll(async () => { setFusedOps(true); await tf.setBackend('wasm'); });

  it('are registered on WASM only, and setFusedOps(false) turns them off', async () => {
    const ops = ['rmsNorm', 'crossEntropy', 'adamw', 'globalNorm', 'finiteFlags'] as const;
    await tf.setBackend('wasm');
    expect(ops.map((o) => fusedOpActive(o))).toEqual(ops.map(() => true));
    setFusedOps(false);
    expect(ops.map((o) => fusedOpActive(o))).toEqual(ops.map(() => false));
    setFusedOps(true);
    await tf.setBackend('cpu');
    expect(ops.map((o) => fusedOpActive(o))).toEqual(ops.map(() => false));
    await tf.setBackend('wasm');
  });

  it('rmsNorm: random shapes and eps, values and gradients', async () => {
    for (let t = 0; t < 12; t++) {
      const d = [3, 8, 16, 17, 128][t % 5]!; // D = 1 makes dx pure cancellation: 1 − x²/(x² + eps)
      const shape = [[d], [dim(1, 9), d], [dim(1, 3), dim(1, 7), d]][t % 3]!;
      const eps = [1e-6, 1e-3, 0.5][t % 3]!;
      const scaleOfX = [1, 1e3, 1e-3][Math.floor(t / 4)]!;
      const errs = await compare([normal(shape, 0, scaleOfX), normal([d], 1, 0.5)], rmsNormWithGrads(eps));
      expect({ shape, eps, scaleOfX, errs, ok: errs.every((e) => e <= TOL) }).toEqual({ shape, eps, scaleOfX, errs, ok: true });
    }
  });

  it('rmsNorm: all-zero rows and empty inputs', async () => {
    const zeros: Host = { values: new Float32Array(2 * 8), shape: [2, 8], dtype: 'float32' };
    const errs = await compare([zeros, normal([8])], rmsNormWithGrads(1e-6));
    expect(errs.every((e) => e <= TOL)).toBe(true);
    const empty = await compare([normal([0, 5]), normal([5])], rmsNormWithGrads(1e-6));
    expect(empty.every((e) => e <= TOL)).toBe(true);
  });

  it('sparseSoftmaxCrossEntropy: random shapes, zero and non-zero scales, values and gradients', async () => {
    for (let t = 0; t < 10; t++) {
      const n = dim(1, 40), v = [2, 3, 15, 16, 33, 1000][t % 6]!; // tf.oneHot (the composition) needs V ≥ 2
      const scale = normal([n]);
      // Ignored rows as crossEntropyIgnore passes them: label 0 and scale 0.
      for (let i = 0; i < n; i++) if (rng.int(3) === 0) scale.values[i] = 0;
      const errs = await compare([normal([n, v], 0, 3), ints([n], v), scale], crossEntropyWithGrads);
      expect({ n, v, errs, ok: errs.every((e) => e <= TOL) }).toEqual({ n, v, errs, ok: true });
    }
  });

  it('sparseSoftmaxCrossEntropy: large and small logits stay exact (no overflow, no cancellation)', async () => {
    const n = 7, v = 300;
    for (const [mean, std] of [[1e4, 30], [-1e4, 30], [0, 80], [0, 1e-4], [50, 1e-3]] as const) {
      const errs = await compare([normal([n, v], mean, std), ints([n], v), normal([n], 1, 0.2)], crossEntropyWithGrads);
      expect({ mean, std, errs, ok: errs.every((e) => e <= TOL) }).toEqual({ mean, std, errs, ok: true });
    }
  });

  it('sparseSoftmaxCrossEntropy: an all-ignored batch gives 0 and zero gradients; NaN logits give NaN', async () => {
    const n = 5, v = 20;
    await tf.setBackend('wasm');
    const [loss, g] = tf.tidy(() => {
      const out = crossEntropyWithGrads(tf.randomNormal([n, v]), tf.zeros([n], 'int32'), tf.zeros([n]));
      return [out[0]!.dataSync()[0], Array.from(out[1]!.dataSync())];
    }) as unknown as [number, number[]];
    expect(loss).toBe(0);
    expect(g.every((x) => x === 0)).toBe(true);
    const logits = normal([n, v]);
    logits.values[37] = NaN;
    const errs = await compare([logits, ints([n], v), normal([n])], (l, lb, s) => [sparseSoftmaxCrossEntropy(l as tf.Tensor2D, lb as tf.Tensor1D, s as tf.Tensor1D)]);
    expect(errs).toEqual([0]); // relErr: both NaN
  });

  it('sparseSoftmaxCrossEntropy rejects labels outside the vocabulary', async () => {
    await tf.setBackend('wasm');
    expect(() => tf.tidy(() => sparseSoftmaxCrossEntropy(tf.zeros([2, 4]) as tf.Tensor2D, tf.tensor1d([1, 4], 'int32'), tf.ones([2]) as tf.Tensor1D))).toThrow(/outside \[0, 4\)/);
    expect(() => tf.tidy(() => sparseSoftmaxCrossEntropy(tf.zeros([2, 4]) as tf.Tensor2D, tf.tensor1d([-100, 0], 'int32'), tf.ones([2]) as tf.Tensor1D))).toThrow(/outside/);
  });

  it('sparseSoftmaxCrossEntropy: the same bits on 1 and 2 addon threads (rows split above 2^21 logits)', async () => {
    await tf.setBackend('wasm');
    const n = 300, v = 8000;
    const logits = tf.mul(tf.randomNormal([n, v], 0, 1, 'float32', 5), 4), labels = tf.randomUniformInt([n], 0, v, 6), scale = tf.randomNormal([n], 0, 1, 'float32', 7);
    // Compared on the device: reading 2.4M values back under Jest takes seconds.
    const run = () => tf.tidy(() => crossEntropyWithGrads(logits, labels, scale).map((t) => tf.keep(t)));
    try {
      native!.setThreads(1);
      const one = run();
      native!.setThreads(2);
      const two = run();
      expect(tf.tidy(() => two.map((t, i) => tf.all(tf.equal(t, one[i]!)).dataSync()[0]))).toEqual([1, 1, 1]);
      tf.dispose([...one, ...two]);
    } finally {
      native!.setThreads(1);
      tf.dispose([logits, labels, scale]);
    }
  });

  /** `steps` AdamW updates of one parameter from host gradients; final [param, m, v] on the host. */
  function adamwRun(p0: Float32Array, grads: Float32Array[], shape: number[], o: Omit<AdamWStepOptions, 'bc1' | 'bc2Sqrt'>): Float32Array[] {
    let p = tf.tensor(p0, shape), m = tf.zeros(shape), v = tf.zeros(shape);
    grads.forEach((gv, i) => {
      const t = i + 1;
      const g = tf.tensor(gv, shape);
      const next = adamwStep(p, g, m, v, { ...o, bc1: 1 - o.beta1 ** t, bc2Sqrt: Math.sqrt(1 - o.beta2 ** t) });
      tf.dispose([p, m, v, g]);
      [p, m, v] = next;
    });
    const out = [p, m, v].map((t) => t.dataSync() as Float32Array);
    tf.dispose([p, m, v]);
    return out;
  }

  it('adamwStep: several steps with weight decay and a gradient scale, equal to the composition on CPU and (bit for bit) on WASM', async () => {
    for (const [shape, weightDecay, gradScale] of [[[37], 0, 1], [[5, 129], 0.01, 0.37], [[1], 0.1, 2.5], [[0, 3], 0.01, 1]] as Array<[number[], number, number]>) {
      const n = size(shape);
      const p0 = rng.normalArray(n);
      const grads = Array.from({ length: 6 }, () => rng.normalArray(n, 0, 0.1));
      const o = { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, gradScale };
      await tf.setBackend('cpu');
      const cpu = adamwRun(p0, grads, shape, o);
      await tf.setBackend('wasm');
      const fused = adamwRun(p0, grads, shape, o);
      setFusedOps(false);
      const composed = adamwRun(p0, grads, shape, o);
      setFusedOps(true);
      const errs = fused.map((f, i) => relErr(f, cpu[i]!));
      expect({ shape, errs, ok: errs.every((e) => e <= 1e-6) }).toEqual({ shape, errs, ok: true });
      expect(fused.map((f) => Array.from(f))).toEqual(composed.map((c) => Array.from(c)));
    }
  });

  it('globalL2Norm and finiteFlags: lists with scalars, empty tensors, NaN and ±Inf', async () => {
    const list = [normal([3, 4]), normal([]), normal([0]), normal([1000], 0, 50), normal([17])];
    const norm = await compare(list, (...xs) => [globalL2Norm(xs)]);
    expect(norm[0]).toBeLessThanOrEqual(TOL);
    const bad = list.map((h) => ({ ...h, values: Float32Array.from(h.values) }));
    bad[0]!.values[5] = NaN;
    bad[3]!.values[999] = -Infinity;
    bad[4]!.values[0] = Infinity;
    for (const l of [list, bad]) {
      const flags = await compare(l, (...xs) => [finiteFlags(xs), globalL2Norm(xs)]);
      expect(flags[0]).toBe(0);
      expect(flags[1]).toBeLessThanOrEqual(TOL);
    }
    await tf.setBackend('wasm');
    expect(tf.tidy(() => Array.from(finiteFlags([tf.tensor1d([1, 2], 'int32'), tf.tensor1d([NaN]), tf.scalar(1)]).dataSync()))).toEqual([1, 0, 1]);
    expect(tf.tidy(() => finiteFlags([]).shape)).toEqual([0]);
    expect(tf.tidy(() => globalL2Norm([]).dataSync()[0])).toBe(0);
  });

  it('does not leak tensors', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 3, 8]), w = tf.randomNormal([8]), logits = tf.randomNormal([6, 50]);
    const labels = tf.tensor1d([0, 1, 2, 3, 49, 0], 'int32'), scale = tf.tensor1d([0.2, 0.2, 0.2, 0.2, 0.2, 0]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      rmsNormWithGrads(1e-6)(x, w);
      crossEntropyWithGrads(logits, labels, scale);
      globalL2Norm([x, w]);
      finiteFlags([x, w]);
    });
    const [p, m, v] = adamwStep(w, w, w, w, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, bc1: 0.1, bc2Sqrt: 0.03, gradScale: 1 });
    tf.dispose([p, m, v]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, logits, labels, scale]);
  });
});
