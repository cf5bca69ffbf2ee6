// Word-level vocabulary for fine-tuning on classification, as the CompeteSMoE reference builds
// it: each text is stripped, lower-cased and split on whitespace (Python's `str.split()`
// whitespace set), counted over train + dev, and the words are ordered by descending count,
// ties by first appearance (what `Counter.most_common` gives). Differences from the reference:
// special tokens <pad> 0, <unk> 1, <cls> 2, <s> 3 come first (the reference pads with its
// <eos> id 0 and has no <unk>, so a test word unseen in train/dev would crash it); with
// `boundaryTokens` (default, as the reference) a sequence is <cls> words... <s>, so the last
// token, read by the classification head, is always <s>.

export const PAD = '<pad>';
export const UNK = '<unk>';
export const CLS = '<cls>';
export const END = '<s>';
export const SPECIAL_TOKENS = [PAD, UNK, CLS, END] as const;

// Python's str.isspace() set: \t \n \v \f \r, \x1c-\x1f, space, \x85, \xa0, \u1680,
// \u2000-\u200a, \u2028, \u2029, \u202f, \u205f, \u3000.
const PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Lower-cased whitespace tokens of a text (`text.strip().lower().split()`). */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().split(PY_SPACE).filter((w) => w !== '');
}

export interface WordVocabulary {
  /** id → token; ids 0–3 are <pad>, <unk>, <cls>, <s>. */
  tokens: string[];
  index: Map<string, number>;
  padId: number;
  unkId: number;
  clsId: number;
  endId: number;
}

export interface WordVocabularyOptions {
  /** Keep words seen at least this often (default 1: all). */
  minCount?: number;
  /** Largest vocabulary size, special tokens included. */
  maxSize?: number;
}

/** Build from the texts of the splits it should cover (train + dev, as the reference). */
export function buildWordVocabulary(texts: Iterable<string>, opts: WordVocabularyOptions = {}): WordVocabulary {
  const minCount = opts.minCount ?? 1;
  const counts = new Map<string, number>(); // insertion order = first appearance
  for (const t of texts) for (const w of wordTokens(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const specials = new Set<string>(SPECIAL_TOKENS);
  const words = [...counts.entries()].filter(([w, c]) => c >= minCount && !specials.has(w));
  // Array.prototype.sort is stable: equal counts keep first-appearance order.
  words.sort((a, b) => b[1] - a[1]);
  const tokens: string[] = [...SPECIAL_TOKENS, ...words.map(([w]) => w)];
  if (opts.maxSize !== undefined) {
    if (!Number.isInteger(opts.maxSize) || opts.maxSize < SPECIAL_TOKENS.length) throw new Error(`maxSize must be an integer ≥ ${SPECIAL_TOKENS.length}, got ${opts.maxSize}`);
    tokens.length = Math.min(tokens.length, opts.maxSize);
  }
  return { tokens, index: new Map(tokens.map((t, i) => [t, i])), padId: 0, unkId: 1, clsId: 2, endId: 3 };
}

export interface EncodeOptions {
  /** <cls> first and <s> last (default true, as the reference). */
  boundaryTokens?: boolean;
  /** Keep at most this many words (before the boundary tokens are added). */
  maxWords?: number;
}

/** Token ids of a text; unknown words become <unk>. */
export function encodeWords(vocab: WordVocabulary, text: string, opts: EncodeOptions = {}): number[] {
  let words = wordTokens(text);
  if (opts.maxWords !== undefined) words = words.slice(0, opts.maxWords);
  const ids = words.map((w) => vocab.index.get(w) ?? vocab.unkId);
  return (opts.boundaryTokens ?? true) ? [vocab.clsId, ...ids, vocab.endId] : ids;
}
