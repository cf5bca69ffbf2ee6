import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { nativeKernelInfo } from '../src/kernels/register.js';
import { forgetHeap, loadNativeKernels } from '../src/kernels/native/addon.js';
import { compare, cotangent, hostRandom, relErr } from './helpers/cpu-reference.js';

// The optional OpenBLAS matmul (packages/native-kernels) against the tfjs CPU backend. Skipped,
// with a message, when the addon has not been built (no compiler or libopenblas-dev).
const native = process.env.SWITCHYARD_NATIVE === '0' ? null : loadNativeKernels();
if (!native) console.log('kernels-native: packages/native-kernels is not built (or SWITCHYARD_NATIVE=0); skipping');
const maybe = native ? describe : describe.skip;
const TOL = 1e-5;
const rng = new Rng(7);

// Any NaN in an output fails (relErr's default lets NaN match NaN).
const NO_NAN = { nan: 'reject' } as const;
const { normal, dim } = hostRandom(rng);
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
          const err = await compare([normal(swap(as, ta)), normal(swap(bs, tb))], (x, y) => {
            const out = tf.matMul(x!, y!, ta, tb);
            if (!same) return [out]; // tfjs has no broadcast matMul gradient
            const dy = cotangent(out.shape);
            return [out, ...tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, ta, tb).mul(dy).sum())([x!, y!])];
          }, NO_NAN);
          expect({ as, bs, ta, tb, ok: err <= TOL }).toEqual({ as, bs, ta, tb, ok: true });
        }
      }
    }
  });

  it('_FusedMatMul: bias with linear/relu natively, other activations through the fallback', async () => {
    for (const act of ['linear', 'relu', 'elu'] as const) {
      for (const [ta, tb] of [[false, false], [true, true]] as const) {
        const m = dim(2, 20), k = dim(2, 20), n = dim(2, 20);
        const err = await compare([normal(swap([1, m, k], ta)), normal(swap([1, k, n], tb)), normal([n])], (x, y, c) => {
          const f = (p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.fused.matMul({ a: p, b: q, bias: r, transposeA: ta, transposeB: tb, activation: act });
          const out = f(x!, y!, c!);
          const dy = cotangent(out.shape);
          return [out, ...tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => f(p, q, r).mul(dy).sum())([x!, y!, c!])];
        }, NO_NAN);
        expect({ act, ta, tb, ok: err <= TOL }).toEqual({ act, ta, tb, ok: true });
      }
    }
  });

  it('gemm rejects operands outside the heap instead of reading past it', () => {
    const heap = new Float32Array(16);
    native!.setHeap(new Uint8Array(heap.buffer));
    try {
      expect(() => native!.gemm(false, false, 4, 4, 4, 1, 0, 0, 32, 0, 0, 0)).toThrow(/outside/);
      expect(() => native!.gemm(false, false, 2, 2, 2, 3, 0, 16, 16, 0, 32, 0)).toThrow(/outside/);
      heap.set([1, 2, 3, 4], 0); // A = [[1, 2], [3, 4]], B = I at byte 16, C at byte 32
      heap.set([1, 0, 0, 1], 4);
      native!.gemm(true, false, 2, 2, 2, 1, 0, 0, 16, 0, 32, 0);
      expect(Array.from(heap.subarray(8, 12))).toEqual([1, 3, 2, 4]);
    } finally {
      forgetHeap();
    }
  });

  it('gemm gives the same products on 1 and 2 threads: batch split, row split, column split', () => {
    // [batch, M, N, K] above the parallel threshold (2^18 multiply-adds), one case per split.
    const cases: Array<[number, number, number, number]> = [[4, 40, 50, 60], [1, 300, 20, 64], [1, 3, 700, 200]];
    for (const [batch, M, N, K] of cases) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        const a = rng.normalArray(batch * M * K), b = rng.normalArray(batch * K * N);
        const heap = new Float32Array(a.length + b.length + batch * M * N);
        heap.set(a, 0); heap.set(b, a.length);
        const cOff = (a.length + b.length) * 4;
        // Reference in float64: op(A)[i][p] and op(B)[p][j] read through the transposes.
        const want = new Float64Array(batch * M * N);
        for (let n = 0; n < batch; n++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
          let s = 0;
          for (let p = 0; p < K; p++) s += a[n * M * K + (ta ? p * M + i : i * K + p)]! * b[n * K * N + (tb ? j * K + p : p * N + j)]!;
          want[(n * M + i) * N + j] = s;
        }
        native!.setHeap(new Uint8Array(heap.buffer));
        try {
          for (const threads of [1, 2]) {
            native!.setThreads(threads);
            heap.fill(0, a.length + b.length);
            native!.gemm(ta, tb, M, N, K, batch, 0, M * K * 4, a.length * 4, K * N * 4, cOff, 0);
            const err = relErr(heap.subarray(a.length + b.length), want, NO_NAN);
            expect({ batch, M, N, K, ta, tb, threads, ok: err <= TOL }).toEqual({ batch, M, N, K, ta, tb, threads, ok: true });
          }
        } finally {
          native!.setThreads(1);
          forgetHeap();
        }
      }
    }
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
