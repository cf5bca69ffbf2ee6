// Fused native kernels under Switchyard's own kernel names, registered on the WASM
// backend when the addon loads, with the gradients of the differentiable ones. runtime's
// fused-ops.ts calls them when they are registered for the active backend and otherwise runs
// the tfjs composition each one replaces:
//   SwitchyardRmsNorm(x [..., D], weight [D]; eps) → y [..., D]       T5LayerNorm
//   SwitchyardRmsNormGrad(dy, x, weight; eps) → [dx [..., D], dw [D]]
//   SwitchyardSparseCrossEntropy(logits [N, V], labels [N] int32, scale [N]) → [loss [], stats [N, 2]]
//   SwitchyardSparseCrossEntropyGrad(dy [], logits, labels, scale, stats) → dlogits [N, V]
//   SwitchyardAdamW(param, grad, m, v; constants) → [param', m', v']    one variable's update
//   SwitchyardGlobalNorm(t0, t1, …) → √(Σ_i Σ t_i²) []                gradient clipping
//   SwitchyardFiniteFlags(t0, t1, …) → bool [n], all(isFinite(t_i))    the NaN guard
// stats holds each row's max and Σ e^(logit − max), so the backward pass is one sweep over the
// logits with nothing else of size [N, V] saved.
import * as tf from '@tensorflow/tfjs';
import { asWasm, sizeOf, type KernelArgs } from '../wasm-backend.js';
import { heapOffset, syncHeap, type NativeAddon } from './addon.js';

/** The fused kernels' names (one per tfjs kernel registration). */
export const FUSED_KERNELS = {
  rmsNorm: 'SwitchyardRmsNorm',
  rmsNormGrad: 'SwitchyardRmsNormGrad',
  crossEntropy: 'SwitchyardSparseCrossEntropy',
  crossEntropyGrad: 'SwitchyardSparseCrossEntropyGrad',
  adamw: 'SwitchyardAdamW',
  globalNorm: 'SwitchyardGlobalNorm',
  finiteFlags: 'SwitchyardFiniteFlags',
} as const;

/** Constants of one AdamW update, folded on the host in float64 (see fused-ops.ts adamwStep). */
export interface AdamWConstants {
  beta1: number; c1: number; beta2: number; c2: number; bc2Sqrt: number; eps: number; decay: number; stepSize: number;
}

/** Functions of packages/native-kernels/src/fused.c (byte offsets into the WASM heap). */
interface FusedAddon extends NativeAddon {
  rmsNorm(xOff: number, wOff: number, yOff: number, rows: number, d: number, eps: number): void;
  rmsNormGrad(dyOff: number, xOff: number, wOff: number, dxOff: number, dwOff: number, rows: number, d: number, eps: number): void;
  sparseCrossEntropy(logitsOff: number, labelsOff: number, scaleOff: number, statsOff: number, lossOff: number, n: number, v: number): void;
  sparseCrossEntropyGrad(dyOff: number, logitsOff: number, labelsOff: number, scaleOff: number, statsOff: number, outOff: number, n: number, v: number): void;
  adamw(p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number,
    beta1: number, c1: number, beta2: number, c2: number, bc2Sqrt: number, eps: number, decay: number, stepSize: number): void;
  sumSquares(off: number, n: number): number;
  allFinite(off: number, n: number): boolean;
}

type Inputs = Record<string, tf.TensorInfo>;

function expectFloat32(kernel: string, named: Inputs): void {
  for (const [name, t] of Object.entries(named)) {
    if (t.dtype !== 'float32') throw new Error(`${kernel}: ${name} must be float32, got ${t.dtype}`);
  }
}

/** D of an RMSNorm: x [..., D] against weight [D]. */
function rmsNormDim(kernel: string, x: tf.TensorInfo, weight: tf.TensorInfo): number {
  expectFloat32(kernel, { x, weight });
  const d = x.shape[x.shape.length - 1];
  if (weight.shape.length !== 1 || d === undefined || weight.shape[0] !== d) {
    throw new Error(`${kernel}: weight [${weight.shape}] does not match the last dim of x [${x.shape}]`);
  }
  return d;
}

/** N and V of a cross-entropy: logits [N, V], labels [N] int32, scale [N]. */
function crossEntropyDims(kernel: string, logits: tf.TensorInfo, labels: tf.TensorInfo, scale: tf.TensorInfo): [number, number] {
  expectFloat32(kernel, { logits, scale });
  const [n, v] = logits.shape;
  if (logits.shape.length !== 2 || labels.dtype !== 'int32' || labels.shape.length !== 1 || labels.shape[0] !== n || scale.shape.length !== 1 || scale.shape[0] !== n) {
    throw new Error(`${kernel}: expected logits [N, V], int32 labels [N] and scale [N]; got [${logits.shape}], ${labels.dtype} [${labels.shape}], [${scale.shape}]`);
  }
  if (n! > 0 && v === 0) throw new Error(`${kernel}: labels cannot index an empty vocabulary`);
  return [n!, v!];
}

