// Native element-wise kernels for the WASM backend: binary ops with numpy
// broadcasting, unary ops, Cast, Select and AddN, computed by packages/native-kernels/src/
// elementwise.c on the WASM heap. The stock kernels run a scalar (non-SIMD) loop per element,
// libm's exp in WASM (Exp over [512, 8000] logits took 40 ms of a 380 ms train step), and copy
// on a same-dtype Cast; most calls are small, so this side keeps per-call work to one output
// allocation and one addon call. Results match the tfjs CPU backend (its dtypes too: comparisons
// give bool, Cast truncates like Int32Array). Dtypes and shapes not handled here go to the
// kernel registered before (Switchyard's JS fix or the stock WASM one).
import * as tf from '@tensorflow/tfjs';
import { asWasm, sizeOf, type KernelArgs, type WasmBackend } from '../wasm-backend.js';
import { heapOffset, syncHeap, type KernelMaker, type NativeAddon } from './addon.js';

/** The functions of elementwise.c. Offsets are bytes into the heap; n counts elements. */
export interface ElementwiseAddon extends NativeAddon {
  /** out[i] = op(a[i], b[i]) for i < n; mode 1: a is one scalar, mode 2: b is one scalar. */
  binary(op: number, dtype: number, aOff: number, bOff: number, outOff: number, n: number, mode: number): void;
  /** Output [d0..d3] row-major; operand element strides per dim (0 = broadcast), innermost 0 or 1. */
  broadcast(op: number, dtype: number, aOff: number, bOff: number, outOff: number,
    d0: number, d1: number, d2: number, d3: number, sa0: number, sa1: number, sa2: number, sa3: number,
    sb0: number, sb1: number, sb2: number, sb3: number): void;
  /** out[i] = op(x[i]); alpha is Step's value for x ≤ 0. */
  unary(op: number, dtype: number, xOff: number, outOff: number, n: number, alpha: number): void;
  /** out[i] = cond[i] ? t[i] : e[i]. */
  select(dtype: number, condOff: number, tOff: number, eOff: number, outOff: number, n: number): void;
  /** out = (accumulate ? out : 0) + x0 + … + x_{count-1}, count ≤ 4 (unused offsets are ignored). */
  addN(dtype: number, outOff: number, n: number, accumulate: boolean, count: number, x0: number, x1: number, x2: number, x3: number): void;
}

/** Dtype codes of elementwise.c. */
const DTYPE: Partial<Record<tf.DataType, number>> = { float32: 0, int32: 1, bool: 2 };
const bytesOf = (dtype: tf.DataType): number => (dtype === 'bool' ? 1 : 4);

/** Binary kernels by op code (the enum of elementwise.c), with the input dtypes done natively. */
const BINARY: ReadonlyArray<readonly [kernel: string, dtypes: readonly tf.DataType[]]> = [
  ['Add', ['float32', 'int32']], ['Sub', ['float32', 'int32']], ['Multiply', ['float32', 'int32']],
  // int32 RealDiv (only reachable through runKernel: tf.div floors int32) stays on the fallback.
  ['RealDiv', ['float32']], ['Maximum', ['float32', 'int32']], ['Minimum', ['float32', 'int32']],
  ['SquaredDifference', ['float32']], ['Pow', ['float32']],
  ['Equal', ['float32', 'int32', 'bool']], ['NotEqual', ['float32', 'int32', 'bool']],
  ['Greater', ['float32', 'int32', 'bool']], ['GreaterEqual', ['float32', 'int32', 'bool']],
  ['Less', ['float32', 'int32', 'bool']], ['LessEqual', ['float32', 'int32', 'bool']],
  ['LogicalAnd', ['bool']], ['LogicalOr', ['bool']],
];
const FIRST_BOOL_OUTPUT = 8; // Equal and after give bool

/** Unary kernels by op code, with their native input dtypes and output dtype (default: input's). */
const UNARY: ReadonlyArray<readonly [kernel: string, dtypes: readonly tf.DataType[], out?: tf.DataType]> = [
  ['Exp', ['float32']], ['Log', ['float32']], ['Sqrt', ['float32']], ['Rsqrt', ['float32']],
  ['Square', ['float32']], ['Neg', ['float32', 'int32']], ['Abs', ['float32']], ['Relu', ['float32', 'int32']],
  ['Step', ['float32']], ['Sigmoid', ['float32']], ['Tanh', ['float32']], ['Softplus', ['float32']],
  ['IsFinite', ['float32'], 'bool'], ['IsNan', ['float32'], 'bool'], ['LogicalNot', ['bool'], 'bool'],
  ['Reciprocal', ['float32']],
];
/** Cast op codes by target dtype (they follow the unary ops). */
const CAST_OP: Partial<Record<tf.DataType, number>> = { float32: 16, int32: 17, bool: 18 };

