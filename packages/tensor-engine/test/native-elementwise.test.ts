import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { forgetHeap, loadNativeKernels } from '../src/kernels/native/addon.js';
import type { ElementwiseAddon } from '../src/kernels/native/elementwise.js';
import { compare as compareOutputs, cotangent, hostRandom, relErr, size, type Fn, type Host } from './helpers/cpu-reference.js';

// The native element-wise kernels (packages/native-kernels/src/elementwise.c) on the WASM backend
// against the tfjs CPU backend on the same host inputs: values (element by element, NaN and ±Inf
// exactly), output dtypes and shapes, and gradients (which run through the same kernels).
// Skipped, with a message, when the addon is not built.
const loaded = process.env.SWITCHYARD_NATIVE === '0' ? null : loadNativeKernels();
const native = loaded && typeof (loaded as ElementwiseAddon).binary === 'function' ? (loaded as ElementwiseAddon) : null;
if (!native) console.log('native-elementwise: packages/native-kernels is not built with elementwise.c (or SWITCHYARD_NATIVE=0); skipping');
const maybe = native ? describe : describe.skip;
const TOL = 1e-5;
const FLT_MIN = 1.17549435e-38;
const rng = new Rng(20261202);

/** Worst element-wise relative error, |got − want| / max(|want|, FLT_MIN); non-finite values must match exactly. */
function elemErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (!Number.isFinite(g) || !Number.isFinite(w)) {
      if (!Object.is(g, w) && !(Number.isNaN(g) && Number.isNaN(w))) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(g - w) / Math.max(Math.abs(w), FLT_MIN));
  }
  return worst;
}

/**
 * `f` on WASM (native kernels) and on CPU: same shapes and dtypes, worst error per `err` (`relErr`,
 * relative to the largest |want|, for gradients: their reductions sum in another order).
 */
const compare = (inputs: Host[], f: Fn, err: (got: ArrayLike<number>, want: ArrayLike<number>) => number = elemErr): Promise<number> =>
  compareOutputs(inputs, f, { err: (g, w) => err(g.values, w.values) });

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 1e-40, 3e38, -3e38];
/** Normal values times `scale`, with a fraction `special` of them NaN, ±Inf, ±0, ±1, subnormal or huge. */
function floats(shape: number[], scale = 1, special = 0.1): Host {
  const v = rng.normalArray(size(shape));
  for (let i = 0; i < v.length; i++) v[i] = rng.uniform() < special ? SPECIAL[rng.int(SPECIAL.length)]! : v[i]! * scale;
  return { values: v, shape, dtype: 'float32' };
}
/** Floats from a small set, so that comparisons see equal operands. */
const fewFloats = (shape: number[]): Host => ({ values: Float32Array.from({ length: size(shape) }, () => [-1.5, -0, 0, 0.25, 2, NaN, Infinity][rng.int(7)]!), shape, dtype: 'float32' });
const { ints: intsFrom, bools } = hostRandom(rng);
/** int32 draws from [lo, hi]. */
const ints = (shape: number[], lo: number, hi: number): Host => intsFrom(shape, hi - lo + 1, lo);
const uniform = (shape: number[], lo: number, hi: number): Host => ({ values: Float32Array.from({ length: size(shape) }, () => lo + (hi - lo) * rng.uniform()), shape, dtype: 'float32' });
/**
 * Cotangents here are positive, so that gradient sums over broadcast dims do not cancel: the
 * backends sum float32 in different orders.
 */
const POSITIVE = { positive: true };

/** An output shape of `rank` and two operand shapes that broadcast to it (dims set to 1, leading dims dropped). */
function broadcastPair(rank: number, maxDim = 4): [number[], number[]] {
  const out = Array.from({ length: rank }, () => 1 + rng.int(maxDim));
  const operand = () => {
    const drop = rng.uniform() < 0.3 ? rng.int(rank + 1) : 0;
    return out.slice(drop).map((d) => (rng.uniform() < 0.4 ? 1 : d));
  };
  return [operand(), operand()];
}

