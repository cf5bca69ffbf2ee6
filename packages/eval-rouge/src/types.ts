/** One ROUGE result, as rouge_score's `Score(precision, recall, fmeasure)`. */
export interface Score {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** `rouge1` … `rouge9` (n-gram overlap), `rougeL` (LCS), `rougeLsum` (summary-level LCS). */
export type RougeType = `rouge${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9}` | 'rougeL' | 'rougeLsum';

/** HF `evaluate`'s default types, in rouge_score's order (the bootstrap stream follows it). */
export const DEFAULT_ROUGE_TYPES: readonly RougeType[] = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'];

export type RougeScores = Partial<Record<RougeType, Score>> & Record<string, Score>;

export function isRougeType(name: string): name is RougeType {
  return /^rouge[1-9]$/.test(name) || name === 'rougeL' || name === 'rougeLsum';
}
