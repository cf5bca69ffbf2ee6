// Pairwise ROUGE exactly as rouge_score 0.1.2 `RougeScorer.score(target, prediction)` and
// `score_multi(targets, prediction)`.
// Argument order follows rouge_score: the reference (target) comes first; precision is
// relative to the prediction, recall to the reference.
import { lcsLength, lcsRefIndices } from './lcs.js';
import { tokenize } from './tokenize.js';
import { DEFAULT_ROUGE_TYPES, isRougeType, type RougeScores, type RougeType, type Score } from './types.js';

export interface ScorerOptions {
  /** ROUGE types to compute, in order. Defaults to rouge1, rouge2, rougeL, rougeLsum. */
  rougeTypes?: readonly RougeType[];
  /** Porter-stem tokens longer than 3 characters (rouge_score `use_stemmer`). Defaults to false. */
  useStemmer?: boolean;
}

const ZERO: Score = Object.freeze({ precision: 0, recall: 0, fmeasure: 0 });

/** rouge_score `scoring.fmeasure`: 2PR/(P+R), 0 when P+R = 0 (same float operation order). */
export function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function makeScore(precision: number, recall: number): Score {
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** Maps token strings to small integers shared by both sides of one pair. */
class TokenIds {
  private readonly ids = new Map<string, number>();
  get size(): number { return this.ids.size; }
  encode(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      let id = this.ids.get(t);
      if (id === undefined) { id = this.ids.size; this.ids.set(t, id); }
      out[i] = id;
    }
    return out;
  }
}

/**
 * n-gram counts keyed by number: the ids of one n-gram read as digits in base `vocab`.
 * Exact while vocab^n <= 2^53 (always true for the pair sizes ROUGE sees; checked by the caller).
 */
