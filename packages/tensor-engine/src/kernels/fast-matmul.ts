// BatchMatMul and _FusedMatMul for WASM (docs/design.md §4). The stock kernels reach XNNPACK's fast
// GEMM only for one non-transposed 2-D product; a transpose or a batch dim falls into a naive
// loop at ≈1 GFLOP/s, and every matmul gradient transposes. Here transposes are materialised
// once with the fast heap transpose, a batch of A against one B is folded into the rows of a
// single GEMM, and a batch of Bs is a loop of 2-D GEMMs, all through the stock kernel's fast path.
import * as tf from '@tensorflow/tfjs';
import { transposeOnHeap } from './fast-transpose.js';
import { asWasm, broadcastIndex, runKernel, sizeOf, view, type KernelArgs, type WasmBackend } from './wasm-backend.js';

interface MatMulAttrs { transposeA: boolean; transposeB: boolean }

interface Operands {
  /** [batchA, M, K] and [batchB, K, N], non-transposed; `owned` ones must be disposed. */
  a: tf.TensorInfo; b: tf.TensorInfo; owned: tf.TensorInfo[];
  batchA: number; batchB: number; M: number; K: number; N: number;
  outer: number[]; outShape: number[];
}

function prepare(backend: tf.KernelBackend, a: tf.TensorInfo, b: tf.TensorInfo, { transposeA, transposeB }: MatMulAttrs): Operands {
  const ra = a.shape.length, rb = b.shape.length;
  const M = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const K = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const Kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const N = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (K !== Kb) throw new Error(`Error in matMul: inner shapes (${K}) and (${Kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = sizeOf(a.shape.slice(0, -2)), batchB = sizeOf(b.shape.slice(0, -2));
  const owned: tf.TensorInfo[] = [];
  let a3 = view(a, [batchA, transposeA ? K : M, transposeA ? M : K]);
  let b3 = view(b, [batchB, transposeB ? N : K, transposeB ? K : N]);
  if (transposeA) { a3 = transposeOnHeap(backend, a3, [0, 2, 1]); owned.push(a3); }
  if (transposeB) { b3 = transposeOnHeap(backend, b3, [0, 2, 1]); owned.push(b3); }
  return { a: a3, b: b3, owned, batchA, batchB, M, K, N, outer, outShape: [...outer, M, N] };
}

/**
 * Matrix `i` of a [n, rows, cols] heap tensor as its own tensor id, without a copy: the id is
 * registered at an interior heap offset. XNNPACK caches packed weights per tensor id, so each
 * batch needs its own id; it must be released with dropView (never freed: it owns no memory).
 */
function matrixView(b: WasmBackend, t: tf.TensorInfo, i: number): tf.TensorInfo {
  const rows = t.shape[1]!, cols = t.shape[2]!;
  const base = b.dataIdMap.get(t.dataId).memoryOffset;
  return b.makeOutput([rows, cols], t.dtype, base + i * rows * cols * 4);
}

function dropView(b: WasmBackend, t: tf.TensorInfo): void {
  const w = b as WasmBackend & { wasm: { tfjs: { disposeData(id: number): void } }; dataIdMap: { delete(dataId: object): void } };
  w.wasm.tfjs.disposeData(b.dataIdMap.get(t.dataId).id);
  w.dataIdMap.delete(t.dataId);
}

/**
 * out = gemm(a[i], b[j]) for every output batch, through `gemm` (the stock fast 2-D path).
 * `gemm` receives 2-D operands (a may have many rows) and returns a new heap tensor.
 */
function batched(backend: tf.KernelBackend, op: Operands, aShape: readonly number[], bShape: readonly number[], gemm: (a: tf.TensorInfo, b: tf.TensorInfo) => tf.TensorInfo): tf.TensorInfo {
  const w = asWasm(backend);
  const { M, K, N } = op;
  if (op.batchB === 1) {
    // One B: stack every A matrix into the rows of one GEMM. [batchA*M, K] x [K, N]
    const out = gemm(view(op.a, [op.batchA * M, K]), view(op.b, [K, N]));
    // B's outer dims are all 1, so the output batch is A's batch. [batchA*M, N]
    return { ...out, shape: op.outShape };
  }
  const total = sizeOf(op.outer), mn = M * N;
  const out = w.makeOutput(op.outShape, 'float32');
  // One A shared by every B: no copy needed for it.
  const sharedA = op.batchA === 1 ? view(op.a, [M, K]) : undefined;
  for (let i = 0; i < total; i++) {
    const ai = broadcastIndex(i, op.outer, aShape);
    const bi = broadcastIndex(i, op.outer, bShape);
    const aI = sharedA ?? matrixView(w, op.a, ai);
    const bI = matrixView(w, op.b, bi);
    try {
      const r = gemm(aI, bI);
      w.typedArrayFromHeap(out).set(w.typedArrayFromHeap(r).subarray(0, mn), i * mn);
      w.disposeData(r.dataId);
    } finally {
      dropView(w, bI);
      if (!sharedA) dropView(w, aI);
    }
  }
  return out;
}

function release(backend: tf.KernelBackend, op: Operands): void {
  for (const t of op.owned) asWasm(backend).disposeData(t.dataId);
}

export function makeBatchMatMulKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const at = attrs as unknown as MatMulAttrs;
    const fastAlready = !at.transposeA && !at.transposeB && sizeOf(a.shape.slice(0, -2)) === 1 && sizeOf(b.shape.slice(0, -2)) === 1;
    if (fastAlready || a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
    const op = prepare(backend, a, b, at);
    try {
      const nn = { transposeA: false, transposeB: false };
      return batched(backend, op, a.shape.slice(0, -2), b.shape.slice(0, -2),
        (x, y) => runKernel(stock, { a: x, b: y }, backend, nn));
    } finally {
      release(backend, op);
    }
  };
}

export function makeFusedMatMulKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { a, b, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    const at = attrs as unknown as MatMulAttrs & { activation: string; leakyreluAlpha?: number };
    const batchA = sizeOf(a!.shape.slice(0, -2)), batchB = sizeOf(b!.shape.slice(0, -2));
    const fastAlready = !at.transposeA && !at.transposeB && batchA === 1 && batchB === 1;
    // PReLU weights with a batch of Bs would need per-batch slicing; rare, leave it to stock.
    if (fastAlready || a!.dtype !== 'float32' || b!.dtype !== 'float32' || (preluActivationWeights && batchB > 1)) return stock(args);
    const op = prepare(backend, a!, b!, at);
    try {
      const rest = { ...(attrs ?? {}), transposeA: false, transposeB: false };
      // The stock fused kernel wants rank-3 operands and applies bias/activation per column.
      return batched(backend, op, a!.shape.slice(0, -2), b!.shape.slice(0, -2), (x, y) => {
        const extra: tf.NamedTensorInfoMap = {};
        if (bias) extra.bias = bias;
        if (preluActivationWeights) extra.preluActivationWeights = preluActivationWeights;
        const r = runKernel(stock, { a: view(x, [1, ...x.shape]), b: view(y, [1, ...y.shape]), ...extra }, backend, rest);
        return { ...r, shape: [x.shape[0]!, y.shape[1]!] };
      });
    } finally {
      release(backend, op);
    }
  };
}
