// Shared by the kernel tests that hold the WASM backend (its replaced JS kernels and the native
// addon's) to the stock tfjs CPU backend: host inputs built afresh on each backend, one function
// run on both, and the error measure. Each test file keeps its own seeded Rng and passes it in.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';

/** A tensor on the host: built afresh on each backend, so that both see the same inputs. */
export type Host = { values: Float32Array | Int32Array | Uint8Array; shape: number[]; dtype: tf.DataType };
/** What the comparisons run: tensors in, one tensor or a list of them out. */
export type Fn = (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];

export const size = (shape: number[]): number => shape.reduce((a, d) => a * d, 1);

export interface RelErrOptions {
  /** 'match' (the default): NaN only where the reference has NaN. 'reject': any NaN fails. */
  nan?: 'match' | 'reject';
  /** ±Inf must equal the reference exactly. Off (the default), any ±Inf makes the error NaN, which fails every bound. */
  exactInf?: boolean;
}

/**
 * max |got − want| / max(|want|, 1e-30) over the whole array (lengths must agree); Infinity where
 * NaN (or, with `exactInf`, ±Inf) breaks the rule in the options.
 */
export function relErr(got: ArrayLike<number>, want: ArrayLike<number>, { nan = 'match', exactInf = false }: RelErrOptions = {}): number {
  expect(got.length).toBe(want.length);
  let diff = 0, scale = 1e-30;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    if (Number.isNaN(g) || Number.isNaN(w)) {
      if (nan === 'reject' || !(Number.isNaN(g) && Number.isNaN(w))) return Infinity; // NaN must match NaN
      continue;
    }
    if (exactInf && (!Number.isFinite(g) || !Number.isFinite(w))) {
      if (g !== w) return Infinity; // ±Inf must match exactly
      continue;
    }
    diff = Math.max(diff, Math.abs(g - w));
    scale = Math.max(scale, Math.abs(w));
  }
  return diff / scale;
}

/** Run `f` on `backend` (in a tidy) with fresh tensors from host arrays; its outputs on the host. */
export async function on(backend: string, inputs: Host[], f: Fn): Promise<Host[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const out = f(...inputs.map((h) => tf.tensor(h.values, h.shape, h.dtype)));
    return (Array.isArray(out) ? out : [out]).map((t) => ({ values: t.dataSync() as Float32Array, shape: t.shape, dtype: t.dtype }));
  });
}

export interface CompareOptions extends RelErrOptions {
  /** What runs on the CPU backend instead of `f`, where a stock CPU kernel needs help. */
  ref?: Fn;
  /** The error of one output; by default `relErr` of its values, with the options above. */
  err?: (got: Host, want: Host) => number;
}

/** `f` on WASM against `ref` (default `f`) on CPU: shapes and dtypes must agree; the error of each output. */
export async function compareEach(inputs: Host[], f: Fn, { ref = f, err, ...options }: CompareOptions = {}): Promise<number[]> {
  const want = await on('cpu', inputs, ref);
  const got = await on('wasm', inputs, f);
  expect(got.map((g) => [g.shape, g.dtype])).toEqual(want.map((w) => [w.shape, w.dtype]));
  return got.map((g, i) => (err ? err(g, want[i]!) : relErr(g.values, want[i]!.values, options)));
}

/** As `compareEach`: the worst error over the outputs. */
export async function compare(inputs: Host[], f: Fn, options?: CompareOptions): Promise<number> {
  return Math.max(0, ...(await compareEach(inputs, f, options)));
}

/**
 * A fixed pseudo-random cotangent: `f` runs once per backend, so it must not draw from an Rng.
 * `positive` maps it into [0.5, 1.5], so that gradient sums over broadcast dims do not cancel.
 */
export function cotangent(shape: number[], { positive = false } = {}): tf.Tensor {
  const s = tf.sin(tf.range(0, size(shape)).mul(0.731).add(0.3));
  return (positive ? s.mul(0.5).add(1) : s).reshape(shape);
}

/** Random host tensors and dims drawn from the caller's `rng` (its seed and order of draws stay the caller's). */
export function hostRandom(rng: Rng) {
  return {
    /** float32 draws of N(mean, std²). */
    normal: (shape: number[], mean = 0, std = 1): Host => ({ values: rng.normalArray(size(shape), mean, std), shape, dtype: 'float32' }),
    /** int32 draws from lo + [0, n). */
    ints: (shape: number[], n: number, lo = 0): Host => ({ values: Int32Array.from({ length: size(shape) }, () => lo + rng.int(n)), shape, dtype: 'int32' }),
    /** bool draws, true half the time. */
    bools: (shape: number[]): Host => ({ values: Uint8Array.from({ length: size(shape) }, () => rng.int(2)), shape, dtype: 'bool' }),
    /** An integer in [lo, hi]. */
    dim: (lo: number, hi: number): number => lo + rng.int(hi - lo + 1),
  };
}