/** Shape pairs: same shape, scalar on each side, row and column broadcasts, random broadcasts of rank 0–6, empty. */
function shapePairs(): Array<[number[], number[]]> {
  const n = 2 + rng.int(30), d = 2 + rng.int(40);
  const pairs: Array<[number[], number[]]> = [
    [[n, d], [n, d]], [[], [n, d]], [[n, d], []], [[], []], [[1], [n]],
    [[n, d], [d]], [[d], [n, d]], [[n, d], [n, 1]], [[n, 1], [n, d]], [[n, 1], [1, d]],
    [[3, n, d], [3, 1, d]], [[2, 3, 4, d], [2, 1, 1, d]],
    // Six alternating broadcast dims: more than the 4 the addon takes in one call.
    [[2, 1, 3, 1, 2, 1], [1, 3, 1, 2, 1, 3]], [[3, 1, 2, 1, 2, 5], [1, 2, 1, 3, 1, 5]],
    [[0, d], [d]], [[n, 0], [n, 1]], [[0], []],
  ];
  for (let r = 0; r <= 6; r++) for (let t = 0; t < 3; t++) pairs.push(broadcastPair(r));
  return pairs;
}

const BINARY_FLOAT: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  ['Add', tf.add], ['Sub', tf.sub], ['Multiply', tf.mul], ['RealDiv', tf.div], ['Maximum', tf.maximum],
  ['Minimum', tf.minimum], ['SquaredDifference', tf.squaredDifference], ['Pow', tf.pow],
];
const COMPARE: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
  ['Equal', tf.equal], ['NotEqual', tf.notEqual], ['Greater', tf.greater], ['GreaterEqual', tf.greaterEqual],
  ['Less', tf.less], ['LessEqual', tf.lessEqual],
];

/** Count the addon calls made while `f` runs. */
async function countCalls(f: () => Promise<void> | void): Promise<Record<string, number>> {
  const names = ['binary', 'broadcast', 'unary', 'select', 'addN'] as const;
  const counts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  const k = native as unknown as Record<string, (...a: unknown[]) => unknown>;
  const originals = names.map((n) => k[n]!);
  names.forEach((n, i) => { k[n] = (...a: unknown[]) => { counts[n]!++; return originals[i]!.apply(native, a); }; });
  try { await f(); } finally { names.forEach((n, i) => { k[n] = originals[i]!; }); }
  return counts;
}

