// Wall-time of one MoE layer forward, and forward + backward, per token: the sparse gather
// dispatch driven by a fixed plan, by a router of @switchyard/routers, or the dense
// all-experts layer. Medians of `repeats` runs after `warmup` runs; every run reads its result
// back to the host so lazy backends cannot defer the work.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '@switchyard/tensor-engine';
import type { Router, RouterContext } from '@switchyard/routers';
import { gatherDispatchForward, denseForward, planFromMask, type GatherPlan, type MoeExperts } from './moe-layer.js';

export interface TimingOptions {
  /** Untimed runs first (JIT, kernel set-up, allocator). Defaults to 2. */
  warmup?: number;
  /** Timed runs; the median is reported. Defaults to 5. */
  repeats?: number;
  /** Also time forward + backward (gradients of every expert and router variable). Defaults to true. */
  backward?: boolean;
}

export interface LayerTiming {
  label: string;
  tokens: number;
  /** Mean experts computing a token (E for the dense layer). */
  meanActive: number;
  forwardMs: number;
  /** NaN when backward was not timed. */
  forwardBackwardMs: number;
  forwardUsPerToken: number;
  forwardBackwardUsPerToken: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median wall time (ms) of `run`, which must finish its work (read results back) before returning. */
export function timeMedian(run: () => void, warmup: number, repeats: number): number {
  for (let i = 0; i < warmup; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    run();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** Time `forward` (returns y [N, D]) and the gradient of Σ y⊙g with respect to `vars`. */
function timeLayer(label: string, tokens: number, meanActive: number, forward: () => tf.Tensor2D,
  vars: tf.Variable[], g: tf.Tensor2D, opts: TimingOptions): LayerTiming {
  const warmup = opts.warmup ?? 2, repeats = opts.repeats ?? 5;
  const forwardMs = timeMedian(() => { const y = forward(); y.dataSync(); y.dispose(); }, warmup, repeats);
  let forwardBackwardMs = Number.NaN;
  if (opts.backward ?? true) {
    forwardBackwardMs = timeMedian(() => {
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.sum(tf.mul(forward(), g))) as tf.Scalar, vars);
      for (const t of Object.values(grads)) t.dataSync();
      value.dispose();
      tf.dispose(grads);
    }, warmup, repeats);
  }
  return {
    label, tokens, meanActive, forwardMs, forwardBackwardMs,
    forwardUsPerToken: (1000 * forwardMs) / tokens, forwardBackwardUsPerToken: (1000 * forwardBackwardMs) / tokens,
  };
}

function expertVars(experts: MoeExperts): tf.Variable[] { return [...experts.wi, ...experts.wo]; }

/** Sparse gather dispatch with a fixed plan and weights [N, E]. */
export function timeSparseLayer(label: string, x: tf.Tensor2D, weights: tf.Tensor2D, plan: GatherPlan,
  experts: MoeExperts, g: tf.Tensor2D, opts: TimingOptions = {}): LayerTiming {
  return timeLayer(label, x.shape[0], plan.meanActive, () => gatherDispatchForward(x, weights, plan, experts), expertVars(experts), g, opts);
}

/** Every expert on every token. */
export function timeDenseLayer(label: string, x: tf.Tensor2D, weights: tf.Tensor2D, experts: MoeExperts,
  g: tf.Tensor2D, opts: TimingOptions = {}): LayerTiming {
  return timeLayer(label, x.shape[0], experts.numExperts, () => denseForward(x, weights, experts), expertVars(experts), g, opts);
}

/** Every expert's output on every token, for routers that need expert responses. [N, D] → [E, N, D] */
export function allExpertOutputs(experts: MoeExperts): (x: tf.Tensor2D) => tf.Tensor3D {
  return (x) => tf.tidy(() => tf.stack(experts.wi.map((wi, e) =>
    tf.matMul(tf.relu(tf.matMul(x, wi as tf.Tensor2D)), experts.wo[e] as tf.Tensor2D))) as tf.Tensor3D);
}

/**
 * Route with `router` on every run (its cost included), read the dispatch mask back, then gather
 * dispatch — or run every expert when the router asks for dense compute. Forward runs in eval
 * mode; forward + backward in training mode (noise, competition) with the router's trainable
 * variables differentiated too. `extraCtx` passes token ids (StableMoE's distilled router) or a
 * capacity group size.
 */
export function timeRouterLayer(label: string, router: Router, x: tf.Tensor2D, experts: MoeExperts, g: tf.Tensor2D,
  rng: Rng, opts: TimingOptions = {}, extraCtx: Pick<RouterContext, 'tokenIds' | 'groupSize'> = {}): LayerTiming {
  const [N] = x.shape;
  const E = experts.numExperts;
  let step = 0;
  let lastMean = Number.NaN;
  const pass = (training: boolean) => (): tf.Tensor2D => {
    const ctx: RouterContext = { ...extraCtx, training, rng, step: step++, allExpertOutputs: allExpertOutputs(experts) };
    const out = router.route(x, ctx);
    try {
      const plan = planFromMask(out.dispatch.dataSync(), N, E);
      lastMean = out.denseCompute ? E : plan.meanActive;
      // Losses are not timed here beyond their forward (they are part of route()).
      return out.denseCompute ? denseForward(x, out.weights, experts) : gatherDispatchForward(x, out.weights, plan, experts);
    } finally {
      tf.dispose([out.logits, out.probs, out.dispatch, out.selected, ...(out.inputWeight ? [out.inputWeight] : []),
        ...(out.hfExpertIndex ? [out.hfExpertIndex] : []), ...Object.values(out.losses)]);
      // weights stay alive until the caller's tidy disposes the graph (they feed the output).
    }
  };
  const routerVars = router.parameters().filter((p) => !p.frozen && p.variable.trainable).map((p) => p.variable);
  const warmup = opts.warmup ?? 2, repeats = opts.repeats ?? 5;
  const fwd = pass(false);
  const forwardMs = timeMedian(() => tf.tidy(() => { const y = fwd(); y.dataSync(); }), warmup, repeats);
  const meanActive = lastMean;
  let forwardBackwardMs = Number.NaN;
  if (opts.backward ?? true) {
    const train = pass(true);
    forwardBackwardMs = timeMedian(() => {
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.sum(tf.mul(train(), g))) as tf.Scalar, [...expertVars(experts), ...routerVars]);
      for (const t of Object.values(grads)) t.dataSync();
      value.dispose();
      tf.dispose(grads);
    }, warmup, repeats);
  }
  return {
    label, tokens: N, meanActive, forwardMs, forwardBackwardMs,
    forwardUsPerToken: (1000 * forwardMs) / N, forwardBackwardUsPerToken: (1000 * forwardBackwardMs) / N,
  };
}
