// Shared plumbing of the router classes: resolved options, owned gates, output assembly.
import * as tf from '@tensorflow/tfjs';
import type { NamedParameter, Router, RouterContext, RouterInit, RouterOutput } from './types.js';

export interface Disposable { parameters(): NamedParameter[]; dispose(): void }

export abstract class RouterBase implements Router {
  readonly numExperts: number;
  readonly dModel: number;
  protected readonly owned: Disposable[] = [];

  constructor(readonly type: string, readonly options: Readonly<Record<string, unknown>>, init: RouterInit) {
    this.numExperts = init.numExperts;
    this.dModel = init.dModel;
  }

  protected own<T extends Disposable>(part: T): T { this.owned.push(part); return part; }

  abstract route(x: tf.Tensor2D, ctx: RouterContext): RouterOutput;

  parameters(): NamedParameter[] { return this.owned.flatMap((p) => p.parameters()); }
  dispose(): void { for (const p of this.owned) p.dispose(); }

  protected groupSize(n: number, ctx: RouterContext): number {
    const g = ctx.groupSize ?? n;
    if (g <= 0 || n % g !== 0) throw new Error(`${this.type}: N=${n} is not a multiple of groupSize=${g}`);
    return g;
  }
}

/** [N, E] host mask → tensor. */
export function maskTensor(values: Float32Array, n: number, e: number): tf.Tensor2D {
  return tf.tensor2d(values, [n, e], 'float32');
}

/** Keeps the named outputs alive when a route() body runs inside tf.tidy. */
export function outputTensors(o: RouterOutput): tf.Tensor[] {
  const ts: tf.Tensor[] = [o.logits, o.probs, o.weights, o.dispatch, o.selected, ...Object.values(o.losses)];
  if (o.inputWeight) ts.push(o.inputWeight);
  if (o.hfExpertIndex) ts.push(o.hfExpertIndex);
  if (o.jitteredInput) ts.push(o.jitteredInput);
  return ts;
}

/** Runs a route body in tidy, keeping only the RouterOutput tensors (returned from tidy, not
 * tf.keep-ed, so an enclosing tidy of the caller still owns and disposes them). */
export function tidyRoute(body: () => RouterOutput): RouterOutput {
  let out: RouterOutput | undefined;
  tf.tidy(() => {
    out = body();
    return outputTensors(out);
  });
  return out!;
}