maybe('native element-wise kernels on the WASM backend', () => {
  beforeAll(async () => { await initBackend('wasm', { quiet: true }); });
  afterAll(async () => { await tf.setBackend('wasm'); });

  it('float32 binary ops with every kind of broadcast, NaN/±Inf/±0 operands, and their gradients', async () => {
    const bad: object[] = []; // every failing case, reported together
    for (const [as, bs] of shapePairs()) {
      for (const [name, op] of BINARY_FLOAT) {
        const a = name === 'Pow' ? { ...floats(as, 2, 0.15) } : floats(as);
        // Pow: integer, half-integer and special exponents, so negative bases give both signs and NaN.
        const b = name === 'Pow'
          ? { values: Float32Array.from({ length: size(bs) }, () => [0, 1, 2, 3, -1, -2, 0.5, -0.5, 1.5, NaN, Infinity, -Infinity, 0.3 * rng.normalArray(1)[0]!][rng.int(13)]!), shape: bs, dtype: 'float32' as const }
          : floats(bs);
        const err = await compare([a, b], op);
        if (!(err <= TOL)) bad.push({ name, as, bs, err });
      }
    }
    // Gradients on finite inputs (Pow on positive bases: its gradient takes log(base)). tfjs's
    // Maximum, Minimum and SquaredDifference gradients do not reduce over broadcast dims.
    const unreduced = new Set(['Maximum', 'Minimum', 'SquaredDifference']);
    for (const [as, bs] of shapePairs().filter(([p, q]) => size(p) > 0 && size(q) > 0)) {
      for (const [name, op] of BINARY_FLOAT) {
        if (unreduced.has(name) && (as.length !== bs.length || as.some((d, i) => d !== bs[i]))) continue;
        const a = name === 'Pow' ? uniform(as, 0.5, 2) : floats(as, 1, 0), b = floats(bs, 1, 0);
        const err = await compare([a, b], (x, y) => {
          const out = op(x!, y!);
          const dy = cotangent(out.shape, POSITIVE);
          return [out, ...tf.grads((p: tf.Tensor, q: tf.Tensor) => op(p, q).mul(dy).sum())([x!, y!])];
        }, relErr);
        if (!(err <= TOL)) bad.push({ name, as, bs, grad: true, err });
      }
    }
    expect(bad).toEqual([]);
  });

  it('int32 arithmetic wraps like Int32Array, Maximum/Minimum on int32', async () => {
    const bad: object[] = []; // every failing case, reported together
    for (const [as, bs] of shapePairs()) {
      for (const op of [tf.add, tf.sub, tf.mul, tf.maximum, tf.minimum]) {
        const err = await compare([ints(as, -(2 ** 20), 2 ** 20), ints(bs, -(2 ** 20), 2 ** 20)], op);
        if (!(err === 0)) bad.push({ op: op.name, as, bs, err });
      }
    }
    const big: Host = { values: Int32Array.from([2 ** 31 - 1, -(2 ** 31), 2 ** 30, -5]), shape: [4], dtype: 'int32' };
    const err = await compare([big, { ...big, values: Int32Array.from([1, -1, 2 ** 30, 7]) }], (x, y) => [tf.add(x!, y!), tf.sub(x!, y!), tf.mul(x!, y!)]);
    expect(err).toBe(0);
    expect(bad).toEqual([]);
  });

  it('comparisons on float32, int32 and bool give bool; LogicalAnd/LogicalOr', async () => {
    const bad: object[] = []; // every failing case, reported together
    for (const [as, bs] of shapePairs()) {
      for (const [name, op] of COMPARE) {
        for (const [a, b] of [[fewFloats(as), fewFloats(bs)], [ints(as, -2, 2), ints(bs, -2, 2)], [bools(as), bools(bs)]]) {
          const err = await compare([a!, b!], op);
          if (!(err === 0)) bad.push({ name, dtype: a!.dtype, as, bs, err });
        }
      }
      for (const op of [tf.logicalAnd, tf.logicalOr]) {
        const err = await compare([bools(as), bools(bs)], op);
        if (!(err === 0)) bad.push({ op: op.name, as, bs, err });
      }
    }
    expect(bad).toEqual([]);
  });

  it('Maximum, Minimum and Relu keep the sign of zero as Math.max/min do', async () => {
    await tf.setBackend('wasm');
    const signs = (t: tf.Tensor) => Array.from(t.dataSync()).map((v) => (Object.is(v, -0) ? '-0' : String(v)));
    tf.tidy(() => {
      const a = tf.tensor1d([0, -0, -0, 0, NaN, 1]), b = tf.tensor1d([-0, 0, -0, 0, 1, NaN]);
      expect(signs(tf.maximum(a, b))).toEqual(['0', '0', '-0', '0', 'NaN', 'NaN']);
      expect(signs(tf.minimum(a, b))).toEqual(['-0', '-0', '-0', '0', 'NaN', 'NaN']);
      expect(signs(tf.relu(tf.tensor1d([-0, 0, -2, NaN, 3])))).toEqual(['0', '0', '0', 'NaN', '3']);
    });
  });

  it('unary ops on rank 0–5 and empty tensors, with special values; gradients', async () => {
    const bad: object[] = []; // every failing case, reported together
    const shapes = [[], [1], [7], [3, 5], [2, 3, 4], [2, 1, 3, 2], [2, 2, 1, 3, 2], [0], [3, 0, 2], [37, 61]];
    const unary: Array<[string, (x: tf.Tensor) => tf.Tensor, (s: number[]) => Host]> = [
      ['Exp', tf.exp, (s) => uniform(s, -110, 95)], ['Exp', tf.exp, (s) => floats(s, 3, 0.3)],
      ['Log', tf.log, (s) => { const u = uniform(s, -100, 88); return { ...u, values: u.values.map(Math.exp) }; }],
      ['Log', tf.log, (s) => floats(s, 10, 0.4)],
      ['Sqrt', tf.sqrt, (s) => floats(s, 5, 0.3)], ['Rsqrt', tf.rsqrt, (s) => floats(s, 5, 0.3)],
      ['Square', tf.square, (s) => floats(s, 100, 0.3)], ['Neg', tf.neg, (s) => floats(s, 1, 0.3)],
      ['Abs', tf.abs, (s) => floats(s, 1, 0.3)], ['Relu', tf.relu, (s) => floats(s, 1, 0.3)],
      ['Step', (x) => tf.step(x, 0.25), (s) => floats(s, 1, 0.3)], ['Step', (x) => tf.step(x), (s) => floats(s, 1, 0.3)],
      ['Sigmoid', tf.sigmoid, (s) => floats(s, 30, 0.3)], ['Tanh', tf.tanh, (s) => floats(s, 3, 0.3)],
      ['Softplus', tf.softplus, (s) => floats(s, 20, 0.3)], ['IsFinite', tf.isFinite, (s) => floats(s, 1, 0.5)],
      ['IsNan', tf.isNaN, (s) => floats(s, 1, 0.5)], ['Reciprocal', tf.reciprocal, (s) => floats(s, 1, 0.3)],
      ['Neg', tf.neg, (s) => ints(s, -(2 ** 31), 2 ** 31 - 1)], ['Relu', tf.relu, (s) => ints(s, -9, 9)],
      ['LogicalNot', tf.logicalNot, bools],
    ];
    for (const shape of shapes) {
      for (const [name, op, gen] of unary) {
        const err = await compare([gen(shape)], op);
        if (!(err <= TOL)) bad.push({ name, shape, err });
      }
    }
    const differentiable: Array<[string, (x: tf.Tensor) => tf.Tensor, (s: number[]) => Host]> = [
      ['Exp', tf.exp, (s) => floats(s, 2, 0)], ['Log', tf.log, (s) => uniform(s, 0.1, 5)], ['Sqrt', tf.sqrt, (s) => uniform(s, 0.1, 5)],
      ['Rsqrt', tf.rsqrt, (s) => uniform(s, 0.1, 5)], ['Square', tf.square, (s) => floats(s, 1, 0)], ['Neg', tf.neg, (s) => floats(s, 1, 0)],
      ['Abs', tf.abs, (s) => floats(s, 1, 0)], ['Relu', tf.relu, (s) => floats(s, 1, 0)], ['Step', (x) => tf.step(x, 0.1), (s) => floats(s, 1, 0)],
      ['Sigmoid', tf.sigmoid, (s) => floats(s, 3, 0)], ['Tanh', tf.tanh, (s) => floats(s, 2, 0)], ['Softplus', tf.softplus, (s) => floats(s, 5, 0)],
      ['Reciprocal', tf.reciprocal, (s) => uniform(s, 0.2, 3)],
    ];
    for (const shape of shapes.filter((s) => size(s) > 0)) {
      for (const [name, op, gen] of differentiable) {
        const err = await compare([gen(shape)], (x) => {
          const dy = cotangent(x!.shape, POSITIVE);
          return [op(x!), tf.grad((p: tf.Tensor) => op(p).mul(dy).sum())(x!)];
        }, relErr);
        if (!(err <= TOL)) bad.push({ name, shape, grad: true, err });
      }
    }
    expect(bad).toEqual([]);
  });

  it('Exp and Log at the float32 limits: overflow to Inf, underflow to 0, subnormals', async () => {
    const x: Host = { values: Float32Array.from([88.7228317, 88.7228394, 89, 1e30, -87.3, -103.9, -104, -1e30, 0, -0, 1e-30, NaN, Infinity, -Infinity]), shape: [14], dtype: 'float32' };
    expect(await compare([x], tf.exp)).toBeLessThanOrEqual(TOL);
    const y: Host = { values: Float32Array.from([1e-45, 1e-40, FLT_MIN, 1, 1 + 2 ** -23, 1 - 2 ** -24, 3.4e38, 0, -0, -1, NaN, Infinity, -Infinity]), shape: [13], dtype: 'float32' };
    expect(await compare([y], tf.log)).toBeLessThanOrEqual(TOL);
  });

  it('Cast between float32, int32 and bool as the CPU backend does (truncation, ToInt32 wrap, x ≠ 0)', async () => {
    const bad: object[] = []; // every failing case, reported together
    const f: Host = { values: Float32Array.from([0, -0, 0.5, -0.5, 1.9, -1.9, 2.5, -2.5, 1e9, 3e9, -3e9, 5e18, 1e19, 3e38, NaN, Infinity, -Infinity, 1e-40]), shape: [18], dtype: 'float32' };
    // int32 beyond 2^24 is not a float32: the CPU backend keeps the int (its Cast to float32
    // only relabels the buffer), every WASM kernel rounds it.
    const i = ints([40], -(2 ** 24), 2 ** 24);
    const b = bools([3, 5]);
    for (const x of [f, i, b, floats([4, 0]), ints([0], 0, 1)]) {
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        const err = await compare([x], (t) => tf.cast(t!, dtype));
        if (!(err === 0)) bad.push({ from: x.dtype, dtype, shape: x.shape, err });
      }
    }
    expect(bad).toEqual([]);
  });

  it('Cast to the same dtype shares the buffer and survives disposing its input', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const before = tf.memory().numDataBuffers;
    const y = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers).toBe(before); // no second buffer
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
  });

  it('Select (tf.where, its broadcasts included) on float32, int32 and bool, and its gradient', async () => {
    const bad: object[] = []; // every failing case, reported together
    const cases: Array<[number[], number[], number[]]> = [[[6], [6], [6]], [[4, 7], [4, 7], [4, 7]], [[4, 1], [4, 7], []], [[], [3, 2], [3, 2]], [[2, 3, 4], [3, 4], [2, 1, 4]], [[0, 3], [0, 3], [3]], [[2, 2, 1, 2, 1], [2, 1, 2, 1, 2], [1, 1, 1, 1, 2]]];
    for (const [cs, ts, es] of cases) {
      for (const gen of [(s: number[]) => floats(s), (s: number[]) => ints(s, -5, 5), bools]) {
        const err = await compare([bools(cs), gen(ts), gen(es)], (c, t, e) => tf.where(c!, t!, e!));
        if (!(err === 0)) bad.push({ cs, ts, es, err });
      }
      // tfjs has no Tile gradient above rank 4 (tf.where broadcasts through Tile).
      if (size(cs) * size(ts) * size(es) === 0 || cs.length > 4) continue;
      const err = await compare([bools(cs), floats(ts, 1, 0), floats(es, 1, 0)], (c, t, e) => {
        const out = tf.where(c!, t!, e!);
        const dy = cotangent(out.shape, POSITIVE);
        return [out, ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.where(c!, p, q).mul(dy).sum())([t!, e!])];
      }, relErr);
      if (!(err <= TOL)) bad.push({ cs, ts, es, grad: true, err });
    }
    expect(bad).toEqual([]);
  });

  it('AddN of 1 to 9 float32/int32 tensors is bit-identical to the CPU backend; its gradient', async () => {
    for (const count of [1, 2, 3, 4, 5, 8, 9]) {
      for (const shape of [[], [5], [3, 4, 2], [0, 2]]) {
        const xs = Array.from({ length: count }, () => floats(shape, 1, 0.2));
        expect(await compare(xs, (...ts) => tf.addN(ts))).toBe(0);
        const ys = Array.from({ length: count }, () => ints(shape, -(2 ** 31), 2 ** 31 - 1));
        expect(await compare(ys, (...ts) => tf.addN(ts))).toBe(0);
      }
    }
    const xs = Array.from({ length: 5 }, () => floats([3, 4], 1, 0));
    const err = await compare(xs, (...ts) => tf.grads((...p: tf.Tensor[]) => tf.addN(p).mul(cotangent([3, 4], POSITIVE)).sum())(ts), relErr);
    expect(err).toBeLessThanOrEqual(TOL);
  });

  it('runs natively for the dtypes and shapes it handles, and falls back for the others', async () => {
    await tf.setBackend('wasm');
    const counts = await countCalls(() => {
      tf.tidy(() => {
        const a = tf.randomNormal([8, 5]), r = tf.randomNormal([5]), c = tf.randomNormal([8, 1]), s = tf.scalar(0.9);
        tf.add(a, a); tf.mul(a, s); tf.sub(s, a);                       // binary: same shape, scalar either side
        tf.mul(a, r); tf.div(a, c); tf.greater(a, c);                   // broadcast: row, column
        tf.exp(a); tf.isFinite(a); tf.cast(a, 'int32');                  // unary
        tf.where(tf.greater(a, 0), a, a);                                // select (+ one binary)
        tf.addN([a, a, a, a, a]);                                        // two addN passes
        tf.cast(a, 'float32');                                           // shared buffer: no call
        const i = tf.tensor1d([1, -2], 'int32');
        tf.abs(i); tf.pow(i, i);                                         // int32 Abs and Pow: fallbacks
      });
    });
    expect(counts).toEqual({ binary: 4, broadcast: 3, unary: 3, select: 1, addN: 2 });
  });

  it('the addon rejects operands outside the heap and unsupported op/dtype pairs', () => {
    const heap = new Float32Array(16);
    native!.setHeap(new Uint8Array(heap.buffer));
    try {
      expect(() => native!.binary(0, 0, 0, 0, 32, 16, 0)).toThrow(/outside/);
      expect(() => native!.binary(0, 0, 0, 60, 0, 2, 0)).toThrow(/outside/);
      expect(() => native!.broadcast(0, 0, 0, 0, 0, 1, 1, 4, 8, 0, 0, 8, 1, 0, 0, 0, 1)).toThrow(/outside/);
      expect(() => native!.broadcast(0, 0, 0, 0, 0, 1, 1, 2, 2, 0, 0, 2, 2, 0, 0, 0, 1)).toThrow(/innermost/);
      expect(() => native!.unary(0, 0, 0, 48, 8, 0)).toThrow(/outside/);
      expect(() => native!.unary(0, 1, 0, 32, 4, 0)).toThrow(/unsupported/);  // Exp on int32
      expect(() => native!.binary(3, 1, 0, 16, 32, 4, 0)).toThrow(/unsupported/); // RealDiv on int32
      expect(() => native!.select(0, 0, 0, 0, 60, 2)).toThrow(/outside/);
      expect(() => native!.addN(0, 0, 4, false, 5, 0, 0, 0, 0)).toThrow(/count/);
      heap.set([1, 2, 3, 4], 0);
      heap.set([10, 20], 4);
      native!.broadcast(0, 0, 0, 16, 32, 1, 1, 2, 2, 0, 0, 2, 1, 0, 0, 1, 0); // [2, 2] + [2, 1]
      expect(Array.from(heap.subarray(8, 12))).toEqual([11, 12, 23, 24]);
    } finally {
      forgetHeap();
    }
  });

  it('does not leak tensors', async () => {
    await tf.setBackend('wasm');
    const a = tf.randomNormal([6, 5]), r = tf.randomNormal([5]), m = tf.greater(a, 0);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.addN([tf.exp(p).mul(q), tf.log(tf.abs(p)), tf.where(m, p, tf.sqrt(tf.square(q)).add(p)), tf.pow(tf.abs(p), q)]).sum())([a, r]);
      tf.cast(tf.cast(a, 'int32'), 'float32');
      tf.cast(a, 'float32');
      tf.logicalAnd(m, tf.isFinite(a));
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, r, m]);
  });
});
