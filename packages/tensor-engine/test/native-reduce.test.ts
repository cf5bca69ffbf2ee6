import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { forgetHeap, loadNativeKernels, type NativeAddon } from '../src/kernels/native/addon.js';
import { compare as compareOutputs, cotangent, hostRandom, on, relErr, size, type Fn, type Host } from './helpers/cpu-reference.js';

// The native reductions, Softmax and Cumsum (packages/native-kernels/src/reduce.c) against the
// tfjs CPU backend on the same host inputs: values and gradients, every axis subset of random
// shapes (rank 0–5, negative axes, keepDims), empty tensors, NaN/±Inf, int32 and bool inputs.
// Error measure: max |wasm − cpu| / max(|cpu|, 1e-30) over the whole output, NaN only where the
// CPU has NaN; int32 and bool outputs must be equal. Skipped, with a message, when the addon
// has not been built.
const native = process.env.SWITCHYARD_NATIVE === '0' ? null : loadNativeKernels();
const hasReduce = native !== null && typeof (native as unknown as { reduce?: unknown }).reduce === 'function';
if (!hasReduce) console.log('native-reduce: packages/native-kernels is not built with reduce.c (or SWITCHYARD_NATIVE=0); skipping');
const maybe = hasReduce ? describe : describe.skip;
const TOL = 1e-5;
const rng = new Rng(20261202);

/** int32 and bool outputs must be equal; float32 ones within relErr, ±Inf exactly. */
function hostErr(got: Host, want: Host): number {
  if (want.dtype === 'float32') return relErr(got.values, want.values, { exactInf: true });
  expect(got.values.length).toBe(want.values.length);
  return Array.from(got.values).every((v, i) => v === want.values[i]) ? 0 : Infinity;
}

/** `f` on WASM (native kernels) and on CPU; shapes and dtypes must agree; the worst error. */
const compare = (inputs: Host[], f: Fn): Promise<number> => compareOutputs(inputs, f, { err: hostErr });

const { normal, ints: intsFrom, dim } = hostRandom(rng);
/** int32 draws from [lo, hi). */
const ints = (shape: number[], lo: number, hi: number): Host => intsFrom(shape, hi - lo, lo);
const bools = (shape: number[], pTrue: number): Host => ({ values: Uint8Array.from({ length: size(shape) }, () => (rng.int(1000) < pTrue * 1000 ? 1 : 0)), shape, dtype: 'bool' });
/** Every subset of 0..rank−1, each axis written as d or d − rank at random, plus `undefined` (all axes). */
function axisSets(rank: number): Array<number[] | undefined> {
  const sets: Array<number[] | undefined> = [undefined];
  for (let m = 0; m < 1 << rank; m++) {
    const axes: number[] = [];
    for (let d = 0; d < rank; d++) if (m & (1 << d)) axes.push(rng.int(2) ? d - rank : d);
    sets.push(axes);
  }
  return sets;
}
/** ∂/∂x of Σ op(x)·c for a fixed cotangent c. */
const grad = (op: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor): tf.Tensor => tf.grad((p: tf.Tensor) => { const y = op(p); return y.mul(cotangent(y.shape)).sum(); })(x);
/** Insert NaN, +Inf and −Inf at a few random places. */
function withSpecials(h: Host, count: number): Host {
  const v = Float32Array.from(h.values);
  for (let i = 0; i < count && v.length > 0; i++) v[rng.int(v.length)] = [NaN, Infinity, -Infinity][rng.int(3)]!;
  return { ...h, values: v };
}