function rmsNormKernel(k: FusedAddon): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { x, weight } = inputs as Inputs;
    const d = rmsNormDim(FUSED_KERNELS.rmsNorm, x!, weight!);
    const y = asWasm(backend).makeOutput([...x!.shape], 'float32');
    const rows = d === 0 ? 0 : sizeOf(x!.shape) / d;
    if (rows === 0) return y;
    const w = syncHeap(k, backend);
    k.rmsNorm(heapOffset(w, x!), heapOffset(w, weight!), heapOffset(w, y), rows, d, (attrs as { eps: number }).eps);
    return y;
  };
}

function rmsNormGradKernel(k: FusedAddon): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { dy, x, weight } = inputs as Inputs;
    const d = rmsNormDim(FUSED_KERNELS.rmsNormGrad, x!, weight!);
    expectFloat32(FUSED_KERNELS.rmsNormGrad, { dy: dy! });
    const b = asWasm(backend);
    const dx = b.makeOutput([...x!.shape], 'float32');
    const dw = b.makeOutput([d], 'float32');
    const rows = d === 0 ? 0 : sizeOf(x!.shape) / d;
    if (d === 0) return [dx, dw];
    if (rows === 0) {
      (b.typedArrayFromHeap(dw) as Float32Array).fill(0);
      return [dx, dw];
    }
    const w = syncHeap(k, backend);
    k.rmsNormGrad(heapOffset(w, dy!), heapOffset(w, x!), heapOffset(w, weight!), heapOffset(w, dx), heapOffset(w, dw), rows, d, (attrs as { eps: number }).eps);
    return [dx, dw];
  };
}

function crossEntropyKernel(k: FusedAddon): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args as KernelArgs;
    const { logits, labels, scale } = inputs as Inputs;
    const [n, v] = crossEntropyDims(FUSED_KERNELS.crossEntropy, logits!, labels!, scale!);
    const b = asWasm(backend);
    const loss = b.makeOutput([], 'float32');
    const stats = b.makeOutput([n, 2], 'float32');
    if (n === 0) {
      (b.typedArrayFromHeap(loss) as Float32Array)[0] = 0;
      return [loss, stats];
    }
    const w = syncHeap(k, backend);
    k.sparseCrossEntropy(heapOffset(w, logits!), heapOffset(w, labels!), heapOffset(w, scale!), heapOffset(w, stats), heapOffset(w, loss), n, v);
    return [loss, stats];
  };
}

function crossEntropyGradKernel(k: FusedAddon): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args as KernelArgs;
    const { dy, logits, labels, scale, stats } = inputs as Inputs;
    const [n, v] = crossEntropyDims(FUSED_KERNELS.crossEntropyGrad, logits!, labels!, scale!);
    expectFloat32(FUSED_KERNELS.crossEntropyGrad, { dy: dy!, stats: stats! });
    if (sizeOf(dy!.shape) !== 1 || stats!.shape.length !== 2 || stats!.shape[0] !== n || stats!.shape[1] !== 2) {
      throw new Error(`${FUSED_KERNELS.crossEntropyGrad}: expected a scalar dy and stats [${n}, 2]; got [${dy!.shape}] and [${stats!.shape}]`);
    }
    const out = asWasm(backend).makeOutput([n, v], 'float32');
    if (n * v === 0) return out;
    const w = syncHeap(k, backend);
    k.sparseCrossEntropyGrad(heapOffset(w, dy!), heapOffset(w, logits!), heapOffset(w, labels!), heapOffset(w, scale!), heapOffset(w, stats!), heapOffset(w, out), n, v);
    return out;
  };
}

function adamwKernel(k: FusedAddon): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as KernelArgs;
    const { param, grad, m, v } = inputs as Inputs;
    expectFloat32(FUSED_KERNELS.adamw, { param: param!, grad: grad!, m: m!, v: v! });
    for (const t of [grad!, m!, v!]) {
      if (!tf.util.arraysEqual(t.shape, param!.shape)) throw new Error(`${FUSED_KERNELS.adamw}: operands must all have the parameter's shape [${param!.shape}], got [${t.shape}]`);
    }
    const b = asWasm(backend);
    const outs = [0, 1, 2].map(() => b.makeOutput([...param!.shape], 'float32'));
    const size = sizeOf(param!.shape);
    if (size === 0) return outs;
    const c = attrs as unknown as AdamWConstants;
    const w = syncHeap(k, backend);
    const [pOut, mOut, vOut] = outs.map((o) => heapOffset(w, o)) as [number, number, number];
    k.adamw(heapOffset(w, param!), heapOffset(w, grad!), heapOffset(w, m!), heapOffset(w, v!), pOut, mOut, vOut, size,
      c.beta1, c.c1, c.beta2, c.c2, c.bc2Sqrt, c.eps, c.decay, c.stepSize);
    return outs;
  };
}

