// Native reductions (Sum, Mean, Max, Min, Prod, All, Any, ArgMax, ArgMin), Softmax and Cumsum
// for the WASM backend, computed by packages/native-kernels/src/reduce.c on the WASM
// heap. Every contiguous set of reduced axes is the view [outer, n, inner] once size-1 dims are
// dropped and neighbours merged ([N, D] over rows → [1, N, D]; [B, T, D] over D → [B·T, D, 1]),
// so no reduction transposes its input as the stock kernels do; axes split by kept ones take one
// such pass per group (float results then round once per pass, and int32 products agree with
// the CPU backend's float64 product only while that is exact, below 2^53). Other dtypes
// (string, complex) go to the kernel registered before (the fallback). tfjs 4.22 has no
// LogSoftmax kernel (tf.logSoftmax is built from Max, Sub, Exp, Sum and Log): none to replace.
import * as tf from '@tensorflow/tfjs';
import { sizeOf, type KernelArgs, type WasmBackend } from '../wasm-backend.js';
import { heapOffset, syncHeap, type KernelMaker, type NativeAddon } from './addon.js';

interface ReduceAddon extends NativeAddon {
  /** out [outer, inner] = op over n of x [outer, n, inner]; op and dtype codes as OP and DTYPE. */
  reduce(op: number, dtype: number, outer: number, n: number, inner: number, xOff: number, outOff: number): void;
  /** out [rows, cols] = softmax of each row of x [rows, cols] (float32). */
  softmax(rows: number, cols: number, xOff: number, outOff: number): void;
  /** out [outer, n, inner] = running sums along n (float32 for float32 x, int32 otherwise). */
  cumsum(dtype: number, outer: number, n: number, inner: number, exclusive: boolean, reverse: boolean, xOff: number, outOff: number): void;
}

/** Input dtype codes of reduce.c. */
const DTYPE: Partial<Record<tf.DataType, number>> = { float32: 0, int32: 1, bool: 2 };

/** Op codes of reduce.c, by tfjs kernel name. */
const OP = { Sum: 0, Mean: 1, Max: 2, Min: 3, Prod: 4, All: 5, Any: 6, ArgMax: 7, ArgMin: 8 } as const;
type ReduceName = keyof typeof OP;

/** The output dtype of the CPU backend's kernel for an input of `dtype`. */
function outputDtype(name: ReduceName, dtype: tf.DataType): tf.DataType {
  switch (name) {
    case 'Mean': return 'float32';
    case 'ArgMax': case 'ArgMin': return 'int32';
    case 'Sum': case 'Prod': return dtype === 'float32' ? 'float32' : 'int32';
    default: return dtype; // Max, Min, All, Any
  }
}

/**
 * The passes of reduce.c that reduce x over `axes`, each [outer, n, inner] over the output of
 * the one before. Size-1 dims are dropped (they move no element) and neighbouring dims of the
 * same kind merged, leaving kept and reduced groups; one pass per reduced group, the last group
 * first ([K0, R1, K1, R2, K2]: [K0·R1·K1, R2, K2], then [K0, R1, K1·K2]). Contiguous axes are
 * one pass. An empty x is one pass with n = 0 (nothing to read); none means nothing is reduced.
 */
function passes(shape: readonly number[], axes: readonly number[]): Array<[number, number, number]> {
  if (sizeOf(shape) === 0) {
    let kept = 1;
    for (let d = 0; d < shape.length; d++) if (axes.indexOf(d) < 0) kept *= shape[d]!;
    return [[kept, 0, 1]];
  }
  const sizes: number[] = [], reduced: boolean[] = [];
  for (let d = 0; d < shape.length; d++) {
    const s = shape[d]!;
    if (s === 1) continue;
    const r = axes.indexOf(d) >= 0;
    if (reduced.length > 0 && reduced[reduced.length - 1] === r) sizes[sizes.length - 1]! *= s;
    else { sizes.push(s); reduced.push(r); }
  }
  const out: Array<[number, number, number]> = [];
  for (let g = sizes.length - 1; g >= 0; g--) {
    if (!reduced[g]) continue;
    let outer = 1, inner = 1;
    for (let i = 0; i < g; i++) outer *= sizes[i]!;
    for (let i = g + 1; i < sizes.length; i++) if (!reduced[i]) inner *= sizes[i]!; // reduced ones are gone
    out.push([outer, sizes[g]!, inner]);
  }
  return out;
}

function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (axes.indexOf(d) < 0) out.push(shape[d]!);
    else if (keepDims) out.push(1);
  }
  return out;
}

