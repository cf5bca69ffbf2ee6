// Torch layout of parameters. tfjs keeps a linear weight as [in, out], torch as [out, in]; every
// model here writes its checkpoint files in torch layout, so one transpose converts each way.
import type * as tf from '@tensorflow/tfjs';
import type { FloatTensor } from './safetensors.js';

/** A parameter as the models report it: state-dict name, variable, and `linear` when transposed in torch. */
export interface LayoutParameter {
  name: string;
  variable: tf.Variable;
  layout?: string;
}

/** [a, b] row-major → [b, a] row-major. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}

/** The checkpoint (torch) shape of a parameter. */
export function torchShape(p: LayoutParameter): number[] {
  return p.layout === 'linear' ? [...p.variable.shape].reverse() : [...p.variable.shape];
}

/** Every parameter in torch layout, by state-dict name (values read from the variables now). */
export function torchStateDict(params: Iterable<LayoutParameter>): Map<string, FloatTensor> {
  const out = new Map<string, FloatTensor>();
  for (const p of params) {
    const v = p.variable.dataSync() as Float32Array;
    const [a, b] = p.variable.shape as [number, number];
    out.set(p.name, { shape: torchShape(p), values: p.layout === 'linear' ? transpose2d(v, a, b) : Float32Array.from(v) });
  }
  return out;
}
