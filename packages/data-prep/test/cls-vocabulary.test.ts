// Word vocabulary (reference recipe: strip, lower-case, whitespace split, train + dev, count
// order with first-appearance ties) and left-padding collation, on hand-worked cases.
import { buildWordVocabulary, encodeWords, wordTokens, leftPadBatch, SPECIAL_TOKENS } from '@switchyard/data-prep';

describe('word vocabulary', () => {
  test('tokens: lower-cased, split on Python whitespace (incl. \\x1c and NBSP), ends stripped', () => {
    expect(wordTokens('  The CAT\tsat\n\non\u00a0the\x1cMat  ')).toEqual(['the', 'cat', 'sat', 'on', 'the', 'mat']);
    // U+FEFF is not whitespace for Python's str.split (it is for JS \s).
    expect(wordTokens('a\ufeffb c')).toEqual(['a\ufeffb', 'c']);
    expect(wordTokens(' \n ')).toEqual([]);
  });

  test('specials first, then descending count, ties in first-appearance order', () => {
    // counts: b 3, a 2, c 2 (a seen before c), d 1, e 1 (d first)
    const v = buildWordVocabulary(['b a c', 'B d b', 'c A e']);
    expect(v.tokens).toEqual([...SPECIAL_TOKENS, 'b', 'a', 'c', 'd', 'e']);
    expect([v.padId, v.unkId, v.clsId, v.endId]).toEqual([0, 1, 2, 3]);
    expect(v.index.get('c')).toBe(6);
    expect(buildWordVocabulary(['b a c', 'B d b', 'c A e'], { minCount: 2 }).tokens.slice(4)).toEqual(['b', 'a', 'c']);
    expect(buildWordVocabulary(['b a c', 'B d b', 'c A e'], { maxSize: 6 }).tokens.slice(4)).toEqual(['b', 'a']);
    // A special token written in the text is not given a second id.
    expect(buildWordVocabulary(['<unk> x']).tokens).toEqual([...SPECIAL_TOKENS, 'x']);
  });

  test('encode: <cls> words <s>, unknown words → <unk>, maxWords before the boundary tokens', () => {
    const v = buildWordVocabulary(['b a c', 'B d b', 'c A e']);
    expect(encodeWords(v, 'A zebra B')).toEqual([2, 5, 1, 4, 3]);
    expect(encodeWords(v, 'A zebra B', { boundaryTokens: false })).toEqual([5, 1, 4]);
    expect(encodeWords(v, 'a b c d', { maxWords: 2 })).toEqual([2, 5, 4, 3]);
  });
});

describe('leftPadBatch', () => {
  test('right-aligns each sequence; mask 1 at tokens, 0 at padding', () => {
    const b = leftPadBatch([[7, 8, 9], [5], [1, 2]], 0);
    expect([b.batch, b.length]).toEqual([3, 3]);
    expect(Array.from(b.ids)).toEqual([7, 8, 9, 0, 0, 5, 0, 1, 2]);
    expect(Array.from(b.mask)).toEqual([1, 1, 1, 0, 0, 1, 0, 1, 1]);
    expect(Array.from(b.lengths)).toEqual([3, 1, 2]);
    // the last column holds every sequence's last token
    expect([2, 5, 8].map((i) => b.ids[i])).toEqual([9, 5, 2]);
  });

  test('fixed length pads further; a longer or empty sequence is an error', () => {
    const b = leftPadBatch([[4, 4]], 9, 4);
    expect(Array.from(b.ids)).toEqual([9, 9, 4, 4]);
    expect(Array.from(b.mask)).toEqual([0, 0, 1, 1]);
    expect(() => leftPadBatch([[1], [1, 2, 3]], 0, 2)).toThrow('leftPadBatch: sequence 1 has 3 tokens, more than length 2');
    expect(() => leftPadBatch([[1], []], 0)).toThrow(/sequence 1 is empty/);
    expect(() => leftPadBatch([], 0)).toThrow(/no sequences/);
  });
});
