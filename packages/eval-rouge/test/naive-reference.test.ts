// Differential check of the optimised scorer (integer ids, numeric n-gram keys, typed-array
// LCS tables, the single-line rougeLsum shortcut) against a literal transcription of
// rouge_score 0.1.2's Python (string tokens, nested arrays, Counter-like maps) on seeded random
// texts with many lines, repeats and blank lines — shapes the golden file has few of.
import { scorePair, tokenize } from '../src/scoring.js';

type S = { precision: number; recall: number; fmeasure: number };
const fm = (p: number, r: number): number => (p + r > 0 ? (2 * p * r) / (p + r) : 0);
const counter = (xs: string[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};

function ngrams(tokens: string[], n: number): Map<string, number> {
  const out: string[] = [];
  for (let i = 0; i < tokens.length - n + 1; i++) out.push(JSON.stringify(tokens.slice(i, i + n)));
  return counter(out);
}
function scoreNgrams(t: Map<string, number>, p: Map<string, number>): S {
  let inter = 0;
  for (const [g, c] of t) inter += Math.min(c, p.get(g) ?? 0);
  const tc = [...t.values()].reduce((a, b) => a + b, 0);
  const pc = [...p.values()].reduce((a, b) => a + b, 0);
  const precision = inter / Math.max(pc, 1);
  const recall = inter / Math.max(tc, 1);
  return { precision, recall, fmeasure: fm(precision, recall) };
}
function lcsTable(ref: string[], can: string[]): number[][] {
  const t = Array.from({ length: ref.length + 1 }, () => new Array<number>(can.length + 1).fill(0));
  for (let i = 1; i <= ref.length; i++) {
    for (let j = 1; j <= can.length; j++) {
      t[i]![j] = ref[i - 1] === can[j - 1] ? t[i - 1]![j - 1]! + 1 : Math.max(t[i - 1]![j]!, t[i]![j - 1]!);
    }
  }
  return t;
}
function backtrack(t: number[][], ref: string[], can: string[]): number[] {
  let i = ref.length;
  let j = can.length;
  const lcs: number[] = [];
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) { lcs.unshift(i - 1); i--; j--; } else if (t[i]![j - 1]! > t[i - 1]![j]!) j--; else i--;
  }
  return lcs;
}
function scoreLcs(t: string[], p: string[]): S {
  if (t.length === 0 || p.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const l = lcsTable(t, p)[t.length]![p.length]!;
  return { precision: l / p.length, recall: l / t.length, fmeasure: fm(l / p.length, l / t.length) };
}
function summaryLcs(refSent: string[][], canSent: string[][]): S {
  if (refSent.length === 0 || canSent.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const m = refSent.reduce((a, s) => a + s.length, 0);
  const n = canSent.reduce((a, s) => a + s.length, 0);
  if (!n || !m) return { precision: 0, recall: 0, fmeasure: 0 };
  const cr = counter(refSent.flat());
  const cc = counter(canSent.flat());
  let hits = 0;
  for (const r of refSent) {
    const union = [...new Set(canSent.flatMap((c) => backtrack(lcsTable(r, c), r, c)))].sort((a, b) => a - b);
    for (const i of union) {
      const tok = r[i]!;
      if ((cc.get(tok) ?? 0) > 0 && (cr.get(tok) ?? 0) > 0) {
        hits++;
        cc.set(tok, cc.get(tok)! - 1);
        cr.set(tok, cr.get(tok)! - 1);
      }
    }
  }
  return { precision: hits / n, recall: hits / m, fmeasure: fm(hits / n, hits / m) };
}
function naiveScore(target: string, prediction: string, stem: boolean): Record<string, S> {
  const tt = tokenize(target, stem);
  const pt = tokenize(prediction, stem);
  const sents = (x: string) => x.split('\n').filter((s) => s.length > 0).map((s) => tokenize(s, stem));
  return {
    rouge1: scoreNgrams(ngrams(tt, 1), ngrams(pt, 1)),
    rouge2: scoreNgrams(ngrams(tt, 2), ngrams(pt, 2)),
    rouge3: scoreNgrams(ngrams(tt, 3), ngrams(pt, 3)),
    rougeL: scoreLcs(tt, pt),
    rougeLsum: summaryLcs(sents(target), sents(prediction)),
  };
}

// Small seeded LCG; the texts only need to be varied, not random in any strict sense.
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}
const WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'dogs', 'running', 'ran', 'happily', 'Amanda', 'will', 'call', 'x', 'y', "it's", 'B2B'];
function text(rand: () => number): string {
  const n = Math.floor(rand() * 30);
  let out = '';
  for (let i = 0; i < n; i++) {
    out += WORDS[Math.floor(rand() * WORDS.length)]!;
    const r = rand();
    out += r < 0.15 ? '\n' : r < 0.2 ? '\n\n' : r < 0.25 ? '. ' : ' ';
  }
  return out;
}

test('optimised scorer equals a literal transcription of rouge_score on 400 random pairs', () => {
  const rand = lcg(12345);
  const types = ['rouge1', 'rouge2', 'rouge3', 'rougeL', 'rougeLsum'] as const;
  let multiLine = 0;
  for (let k = 0; k < 400; k++) {
    const target = text(rand);
    const prediction = rand() < 0.3 ? target.replace(/\n/g, ' ') : text(rand);
    if (target.includes('\n') || prediction.includes('\n')) multiLine++;
    const stem = k % 2 === 0;
    const got = scorePair(target, prediction, { useStemmer: stem, rougeTypes: [...types] });
    const want = naiveScore(target, prediction, stem);
    for (const t of types) expect({ k, t, s: got[t] }).toEqual({ k, t, s: want[t] });
  }
  expect(multiLine).toBeGreaterThan(200); // both rougeLsum paths are exercised
});