maybe('native reductions, softmax and cumsum on the WASM backend', () => {
  beforeAll(async () => { await initBackend('wasm', { quiet: true }); });
  afterAll(async () => { await tf.setBackend('wasm'); });

  it('runs every kernel it replaces through the addon', async () => {
    await tf.setBackend('wasm');
    const k = native as unknown as Record<'reduce' | 'softmax' | 'cumsum', (...a: unknown[]) => void>;
    const calls: string[] = [];
    const saved = { reduce: k.reduce, softmax: k.softmax, cumsum: k.cumsum };
    for (const name of ['reduce', 'softmax', 'cumsum'] as const) k[name] = (...a: unknown[]) => { calls.push(name); saved[name]!(...a); };
    try {
      const x = tf.randomNormal([3, 5]), b = tf.isFinite(x);
      const ops: Array<[string, () => tf.Tensor]> = [
        ['Sum', () => tf.sum(x, 0)], ['Mean', () => tf.mean(x, 1)], ['Max', () => tf.max(x)], ['Min', () => tf.min(x, -1)],
        ['Prod', () => tf.prod(x, 0)], ['All', () => tf.all(b, 1)], ['Any', () => tf.any(b)], ['ArgMax', () => tf.argMax(x, 1)],
        ['ArgMin', () => tf.argMin(x, 0)], ['Softmax', () => tf.softmax(x)], ['Cumsum', () => tf.cumsum(x, 0)],
      ];
      for (const [name, op] of ops) {
        calls.length = 0;
        op().dispose();
        expect({ name, calls }).toEqual({ name, calls: [name === 'Softmax' ? 'softmax' : name === 'Cumsum' ? 'cumsum' : 'reduce'] });
      }
      tf.dispose([x, b]);
    } finally {
      Object.assign(k, saved);
    }
  });

  it('Sum, Mean, Max, Min, Prod: every axis subset (negative axes too) of rank 0–5 shapes, keepDims; values and gradients', async () => {
    for (let rank = 0; rank <= 5; rank++) {
      for (let t = 0; t < (rank <= 2 ? 3 : 1); t++) {
        // Dims of 1 (dropped when merging) are common on purpose.
        const shape = Array.from({ length: rank }, () => (rng.int(3) === 0 ? 1 : dim(2, rank <= 2 ? 40 : 5)));
        for (const axes of axisSets(rank)) {
          for (const keepDims of [false, true]) {
            const err = await compare([normal(shape)], (x) => [
              tf.sum(x!, axes, keepDims), tf.mean(x!, axes, keepDims), tf.max(x!, axes, keepDims), tf.min(x!, axes, keepDims),
              tf.prod(tf.add(tf.mul(x!, 0.1), 1), axes, keepDims),
              grad((p) => tf.sum(p, axes, keepDims))(x!), grad((p) => tf.mean(p, axes, keepDims))(x!),
              grad((p) => tf.max(p, axes, keepDims))(x!), grad((p) => tf.min(p, axes, keepDims))(x!),
              // (tfjs's Prod gradient fails on negative axes: given here as non-negative.)
              grad((p) => tf.prod(tf.add(tf.mul(p, 0.1), 1), axes?.map((a) => (a < 0 ? a + rank : a)), keepDims))(x!),
            ]);
            expect({ shape, axes, keepDims, ok: err <= TOL }).toEqual({ shape, axes, keepDims, ok: true });
          }
        }
      }
    }
  });

  it('hot shapes: rows and columns of [R, C] (blocks wider than 512, rows past the short-row path)', async () => {
    const cases: Array<[number[], number[]]> = [
      [[40, 1100], [0]], [[40, 1100], [1]], [[3, 1100], [0]], [[1100, 3], [1]], [[16, 4, 16, 70], [0]],
      [[16, 40, 128], [0, 1]], [[16, 40, 128], [2]], [[5, 70, 3, 9], [1, 2]], [[2000], [0]], [[7, 15], [1]], [[7, 17], [1]],
    ];
    for (const [shape, axes] of cases) {
      const err = await compare([normal(shape, 0, 10)], (x) => [
        tf.sum(x!, axes), tf.mean(x!, axes, true), tf.max(x!, axes), tf.min(x!, axes), tf.argMax(x!, axes[0]), tf.argMin(x!, axes[0]),
        grad((p) => tf.sum(p, axes))(x!),
      ]);
      expect({ shape, axes, ok: err <= TOL }).toEqual({ shape, axes, ok: true });
    }
    // float64 accumulation: one large value among many small ones loses nothing a float32 sum would.
    const v = new Float32Array(100_001).fill(1e-4);
    v[0] = 1e4;
    expect(await compare([{ values: v, shape: [v.length], dtype: 'float32' }], (x) => [tf.sum(x!), tf.mean(x!)])).toBeLessThanOrEqual(1e-7);
  });

  it('NaN and ±Inf: Max/Min propagate NaN, sums give NaN/±Inf, ArgMax/ArgMin skip NaN after the first element', async () => {
    for (const shape of [[6, 9], [4, 40], [3, 5, 70], [33]]) {
      for (let t = 0; t < 4; t++) {
        const h = withSpecials(normal(shape), 1 + rng.int(4));
        for (const axes of axisSets(shape.length)) {
          const err = await compare([h], (x) => [
            tf.sum(x!, axes), tf.mean(x!, axes), tf.max(x!, axes, true), tf.min(x!, axes), tf.prod(x!, axes),
            tf.isFinite(x!).all(axes), tf.isNaN(x!).any(axes),
          ]);
          expect({ shape, axes, ok: err <= TOL }).toEqual({ shape, axes, ok: true });
        }
        for (let a = -shape.length; a < shape.length; a++) {
          const err = await compare([h], (x) => [tf.argMax(x!, a), tf.argMin(x!, a)]);
          expect({ shape, a, ok: err === 0 }).toEqual({ shape, a, ok: true });
        }
      }
    }
    // A NaN as the first element of a row: CPU ArgMax keeps index 0.
    const first = { values: Float32Array.from([NaN, 1, 2, 3, 0, NaN, 5, 4]), shape: [2, 4], dtype: 'float32' as const };
    expect(await compare([first], (x) => [tf.argMax(x!, 1), tf.argMin(x!, 1), tf.max(x!, 1), tf.min(x!, 0)])).toBe(0);
  });

  it('ArgMax/ArgMin return the first of equal values (all-equal rows and repeated extremes)', async () => {
    for (const shape of [[5, 8], [3, 40, 6], [70], [2, 3, 600]]) {
      const allEqual: Host = { values: new Float32Array(size(shape)).fill(0.5), shape, dtype: 'float32' };
      const fewValues: Host = { values: Float32Array.from({ length: size(shape) }, () => rng.int(3)), shape, dtype: 'float32' };
      const fewInts = ints(shape, -1, 2);
      for (const h of [allEqual, fewValues, fewInts]) {
        for (let a = -shape.length; a < shape.length; a++) {
          const err = await compare([h], (x) => [tf.argMax(x!, a), tf.argMin(x!, a)]);
          expect({ shape, a, dtype: h.dtype, ok: err === 0 }).toEqual({ shape, a, dtype: h.dtype, ok: true });
        }
      }
    }
    const rows = await on('wasm', [{ values: new Float32Array(12).fill(3), shape: [3, 4], dtype: 'float32' }], (x) => [tf.argMax(x!, 1), tf.argMin(x!, 0)]);
    expect(Array.from(rows[0]!.values)).toEqual([0, 0, 0]);
    expect(Array.from(rows[1]!.values)).toEqual([0, 0, 0, 0]);
  });

  it('int32 inputs: Sum/Prod wrap like the CPU backend, Max/Min/Mean/ArgMax/Cumsum exact', async () => {
    for (const shape of [[7, 9], [3, 4, 50], [40], [2, 1, 3, 1, 5]]) {
      const small = ints(shape, -3, 4);
      for (const h of [ints(shape, -1000, 1000), ints(shape, -2147483648, 2147483647), small]) {
        for (const axes of axisSets(shape.length)) {
          const err = await compare([h], (x) => [tf.sum(x!, axes), tf.max(x!, axes), tf.min(x!, axes, true), tf.prod(small === h ? x! : tf.sign(x!), axes)]);
          expect({ shape, axes, ok: err === 0 }).toEqual({ shape, axes, ok: true });
          expect(await compare([h], (x) => [tf.mean(x!, axes)])).toBeLessThanOrEqual(TOL);
        }
        for (let a = 0; a < shape.length; a++) {
          const err = await compare([h], (x) => [tf.argMax(x!, a), tf.argMin(x!, a), tf.cumsum(x!, a), tf.cumsum(x!, a, true, true)]);
          expect({ shape, a, ok: err === 0 }).toEqual({ shape, a, ok: true });
        }
      }
    }
    // Products past 2^31 wrap as the CPU's float64 product stored into an Int32Array, also past
    // 2^53 where that product rounds (same order: one pass over contiguous axes). When split
    // axes take several passes, only products below 2^53 are exact (as above).
    const big = ints([4, 3, 5], 60000, 70000);
    expect(await compare([big], (x) => [tf.prod(x!, 2), tf.prod(x!, [1, 2]), tf.prod(x!, 0), tf.prod(x!)])).toBe(0);
  });

  it('bool inputs: All/Any over every axis subset; Sum/Prod to int32, Max/Min/ArgMax/Mean of bool', async () => {
    for (const shape of [[5, 6], [3, 4, 70], [130], [2, 3, 1, 4]]) {
      for (const p of [0.02, 0.5, 0.98, 1]) {
        const h = bools(shape, p);
        for (const axes of axisSets(shape.length)) {
          for (const keepDims of [false, true]) {
            // The kernels directly: tf.sum/tf.prod cast bool to int32 first, tf.max/tf.min keep it.
            const all = axes ?? shape.map((_, d) => d);
            const run = (kernel: string, attrs: tf.NamedAttrMap) => (x: tf.Tensor) => tf.engine().runKernel(kernel, { x }, attrs) as tf.Tensor;
            const err = await compare([h], (x) => [
              tf.all(x!, axes, keepDims), tf.any(x!, axes, keepDims),
              run('Sum', { axis: all, keepDims })(x!), run('Prod', { axis: all, keepDims })(x!),
              run('Max', { reductionIndices: all, keepDims })(x!), run('Min', { axis: all, keepDims })(x!),
            ]);
            expect({ shape, axes, keepDims, p, ok: err === 0 }).toEqual({ shape, axes, keepDims, p, ok: true });
          }
          expect(await compare([h], (x) => [tf.mean(x!, axes)])).toBeLessThanOrEqual(TOL);
        }
        expect(await compare([h], (x) => [tf.argMax(x!, -1), tf.argMin(x!, 0), tf.cumsum(x!, 0)])).toBe(0);
      }
    }
  });

  it('empty tensors: reductions over empty axes give the CPU backend\'s values, empty outputs stay empty', async () => {
    for (const shape of [[0], [3, 0], [0, 4], [2, 0, 3]]) {
      for (const axes of axisSets(shape.length)) {
        for (const keepDims of [false, true]) {
          const err = await compare([normal(shape)], (x) => [
            tf.sum(x!, axes, keepDims), tf.mean(x!, axes, keepDims), tf.max(x!, axes, keepDims), tf.min(x!, axes, keepDims), tf.prod(x!, axes, keepDims),
            tf.all(tf.isFinite(x!), axes, keepDims), tf.any(tf.isNaN(x!), axes, keepDims),
          ]);
          expect({ shape, axes, keepDims, ok: err <= TOL }).toEqual({ shape, axes, keepDims, ok: true });
          expect(await compare([ints(shape, 0, 5)], (x) => [tf.sum(x!, axes, keepDims), tf.max(x!, axes, keepDims), tf.prod(x!, axes, keepDims)])).toBe(0);
        }
      }
      const err = await compare([normal(shape)], (x) => [tf.softmax(x!), tf.cumsum(x!, shape.length - 1), tf.argMax(x!, shape.length - 1)]);
      expect({ shape, ok: err <= TOL }).toEqual({ shape, ok: true });
    }
  });

  it('Softmax: last axis of ranks 1–4, tiny and long rows, large logits and masks; values and gradients', async () => {
    const shapes = [[8], [300, 8], [2048, 8], [5, 3], [37, 1000], [2, 3, 7, 70], [4, 2, 3, 128], [3, 2500], [1, 1]];
    for (const shape of shapes) {
      for (const scale of [1, 30]) {
        // Logits spread by 30 saturate rows: their gradients cancel down to float32 noise on
        // either backend, so only the values are compared there.
        const err = await compare([normal(shape, 0, scale)], (x) => [tf.softmax(x!), ...(scale === 1 ? [grad((p) => tf.softmax(p))(x!)] : [])]);
        expect({ shape, scale, ok: err <= TOL }).toEqual({ shape, scale, ok: true });
      }
      // Masked logits (−Inf, as attention masks), NaN and +Inf rows.
      const err = await compare([withSpecials(normal(shape), Math.max(1, size(shape) >> 5))], (x) => [tf.softmax(x!)]);
      expect({ shape, specials: true, ok: err <= TOL }).toEqual({ shape, specials: true, ok: true });
    }
    // A fully masked row, and a row with every logit equal.
    const special = { values: Float32Array.from([-Infinity, -Infinity, -Infinity, 2, 2, 2, -1e30, 0, 1e30]), shape: [3, 3], dtype: 'float32' as const };
    expect(await compare([special], (x) => [tf.softmax(x!)])).toBe(0);
    // A dim other than the last is refused, as on the CPU backend.
    await tf.setBackend('wasm');
    const z = tf.zeros([2, 3]);
    expect(() => tf.engine().runKernel('Softmax', { logits: z }, { dim: 0 })).toThrow(/non-last/);
    z.dispose();
  });

  it('Cumsum: every axis, exclusive and reverse; values and gradients', async () => {
    // (tfjs's CPU kernel mishandles negative axes, so there is no reference for them.)
    for (const shape of [[9], [4, 33], [3, 5, 7], [2, 1, 600], [1100, 3]]) {
      for (let a = 0; a < shape.length; a++) {
        for (const [exclusive, reverse] of [[false, false], [true, false], [false, true], [true, true]] as const) {
          const last = a === shape.length - 1; // tfjs's gradient is only right on the last axis
          const err = await compare([normal(shape)], (x) => [
            tf.cumsum(x!, a, exclusive, reverse),
            ...(last ? [grad((p) => tf.cumsum(p, a, exclusive, reverse))(x!)] : []),
          ]);
          expect({ shape, a, exclusive, reverse, ok: err <= TOL }).toEqual({ shape, a, exclusive, reverse, ok: true });
        }
      }
    }
  });

  it('reduce/softmax/cumsum reject operands outside the heap and compute on a host buffer', () => {
    const k = native as NativeAddon & {
      reduce(op: number, dtype: number, outer: number, n: number, inner: number, xOff: number, outOff: number): void;
      softmax(rows: number, cols: number, xOff: number, outOff: number): void;
      cumsum(dtype: number, outer: number, n: number, inner: number, exclusive: boolean, reverse: boolean, xOff: number, outOff: number): void;
    };
    const heap = new Float32Array(16);
    k.setHeap(new Uint8Array(heap.buffer));
    try {
      expect(() => k.reduce(0, 0, 4, 5, 1, 0, 0)).toThrow(/outside/);          // 20 floats in a heap of 16
      expect(() => k.reduce(0, 0, 1, 4, 1, 0, 64)).toThrow(/outside/);         // out past the end
      expect(() => k.reduce(0, 0, 1, 4, 1, 2, 32)).toThrow(/outside|misaligned/);
      expect(() => k.reduce(9, 0, 1, 4, 1, 0, 32)).toThrow(/unknown op/);
      expect(() => k.reduce(5, 0, 1, 4, 1, 0, 32)).toThrow(/unknown op/);      // All of a float tensor
      expect(() => k.reduce(0, 0, 1, -1, 1, 0, 32)).toThrow(/non-negative/);
      expect(() => k.softmax(4, 4, 0, 4)).toThrow(/outside/);
      expect(() => k.cumsum(0, 1, 16, 1, false, false, 0, 4)).toThrow(/outside/);
      heap.set([1, 2, 3, 4, 5, 6], 0); // x [2, 3]
      k.reduce(0, 0, 1, 2, 3, 0, 32);  // column sums → heap[8..11)
      expect(Array.from(heap.subarray(8, 11))).toEqual([5, 7, 9]);
      k.reduce(2, 0, 2, 3, 1, 0, 48);  // row maxima → heap[12..14)
      expect(Array.from(heap.subarray(12, 14))).toEqual([3, 6]);
      k.cumsum(0, 1, 6, 1, true, true, 0, 32); // exclusive reverse over 6 → heap[8..14)
      expect(Array.from(heap.subarray(8, 14))).toEqual([20, 18, 15, 11, 6, 0]);
    } finally {
      forgetHeap();
    }
  });

  it('does not leak tensors or WASM buffers (including outputs that share their input)', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([4, 1, 6]), b = tf.isFinite(x), i = tf.cast(x, 'int32');
    const before = tf.memory().numTensors, buffers = tf.backend().numDataIds();
    tf.tidy(() => {
      for (const axes of [undefined, [0], [1], [2], [0, 2], [-1, -3]]) {
        tf.sum(x, axes, true); tf.mean(x, axes); tf.max(x, axes); tf.min(x, axes); tf.prod(i, axes);
        tf.all(b, axes); tf.any(b, axes);
      }
      tf.sum(x, 1); tf.max(i, 1); tf.all(b, 1); // reduce over a size-1 axis: a view of x
      tf.argMax(x, 2); tf.argMin(x, 0); tf.softmax(x); tf.cumsum(x, 2, true, true);
      tf.grads((p: tf.Tensor) => tf.softmax(p).mul(tf.max(p, -1, true)).sum())([x]);
    });
    const y = tf.sum(x, 1); // the aliased output outlives the tidy and its input's other uses
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.backend().numDataIds()).toBe(buffers);
    tf.dispose([x, b, i]);
  });
});
