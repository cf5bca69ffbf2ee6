// Paired differences of each strategy against the baseline strategy, on the headline metric of
// the metric record, over the seeds both have:
//   - over seeds: d_s = value(strategy, s) − value(baseline, s); the mean of d_s with a
//     Student-t interval (mean ± t_{(1+c)/2, n−1} · sd/√n), n = number of shared seeds ≥ 2;
//   - over examples (paired bootstrap): D_i = mean over shared seeds of
//     scale · (x_{s,i} − b_{s,i}), x and b the two runs' per-example values of the same eval
//     example i; resample the examples with replacement B times (seeded, the same draw for
//     every seed, which is what makes it paired) and take the percentile interval of mean(D).
// The seed interval says how much the difference moves from one training seed to another; the
// bootstrap says how much it depends on which test examples were drawn. Neither covers both.
import { Rng } from '@switchyard/tensor-engine';
import type { RunNumbers } from './run-metrics.js';
import { studentTQuantile } from './student-t.js';
import { quantile } from './stats.js';

export interface PairedSettings { confidence: number; samples: number; seed: number }

export interface PairedDifference {
  strategy: string;
  baseline: string;
  metric: string;
  /** Seeds both strategies have, ascending. */
  seeds: number[];
  /** Per shared seed: strategy − baseline (scaled). */
  perSeed: number[];
  mean: number | null;
  /** Student-t interval over seeds (null with fewer than two shared seeds). */
  tLow: number | null;
  tHigh: number | null;
  /** Paired bootstrap interval over examples (null without per-example values or when the ids differ). */
  bootLow: number | null;
  bootHigh: number | null;
  examples: number | null;
  /** Why the bootstrap is missing, when it is. */
  bootNote: string | null;
}

/** Student-t interval of the mean of `xs` at `confidence`, or nulls for fewer than two values. */
export function tInterval(xs: number[], confidence: number): { mean: number | null; low: number | null; high: number | null } {
  if (xs.length === 0) return { mean: null, low: null, high: null };
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { mean: m, low: null, high: null };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
  const half = studentTQuantile((1 + confidence) / 2, xs.length - 1) * sd / Math.sqrt(xs.length);
  return { mean: m, low: m - half, high: m + half };
}

/** Percentile interval of the mean of `d` over `samples` resamples drawn from `rng`. */
export function pairedBootstrap(d: ArrayLike<number>, samples: number, confidence: number, rng: Rng): { low: number; high: number } {
  const n = d.length;
  const stats = new Float64Array(samples);
  for (let b = 0; b < samples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[rng.int(n)]!;
    stats[b] = s / n;
  }
  const sorted = Array.from(stats).sort((a, b) => a - b);
  return { low: quantile(sorted, (1 - confidence) / 2), high: quantile(sorted, (1 + confidence) / 2) };
}

/** The paired difference of `runs` (one strategy) against `base` (the baseline strategy's runs). */
export function pairedDifference(strategy: string, runs: RunNumbers[], baseline: string, base: RunNumbers[], metric: string, scale: number, s: PairedSettings): PairedDifference {
  const bySeed = new Map(base.map((r) => [r.seed, r]));
  const pairs = runs.filter((r) => bySeed.has(r.seed)).sort((a, b) => a.seed - b.seed).map((r) => [r, bySeed.get(r.seed)!] as const);
  const perSeed = pairs.map(([x, b]) => x.metrics.mean[metric]! - b.metrics.mean[metric]!);
  const t = tInterval(perSeed, s.confidence);
  const out: PairedDifference = {
    strategy, baseline, metric, seeds: pairs.map(([x]) => x.seed), perSeed, mean: t.mean, tLow: t.low, tHigh: t.high,
    bootLow: null, bootHigh: null, examples: null, bootNote: null,
  };
  if (pairs.length === 0) { out.bootNote = 'no shared seeds'; return out; }
  const n = pairs[0]![0].metrics.perExample[metric]?.length;
  for (const [x, b] of pairs) {
    const xs = x.metrics.perExample[metric], bs = b.metrics.perExample[metric];
    if (!xs || !bs) { out.bootNote = 'the metric has no per-example values'; return out; }
    if (xs.length !== n || bs.length !== n) { out.bootNote = `seed ${x.seed}: ${xs.length} vs ${bs.length} examples (not the same examples)`; return out; }
    const xi = x.metrics.ids, bi = b.metrics.ids;
    if (xi && bi && xi.some((id, i) => id !== bi[i])) { out.bootNote = `seed ${x.seed}: the example ids differ (not the same examples in the same order)`; return out; }
  }
  const d = new Float64Array(n!);
  for (const [x, b] of pairs) {
    const xs = x.metrics.perExample[metric]!, bs = b.metrics.perExample[metric]!;
    for (let i = 0; i < n!; i++) d[i]! += (scale * (xs[i]! - bs[i]!)) / pairs.length;
  }
  const boot = pairedBootstrap(d, s.samples, s.confidence, new Rng(s.seed).fork(`paired/${strategy}`));
  out.bootLow = boot.low;
  out.bootHigh = boot.high;
  out.examples = n!;
  return out;
}
