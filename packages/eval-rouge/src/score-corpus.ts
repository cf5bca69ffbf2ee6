// Corpus-level ROUGE as HF `evaluate.load("rouge").compute(...)` reports it: per-example
// rouge_score scores, their plain mean (use_aggregator=False, then averaged) and rouge_score's
// bootstrap interval (use_aggregator=True reports `mid.fmeasure`).
import { bootstrapIntervals, resolveBootstrapOptions, type BootstrapInterval, type BootstrapOptions, type ResolvedBootstrapOptions } from './bootstrap.js';
import { numpyMean } from './numpy-stats.js';
import { scoreMulti, scorePair } from './rouge-scorer.js';
import { splitSentencesToLines } from './sentence-split.js';
import { DEFAULT_ROUGE_TYPES, type RougeScores, type RougeType, type Score } from './types.js';

/** Which texts go through the rule-based sentence splitter before scoring. */
export type SentenceSplitMode = 'none' | 'predictions' | 'both';

export interface ScoreCorpusOptions {
  /** Porter-stem tokens longer than 3 characters. Defaults to true (HF summarisation recipe, CLI default). */
  stemmer?: boolean;
  /** Defaults to rouge1, rouge2, rougeL, rougeLsum (also the bootstrap stream order). */
  rougeTypes?: readonly RougeType[];
  /** Bootstrap settings, or false to skip it. Defaults to 1000 resamples, 95 %, seed 42. */
  bootstrap?: BootstrapOptions | false;
  /**
   * Rule-based sentence splitting (see sentence-split.ts) before scoring; it changes only
   * rougeLsum. Defaults to 'none' (rouge_score itself never splits).
   */
  splitSentences?: SentenceSplitMode;
}

export interface ExampleScores {
  /** Position in the input arrays. */
  index: number;
  scores: RougeScores;
  /** Multi-reference input only: per ROUGE type, the index of the reference that was reported. */
  referenceIndex?: Record<string, number>;
}

export interface CorpusAggregate {
  count: number;
  stemmer: boolean;
  rougeTypes: RougeType[];
  splitSentences: SentenceSplitMode;
  /** Mean precision / recall / F over examples (np.mean); `mean[t].fmeasure` is HF's use_aggregator=False value averaged. */
  mean: Record<string, Score>;
  /** Bootstrap low/mid/high of P/R/F per type; null when disabled. */
  bootstrap: Record<string, BootstrapInterval> | null;
  bootstrapOptions: ResolvedBootstrapOptions | null;
  /** What `evaluate`'s rouge returns by default: bootstrap mid F (or the mean F without bootstrap). */
  evaluate: Record<string, number>;
}

export interface CorpusScores {
  perExample: ExampleScores[];
  aggregate: CorpusAggregate;
}

/** Mean and bootstrap over already computed per-example scores. */
export function aggregateScores(
  perExample: readonly RougeScores[],
  rougeTypes: readonly RougeType[],
  bootstrap: BootstrapOptions | false = {},
): Pick<CorpusAggregate, 'count' | 'mean' | 'bootstrap' | 'bootstrapOptions' | 'evaluate'> {
  if (perExample.length === 0) throw new Error('cannot aggregate ROUGE over zero examples');
  const mean: Record<string, Score> = {};
  for (const t of rougeTypes) {
    const col = (f: keyof Score): number => numpyMean(perExample.map((s) => s[t]![f]));
    mean[t] = { precision: col('precision'), recall: col('recall'), fmeasure: col('fmeasure') };
  }
  const boot = bootstrap === false ? null
    : bootstrapIntervals(rougeTypes.map((t) => [t, perExample.map((s) => s[t]!)] as const), bootstrap);
  const evaluate: Record<string, number> = {};
  for (const t of rougeTypes) evaluate[t] = boot ? boot[t]!.mid.fmeasure : mean[t]!.fmeasure;
  return {
    count: perExample.length,
    mean,
    bootstrap: boot,
    bootstrapOptions: bootstrap === false ? null : resolveBootstrapOptions(bootstrap),
    evaluate,
  };
}

/**
 * Score a corpus: `predictions[i]` against `references[i]` (one string, or several for
 * rouge_score's `score_multi`: per type the best reference by F, first on ties).
 */
export function scoreCorpus(
  predictions: readonly string[],
  references: readonly string[] | readonly (readonly string[])[] | readonly (string | readonly string[])[],
  opts: ScoreCorpusOptions = {},
): CorpusScores {
  if (predictions.length !== references.length) {
    throw new Error(`scoreCorpus: ${predictions.length} predictions but ${references.length} references`);
  }
  if (predictions.length === 0) throw new Error('scoreCorpus: no examples to score');
  const stemmer = opts.stemmer ?? true;
  const rougeTypes = [...(opts.rougeTypes ?? DEFAULT_ROUGE_TYPES)];
  const split = opts.splitSentences ?? 'none';
  const splitPred = split !== 'none' ? splitSentencesToLines : (s: string) => s;
  const splitRef = split === 'both' ? splitSentencesToLines : (s: string) => s;
  const scorerOpts = { useStemmer: stemmer, rougeTypes };

  const perExample: ExampleScores[] = predictions.map((pred, index) => {
    const ref = references[index]!;
    const prediction = splitPred(pred);
    if (typeof ref === 'string') return { index, scores: scorePair(splitRef(ref), prediction, scorerOpts) };
    const multi = scoreMulti(ref.map(splitRef), prediction, scorerOpts);
    return { index, scores: multi.scores, referenceIndex: multi.referenceIndex };
  });
  const agg = aggregateScores(perExample.map((e) => e.scores), rougeTypes, opts.bootstrap ?? {});
  return { perExample, aggregate: { ...agg, stemmer, rougeTypes, splitSentences: split } };
}

/** One row of a report table, every value ×100 as HF's scripts print ROUGE. */
export interface PercentRow {
  type: RougeType;
  meanF: number;
  /** Bootstrap values; null when the bootstrap was disabled. */
  lowF: number | null;
  midF: number | null;
  highF: number | null;
  midP: number | null;
  midR: number | null;
}

/** The aggregate as report rows (×100), in the order of `aggregate.rougeTypes`. */
export function toPercentRows(aggregate: CorpusAggregate): PercentRow[] {
  return aggregate.rougeTypes.map((type) => {
    const b = aggregate.bootstrap?.[type];
    return {
      type,
      meanF: 100 * aggregate.mean[type]!.fmeasure,
      lowF: b ? 100 * b.low.fmeasure : null,
      midF: b ? 100 * b.mid.fmeasure : null,
      highF: b ? 100 * b.high.fmeasure : null,
      midP: b ? 100 * b.mid.precision : null,
      midR: b ? 100 * b.mid.recall : null,
    };
  });
}