function globalNormKernel(k: FusedAddon): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args as KernelArgs;
    const list = Object.values(inputs as Inputs);
    expectFloat32(FUSED_KERNELS.globalNorm, inputs as Inputs);
    const b = asWasm(backend);
    const out = b.makeOutput([], 'float32');
    const w = syncHeap(k, backend);
    let total = 0; // float64, tensor by tensor in input order
    for (const t of list) {
      const size = sizeOf(t.shape);
      if (size > 0) total += k.sumSquares(heapOffset(w, t), size);
    }
    (w.typedArrayFromHeap(out) as Float32Array)[0] = Math.sqrt(total);
    return out;
  };
}

function finiteFlagsKernel(k: FusedAddon): tf.KernelFunc {
  return (args) => {
    const { inputs, backend } = args as KernelArgs;
    const list = Object.values(inputs as Inputs);
    const out = asWasm(backend).makeOutput([list.length], 'bool');
    if (list.length === 0) return out;
    const w = syncHeap(k, backend);
    const flags = w.typedArrayFromHeap(out);
    list.forEach((t, i) => {
      // Integer and bool tensors hold no NaN/Inf; empty ones are vacuously finite.
      const size = sizeOf(t.shape);
      flags[i] = t.dtype !== 'float32' || size === 0 || k.allFinite(heapOffset(w, t), size) ? 1 : 0;
    });
    return out;
  };
}

/** Row loss log Σ e^(l − max) − (l[label] − max) from the forward's stats, for d loss / d scale. [N] */
function rowLosses(logits: tf.Tensor, labels: tf.Tensor, stats: tf.Tensor): tf.Tensor {
  const [n, v] = logits.shape as [number, number];
  const max = stats.slice([0, 0], [n, 1]).reshape([n]);
  const sum = stats.slice([0, 1], [n, 1]).reshape([n]);
  const picked = tf.gather(logits.reshape([n * v]), tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(v, 'int32')), labels));
  return tf.sub(tf.log(sum), tf.sub(picked, max));
}

function registerFusedGradients(): void {
  tf.registerGradient({
    kernelName: FUSED_KERNELS.rmsNorm,
    inputsToSave: ['x', 'weight'],
    gradFunc: (dy, saved, attrs) => {
      const [x, weight] = saved as [tf.Tensor, tf.Tensor];
      // One kernel gives both gradients; whichever is not needed is disposed with the backward tidy.
      const [dx, dw] = tf.engine().runKernel(FUSED_KERNELS.rmsNormGrad, { dy: dy as tf.Tensor, x, weight }, attrs) as tf.Tensor[];
      return { x: () => dx!, weight: () => dw! };
    },
  });
  tf.registerGradient({
    kernelName: FUSED_KERNELS.crossEntropy,
    inputsToSave: ['logits', 'labels', 'scale'],
    outputsToSave: [false, true],
    gradFunc: (dys, saved) => {
      const [logits, labels, scale, stats] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const dy = (dys as tf.Tensor[])[0]!; // the stats output has no gradient of its own
      return {
        logits: () => tf.engine().runKernel(FUSED_KERNELS.crossEntropyGrad, { dy, logits, labels, scale, stats }, {}) as tf.Tensor,
        labels: () => tf.zeros(labels.shape),
        scale: () => tf.mul(rowLosses(logits, labels, stats), dy),
      };
    },
  });
}

/** Register the fused kernels (and their gradients) for `backendName`; an older addon build without them is skipped. */
export function registerFusedKernels(k: NativeAddon, backendName: string): void {
  const f = k as FusedAddon;
  if (typeof f.rmsNorm !== 'function' || typeof f.adamw !== 'function' || typeof f.allFinite !== 'function') return;
  const kernels: Record<string, tf.KernelFunc> = {
    [FUSED_KERNELS.rmsNorm]: rmsNormKernel(f),
    [FUSED_KERNELS.rmsNormGrad]: rmsNormGradKernel(f),
    [FUSED_KERNELS.crossEntropy]: crossEntropyKernel(f),
    [FUSED_KERNELS.crossEntropyGrad]: crossEntropyGradKernel(f),
    [FUSED_KERNELS.adamw]: adamwKernel(f),
    [FUSED_KERNELS.globalNorm]: globalNormKernel(f),
    [FUSED_KERNELS.finiteFlags]: finiteFlagsKernel(f),
  };
  for (const [kernelName, kernelFunc] of Object.entries(kernels)) {
    if (!tf.getKernel(kernelName, backendName)) tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
  registerFusedGradients();
}
