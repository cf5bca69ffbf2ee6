// A small unigram-LM tokenizer trainer in the manner of sentencepiece (Kudo 2018, "Subword
// Regularization", §3.2): seed a large vocabulary of frequent substrings, fit piece
// probabilities by EM (forward-backward over each distinct word), then repeatedly drop the
// pieces whose removal costs the least likelihood until the target size is reached. Single
// characters are always kept, so every training character is encodable. Pre-tokenisation
// matches the saved tokenizer: NFKC, split on whitespace, `▁` before each word.
// Deterministic: no random draws; every ranking breaks ties by the piece string.
import { t5TokenizerJson } from './t5-json.js';
import { METASPACE, T5_EOS, T5_PAD, T5_UNK, type TokenizerJson } from './types.js';

export interface UnigramTrainOptions {
  /** Total ids including pad, eos, unk (and extra ids). Defaults to 4000. */
  vocabSize?: number;
  /** Longest piece in characters. Defaults to 16 (sentencepiece's default). */
  maxPieceLength?: number;
  /** Seed vocabulary size as a multiple of the target. Defaults to 10. */
  seedFactor?: number;
  /** Fraction of pieces kept per pruning round. Defaults to 0.75 (sentencepiece's shrinking_factor). */
  shrinkFactor?: number;
  /** EM iterations per round. Defaults to 2 (sentencepiece's num_sub_iterations). */
  emIterations?: number;
  /** T5 `<extra_id_N>` sentinels appended after the learnt pieces. Defaults to 0. */
  extraIds?: number;
}

interface Word { chars: string[]; count: number }

