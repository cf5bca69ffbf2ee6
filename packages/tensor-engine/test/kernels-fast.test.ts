import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { WASM_KERNEL_FIXES } from '../src/kernels/register.js';
import { simplifyPermutation } from '../src/kernels/fast-transpose.js';
import { compare, cotangent, hostRandom, relErr, size, type Host } from './helpers/cpu-reference.js';

// Every replaced WASM kernel against the stock tfjs CPU backend on the same inputs: values
// and gradients. Error measure: max |wasm − cpu| / max(|cpu|, 1e-30), over the whole output
// (NaN only where the CPU has NaN).
const TOL = 1e-5;
const rng = new Rng(20261201);

const { normal, ints, bools, dim } = hostRandom(rng);

describe('fast WASM kernels agree with the CPU backend', () => {
  // The JS kernels are under test here; the native matmul (when built) has its own suite.
  const nativeEnv = process.env.SWITCHYARD_NATIVE;
  beforeAll(async () => {
    process.env.SWITCHYARD_NATIVE = '0';
    await initBackend('wasm', { quiet: true });
  });
  afterAll(async () => {
    if (nativeEnv === undefined) delete process.env.SWITCHYARD_NATIVE; else process.env.SWITCHYARD_NATIVE = nativeEnv;
    await tf.setBackend('wasm');
  });

  it('replaces the kernels it says it does', () => {
    expect([...WASM_KERNEL_FIXES].sort()).toEqual([
      'BatchMatMul', 'Equal', 'GatherV2', 'Greater', 'GreaterEqual', 'Identity', 'Less', 'LessEqual', 'LogicalAnd',
      'LogicalOr', 'Maximum', 'Minimum', 'NotEqual', 'Slice', 'SplitV', 'Sum', 'Transpose', 'Unpack', '_FusedMatMul']);
  });

  it('BatchMatMul: transposes, batches and broadcasting, values and gradients', async () => {
    const cases: Array<[number[], number[]]> = [];
    for (let t = 0; t < 6; t++) {
      const m = dim(1, 40), k = dim(1, 40), n = dim(1, 40), B = dim(2, 4);
      cases.push([[m, k], [k, n]], [[B, m, k], [k, n]], [[B, m, k], [B, k, n]], [[m, k], [B, k, n]], [[2, 1, m, k], [1, B, k, n]]);
    }
    for (const [as, bs] of cases) {
      for (const ta of [false, true]) for (const tb of [false, true]) {
        const ra = as.length, rb = bs.length;
        const aShape = ta ? [...as.slice(0, -2), as[ra - 1]!, as[ra - 2]!] : as;
        const bShape = tb ? [...bs.slice(0, -2), bs[rb - 1]!, bs[rb - 2]!] : bs;
        const a = normal(aShape), b = normal(bShape);
        // tfjs's CPU matMul mis-sizes the output when both sides broadcast ([2,1,..] x [1,B,..]):
        // its reference gets both operands broadcast to the output batch explicitly.
        const outer = tf.broadcast_util.assertAndGetBroadcastShape(as.slice(0, -2), bs.slice(0, -2));
        const ref = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(
          tf.broadcastTo(x, [...outer, ...aShape.slice(-2)]), tf.broadcastTo(y, [...outer, ...bShape.slice(-2)]), ta, tb);
        const both = as.length === 4;
        const err = await compare([a, b], (x, y) => {
          const out = tf.matMul(x!, y!, ta, tb);
          // tfjs 4.22's matMul gradient does not reduce broadcast batch dims: values only there.
          if (as.length !== bs.length || as.slice(0, -2).join() !== bs.slice(0, -2).join()) return out;
          // Gradients through a fixed cotangent (every matmul gradient transposes).
          const dy = cotangent(out.shape);
          const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, ta, tb).mul(dy).sum())([x!, y!]);
          return [out, ga!, gb!];
        }, { ref: both ? (x, y) => ref(x!, y!) : undefined });
        expect({ as: aShape, bs: bShape, ta, tb, err: err <= TOL }).toEqual({ as: aShape, bs: bShape, ta, tb, err: true });
      }
    }
  });

  it('_FusedMatMul: bias, relu, transposes and batches, values and gradients', async () => {
    for (let t = 0; t < 4; t++) {
      const m = dim(2, 30), k = dim(2, 30), n = dim(2, 30), B = dim(2, 3);
      for (const [as, bs] of [[[m, k], [k, n]], [[B, m, k], [B, k, n]], [[B, m, k], [k, n]]] as Array<[number[], number[]]>) {
        for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
          const ra = as.length, rb = bs.length;
          const aShape = ta ? [...as.slice(0, -2), as[ra - 1]!, as[ra - 2]!] : as;
          const bShape = tb ? [...bs.slice(0, -2), bs[rb - 1]!, bs[rb - 2]!] : bs;
          const err = await compare([normal(aShape), normal(bShape), normal([n])], (x, y, bias) => {
            const f = (p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) => tf.fused.matMul({ a: p, b: q, bias: c, transposeA: ta, transposeB: tb, activation: 'relu' });
            const out = f(x!, y!, bias!);
            if (as.length !== bs.length || as.slice(0, -2).join() !== bs.slice(0, -2).join()) return out; // as for BatchMatMul: no broadcast gradient in tfjs
            const dy = cotangent(out.shape);
            const g = tf.grads((p: tf.Tensor, q: tf.Tensor, c: tf.Tensor) => f(p, q, c).mul(dy).sum())([x!, y!, bias!]);
            return [out, ...g];
          });
          expect({ aShape, bShape, ta, tb, ok: err <= TOL }).toEqual({ aShape, bShape, ta, tb, ok: true });
        }
      }
    }
  });

  it('Transpose: random permutations of ranks 1–5, float, int and bool', async () => {
    for (let t = 0; t < 40; t++) {
      const r = dim(1, 5);
      const shape = Array.from({ length: r }, () => (rng.uniform() < 0.25 ? 1 : dim(2, r <= 2 ? 70 : 7)));
      const perm = Array.from(rng.permutation(r));
      const x = normal(shape);
      const err = await compare([x], (v) => tf.transpose(v!, perm));
      expect({ shape, perm, ok: err === 0 }).toEqual({ shape, perm, ok: true });
      const xi = ints(shape, 1000);
      expect(await compare([xi], (v) => tf.transpose(v!, perm))).toBe(0);
      expect(await compare([xi], (v) => tf.transpose(v!.greater(500), perm))).toBe(0);
    }
    expect(await compare([normal([5, 6])], (v) => tf.grad((p: tf.Tensor) => tf.transpose(p).mul(tf.range(0, 30).reshape([6, 5])).sum())(v!))).toBe(0);
  });

  it('simplifies permutations by merging neighbouring dims and dropping 1s', () => {
    expect(simplifyPermutation([2, 3, 4, 5], [2, 3, 0, 1])).toEqual({ shape: [6, 20], perm: [1, 0] });
    expect(simplifyPermutation([2, 1, 4], [2, 1, 0])).toEqual({ shape: [2, 4], perm: [1, 0] });
    expect(simplifyPermutation([3, 4, 5], [0, 2, 1])).toEqual({ shape: [3, 4, 5], perm: [0, 2, 1] });
    expect(simplifyPermutation([3, 4, 5], [1, 0, 2])).toEqual({ shape: [3, 4, 5], perm: [1, 0, 2] });
  });

  it('Slice, SplitV and Unpack: random boxes and their gradients', async () => {
    for (let t = 0; t < 30; t++) {
      const r = dim(1, 4);
      const shape = Array.from({ length: r }, () => dim(1, 9));
      const begin = shape.map((d) => rng.int(d));
      const size = shape.map((d, i) => (rng.uniform() < 0.3 ? -1 : 1 + rng.int(d - begin[i]!)));
      const err = await compare([normal(shape)], (v) => {
        const g = tf.grad((p: tf.Tensor) => tf.slice(p, begin, size).square().sum())(v!);
        return [tf.slice(v!, begin, size), g];
      });
      expect({ shape, begin, size, ok: err === 0 }).toEqual({ shape, begin, size, ok: true });
      expect(await compare([ints(shape, 50)], (v) => tf.slice(v!, begin, size))).toBe(0);
      const axis = rng.int(r);
      const cut = rng.int(shape[axis]! + 1);
      expect(await compare([normal(shape)], (v) => tf.split(v!, [cut, shape[axis]! - cut], axis))).toBe(0);
      expect(await compare([normal(shape)], (v) => tf.unstack(v!, axis))).toBe(0);
    }
    const x = normal([6, 8]);
    expect(await compare([x], (v) => tf.split(v!, [1, 3, 4], 1))).toBe(0);
    expect(await compare([x], (v) => tf.split(v!, 3, 0))).toBe(0);
    expect(await compare([x], (v) => tf.grad((p: tf.Tensor) => tf.split(p, [2, 4], 0)[1]!.mul(tf.range(0, 32).reshape([4, 8])).sum())(v!))).toBe(0);
  });

  it('GatherV2: any axis, repeated indices, index tensors of rank 0–2, gradients', async () => {
    for (let t = 0; t < 20; t++) {
      const r = dim(1, 4);
      const shape = Array.from({ length: r }, () => dim(1, 8));
      const axis = rng.int(r);
      const idxShape = [[], [dim(1, 12)], [dim(1, 3), dim(1, 4)]][rng.int(3)]!;
      const idx = ints(idxShape, shape[axis]!);
      const err = await compare([normal(shape), idx], (v, i) => {
        const g = tf.grad((p: tf.Tensor) => tf.gather(p, i!, axis).square().sum())(v!);
        return [tf.gather(v!, i!, axis), g];
      });
      expect({ shape, axis, idxShape, ok: err <= TOL }).toEqual({ shape, axis, idxShape, ok: true });
      expect(await compare([ints(shape, 99), idx], (v, i) => tf.gather(v!, i!, axis))).toBe(0);
    }
  });

  it('GatherV2 rejects out-of-range indices like the stock kernel', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const bad = tf.tensor1d([0, 2], 'int32');
    const before = tf.memory().numTensors;
    expect(() => tf.gather(x, bad)).toThrow(/index value 2/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, bad]);
  });

  it('comparisons, logical ops and maximum/minimum broadcast like the CPU backend', async () => {
    const shapes = [[[5, 1], [5, 7]], [[3, 1, 4], [2, 1]], [[], [3, 3]], [[6], [6]], [[2, 3, 1, 5], [1, 3, 4, 1]], [[4, 3], []]];
    // Small integers as floats: plenty of ties for Equal/LessEqual; a NaN for Maximum/Minimum.
    const smallFloats = (s: number[]): Host => ({ values: Float32Array.from({ length: size(s) }, () => rng.int(3) - 1), shape: s, dtype: 'float32' });
    for (const [as, bs] of shapes as Array<[number[], number[]]>) {
      const [ba, bb] = [bools(as), bools(bs)];
      expect(await compare([ba, bb], (x, y) => [tf.logicalAnd(x!, y!), tf.logicalOr(x!, y!), tf.equal(x!, y!)])).toBe(0);
      const [fa, fb] = [smallFloats(as), smallFloats(bs)];
      if (fa.values.length > 1) fa.values[1] = NaN;
      const ops = (x: tf.Tensor, y: tf.Tensor) => [tf.equal(x, y), tf.notEqual(x, y), tf.greater(x, y), tf.greaterEqual(x, y),
        tf.less(x, y), tf.lessEqual(x, y), tf.maximum(x, y), tf.minimum(x, y)];
      expect(await compare([fa, fb], (x, y) => ops(x!, y!))).toBe(0);
      expect(await compare([ints(as, 3), ints(bs, 3)], (x, y) => ops(x!, y!))).toBe(0);
    }
    // The gradient of max/logSumExp is where Equal broadcasts in training.
    expect(await compare([normal([6, 9])], (v) => tf.grad((p: tf.Tensor) => tf.logSumExp(p, 1).mul(tf.range(1, 7)).sum())(v!))).toBeLessThanOrEqual(TOL);
    expect(await compare([normal([4, 5])], (v) => tf.clone(v!).add(1))).toBe(0);
  });

  it('Sum over leading axes (bias gradients) and other axes matches the CPU backend', async () => {
    for (const [shape, axis, keep] of [[[300, 7], 0, false], [[4, 5, 6], [0, 1], true], [[4, 5, 6], [1, 0], false], [[4, 5, 6], 1, false],
      [[4, 5, 6], [0, 2], false], [[9], 0, false], [[3, 4], [0, 1], false], [[5, 3], -1, true]] as Array<[number[], number | number[], boolean]>) {
      expect({ shape, axis, err: (await compare([normal(shape)], (v) => tf.sum(v!, axis, keep))) <= TOL }).toEqual({ shape, axis, err: true });
    }
    expect(await compare([ints([6, 4], 9)], (v) => tf.sum(v!, 0))).toBe(0);
    const bias = await compare([normal([64, 8]), normal([8])], (x, b) => tf.grad((c: tf.Tensor) => tf.add(x!, c).square().sum())(b!));
    expect(bias).toBeLessThanOrEqual(TOL);
  });

  it('unsortedSegmentSum forward on the heap matches the CPU backend (negative ids dropped)', async () => {
    const ids: Host = { values: Int32Array.from({ length: 24 }, (_, i) => (i % 5 === 0 ? -1 : rng.int(8))), shape: [24], dtype: 'int32' };
    expect(await compare([normal([24, 3, 2]), ids], (x, i) => tf.unsortedSegmentSum(x!, i! as tf.Tensor1D, 8))).toBeLessThanOrEqual(TOL);
  });

  it('unsortedSegmentSum gradient (gather-dispatch combine) matches the CPU backend', async () => {
    const ids = ints([30], 7);
    const err = await compare([normal([30, 5]), ids, normal([7, 5])], (x, i, dy) =>
      tf.grad((p: tf.Tensor) => tf.unsortedSegmentSum(p, i! as tf.Tensor1D, 7).mul(dy!).sum())(x!));
    expect(err).toBeLessThanOrEqual(TOL);
  });

  it('Sum/Mean/UnsortedSegmentSum gradients (registered globally) equal their closed forms', async () => {
    await tf.setBackend('wasm');
    // d/dx Σ_axes(x)·c = c broadcast back; Mean divides by the reduced size.
    const x = tf.tensor(rng.normalArray(2 * 3 * 4), [2, 3, 4]);
    const c = tf.tensor(rng.normalArray(3), [1, 3, 1]);
    const gs = tf.grad((v: tf.Tensor) => tf.sum(v, [0, 2], true).mul(c).sum())(x);
    const gm = tf.grad((v: tf.Tensor) => tf.mean(v, [0, 2]).mul(c.reshape([3])).sum())(x);
    const cv = c.dataSync();
    const want = Array.from({ length: 24 }, (_, i) => cv[Math.floor(i / 4) % 3]!);
    expect(relErr(gs.dataSync(), want)).toBe(0);
    expect(relErr(gm.dataSync(), want.map((v) => v / 8))).toBeLessThanOrEqual(TOL);
    expect(gs.dtype).toBe('float32');
    // d/dx Σ unsortedSegmentSum(x, ids)·dy: row i gets dy[ids[i]], zero where ids[i] < 0.
    const ids = tf.tensor1d([2, -1, 0, 2, 1], 'int32');
    const dy = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    const gu = tf.grad((v: tf.Tensor) => tf.unsortedSegmentSum(v, ids, 3).mul(dy).sum())(tf.zeros([5, 2]));
    expect(Array.from(gu.dataSync())).toEqual([5, 6, 0, 0, 1, 2, 5, 6, 3, 4]);
    tf.dispose([x, c, gs, gm, ids, dy, gu]);
  });

  it('does not leak tensors', async () => {
    await tf.setBackend('wasm');
    const a = tf.randomNormal([3, 4, 5]), b = tf.randomNormal([3, 6, 5]), bias = tf.randomNormal([6]);
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    // Heap buffers registered with the backend (batch views of matmul operands included).
    const dataIds = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const ids = dataIds();
    tf.tidy(() => {
      tf.matMul(a, b, false, true);
      tf.fused.matMul({ a, b, bias, transposeB: true, activation: 'relu' });
      tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, false, true).sum())([a, b]);
      tf.transpose(a, [2, 0, 1]);
      tf.slice(a, [1, 0, 0], [1, 4, 5]);
      tf.split(a, 5, 2);
      tf.unstack(a, 1);
      tf.gather(a, tf.tensor1d([2, 0], 'int32'), 1);
      tf.clone(a);
      tf.grads((p: tf.Tensor) => tf.mean(tf.sum(p, 0), -1).sum())([a]);
      tf.grad((p: tf.Tensor) => tf.unsortedSegmentSum(p, tf.tensor1d([1, -1, 0], 'int32'), 2).sum())(a);
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytes);
    expect(dataIds()).toBe(ids);
    tf.dispose([a, b, bias]);
  });
});
