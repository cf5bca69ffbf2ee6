import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/runtime';
import { nativeKernelInfo } from '../src/kernels/register.js';
import { loadNativeKernels } from '../src/kernels/native-matmul.js';

// The optional OpenBLAS matmul (packages/native-kernels) against the tfjs CPU backend. Skipped,
// with a message, when the addon has not been built (no compiler or libopenblas-dev).
const native = process.env.SWITCHYARD_NATIVE === '0' ? null : loadNativeKernels();
if (!native) console.log('kernels-native: packages/native-kernels is not built (or SWITCHYARD_NATIVE=0); skipping');
const maybe = native ? describe : describe.skip;
const TOL = 1e-5;
const rng = new Rng(7);

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let d = 0, s = 1e-30;
  for (let i = 0; i < want.length; i++) { d = Math.max(d, Math.abs(got[i]! - want[i]!)); s = Math.max(s, Math.abs(want[i]!)); }
  return d / s;
}
const cotangent = (shape: number[]): tf.Tensor => tf.sin(tf.range(0, shape.reduce((a, d) => a * d, 1)).mul(0.731).add(0.3)).reshape(shape);

/** Run f on CPU and on WASM (native matmul) with the same host inputs; worst relative error. */
async function compare(inputs: Array<{ v: Float32Array; s: number[] }>, f: (...xs: tf.Tensor[]) => tf.Tensor[]): Promise<number> {
  const run = async (b: string) => {
    await tf.setBackend(b);
    return tf.tidy(() => f(...inputs.map((i) => tf.tensor(i.v, i.s))).map((t) => ({ shape: t.shape, v: t.dataSync() })));
  };
  const want = await run('cpu');
  const got = await run('wasm');
  expect(got.map((g) => g.shape)).toEqual(want.map((w) => w.shape));
  return Math.max(...got.map((g, i) => relErr(g.v, want[i]!.v)));
}
const rand = (s: number[]) => ({ v: rng.normalArray(s.reduce((a, d) => a * d, 1)), s });
const dim = (lo: number, hi: number) => lo + rng.int(hi - lo + 1);
const swap = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!] : s);

maybe('native OpenBLAS matmul on the WASM backend', () => {
  beforeAll(async () => { await initBackend('wasm', { quiet: true }); });
  afterAll(async () => { await tf.setBackend('wasm'); });

  it('is registered and reports its library and threads', () => {
    const info = nativeKernelInfo();
    expect(info?.library).toMatch(/OpenBLAS/);
    expect(info?.threads).toBeGreaterThanOrEqual(1);
  });

  it('BatchMatMul: transposes, batches, broadcasting; values and gradients', async () => {
    for (let t = 0; t < 5; t++) {
      const m = dim(1, 33), k = dim(1, 33), n = dim(1, 33), B = dim(2, 4);
      for (const [as, bs] of [[[m, k], [k, n]], [[B, m, k], [B, k, n]], [[B, m, k], [k, n]], [[m, k], [B, k, n]]] as Array<[number[], number[]]>) {
        for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
          const same = as.length === bs.length;
          const err = await compare([rand(swap(as, ta)), rand(swap(bs, tb))], (x, y) => {
            const out = tf.matMul(x!, y!, ta, tb);
            if (!same) return [out]; // tfjs has no broadcast matMul gradient
            const dy = cotangent(out.shape);
            return [out, ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, ta, tb).mul(dy).sum())([x!, y!])];
          });
          expect({ as, bs, ta, tb, ok: err <= TOL }).toEqual({ as, bs, ta, tb, ok: true });
        }
      }
    }
  });

  it('_FusedMatMul: bias with linear/relu natively, other activations through the fallback', async () => {
    for (const act of ['linear', 'relu', 'elu'] as const) {
      for (const [ta, tb] of [[false, false], [true, true]] as const) {
        const m = dim(2, 20), k = dim(2, 20), n = dim(2, 20);
        const err = await compare([rand(swap([1, m, k], ta)), rand(swap([1, k, n], tb)), rand([n])], (x, y, c) => {
          const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.fused.matMul({ a: p, b: q, bias: r, transposeA: ta, transposeB: tb, activation: act });
          const out = f(x!, y!, c!);
          const dy = cotangent(out.shape);
          return [out, ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => f(p, q, r).mul(dy).sum())([x!, y!, c!])];
        });
        expect({ act, ta, tb, ok: err <= TOL }).toEqual({ act, ta, tb, ok: true });
      }
    }
  });

  it('rejects operands outside the array instead of reading past it', () => {
    const heap = new Float32Array(16);
    expect(() => native!.sgemm(heap, false, false, 4, 4, 4, 0, 4, 8, 4, 0, 4, 0)).toThrow(/outside/);
    heap.set([1, 2, 3, 4], 0); // A = [[1, 2], [3, 4]], B = I at 4, C at 8
    heap.set([1, 0, 0, 1], 4);
    native!.sgemm(heap, true, false, 2, 2, 2, 0, 2, 4, 2, 8, 2, 0);
    expect(Array.from(heap.subarray(8, 12))).toEqual([1, 3, 2, 4]);
  });

  it('does not leak tensors', async () => {
    await tf.setBackend('wasm');
    const a = tf.randomNormal([3, 4, 5]), b = tf.randomNormal([3, 6, 5]), bias = tf.randomNormal([6]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.matMul(a, b, false, true);
      tf.fused.matMul({ a, b, bias, transposeB: true, activation: 'relu' });
      tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, false, true).sum())([a, b]);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b, bias]);
  });
});
