// rouge_score `scoring.BootstrapAggregator` (what HF `evaluate`'s rouge reports with
// use_aggregator=True): per ROUGE type, `n_samples` resamples of the examples with replacement
// (`np.random.choice(n, size=n)`), the mean precision/recall/F of each resample, and the
// 2.5 / 50 / 97.5 percentiles of those means (for confidence 0.95). One random stream is shared
// by all types, consumed in the order the types are given (rouge1, rouge2, rougeL, rougeLsum).
// With the default generator ('numpy-legacy') seeded 42 this reproduces
// `np.random.seed(42); BootstrapAggregator().aggregate()` exactly.
import { LegacyMt19937 } from './mt19937.js';
import { percentileLinear } from './numpy-stats.js';
import type { Score } from './types.js';

export interface BootstrapOptions {
  /** Resamples per ROUGE type. Defaults to 1000 (rouge_score's `n_samples`). */
  samples?: number;
  /** Two-sided confidence of the low/high interval. Defaults to 0.95. */
  confidence?: number;
  /** Seed of numpy's legacy MT19937 (`np.random.seed`). Defaults to 42. */
  seed?: number;
}

export interface BootstrapInterval {
  low: Score;
  mid: Score;
  high: Score;
}

export interface ResolvedBootstrapOptions {
  samples: number;
  confidence: number;
  seed: number;
  /** The random stream: numpy 1.24's legacy `RandomState` MT19937 + masked rejection `randint`. */
  generator: 'numpy-legacy-mt19937';
}

export function resolveBootstrapOptions(opts: BootstrapOptions = {}): ResolvedBootstrapOptions {
  const samples = opts.samples ?? 1000;
  const confidence = opts.confidence ?? 0.95;
  const seed = opts.seed ?? 42;
  if (!Number.isInteger(samples) || samples < 1) throw new Error(`bootstrap samples must be a positive integer, got ${samples}`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`bootstrap confidence must be in (0, 1), got ${confidence}`);
  return { samples, confidence, seed, generator: 'numpy-legacy-mt19937' };
}

const FIELDS = ['precision', 'recall', 'fmeasure'] as const;

/**
 * Bootstrap intervals for several ROUGE types sharing one random stream.
 * @param perType per ROUGE type (in stream order), the per-example scores (all the same length)
 */
export function bootstrapIntervals(
  perType: ReadonlyArray<readonly [string, readonly Score[]]>,
  opts: BootstrapOptions = {},
): Record<string, BootstrapInterval> {
  const { samples, confidence, seed } = resolveBootstrapOptions(opts);
  const rng = new LegacyMt19937(seed);
  // rouge_score: percentile_delta = (1 - confidence) / 2; q = 100 * [delta, 0.5, 1 - delta].
  const delta = (1 - confidence) / 2;
  const qs = [100 * delta, 100 * 0.5, 100 * (1 - delta)];
  const out: Record<string, BootstrapInterval> = {};
  for (const [type, scores] of perType) {
    const n = scores.length;
    if (n === 0) throw new Error('bootstrap needs at least one example');
    // The (example, measure) matrix row-major, [n, 3] as rouge_score stacks it: one sampled
    // row is one cache line.
    const matrix = new Float64Array(3 * n); // [n, 3]
    scores.forEach((sc, i) => { matrix[3 * i] = sc.precision; matrix[3 * i + 1] = sc.recall; matrix[3 * i + 2] = sc.fmeasure; });
    const means = FIELDS.map(() => new Float64Array(samples)) as [Float64Array, Float64Array, Float64Array]; // [3][samples]
    const idx = new Int32Array(n);
    for (let s = 0; s < samples; s++) {
      rng.fillChoice(idx, n);
      // np.mean(sample, axis=0) on a C-ordered [n, 3] matrix adds rows in order (the
      // reduction axis is the outer loop, so no pairwise summation), then divides by n.
      let sp = 0;
      let sr = 0;
      let sf = 0;
      for (let k = 0; k < n; k++) {
        const j = 3 * idx[k]!;
        sp += matrix[j]!;
        sr += matrix[j + 1]!;
        sf += matrix[j + 2]!;
      }
      means[0][s] = sp / n;
      means[1][s] = sr / n;
      means[2][s] = sf / n;
    }
    const at = (q: number): Score => ({
      precision: percentileLinear(means[0]!, q),
      recall: percentileLinear(means[1]!, q),
      fmeasure: percentileLinear(means[2]!, q),
    });
    out[type] = { low: at(qs[0]!), mid: at(qs[1]!), high: at(qs[2]!) };
  }
  return out;
}
