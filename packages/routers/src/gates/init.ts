// Parameter initialisers drawing from the caller's Rng (no global randomness).
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';

/** PyTorch nn.Linear default: U(±1/√fanIn) for weight and bias. */
export function torchLinearUniform(rng: Rng, shape: number[], fanIn: number): tf.Tensor {
  const b = 1 / Math.sqrt(fanIn);
  return rng.uniformTensor(shape, -b, b);
}

export function normalInit(rng: Rng, shape: number[], std: number): tf.Tensor {
  return rng.normalTensor(shape, 0, std);
}

/**
 * torch.nn.init.orthogonal_ for a [rows, cols] matrix: QR of a Gaussian matrix (Gram–Schmidt on
 * the host, sign fixed by the diagonal of R), times gain. Rows are orthonormal when rows ≤ cols.
 */
export function orthogonalInit(rng: Rng, rows: number, cols: number, gain: number): tf.Tensor2D {
  const tall = rows >= cols;
  const m = tall ? rows : cols; // long side
  const s = tall ? cols : rows; // short side: number of orthonormal vectors
  const g = rng.normalArray(m * s);
  const q: Float64Array[] = [];
  for (let j = 0; j < s; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = g[i * s + j]!;
    const orig = Float64Array.from(v);
    for (const u of q) {
      let d = 0;
      for (let i = 0; i < m; i++) d += u[i]! * v[i]!;
      for (let i = 0; i < m; i++) v[i] = v[i]! - d * u[i]!;
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += v[i]! * v[i]!;
    nrm = Math.sqrt(nrm) || 1;
    let r = 0; // sign of R's diagonal entry
    for (let i = 0; i < m; i++) r += (v[i]! / nrm) * orig[i]!;
    const sign = r < 0 ? -1 : 1;
    for (let i = 0; i < m; i++) v[i] = (sign * v[i]!) / nrm;
    q.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    out[i * cols + j] = gain * (tall ? q[j]![i]! : q[i]![j]!);
  }
  return tf.tensor2d(out, [rows, cols]);
}
