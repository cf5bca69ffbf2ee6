// rouge_score 0.1.2 golden pairs (../shared/golden/rouge.json): every pair with
// and without stemming, tokens, multi-reference cases and the HF-evaluate aggregates.
// Non-SAMSum pairs come from the fixture copy; the `samsum` pairs and the all-pairs aggregates
// are read from ../shared at test time (skipped with a message when absent).
import { aggregateScores, scoreCorpus, scoreMulti, scorePair, tokenize, toPercentRows, type RougeScores } from '../src/scoring.js';
import { loadFixtureGolden, loadSharedGolden, maxScoreDiff, MODES, TYPES, FIELDS, type GoldenPair } from './golden-helpers.js';

const fixture = loadFixtureGolden();
const shared = loadSharedGolden();
const samsumPairs: GoldenPair[] = shared ? shared.pairs.filter((p) => p.category === 'samsum') : [];

function checkPairs(pairs: readonly GoldenPair[]): void {
  for (const mode of MODES) {
    const useStemmer = mode === 'stem';
    let worst = 0;
    const failures: string[] = [];
    for (const p of pairs) {
      const d = maxScoreDiff(scorePair(p.reference, p.prediction, { useStemmer }), p.scores[mode]);
      worst = Math.max(worst, d);
      if (d > 1e-12) failures.push(`pair ${p.id} (${p.category}) ${mode}: off by ${d}`);
    }
    expect(failures).toEqual([]);
    expect(worst).toBeLessThanOrEqual(1e-12);
  }
}

function checkTokens(pairs: readonly GoldenPair[]): void {
  for (const mode of MODES) {
    for (const p of pairs) {
      expect({ id: p.id, tokens: tokenize(p.prediction, mode === 'stem') }).toEqual({ id: p.id, tokens: p.tokens[mode].prediction });
      expect({ id: p.id, tokens: tokenize(p.reference, mode === 'stem') }).toEqual({ id: p.id, tokens: p.tokens[mode].reference });
    }
  }
}

describe('rouge_score golden pairs (fixture copy, no SAMSum text)', () => {
  test('the fixture holds the 197 non-SAMSum pairs of every other category', () => {
    expect(fixture.pairs.length).toBe(197);
    expect(fixture.pairs.some((p) => p.category === 'samsum')).toBe(false);
  });

  test('P/R/F of rouge1/2/L/Lsum match to 1e-12, with and without stemming', () => {
    checkPairs(fixture.pairs);
  });

  test('tokens equal rouge_score.tokenize exactly', () => {
    checkTokens(fixture.pairs);
  });

  test('scores are bit-identical to rouge_score (ratios of small integers)', () => {
    for (const p of fixture.pairs) {
      expect(maxScoreDiff(scorePair(p.reference, p.prediction, { useStemmer: true }), p.scores.stem)).toBe(0);
    }
  });

  test('argument order: swapping target and prediction swaps precision and recall', () => {
    const p = fixture.pairs[0]!;
    const s = scorePair(p.prediction, p.reference, { useStemmer: false });
    for (const t of TYPES) {
      expect(s[t]!.precision).toBe(p.scores.nostem[t]!.recall);
      expect(s[t]!.recall).toBe(p.scores.nostem[t]!.precision);
    }
  });

  test('a subset of types (rougeLsum alone takes the no-whole-text path) gives the same numbers', () => {
    for (const p of fixture.pairs.filter((x) => x.category === 'lsum' || x.category === 'random')) {
      const only = scorePair(p.reference, p.prediction, { useStemmer: true, rougeTypes: ['rougeLsum'] });
      expect(Object.keys(only)).toEqual(['rougeLsum']);
      expect(only.rougeLsum).toEqual(p.scores.stem.rougeLsum);
    }
  });

  test('higher-order n-grams: rouge3 by hand', () => {
    // pred trigrams: [a b c] [b c d] [c d a]; ref trigrams: [a b c] [b c a]; overlap 1.
    const s = scorePair('a b c a', 'a b c d a', { rougeTypes: ['rouge3'] });
    expect(s.rouge3).toEqual({ precision: 1 / 3, recall: 1 / 2, fmeasure: (2 * (1 / 3) * (1 / 2)) / (1 / 3 + 1 / 2) });
    expect(() => scorePair('a', 'b', { rougeTypes: ['rougeX' as never] })).toThrow(/unknown ROUGE type/);
    // 2,000 distinct tokens make 5-gram numeric keys inexact (5·log2(2000) > 52): string-key path.
    const ref = Array.from({ length: 2000 }, (_, i) => `w${i}`);
    const pred = [...ref.slice(0, 1000), 'x'];
    const r5 = scorePair(ref.join(' '), pred.join(' '), { rougeTypes: ['rouge5'] }).rouge5!;
    expect([r5.precision, r5.recall]).toEqual([996 / 997, 996 / 1996]);
  });

  test('multi-reference: score_multi picks the best F per type, first reference on ties', () => {
    expect(fixture.multi_reference.length).toBe(5);
    for (const m of fixture.multi_reference) {
      for (const mode of MODES) {
        const got = scoreMulti(m.references, m.prediction, { useStemmer: mode === 'stem' });
        expect({ id: m.id, mode, d: maxScoreDiff(got.scores, m.scores[mode]) }).toEqual({ id: m.id, mode, d: 0 });
      }
    }
    // The tie case: both references give F = 2/3 for rouge1; the first one (P 0.5, R 1) wins.
    const tie = fixture.multi_reference[4]!;
    expect(scoreMulti(tie.references, tie.prediction).referenceIndex.rouge1).toBe(0);
  });

  test('multi-reference through scoreCorpus equals scoreMulti', () => {
    const multi = fixture.multi_reference;
    const res = scoreCorpus(multi.map((m) => m.prediction), multi.map((m) => m.references), { stemmer: false, bootstrap: false });
    res.perExample.forEach((e, i) => expect(maxScoreDiff(e.scores, multi[i]!.scores.nostem)).toBe(0));
  });

  test('mean F over pairs 0..9 equals evaluate(use_aggregator=False) averaged', () => {
    const first10 = fixture.pairs.filter((p) => p.id < 10);
    expect(first10.length).toBe(10);
    for (const mode of MODES) {
      const res = scoreCorpus(first10.map((p) => p.prediction), first10.map((p) => p.reference), { stemmer: mode === 'stem', bootstrap: false });
      for (const t of TYPES) {
        expect(Math.abs(res.aggregate.mean[t]!.fmeasure - fixture.aggregates_first10_mean_fmeasure[mode][t]!)).toBeLessThanOrEqual(1e-12);
      }
      expect(res.aggregate.bootstrap).toBeNull();
      // Report rows are the same numbers ×100; without bootstrap the interval columns are null.
      const rows = toPercentRows(res.aggregate);
      expect(rows.map((r) => r.type)).toEqual([...TYPES]);
      for (const r of rows) {
        expect(r.meanF).toBe(100 * res.aggregate.mean[r.type]!.fmeasure);
        expect(r.midF).toBeNull();
      }
      expect(res.aggregate.evaluate.rouge1).toBe(res.aggregate.mean.rouge1!.fmeasure);
    }
  });
});