/**
 * Merge the output dims into runs over which each operand is either read contiguously or
 * broadcast, dropping dims of size 1: [16, 4, 128, 128] ∘ [16, 1, 1, 128] becomes
 * [16, 512, 128] with a-strides [65536, 128, 1] and b-strides [128, 0, 1].
 */
function collapse(outShape: readonly number[], aShape: readonly number[], bShape: readonly number[]): { dims: number[]; sa: number[]; sb: number[] } {
  const r = outShape.length, offA = r - aShape.length, offB = r - bShape.length;
  const dims: number[] = [], inA: boolean[] = [], inB: boolean[] = [];
  for (let d = 0; d < r; d++) {
    const size = outShape[d]!;
    if (size === 1) continue;
    const fa = d >= offA && aShape[d - offA] !== 1, fb = d >= offB && bShape[d - offB] !== 1;
    const last = dims.length - 1;
    if (last >= 0 && inA[last] === fa && inB[last] === fb) dims[last]! *= size;
    else { dims.push(size); inA.push(fa); inB.push(fb); }
  }
  const sa = new Array<number>(dims.length), sb = new Array<number>(dims.length);
  for (let i = dims.length - 1, accA = 1, accB = 1; i >= 0; i--) {
    sa[i] = inA[i] ? accA : 0;
    sb[i] = inB[i] ? accB : 0;
    if (inA[i]) accA *= dims[i]!;
    if (inB[i]) accB *= dims[i]!;
  }
  return { dims, sa, sb };
}

/** One broadcast binary op over collapsed dims: the last 4 natively, any further outer ones here. */
function broadcastOnHeap(k: ElementwiseAddon, op: number, dt: number, aOff: number, bOff: number, outOff: number,
  eb: number, ob: number, { dims, sa, sb }: { dims: number[]; sa: number[]; sb: number[] }): void {
  while (dims.length < 4) { dims.unshift(1); sa.unshift(0); sb.unshift(0); }
  const o = dims.length - 4, inner = dims[o]! * dims[o + 1]! * dims[o + 2]! * dims[o + 3]!;
  const idx = new Array<number>(o).fill(0);
  for (let blk = 0, ea = 0, eb2 = 0, blocks = sizeOf(dims) / inner; blk < blocks; blk++) {
    k.broadcast(op, dt, aOff + ea * eb, bOff + eb2 * eb, outOff + blk * inner * ob,
      dims[o]!, dims[o + 1]!, dims[o + 2]!, dims[o + 3]!, sa[o]!, sa[o + 1]!, sa[o + 2]!, sa[o + 3]!, sb[o]!, sb[o + 1]!, sb[o + 2]!, sb[o + 3]!);
    // Next outer index (row-major odometer), moving the operand element offsets along.
    for (let d = o - 1; d >= 0; d--) {
      idx[d]!++; ea += sa[d]!; eb2 += sb[d]!;
      if (idx[d]! < dims[d]!) break;
      ea -= sa[d]! * dims[d]!; eb2 -= sb[d]! * dims[d]!; idx[d] = 0;
    }
  }
}

function makeBinary(k: ElementwiseAddon, op: number, dtypes: readonly tf.DataType[]): KernelMaker {
  const boolOut = op >= FIRST_BOOL_OUTPUT;
  return (fallback) => (args) => {
    const { inputs, backend } = args as KernelArgs;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== b.dtype || !dtypes.includes(a.dtype)) return fallback(args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = (backend as unknown as WasmBackend).makeOutput(outShape, boolOut ? 'bool' : a.dtype);
    const n = sizeOf(outShape);
    if (n === 0) return out;
    const w = syncHeap(k, backend);
    const dt = DTYPE[a.dtype]!, aOff = heapOffset(w, a), bOff = heapOffset(w, b), outOff = heapOffset(w, out);
    const na = sizeOf(a.shape), nb = sizeOf(b.shape);
    if (na === n && nb === n) k.binary(op, dt, aOff, bOff, outOff, n, 0);
    else if (na === 1 && nb === n) k.binary(op, dt, aOff, bOff, outOff, n, 1);
    else if (nb === 1 && na === n) k.binary(op, dt, aOff, bOff, outOff, n, 2);
    else broadcastOnHeap(k, op, dt, aOff, bOff, outOff, bytesOf(a.dtype), boolOut ? 1 : bytesOf(a.dtype), collapse(outShape, a.shape, b.shape));
    return out;
  };
}

