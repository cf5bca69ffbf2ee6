import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { checkIndices } from '../src/kernels/fast-gather.js';
import { forgetHeap, loadNativeKernels, type NativeAddon } from '../src/kernels/native/addon.js';
import { shapeKernelMakers } from '../src/kernels/native/shape.js';
import { compare, cotangent, hostRandom, size, type Host } from './helpers/cpu-reference.js';

// The native shape and indexing kernels (packages/native-kernels/src/shape.c) against the tfjs
// CPU backend on the same host inputs: values and gradients, float32/int32/bool. These kernels
// move values without arithmetic, so forward outputs must be equal; gradients (the cotangent's
// sin differs by an ulp between backends) and UnsortedSegmentSum (it adds, in an order the CPU
// backend does not share) are held to max relative error ≤ 1e-5. Skipped, with a message, when
// the addon has not been built.
const native = process.env.SWITCHYARD_NATIVE === '0' ? null : loadNativeKernels();
if (!native) console.log('native-shape: packages/native-kernels is not built (or SWITCHYARD_NATIVE=0); skipping');
const maybe = native ? describe : describe.skip;
const TOL = 1e-5;
const rng = new Rng(20260517);

const { normal, ints, bools, dim } = hostRandom(rng);
/** float32, int32 and bool versions of one random tensor. */
const allDtypes = (shape: number[]): Host[] => [normal(shape), ints(shape, 1000, -500), bools(shape)];
/** f(x) and the gradient of Σ f(x)·cotangent with respect to x (float inputs). */
const withGrad = (f: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor): tf.Tensor[] => {
  const y = f(x);
  return [y, tf.grad((p: tf.Tensor) => f(p).mul(cotangent(y.shape)).sum())(x)];
};
const randShape = (r: number, hi: number) => Array.from({ length: r }, () => (rng.uniform() < 0.2 ? 1 : dim(2, hi)));

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

/** How often each addon function ran during f (the kernels must not silently fall back). */
function addonCalls(f: () => void): Record<string, number> {
  const counts: Record<string, number> = {};
  const k = native as unknown as Record<string, (...a: number[]) => void>;
  const names = ['copyStrided', 'fillValue', 'gather', 'unsortedSegmentSum', 'oneHot'];
  const saved = names.map((n) => k[n]!);
  names.forEach((n, i) => { k[n] = (...a: number[]) => { counts[n] = (counts[n] ?? 0) + 1; return saved[i]!(...a); }; });
  try { f(); } finally { names.forEach((n, i) => { k[n] = saved[i]!; }); }
  return counts;
}

/** The message `f` throws. */
function messageOf(f: () => void): string {
  try { f(); } catch (e) { return (e as Error).message; }
  throw new Error('did not throw');
}