const describeShared = shared ? describe : describe.skip;

describeShared('rouge_score golden pairs that quote SAMSum (read from ../shared)', () => {
  test('the 50 samsum pairs match to 1e-12 and their tokens exactly', () => {
    expect(samsumPairs.length).toBe(50);
    checkPairs(samsumPairs);
    checkTokens(samsumPairs);
  });

  test('all-pairs aggregates: mean F exact, bootstrap (seed 42) reproduces numpy exactly', () => {
    const pairs = shared!.pairs;
    expect(pairs.length).toBe(247);
    for (const mode of MODES) {
      const per: RougeScores[] = pairs.map((p) => scorePair(p.reference, p.prediction, { useStemmer: mode === 'stem' }));
      const agg = aggregateScores(per, [...TYPES], { seed: 42, samples: 1000, confidence: 0.95 });
      const want = shared!.aggregates_all_pairs[mode];
      for (const t of TYPES) {
        expect(Math.abs(agg.mean[t]!.fmeasure - want.mean_fmeasure[t]!)).toBeLessThanOrEqual(1e-12);
        expect(Math.abs(agg.evaluate[t]! - want.bootstrap_seed42_mid_fmeasure[t]!)).toBeLessThanOrEqual(1e-12);
        for (const level of ['low', 'mid', 'high'] as const) {
          for (const f of FIELDS) {
            // The tolerance is 5e-3; the reproduced MT19937 stream gives 1e-12 (in fact 0).
            expect(Math.abs(agg.bootstrap![t]![level][f] - want.bootstrap_seed42_full[t]![level][f])).toBeLessThanOrEqual(1e-12);
          }
        }
      }
    }
  });

  test('scoreCorpus over all pairs gives the same aggregate as HF evaluate', () => {
    const pairs = shared!.pairs;
    const res = scoreCorpus(pairs.map((p) => p.prediction), pairs.map((p) => p.reference), { stemmer: true });
    for (const t of TYPES) {
      expect(Math.abs(res.aggregate.evaluate[t]! - shared!.aggregates_all_pairs.stem.bootstrap_seed42_mid_fmeasure[t]!)).toBeLessThanOrEqual(1e-12);
    }
    // Another seed draws another stream: the interval moves but stays a bootstrap of the same data.
    const other = scoreCorpus(pairs.map((p) => p.prediction), pairs.map((p) => p.reference), { stemmer: true, bootstrap: { seed: 7 } });
    expect(other.aggregate.bootstrap!.rouge1!.mid.fmeasure).not.toBe(res.aggregate.bootstrap!.rouge1!.mid.fmeasure);
    expect(Math.abs(other.aggregate.bootstrap!.rouge1!.mid.fmeasure - res.aggregate.mean.rouge1!.fmeasure)).toBeLessThan(0.02);
  });
});
