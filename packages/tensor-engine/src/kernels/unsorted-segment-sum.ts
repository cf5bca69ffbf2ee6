// UnsortedSegmentSum for the WASM and CPU backends (docs/design.md §4).
// It is the gradient of `gather`: embeddings and gather/scatter MoE dispatch cannot train without
// it. tfjs 4.22's WASM backend has no such kernel, and the CPU one is O(segments × size).
// This one is a single linear pass: out[seg[i], :] += x[i, :].
import * as tf from '@tensorflow/tfjs';
import { asWasm } from './wasm-backend.js';

type Backend = tf.KernelBackend & {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  makeOutput?(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
};

export function unsortedSegmentSumValues(
  x: ArrayLike<number>, xShape: readonly number[], segmentIds: ArrayLike<number>, numSegments: number,
  out: Float32Array | Int32Array,
): void {
  const n = xShape[0] ?? 1;
  const inner = n === 0 ? 0 : x.length / n;
  if (segmentIds.length !== n) throw new Error(`UnsortedSegmentSum: ${segmentIds.length} segment ids for ${n} rows`);
  for (let i = 0; i < n; i++) {
    const s = segmentIds[i]!;
    if (s < 0 || s >= numSegments) continue; // TF drops out-of-range ids
    const src = i * inner;
    const dst = s * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += x[src + j]!;
  }
}

export function makeUnsortedSegmentSumKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const b = backend as Backend;
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const { numSegments } = attrs as unknown as { numSegments: number };
      // Flatten to [n, inner] with n = size of the segment-id tensor (ids may be any rank).
      const idsShape = segmentIds.shape;
      const idCount = idsShape.reduce((a, d) => a * d, 1);
      const inner = x.shape.slice(idsShape.length).reduce((a, d) => a * d, 1);
      const outShape = [numSegments, ...x.shape.slice(idsShape.length)];
      const dtype = x.dtype === 'int32' ? 'int32' : 'float32';
      if (b.makeOutput && 'typedArrayFromHeap' in b) {
        // WASM: read and write the heap in place; readSync would copy x out first.
        const w = asWasm(b);
        const out = w.makeOutput(outShape, dtype);
        const o = w.typedArrayFromHeap(out) as Float32Array | Int32Array;
        o.fill(0);
        unsortedSegmentSumValues(w.typedArrayFromHeap(x), [idCount, inner], w.typedArrayFromHeap(segmentIds), numSegments, o);
        return out;
      }
      const values = dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
      const xv = b.readSync(x.dataId) as Float32Array;
      const ids = b.readSync(segmentIds.dataId) as Int32Array;
      unsortedSegmentSumValues(xv, [idCount, inner], ids, numSegments, values);
      return b.makeTensorInfo!(outShape, dtype, values);
    },
  };
}