maybe('native shape and indexing kernels on the WASM backend', () => {
  beforeAll(async () => { await initBackend('wasm', { quiet: true }); });
  afterAll(async () => { await tf.setBackend('wasm'); });

  it('replaces the shape kernels, and each runs through the addon', async () => {
    expect(Object.keys(shapeKernelMakers(native as NativeAddon)).sort()).toEqual(
      ['Concat', 'GatherV2', 'OneHot', 'Pack', 'PadV2', 'Slice', 'SplitV', 'Tile', 'Transpose', 'Unpack', 'UnsortedSegmentSum']);
    await tf.setBackend('wasm');
    const x = tf.tensor3d([[[1, 2], [3, 4], [5, 6]]]); // [1, 3, 2]
    const ids = tf.tensor1d([2, 0], 'int32');
    const counts = addonCalls(() => tf.tidy(() => {
      tf.transpose(x, [0, 2, 1]);
      tf.slice(x, [0, 1, 0], [1, 2, 2]);
      tf.split(x, [1, 2], 1);
      tf.unstack(x, 1);
      tf.concat([x, x], 2);
      tf.stack([x, x], 1);
      tf.pad(x, [[0, 0], [1, 0], [0, 1]], 7);
      tf.tile(x, [2, 1, 2]);
      tf.gather(x, ids, 1);
      tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4]]), ids, 3);
      tf.oneHot(ids, 4);
    }));
    // 1 transpose + 1 slice + 2 split + 3 unstack + 2 concat + 2 stack + 1 pad + 1 tile.
    expect(counts).toEqual({ copyStrided: 13, fillValue: 1, gather: 1, unsortedSegmentSum: 1, oneHot: 1 });
    tf.dispose([x, ids]);
  });

  it('Transpose: every permutation of ranks 1–4 (float32, int32, bool) with gradients', async () => {
    for (let r = 1; r <= 4; r++) {
      for (const perm of permutations(r)) {
        const shape = randShape(r, r <= 2 ? 45 : 7);
        const [xf, xi, xb] = allDtypes(shape);
        const err = await compare([xf!], (v) => tf.transpose(v!, perm));
        expect({ shape, perm, err }).toEqual({ shape, perm, err: 0 });
        const gradErr = await compare([xf!], withGrad((v) => tf.transpose(v, perm)));
        expect({ shape, perm, ok: gradErr <= TOL }).toEqual({ shape, perm, ok: true });
        expect({ shape, perm, err: await compare([xi!], (v) => tf.transpose(v!, perm)) }).toEqual({ shape, perm, err: 0 });
        expect({ shape, perm, err: await compare([xb!], (v) => tf.transpose(v!, perm)) }).toEqual({ shape, perm, err: 0 });
      }
    }
  });

  it('Transpose: random permutations of ranks 5–6, attention layouts, tile edges, size-0 dims', async () => {
    const cases: Array<[number[], number[]]> = [
      [[2, 9, 3, 5], [0, 2, 1, 3]], [[2, 3, 9, 5], [0, 2, 1, 3]], // [B, S, H, dk] ↔ [B, H, S, dk]
      // 2-D transposes swept along either side (blocks of 32, registers of 8×8, ragged edges).
      [[37, 70], [1, 0]], [[70, 37], [1, 0]], [[8, 8], [1, 0]], [[33, 129], [1, 0]], [[300, 100], [1, 0]], [[100, 300], [1, 0]],
      [[3, 16, 24], [2, 0, 1]], [[3, 16, 24], [1, 2, 0]],
      [[0, 3], [1, 0]], [[2, 0, 4], [2, 1, 0]], [[1, 1, 1], [2, 0, 1]], [[], []],
    ];
    for (let t = 0; t < 16; t++) {
      const r = dim(5, 6);
      cases.push([randShape(r, 4), Array.from(rng.permutation(r))]);
    }
    for (const [shape, perm] of cases) {
      for (const x of allDtypes(shape)) {
        const err = await compare([x], (v) => tf.transpose(v!, perm));
        expect({ shape, perm, dtype: x.dtype, err }).toEqual({ shape, perm, dtype: x.dtype, err: 0 });
      }
      const gradErr = await compare([normal(shape)], withGrad((v) => tf.transpose(v, perm)));
      expect({ shape, perm, ok: gradErr <= TOL }).toEqual({ shape, perm, ok: true });
    }
  });

  it('Slice, SplitV and Unpack: random boxes of ranks 1–6, negative axes, size 0, gradients', async () => {
    for (let t = 0; t < 40; t++) {
      const r = dim(1, 6);
      const shape = randShape(r, r <= 3 ? 9 : 4);
      const begin = shape.map((d) => rng.int(d));
      const sz = shape.map((d, i) => (rng.uniform() < 0.3 ? -1 : rng.int(d - begin[i]! + 1))); // 0 allowed
      for (const x of allDtypes(shape)) {
        const err = await compare([x], (v) => tf.slice(v!, begin, sz));
        expect({ shape, begin, sz, dtype: x.dtype, err }).toEqual({ shape, begin, sz, dtype: x.dtype, err: 0 });
      }
      expect(await compare([normal(shape)], withGrad((v) => tf.slice(v, begin, sz)))).toBeLessThanOrEqual(TOL);
      const axis = rng.int(r) - (rng.uniform() < 0.5 ? r : 0); // negative half the time
      const d = shape[(axis + r) % r]!;
      const cut = rng.int(d + 1);
      for (const x of allDtypes(shape)) {
        expect(await compare([x], (v) => tf.split(v!, [cut, d - cut], axis))).toBe(0);
        expect(await compare([x], (v) => tf.unstack(v!, axis))).toBe(0);
      }
      expect(await compare([normal(shape)], (v) => tf.grad((p: tf.Tensor) => tf.split(p, [cut, d - cut], axis)[1]!.mul(2).sum())(v!))).toBe(0);
      // Unpack's gradient (a stack of every output's dy) fails in tfjs for a single output.
      const unstackGrad = (v?: tf.Tensor) => tf.grad((p: tf.Tensor) => tf.addN(tf.unstack(p, axis).map((u, i) => u.mul(i + 1).sum())))(v!);
      if (d >= 2) expect(await compare([normal(shape)], unstackGrad)).toBeLessThanOrEqual(TOL);
    }
    expect(await compare([normal([6, 8])], (v) => tf.split(v!, 4, -1))).toBe(0);
    expect(await compare([normal([0, 4])], (v) => [tf.slice(v!, [0, 1], [0, 2]), ...tf.split(v!, 2, 1)])).toBe(0);
  });

  it('Concat and Pack: any axis (negative too), empty inputs, int32/bool, gradients', async () => {
    for (let t = 0; t < 30; t++) {
      const r = dim(1, 5);
      const base = randShape(r, 5);
      const axis = rng.int(r);
      const n = dim(1, 4);
      const shapes = Array.from({ length: n }, () => base.map((d, i) => (i === axis ? rng.int(4) : d))); // 0 along axis allowed
      const ax = rng.uniform() < 0.5 ? axis - r : axis;
      for (const dt of [0, 1, 2]) {
        const xs = shapes.map((s) => allDtypes(s)[dt]!);
        const err = await compare(xs, (...v) => tf.concat(v, ax));
        expect({ shapes, ax, dt, err }).toEqual({ shapes, ax, dt, err: 0 });
        const same = Array.from({ length: n }, () => allDtypes(base)[dt]!);
        const pax = rng.int(r + 1) - (rng.uniform() < 0.5 ? r + 1 : 0);
        expect({ base, pax, dt, err: await compare(same, (...v) => tf.stack(v, pax)) }).toEqual({ base, pax, dt, err: 0 });
      }
      const fs = shapes.map((s) => normal(s));
      const err = await compare(fs, (...v) => {
        const y = tf.concat(v, ax);
        return [y, ...tf.grads((...p: tf.Tensor[]) => tf.concat(p, ax).mul(cotangent(y.shape)).sum())(v)];
      });
      expect({ shapes, ax, ok: err <= TOL }).toEqual({ shapes, ax, ok: true });
      const ps = Array.from({ length: n }, () => normal(base));
      const stacked = [base[0]!, n, ...base.slice(1)]; // stacked on axis 1
      expect(await compare(ps, (...v) => tf.grads((...p: tf.Tensor[]) => tf.stack(p, 1).mul(cotangent(stacked)).sum())(v))).toBeLessThanOrEqual(TOL);
    }
    // Many scalars (Pack of per-variable flags), and a single input.
    const flags = Array.from({ length: 77 }, () => bools([]));
    expect(await compare(flags, (...v) => tf.stack(v))).toBe(0);
    expect(await compare([normal([3, 2])], (v) => [tf.stack([v!], 1), tf.concat([v!], 0)])).toBe(0);
  });

  it('PadV2 and Tile: random shapes, constant values, int32/bool, size 0, gradients', async () => {
    for (let t = 0; t < 30; t++) {
      const r = dim(1, 5);
      const shape = randShape(r, 5);
      if (rng.uniform() < 0.15) shape[rng.int(r)] = 0;
      const pads = shape.map(() => [rng.int(3), rng.int(3)] as [number, number]);
      const reps = shape.map(() => (rng.uniform() < 0.4 ? 1 : dim(0, 3)));
      for (const x of allDtypes(shape)) {
        const c = x.dtype === 'bool' ? 1 : x.dtype === 'int32' ? -7.9 : 2.5; // an int32 store truncates -7.9
        const err = await compare([x], (v) => [tf.pad(v!, pads, c), tf.tile(v!, reps)]);
        expect({ shape, pads, reps, dtype: x.dtype, err }).toEqual({ shape, pads, reps, dtype: x.dtype, err: 0 });
      }
      const padErr = await compare([normal(shape)], withGrad((v) => tf.pad(v, pads)));
      // tfjs has Tile gradients up to rank 4.
      const tileErr = r <= 4 ? await compare([normal(shape)], withGrad((v) => tf.tile(v, reps))) : 0;
      expect({ shape, pads, reps, ok: padErr <= TOL && tileErr <= TOL }).toEqual({ shape, pads, reps, ok: true });
    }
    expect(await compare([normal([2, 3, 2, 3])], (v) => tf.tile(v!, [2, 2, 2, 2]))).toBe(0); // 8 box dims
  });

  it('GatherV2: any axis (negative too), index ranks 0–2, repeated indices, int32/bool, gradients', async () => {
    for (let t = 0; t < 30; t++) {
      const r = dim(1, 5);
      const shape = randShape(r, r <= 2 ? 40 : 6);
      const axis = rng.int(r);
      const idxShape = [[], [dim(1, 12)], [dim(1, 3), dim(1, 4)], [0]][rng.int(4)]!;
      const idx = ints(idxShape, shape[axis]!);
      const ax = rng.uniform() < 0.5 ? axis - r : axis;
      const err = await compare([normal(shape), idx], (v, i) => withGrad((p) => tf.gather(p, i!, ax))(v!));
      expect({ shape, ax, idxShape, ok: err <= TOL }).toEqual({ shape, ax, idxShape, ok: true });
      for (const x of allDtypes(shape).slice(1)) expect(await compare([x, idx], (v, i) => tf.gather(v!, i!, ax))).toBe(0);
    }
    // Embedding rows and scalar rows (a [N] table indexed by tokens), and an empty x.
    expect(await compare([normal([50, 16]), ints([40], 50)], (v, i) => withGrad((p) => tf.gather(p, i!))(v!))).toBeLessThanOrEqual(TOL);
    expect(await compare([normal([300]), ints([64], 300)], (v, i) => withGrad((p) => tf.gather(p, i!))(v!))).toBeLessThanOrEqual(TOL);
    expect(await compare([normal([0, 3]), ints([2], 3)], (v, i) => tf.gather(v!, i!, 1))).toBe(0);
  });

  it('GatherV2 rejects out-of-range indices with the JS kernel\'s message, leaking nothing', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const empty = tf.zeros([2, 0]);
    const backend = tf.backend() as unknown as { numDataIds(): number };
    for (const [bad, t] of [[[0, 2], x], [[-1], x], [[1, 5], empty]] as Array<[number[], tf.Tensor]>) {
      const ids = tf.tensor1d(bad, 'int32');
      const before = tf.memory().numTensors, data = backend.numDataIds();
      expect(() => tf.gather(t, ids)).toThrow(messageOf(() => checkIndices(bad, 2)));
      expect([tf.memory().numTensors, backend.numDataIds()]).toEqual([before, data]);
      ids.dispose();
    }
    tf.dispose([x, empty]);
  });

  it('UnsortedSegmentSum: ids of rank 1–2, negative and too-large ids dropped, int32, empty', async () => {
    for (let t = 0; t < 20; t++) {
      const idShape = rng.uniform() < 0.5 ? [dim(1, 30)] : [dim(1, 4), dim(1, 5)];
      const inner = randShape(dim(0, 2), 6);
      const segs = dim(1, 12);
      const ids = ints(idShape, segs + 4, -2); // some < 0 and some ≥ segs
      // tfjs types ids as 1-D; the kernels take any rank (ids [..idShape], x [..idShape, ..inner]).
      const f = (x?: tf.Tensor, i?: tf.Tensor) => tf.unsortedSegmentSum(x!, i as tf.Tensor1D, segs);
      // The CPU kernel cannot broadcast rank-2 ids: its reference sees the same rows flattened.
      const n = size(idShape);
      const ref = (x?: tf.Tensor, i?: tf.Tensor) => tf.unsortedSegmentSum(x!.reshape([n, ...inner]), i!.reshape([n]) as tf.Tensor1D, segs);
      const err = await compare([normal([...idShape, ...inner]), ids], f, { ref });
      expect({ idShape, inner, segs, ok: err <= TOL }).toEqual({ idShape, inner, segs, ok: true });
      // int32 data sums to int32 as in TF and the JS kernel (the stock CPU kernel returns float32).
      expect(await compare([ints([...idShape, ...inner], 100, -50), ids], f, { ref: (x, i) => ref(x, i).cast('int32') })).toBe(0);
    }
    expect(await compare([normal([0, 3]), ints([0], 1)], (x, i) => tf.unsortedSegmentSum(x!, i as tf.Tensor1D, 4))).toBe(0);
    expect(await compare([normal([3, 0]), ints([3], 2)], (x, i) => tf.unsortedSegmentSum(x!, i as tf.Tensor1D, 2))).toBe(0);
  });

  it('OneHot: float32/int32 outputs, on/off values, negative and out-of-range indices → all off', async () => {
    for (let t = 0; t < 12; t++) {
      const shape = [[dim(1, 20)], [dim(1, 4), dim(1, 5)], [0]][rng.int(3)]!;
      const depth = dim(2, 9); // tf.oneHot wants depth ≥ 2
      const idx = ints(shape, depth + 4, -2);
      for (const dtype of ['float32', 'int32'] as const) {
        const [on, off] = dtype === 'float32' ? [0.75, -0.25] : [5, -3];
        expect(await compare([idx], (i) => [tf.oneHot(i!, depth), tf.oneHot(i!, depth, on, off, dtype)])).toBe(0);
      }
    }
  });

  it('the addon rejects operands outside the heap and malformed boxes', () => {
    const heap = new Float32Array(16);
    native!.setHeap(new Uint8Array(heap.buffer));
    const k = native as unknown as {
      copyStrided(...a: number[]): void; fillValue(...a: number[]): void; gather(...a: number[]): void;
      unsortedSegmentSum(...a: unknown[]): void; oneHot(...a: number[]): void;
    };
    try {
      heap.set([1, 2, 3, 4, 5, 6], 0);
      // [2, 3] → [3, 2] at byte 32; then a Tile-like box: a source stride of 0 repeats.
      k.copyStrided(4, 2, 0, 32, 3, 1, 2, 2, 3, 1);
      expect(Array.from(heap.subarray(8, 14))).toEqual([1, 4, 2, 5, 3, 6]);
      k.copyStrided(4, 2, 0, 32, 2, 0, 3, 3, 1, 1);
      expect(Array.from(heap.subarray(8, 14))).toEqual([1, 2, 3, 1, 2, 3]);
      expect(() => k.copyStrided(4, 1, 0, 40, 8, 1, 1)).toThrow(/outside/);
      expect(() => k.copyStrided(4, 1, 60, 0, 2, 1, 1)).toThrow(/outside/);
      expect(() => k.copyStrided(4, 1, 2, 32, 2, 1, 1)).toThrow(/misaligned/);
      expect(() => k.copyStrided(4, 2, 0, 32, 2, 1, 1)).toThrow(/triples|rank/);
      expect(() => k.copyStrided(3, 1, 0, 32, 2, 1, 1)).toThrow(/element size/);
      expect(() => k.copyStrided(4, 1, 0, 32, 2, -1, 1)).toThrow(/non-negative/);
      expect(() => k.fillValue(0, 32, 9, 1)).toThrow(/outside/);
      new Int32Array(heap.buffer).set([1, 3], 12); // int32 indices [1, 3] at byte 48; x is [3, 2]
      expect(() => k.gather(4, 1, 3, 2, 0, 48, 2, 32)).toThrow('GatherV2: the index value 3 is not in [0, 2]');
      expect(() => k.gather(4, 1, 3, 2, 0, 48, 2, 56)).toThrow(/outside/);
      expect(() => k.unsortedSegmentSum(false, 2, 2, 0, 48, 9, 32)).toThrow(/outside/);
      expect(() => k.oneHot(0, 2, 9, 48, 32, 1, 0)).toThrow(/outside/);
      expect(() => k.oneHot(3, 2, 2, 48, 32, 1, 0)).toThrow(/kind/);
    } finally {
      forgetHeap();
    }
  });

  it('does not leak tensors or heap buffers (shared outputs included)', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const x = tf.randomNormal([2, 3, 4]), ids = tf.tensor1d([1, 0, 1], 'int32');
    const before = tf.memory().numTensors, data = backend.numDataIds();
    tf.tidy(() => {
      tf.transpose(x, [1, 0, 2]);
      tf.transpose(x.reshape([2, 1, 12]), [1, 0, 2]); // shares x's buffer
      tf.slice(x, [0, 0, 0], [2, 3, 4]);              // shares
      tf.split(x, [1, 2], 1); tf.unstack(x, 2);
      tf.concat([x, x], -1); tf.concat([x, tf.zeros([2, 0, 4])], 1); tf.stack([x, x], 0); tf.stack([x]);
      tf.pad(x, [[0, 0], [1, 1], [0, 0]]); tf.pad(x, [[0, 0], [0, 0], [0, 0]]);
      tf.tile(x, [1, 2, 1]); tf.tile(x, [1, 1, 1]);
      tf.gather(x, ids, 1); tf.unsortedSegmentSum(x, ids.slice(0, 2), 3); tf.oneHot(ids, 3);
      tf.grads((p: tf.Tensor) => tf.gather(tf.concat([tf.transpose(p, [0, 2, 1]), p.reshape([2, 4, 3])], 2), ids, 1).sum())([x]);
    });
    expect([tf.memory().numTensors, backend.numDataIds()]).toEqual([before, data]);
    tf.dispose([x, ids]);
  });
});
