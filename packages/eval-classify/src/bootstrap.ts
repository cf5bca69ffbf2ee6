// Percentile bootstrap of a classification metric: `samples` resamples of the examples with
// replacement (indices drawn by the seeded `Rng` of @switchyard/runtime), the metric of each
// resample, and the (1−confidence)/2 and (1+confidence)/2 quantiles of those values (linear
// interpolation between order statistics, numpy's default "linear" method). `mid` is the metric on
// the examples as they are (not a bootstrap median).
import { Rng } from '@switchyard/tensor-engine';
import { accuracy, confusionMatrix, macroF1, type ConfusionMatrix } from './confusion.js';

export interface BootstrapOptions {
  /** Defaults to 1000. */
  samples?: number;
  /** Defaults to 0.95. */
  confidence?: number;
  /** Defaults to 0. */
  seed?: number;
}

export interface Interval { low: number; mid: number; high: number }

/** q-quantile (0..1) of values by linear interpolation between order statistics (numpy default). */
export function quantileLinear(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  if (s.length === 0) throw new Error('quantile of no values');
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Bootstrap interval of `metric(confusion matrix)` over resampled (label, prediction) pairs. */
export function bootstrapMetric(
  labels: ArrayLike<number>, predictions: ArrayLike<number>, numClasses: number,
  metric: (cm: ConfusionMatrix) => number, opts: BootstrapOptions = {},
): Interval {
  const samples = opts.samples ?? 1000, confidence = opts.confidence ?? 0.95;
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`bootstrap samples must be a positive integer, got ${samples}`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`bootstrap confidence must be in (0, 1), got ${confidence}`);
  const n = labels.length;
  const mid = metric(confusionMatrix(labels, predictions, numClasses));
  const rng = new Rng(opts.seed ?? 0).fork('bootstrap');
  const values = new Float64Array(samples);
  const l = new Int32Array(n), p = new Int32Array(n);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < n; i++) { const j = rng.int(n); l[i] = labels[j]!; p[i] = predictions[j]!; }
    values[s] = metric(confusionMatrix(l, p, numClasses));
  }
  return { low: quantileLinear(values, (1 - confidence) / 2), mid, high: quantileLinear(values, (1 + confidence) / 2) };
}

export const bootstrapAccuracy = (labels: ArrayLike<number>, predictions: ArrayLike<number>, numClasses: number, opts?: BootstrapOptions): Interval =>
  bootstrapMetric(labels, predictions, numClasses, accuracy, opts);

export const bootstrapMacroF1 = (labels: ArrayLike<number>, predictions: ArrayLike<number>, numClasses: number, opts?: BootstrapOptions): Interval =>
  bootstrapMetric(labels, predictions, numClasses, macroF1, opts);