function makeReduction(k: ReduceAddon, name: ReduceName): KernelMaker {
  const op = OP[name];
  const isArg = name === 'ArgMax' || name === 'ArgMin';
  const boolOnly = name === 'All' || name === 'Any';
  const axisAttr = name === 'Max' ? 'reductionIndices' : 'axis';
  return (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    const dt = DTYPE[x.dtype];
    if (dt === undefined || (boolOnly && x.dtype !== 'bool')) return fallback(args);
    const a = attrs as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims?: boolean };
    let axes = tf.util.parseAxisParam(a[axisAttr]!, x.shape);
    if (isArg) axes = [axes[0]!]; // ArgMax/ArgMin reduce one axis
    const dtype = outputDtype(name, x.dtype);
    const shape = reducedShape(x.shape, axes, !isArg && a.keepDims === true);
    const w = backend as unknown as WasmBackend;
    const steps = passes(x.shape, axes);
    if (steps.length === 0) {
      // Only size-1 axes reduced: one element per output, the identity. Share x's memory, as
      // Reshape does, unless the dtype changes (Sum of bool) or the answer is an index.
      if (!isArg && dtype === x.dtype) {
        w.incRef(x.dataId);
        return { dataId: x.dataId, shape, dtype };
      }
      steps.push([sizeOf(x.shape), 1, 1]);
    }
    const out = w.makeOutput(shape, dtype);
    if (sizeOf(shape) === 0) return out;
    // Intermediates between passes (axes split by kept ones), all allocated before the heap sync.
    const temps = steps.slice(0, -1).map(([o, , i]) => w.makeOutput([o * i], dtype)); // pass p's output
    syncHeap(k, backend);
    let src: tf.TensorInfo = x, srcDt = dt;
    for (let p = 0; p < steps.length; p++) {
      const [outer, n, inner] = steps[p]!;
      const dst = p < temps.length ? temps[p]! : out;
      k.reduce(op, srcDt, outer, n, inner, n === 0 ? 0 : heapOffset(w, src), heapOffset(w, dst));
      src = dst;
      srcDt = DTYPE[dtype]!;
    }
    for (const t of temps) w.disposeData(t.dataId);
    return out;
  };
}

/** Softmax over the last axis (the only one tfjs 4.22 supports), max-shifted. */
function makeSoftmax(k: ReduceAddon): KernelMaker {
  return (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.logits!;
    const rank = x.shape.length;
    const { dim } = attrs as { dim: number };
    if (x.dtype !== 'float32' || rank === 0) return fallback(args);
    // The stock WASM kernel would silently treat the last axis as `dim`; say what the CPU says.
    if (dim !== -1 && dim !== rank - 1) throw new Error(`Softmax along a non-last dimension is not yet supported. Logits was rank ${rank} and dim was ${dim}`);
    const w = backend as unknown as WasmBackend;
    const out = w.makeOutput(x.shape, 'float32');
    const cols = x.shape[rank - 1]!, size = sizeOf(x.shape);
    if (size === 0) return out;
    syncHeap(k, backend);
    k.softmax(size / cols, cols, heapOffset(w, x), heapOffset(w, out));
    return out;
  };
}

/** Cumsum along any axis (as [outer, n, inner]: no transpose), exclusive and reverse. */
function makeCumsum(k: ReduceAddon): KernelMaker {
  return (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    const dt = DTYPE[x.dtype];
    const rank = x.shape.length;
    const { axis, exclusive, reverse } = attrs as { axis: number; exclusive: boolean; reverse: boolean };
    const ax = axis < 0 ? axis + rank : axis;
    if (dt === undefined || !(ax >= 0 && ax < rank)) return fallback(args);
    const w = backend as unknown as WasmBackend;
    const out = w.makeOutput(x.shape, x.dtype === 'float32' ? 'float32' : 'int32');
    const size = sizeOf(x.shape);
    if (size === 0) return out;
    const outer = sizeOf(x.shape.slice(0, ax)), n = x.shape[ax]!;
    syncHeap(k, backend);
    k.cumsum(dt, outer, n, size / (outer * n), exclusive === true, reverse === true, heapOffset(w, x), heapOffset(w, out));
    return out;
  };
}

export function reduceKernelMakers(k: NativeAddon): Record<string, KernelMaker> {
  const r = k as ReduceAddon;
  if (typeof r.reduce !== 'function') return {}; // an addon built before reduce.c had kernels
  const makers: Record<string, KernelMaker> = {};
  for (const name of Object.keys(OP) as ReduceName[]) makers[name] = makeReduction(r, name);
  makers.Softmax = makeSoftmax(r);
  makers.Cumsum = makeCumsum(r);
  return makers;
}