/** Words of the corpus as the saved tokenizer will see them (NFKC, whitespace split, ▁ prefix). */
export function countWords(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of texts) {
    for (const w of t.normalize('NFKC').match(/\S+/g) ?? []) {
      const k = METASPACE + w;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
  }
  return counts;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function trainUnigram(texts: Iterable<string>, opts: UnigramTrainOptions = {}): TokenizerJson {
  const vocabSize = opts.vocabSize ?? 4000;
  const maxLen = opts.maxPieceLength ?? 16;
  const extraIds = opts.extraIds ?? 0;
  const target = vocabSize - 3 - extraIds;
  if (target < 1) throw new Error(`vocabSize ${vocabSize} leaves no room for pieces`);
  const counts = countWords(texts);
  const words: Word[] = [...counts.keys()].sort(byString).map((k) => ({ chars: Array.from(k), count: counts.get(k)! }));
  if (words.length === 0) throw new Error('cannot train a tokenizer on an empty corpus');

  // Seed: all characters (required) + substrings scored by frequency × length.
  const required = new Set<string>();
  const subFreq = new Map<string, number>();
  for (const w of words) {
    for (const c of w.chars) required.add(c);
    for (let i = 0; i < w.chars.length; i++) {
      let s = '';
      for (let l = 1; l <= maxLen && i + l <= w.chars.length; l++) {
        s += w.chars[i + l - 1];
        if (l >= 2) subFreq.set(s, (subFreq.get(s) ?? 0) + w.count);
      }
    }
  }
  const seedSize = Math.max(target * (opts.seedFactor ?? 10), target);
  const seeds = [...subFreq.entries()].filter(([, f]) => f >= 2)
    .sort((a, b) => b[1] * Array.from(b[0]).length - a[1] * Array.from(a[0]).length || byString(a[0], b[0]))
    .slice(0, seedSize);
  const logp = new Map<string, number>();
  let total = 0;
  total += required.size;
  for (const [, f] of seeds) total += f;
  for (const c of [...required].sort(byString)) logp.set(c, Math.log(1 / total));
  for (const [s, f] of seeds) logp.set(s, Math.log(f / total));

  const shrink = opts.shrinkFactor ?? 0.75;
  const emIters = opts.emIterations ?? 2;
  for (;;) {
    for (let it = 0; it < emIters; it++) emStep(words, logp, required, maxLen);
    if (logp.size <= target) break;
    const before = logp.size;
    prune(words, logp, required, maxLen, Math.max(target, Math.floor(logp.size * shrink)));
    if (logp.size === before) break; // only required characters are left
  }
  for (let it = 0; it < emIters; it++) emStep(words, logp, required, maxLen);

  // Order by score (sentencepiece's id order), ties by string.
  const pieces = [...logp.entries()].sort((a, b) => (a[1] === b[1] ? 0 : b[1] - a[1]) || byString(a[0], b[0]));
  const vocab: [string, number][] = [[T5_PAD, 0], [T5_EOS, 0], [T5_UNK, 0], ...pieces.map(([p, s]) => [p, round(s)] as [string, number])];
  const specialIds = [0, 1, 2];
  for (let k = extraIds - 1; k >= 0; k--) { specialIds.push(vocab.length); vocab.push([`<extra_id_${k}>`, 0]); }
  return t5TokenizerJson({ vocab, unkId: 2, specialIds });
}

/** Scores are stored with 8 significant digits so the JSON text is stable. */
function round(x: number): number { return Number(x.toPrecision(8)); }

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** One EM step: expected piece counts by forward-backward, then re-normalised log-probabilities. */
function emStep(words: Word[], logp: Map<string, number>, required: Set<string>, maxLen: number): void {
  const expected = new Map<string, number>();
  for (const w of words) {
    const n = w.chars.length;
    const alpha = new Float64Array(n + 1).fill(-Infinity);
    const beta = new Float64Array(n + 1).fill(-Infinity);
    alpha[0] = 0;
    for (let e = 1; e <= n; e++) {
      let s = '';
      for (let b = e - 1; b >= 0 && e - b <= maxLen; b--) {
        s = w.chars[b] + s;
        const lp = logp.get(s);
        if (lp !== undefined) alpha[e] = logAdd(alpha[e]!, alpha[b]! + lp);
      }
    }
    beta[n] = 0;
    for (let b = n - 1; b >= 0; b--) {
      let s = '';
      for (let e = b + 1; e <= n && e - b <= maxLen; e++) {
        s += w.chars[e - 1];
        const lp = logp.get(s);
        if (lp !== undefined) beta[b] = logAdd(beta[b]!, lp + beta[e]!);
      }
    }
    const z = alpha[n]!;
    for (let b = 0; b < n; b++) {
      let s = '';
      for (let e = b + 1; e <= n && e - b <= maxLen; e++) {
        s += w.chars[e - 1];
        const lp = logp.get(s);
        if (lp === undefined) continue;
        const post = Math.exp(alpha[b]! + lp + beta[e]! - z) * w.count;
        expected.set(s, (expected.get(s) ?? 0) + post);
      }
    }
  }
  // M-step; pieces expected less than half a time vanish (as in sentencepiece), characters stay.
  let sum = 0;
  const keep: [string, number][] = [];
  for (const p of [...logp.keys()].sort(byString)) {
    const c = expected.get(p) ?? 0;
    if (c < 0.5 && !required.has(p)) continue;
    const cc = Math.max(c, 1e-3);
    keep.push([p, cc]);
    sum += cc;
  }
  logp.clear();
  for (const [p, c] of keep) logp.set(p, Math.log(c / sum));
}

/** Best segmentation of `chars` under `logp`, optionally forbidding one piece. */
function viterbi(chars: string[], logp: Map<string, number>, maxLen: number, forbid?: string): { pieces: string[]; score: number } {
  const n = chars.length;
  const best = new Float64Array(n + 1).fill(-Infinity);
  const from = new Int32Array(n + 1).fill(-1);
  best[0] = 0;
  for (let e = 1; e <= n; e++) {
    let s = '';
    for (let b = e - 1; b >= 0 && e - b <= maxLen; b--) {
      s = chars[b] + s;
      if (s === forbid) continue;
      const lp = logp.get(s);
      if (lp === undefined) continue;
      const v = best[b]! + lp;
      if (v > best[e]!) { best[e] = v; from[e] = b; }
    }
  }
  const pieces: string[] = [];
  if (best[n] === -Infinity) return { pieces, score: -Infinity };
  for (let e = n; e > 0; e = from[e]!) pieces.push(chars.slice(from[e]!, e).join(''));
  return { pieces: pieces.reverse(), score: best[n]! };
}

/** Keep the `keep` pieces whose removal would cost the most likelihood (characters always). */
function prune(words: Word[], logp: Map<string, number>, required: Set<string>, maxLen: number, keep: number): void {
  const freq = new Map<string, number>();
  for (const w of words) for (const p of viterbi(w.chars, logp, maxLen).pieces) freq.set(p, (freq.get(p) ?? 0) + w.count);
  const candidates: [string, number][] = [];
  for (const [p, lp] of logp) {
    if (required.has(p)) continue;
    const f = freq.get(p) ?? 0;
    // Loss ≈ f · (log p(piece) − log p(best split of the piece without it)).
    const alt = f > 0 ? viterbi(Array.from(p), logp, maxLen, p).score : -Infinity;
    candidates.push([p, f > 0 ? f * (lp - alt) : -Infinity]);
  }
  candidates.sort((a, b) => (a[1] === b[1] ? 0 : b[1] - a[1]) || byString(a[0], b[0]));
  const room = Math.max(0, keep - required.size);
  const drop = new Set(candidates.slice(room).map(([p]) => p));
  for (const p of drop) logp.delete(p);
}
