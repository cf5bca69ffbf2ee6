// The rule-based stand-in for nltk.sent_tokenize used before ROUGE-Lsum (off by default).
import { scoreCorpus, scorePair, splitSentences, splitSentencesToLines } from '../src/scoring.js';

describe('splitSentences', () => {
  test.each([
    ['Amanda baked cookies. She will bring Jerry some tomorrow.', ['Amanda baked cookies.', 'She will bring Jerry some tomorrow.']],
    ['Is it late? Yes! Go home.', ['Is it late?', 'Yes!', 'Go home.']],
    ['Mr. Smith met Dr. Jones at 5 p.m. on Friday.', ['Mr. Smith met Dr. Jones at 5 p.m. on Friday.']],
    ['J. R. R. Tolkien wrote it.', ['J. R. R. Tolkien wrote it.']],
    ['It costs 3.50 euro. Fine.', ['It costs 3.50 euro.', 'Fine.']],
    ['He said "stop." Then he left.', ['He said "stop."', 'Then he left.']],
    ['wait... what? no idea', ['wait... what? no idea']],
    ['  first line\nsecond. Third  \n\n', ['first line', 'second.', 'Third']],
    ['', []],
  ])('%j', (text, want) => {
    expect(splitSentences(text)).toEqual(want);
  });

  test('only rougeLsum changes: rouge1/2/L tokens are the same after splitting', () => {
    const pred = 'They meet on Monday. Tom will call Anna. Anna is busy.';
    const ref = 'Anna is busy, Tom will call her and they meet on Monday.';
    const plain = scorePair(ref, pred, { useStemmer: true });
    const split = scorePair(ref, splitSentencesToLines(pred), { useStemmer: true });
    expect(split.rouge1).toEqual(plain.rouge1);
    expect(split.rouge2).toEqual(plain.rouge2);
    expect(split.rougeL).toEqual(plain.rougeL);
    expect(split.rougeLsum).not.toEqual(plain.rougeLsum);
  });

  test('scoreCorpus applies it only when asked', () => {
    const preds = ['Birds sang. Sun rose.'];
    const refs = ['Sun rose and birds sang.'];
    const off = scoreCorpus(preds, refs, { bootstrap: false });
    const on = scoreCorpus(preds, refs, { bootstrap: false, splitSentences: 'predictions' });
    // Unsplit: one prediction line, rougeLsum = rougeL, LCS 2 of 4 predicted / 5 reference tokens.
    expect(off.perExample[0]!.scores.rougeLsum).toEqual({ precision: 2 / 4, recall: 2 / 5, fmeasure: (2 * 0.5 * 0.4) / 0.9 });
    // Split: the union of both lines' LCS covers sun rose birds sang: 4 hits.
    expect(on.perExample[0]!.scores.rougeLsum).toEqual({ precision: 1, recall: 4 / 5, fmeasure: (2 * 1 * 0.8) / 1.8 });
    expect(on.perExample[0]!.scores.rougeL).toEqual(off.perExample[0]!.scores.rougeL);
    expect(on.aggregate.splitSentences).toBe('predictions');
  });
});
