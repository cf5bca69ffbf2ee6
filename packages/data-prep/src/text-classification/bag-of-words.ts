// Bag-of-words features for the baselines: the set of lower-cased whitespace tokens of a text
// (wordTokens) that are in a vocabulary built from the training texts, as binary features, each
// row scaled to unit L2 norm (1/√(distinct known words); a text with no known word is a zero
// row). Stored as CSR rows with column indices ascending.

import { wordTokens } from './vocabulary.js';

export interface SparseRows {
  rows: number;
  /** Number of features (columns). */
  dim: number;
  /** [rows + 1] */
  indptr: Int32Array;
  /** [nnz] */
  indices: Int32Array;
  /** [nnz] */
  values: Float64Array;
}

/** word → column, in first-appearance order over the texts; words seen fewer than minCount times are left out. */
export function bagOfWordsVocabulary(texts: Iterable<string>, minCount = 1): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of wordTokens(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const vocab = new Map<string, number>();
  for (const [w, c] of counts) if (c >= minCount) vocab.set(w, vocab.size);
  return vocab;
}

export function bagOfWordsFeatures(texts: readonly string[], vocab: Map<string, number>): SparseRows {
  const indptr = new Int32Array(texts.length + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  texts.forEach((t, r) => {
    const set = new Set<number>();
    for (const w of wordTokens(t)) { const j = vocab.get(w); if (j !== undefined) set.add(j); }
    const row = [...set].sort((a, b) => a - b);
    const v = row.length ? 1 / Math.sqrt(row.length) : 0;
    for (const j of row) { cols.push(j); vals.push(v); }
    indptr[r + 1] = cols.length;
  });
  return { rows: texts.length, dim: vocab.size, indptr, indices: Int32Array.from(cols), values: Float64Array.from(vals) };
}
