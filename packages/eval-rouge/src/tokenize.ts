// rouge_score 0.1.2 `tokenize.tokenize(text, stemmer)`: lower-case, every maximal run outside
// ASCII [a-z0-9] becomes one space, split on whitespace, stem tokens longer than 3 characters,
// keep only tokens matching ^[a-z0-9]+$. JavaScript's locale-independent `toLowerCase` equals
// Python's `str.lower` on every case of the golden set (İ -> i + U+0307, KELVIN SIGN -> k, ...);
// `toLocaleLowerCase` would not (a Turkish locale changes `I`).
import { stem } from './porter-stemmer.js';

const NON_ALPHANUM = /[^a-z0-9]+/g;
const VALID_TOKEN = /^[a-z0-9]+$/;

/** Memo of stems: corpora repeat words a lot and stemming dominates tokenisation time. */
const stemCache = new Map<string, string>();
const STEM_CACHE_LIMIT = 200_000;

function cachedStem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = stem(word);
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

/** Tokens of `text` exactly as rouge_score produces them (with or without the Porter stemmer). */
export function tokenize(text: string, useStemmer: boolean): string[] {
  const spaced = text.toLowerCase().replace(NON_ALPHANUM, ' ');
  const out: string[] = [];
  for (const raw of spaced.split(' ')) {
    if (raw.length === 0) continue;
    // rouge_score stems only tokens longer than 3 characters (`gas`, `yes` stay).
    if (useStemmer && raw.length > 3) {
      const tok = cachedStem(raw);
      if (VALID_TOKEN.test(tok)) out.push(tok);
    } else {
      // Already a maximal run of [a-z0-9]: rouge_score's final validity filter keeps it.
      out.push(raw);
    }
  }
  return out;
}