function countNgrams(ids: Int32Array, n: number, vocab: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (let i = 0; i + n <= ids.length; i++) {
    let key = 0;
    for (let k = 0; k < n; k++) key = key * vocab + ids[i + k]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Same with string keys, for the (theoretical) case where numeric keys would not be exact. */
function countNgramsByString(ids: Int32Array, n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= ids.length; i++) {
    const key = Array.prototype.join.call(ids.subarray(i, i + n), ' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * rouge_score `_score_ngrams`: overlap = Σ over reference n-grams of min(count_ref, count_pred);
 * P = overlap / max(#pred n-grams, 1), R = overlap / max(#ref n-grams, 1).
 */
function scoreNgrams(target: Int32Array, prediction: Int32Array, n: number, vocab: number): Score {
  let overlap = 0;
  if (n === 1) {
    // Unigrams: per-id count arrays instead of maps.
    const refCount = new Int32Array(vocab);
    const predCount = new Int32Array(vocab);
    for (const t of target) refCount[t]!++;
    for (const t of prediction) predCount[t]!++;
    for (let v = 0; v < vocab; v++) overlap += Math.min(refCount[v]!, predCount[v]!);
  } else {
    const exact = n * Math.log2(Math.max(vocab, 2)) <= 52;
    const ref = exact ? countNgrams(target, n, vocab) : countNgramsByString(target, n);
    const pred = exact ? countNgrams(prediction, n, vocab) : countNgramsByString(prediction, n);
    for (const [gram, c] of ref as Map<number | string, number>) overlap += Math.min(c, (pred as Map<number | string, number>).get(gram) ?? 0);
  }
  const refGrams = Math.max(target.length - n + 1, 0);
  const predGrams = Math.max(prediction.length - n + 1, 0);
  return makeScore(overlap / Math.max(predGrams, 1), overlap / Math.max(refGrams, 1));
}

/** rouge_score `_score_lcs`: LCS over the whole token sequences; 0 if a side has no tokens. */
function scoreLcs(target: Int32Array, prediction: Int32Array): Score {
  if (target.length === 0 || prediction.length === 0) return { ...ZERO };
  const lcs = lcsLength(target, prediction);
  return makeScore(lcs / prediction.length, lcs / target.length);
}

/** rouge_score `get_sents` without nltk: split on "\n" only and drop zero-length lines. */
export function splitLines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}

/**
 * rouge_score `_summary_level_lcs`: for each reference line, the union of its LCS positions
 * against every prediction line; hits are counted over the union tokens with per-token budgets
 * (reference-side and prediction-side counts over all lines), as ROUGE-1.5.5 does.
 */
function scoreSummaryLcs(refIds: readonly Int32Array[], predIds: readonly Int32Array[]): Score {
  if (refIds.length === 0 || predIds.length === 0) return { ...ZERO };
  const m = refIds.reduce((s, l) => s + l.length, 0);
  const n = predIds.reduce((s, l) => s + l.length, 0);
  if (m === 0 || n === 0) return { ...ZERO };
  const budgetRef = new Map<number, number>();
  const budgetPred = new Map<number, number>();
  for (const line of refIds) for (const t of line) budgetRef.set(t, (budgetRef.get(t) ?? 0) + 1);
  for (const line of predIds) for (const t of line) budgetPred.set(t, (budgetPred.get(t) ?? 0) + 1);

  let hits = 0;
  for (const ref of refIds) {
    const union = new Uint8Array(ref.length); // marks reference positions in any line's LCS
    for (const can of predIds) for (const i of lcsRefIndices(ref, can)) union[i] = 1;
    for (let i = 0; i < ref.length; i++) {
      if (union[i] === 0) continue;
      const t = ref[i]!;
      const r = budgetRef.get(t) ?? 0;
      const c = budgetPred.get(t) ?? 0;
      if (c > 0 && r > 0) {
        hits++;
        budgetPred.set(t, c - 1);
        budgetRef.set(t, r - 1);
      }
    }
  }
  return makeScore(hits / n, hits / m);
}

function resolveTypes(types: readonly RougeType[] | undefined): readonly RougeType[] {
  const list = types ?? DEFAULT_ROUGE_TYPES;
  for (const t of list) if (!isRougeType(t)) throw new Error(`unknown ROUGE type "${String(t)}" (use rouge1..rouge9, rougeL, rougeLsum)`);
  return list;
}

/**
 * Score one prediction against one reference: rouge_score's `score(target, prediction)`.
 * @param target the reference summary (first, as in rouge_score)
 * @param prediction the generated summary
 */
export function scorePair(target: string, prediction: string, opts: ScorerOptions = {}): RougeScores {
  const types = resolveTypes(opts.rougeTypes);
  const stemmer = opts.useStemmer ?? false;
  const needsWhole = types.some((t) => t !== 'rougeLsum');
  // One id space per pair: every comparison below is on small integers.
  const ids = new TokenIds();
  const targetIds = needsWhole ? ids.encode(tokenize(target, stemmer)) : new Int32Array(0);
  const predictionIds = needsWhole ? ids.encode(tokenize(prediction, stemmer)) : new Int32Array(0);
  const result: RougeScores = {};
  for (const type of types) {
    if (type === 'rougeL') result[type] = scoreLcs(targetIds, predictionIds);
    else if (type === 'rougeLsum') {
      // With no "\n" on either side both texts are one line (or none), and the summary-level
      // LCS reduces to the plain LCS (every LCS token is within both budgets), so reuse rougeL.
      if (needsWhole && !target.includes('\n') && !prediction.includes('\n')) {
        result[type] = { ...(result.rougeL ?? scoreLcs(targetIds, predictionIds)) };
        continue;
      }
      result[type] = scoreSummaryLcs(
        splitLines(target).map((l) => ids.encode(tokenize(l, stemmer))),
        splitLines(prediction).map((l) => ids.encode(tokenize(l, stemmer))),
      );
    } else result[type] = scoreNgrams(targetIds, predictionIds, Number(type.slice(5)), ids.size);
  }
  return result;
}

/** Index of the reference chosen for one type (first maximum, as `np.argmax`). */
export interface MultiReferenceChoice {
  scores: RougeScores;
  /** Per ROUGE type, the index in `targets` of the reference whose scores are reported. */
  referenceIndex: Record<string, number>;
}

/**
 * rouge_score `score_multi(targets, prediction)`: per ROUGE type separately, the scores of the
 * reference with the highest F-measure (the first one on ties).
 */
export function scoreMulti(targets: readonly string[], prediction: string, opts: ScorerOptions = {}): MultiReferenceChoice {
  if (targets.length === 0) throw new Error('scoreMulti: at least one reference is required');
  const types = resolveTypes(opts.rougeTypes);
  const all = targets.map((t) => scorePair(t, prediction, { ...opts, rougeTypes: types }));
  const scores: RougeScores = {};
  const referenceIndex: Record<string, number> = {};
  for (const type of types) {
    let best = 0;
    for (let k = 1; k < all.length; k++) if (all[k]![type]!.fmeasure > all[best]![type]!.fmeasure) best = k;
    scores[type] = all[best]![type]!;
    referenceIndex[type] = best;
  }
  return { scores, referenceIndex };
}
