// The parts of tfjs-backend-wasm 4.22's BackendWasm the fast kernels use (not in its typings).
// Tensors live in the WASM heap; `typedArrayFromHeap` is a view (no copy), whereas `readSync`
// copies the whole tensor out, which is what made the stock Slice/GatherV2 slow.
import * as tf from '@tensorflow/tfjs';

export type HeapArray = Float32Array | Int32Array | Uint8Array;

export interface WasmBackend {
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number; shape: number[]; dtype: tf.DataType; refCount: number } };
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): HeapArray;
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

export function asWasm(backend: unknown): WasmBackend {
  return backend as WasmBackend;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]!; }
  return s;
}

/** A second TensorInfo on the same heap buffer with another (same-size) shape. */
export function view(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Arguments as tfjs passes them to a kernelFunc. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

/** Run another kernel's kernelFunc directly (no engine bookkeeping); it must return one output. */
export function runKernel(fn: tf.KernelFunc, inputs: tf.NamedTensorInfoMap, backend: tf.KernelBackend, attrs: tf.NamedAttrMap): tf.TensorInfo {
  const out = fn({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error('expected a single-output kernel');
  return out as tf.TensorInfo;
}

/** For output batch i, the batch index of an operand with `shape` outer dims broadcast to `outer`. */
export function broadcastIndex(i: number, outer: readonly number[], shape: readonly number[]): number {
  const off = outer.length - shape.length;
  let idx = 0, mul = 1;
  for (let d = outer.length - 1; d >= 0; d--) {
    const o = i % outer[d]!;
    i = Math.floor(i / outer[d]!);
    const sd = d - off;
    if (sd >= 0) { if (shape[sd]! !== 1) idx += o * mul; mul *= shape[sd]!; }
  }
  return idx;
}