function makeUnary(k: ElementwiseAddon, op: number, dtypes: readonly tf.DataType[], outDtype?: tf.DataType): KernelMaker {
  return (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    if (!dtypes.includes(x.dtype)) return fallback(args);
    const out = (backend as unknown as WasmBackend).makeOutput(x.shape, outDtype ?? x.dtype);
    const n = sizeOf(x.shape);
    if (n === 0) return out;
    const w = syncHeap(k, backend);
    const alpha = (attrs as { alpha?: number } | undefined)?.alpha ?? 0;
    k.unary(op, DTYPE[x.dtype]!, heapOffset(w, x), heapOffset(w, out), n, alpha);
    return out;
  };
}

/** Cast between float32, int32 and bool; to the same dtype the output shares the input's buffer (as on CPU). */
function makeCast(k: ElementwiseAddon): KernelMaker {
  return (fallback) => (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const x = inputs.x!;
    const dtype = (attrs as unknown as { dtype: tf.DataType }).dtype;
    const op = CAST_OP[dtype];
    if (op === undefined || DTYPE[x.dtype] === undefined) return fallback(args);
    if (x.dtype === dtype) {
      asWasm(backend).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype };
    }
    const out = (backend as unknown as WasmBackend).makeOutput(x.shape, dtype);
    const n = sizeOf(x.shape);
    if (n === 0) return out;
    const w = syncHeap(k, backend);
    k.unary(op, DTYPE[x.dtype]!, heapOffset(w, x), heapOffset(w, out), n, 0);
    return out;
  };
}

const sameShape = (p: readonly number[], q: readonly number[]): boolean => p.length === q.length && p.every((d, i) => d === q[i]);

/**
 * Select with condition, t and e of one shape (what tf.where passes: it broadcasts all three
 * first). A rank-1 condition choosing rows of t stays on the fallback.
 */
function makeSelect(k: ElementwiseAddon): KernelMaker {
  return (fallback) => (args) => {
    const { inputs, backend } = args as KernelArgs;
    const { condition, t, e } = inputs as { condition: tf.TensorInfo; t: tf.TensorInfo; e: tf.TensorInfo };
    if (condition.dtype !== 'bool' || t.dtype !== e.dtype || DTYPE[t.dtype] === undefined ||
        !sameShape(condition.shape, t.shape) || !sameShape(t.shape, e.shape)) return fallback(args);
    const out = (backend as unknown as WasmBackend).makeOutput(t.shape, t.dtype);
    const n = sizeOf(t.shape);
    if (n === 0) return out;
    const w = syncHeap(k, backend);
    k.select(DTYPE[t.dtype]!, heapOffset(w, condition), heapOffset(w, t), heapOffset(w, e), heapOffset(w, out), n);
    return out;
  };
}

/** AddN of same-shape float32/int32 tensors, four inputs per pass over the output. */
function makeAddN(k: ElementwiseAddon): KernelMaker {
  return (fallback) => (args) => {
    const { backend } = args as KernelArgs;
    const xs = Object.values(args.inputs) as tf.TensorInfo[];
    const first = xs[0];
    if (!first || (first.dtype !== 'float32' && first.dtype !== 'int32') ||
        xs.some((x) => x.dtype !== first.dtype || !sameShape(x.shape, first.shape))) return fallback(args);
    const out = (backend as unknown as WasmBackend).makeOutput(first.shape, first.dtype);
    const n = sizeOf(first.shape);
    if (n === 0) return out;
    const w = syncHeap(k, backend);
    const outOff = heapOffset(w, out), offs = xs.map((x) => heapOffset(w, x));
    for (let i = 0; i < offs.length; i += 4) {
      const count = Math.min(4, offs.length - i), at = (j: number) => offs[i + Math.min(j, count - 1)]!;
      k.addN(DTYPE[first.dtype]!, outOff, n, i > 0, count, at(0), at(1), at(2), at(3));
    }
    return out;
  };
}

export function elementwiseKernelMakers(native: NativeAddon): Record<string, KernelMaker> {
  const k = native as ElementwiseAddon;
  if (typeof k.binary !== 'function') return {}; // an addon built before elementwise.c
  return {
    ...Object.fromEntries(BINARY.map(([name, dtypes], op) => [name, makeBinary(k, op, dtypes)])),
    ...Object.fromEntries(UNARY.map(([name, dtypes, out], op) => [name, makeUnary(k, op, dtypes, out)])),
    Cast: makeCast(k),
    Select: makeSelect(k),
    AddN: makeAddN(k),
  };
}
