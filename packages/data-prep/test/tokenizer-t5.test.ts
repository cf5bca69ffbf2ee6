// T5-style tokenizers. (1) A hand-written T5-structured tokenizer.json (fixtures/t5-mini)
// encodes to ids derived by hand from its piece scores (Viterbi: the segmentation with the
// highest sum of log-probabilities; unknown characters score min − 10 and become unk, as in
// sentencepiece) and decodes back as sentencepiece does. (2) The same vocabulary written as a
// sentencepiece spiece.model converts to a tokenizer with identical behaviour. (3) The unigram
// trainer is deterministic and its tokenizer.json round-trips text.
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTokenizer, saveTokenizer, trainUnigram, tokenizerFromJson, loadCorpus, parseSpModel, type Tokenizer } from '@switchyard/data-prep';
import { fixtures, repoRoot } from './helpers/paths.js';
import { writeSpModel } from './helpers/spiece-writer.js';

// [text, expected ids, why]
const CASES: [string, number[], string][] = [
  ['the cat sat.', [6, 13, 14, 4], '▁the(-3) | ▁cat(-6) beats ▁c+at(-10.5) | ▁sat+.(-10) beats ▁s+at+.(-13.5)'],
  ['hello, world', [19, 22, 35], '▁hello+,(-12.4) beats ▁hell+o+,(-14.7) | ▁world(-8) beats ▁wor+ld(-12.8)'],
  ['the cat sat on the mat.', [6, 13, 14, 23, 6, 26, 12, 4], '▁mat.: ▁m+at+.(-13.6) beats ▁mat+.(-14.0)'],
  ['mat', [26, 12], '▁m+at(-10.6) beats the whole piece ▁mat(-11.0)'],
  ['hell cats', [20, 13, 5], '▁hell(-6.5) | ▁cat+s(-9.5) beats ▁c+at+s(-14)'],
  ['101 10', [30, 29, 30], '▁10+1(-11.5) beats ▁1+0+1(-16) | ▁10'],
  ['a', [7], '▁a(-3.2) beats ▁+a(-6.5)'],
  ['  the\n\tcat  ', [6, 13], 'whitespace runs, tabs and newlines only separate words'],
  ['ｔｈｅ ｃａｔ', [6, 13], 'NFKC maps full-width letters to ASCII'],
  ['the 🐱', [6, 3, 2], '▁ then the unknown character as unk'],
  ['the 🐱🐶', [6, 3, 2], 'consecutive unknown characters fuse into one unk'],
  ['', [], 'nothing'],
];

function checkCases(tok: Tokenizer) {
  for (const [text, ids, why] of CASES) expect({ text, why, ids: tok.encode(text) }).toEqual({ text, why, ids });
}

describe('T5-style tokenizer.json (hand-written fixture)', () => {
  const tok = loadTokenizer(join(fixtures, 't5-mini'));

  test('T5 special ids and vocabulary size', () => {
    expect([tok.padId, tok.eosId, tok.unkId, tok.vocabSize]).toEqual([0, 1, 2, 42]);
  });

  test('encode gives the hand-derived ids', () => checkCases(tok));

  test('decode as sentencepiece: ▁ to spaces, no leading space, pad/eos dropped', () => {
    expect(tok.decode([6, 13, 14, 4])).toBe('the cat sat.');
    expect(tok.decode([19, 22, 35])).toBe('hello, world');
    expect(tok.decode([26, 12, 1, 0, 0])).toBe('mat');
    expect(tok.decode([30, 29, 3, 7])).toBe('101  a'); // a lone ▁ piece is one more space
    expect(tok.decode([])).toBe('');
    expect(tok.decode([1, 0])).toBe('');
  });

  test('ids → text → ids round-trips for covered text', () => {
    for (const t of ['the cat sat on the mat.', 'hello, world', 'a cat, 10 mats']) {
      const ids = tok.encode(t);
      expect(tok.decode(ids)).toBe(t);
      expect(tok.encode(tok.decode(ids))).toEqual(ids);
    }
  });

  test('loading the file directly equals loading the folder', () => {
    const t2 = loadTokenizer(join(fixtures, 't5-mini', 'tokenizer.json'));
    expect(t2.encode('the cat sat on the mat.')).toEqual(tok.encode('the cat sat on the mat.'));
  });
});

describe('spiece.model conversion', () => {
  const json = JSON.parse(readFileSync(join(fixtures, 't5-mini', 'tokenizer.json'), 'utf8')) as { model: { vocab: [string, number][] } };
  // sentencepiece types: <pad> and </s> are CONTROL (3), <unk> is UNKNOWN (2), the rest NORMAL.
  const pieces = json.model.vocab.map(([piece, score], i) => ({ piece, score, type: i === 2 ? 2 : i < 2 ? 3 : 1 }));
  const charsmap = Uint8Array.from([1, 2, 3, 4, 5]);

  test('the protobuf parses to pieces, scores (float32) and types', () => {
    const m = parseSpModel(writeSpModel(pieces, { charsmap }));
    expect(m.pieces.map((p) => p.piece)).toEqual(pieces.map((p) => p.piece));
    expect(m.pieces.map((p) => p.score)).toEqual(pieces.map((p) => Math.fround(p.score)));
    expect(m.pieces.map((p) => p.type)).toEqual(pieces.map((p) => p.type));
    expect([m.modelType, Array.from(m.charsmap), m.addDummyPrefix]).toEqual([1, [1, 2, 3, 4, 5], true]);
  });

  test('a folder with only spiece.model tokenizes exactly like the tokenizer.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-spiece-'));
    writeFileSync(join(dir, 'spiece.model'), writeSpModel(pieces, { charsmap }));
    const tok = loadTokenizer(dir);
    expect([tok.padId, tok.eosId, tok.unkId, tok.vocabSize]).toEqual([0, 1, 2, 42]);
    checkCases(tok);
    const tj = tok.toJSON();
    expect(tj.normalizer).toEqual({ type: 'Precompiled', precompiled_charsmap: Buffer.from(charsmap).toString('base64') });
    expect(tj.added_tokens.map((t) => t.content)).toEqual(['<pad>', '</s>', '<unk>']);
  });

  test('T5 tokenizer_config.json adds 100 sentinels, <extra_id_0> last', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-spiece-'));
    writeFileSync(join(dir, 'spiece.model'), writeSpModel(pieces));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'T5Tokenizer' }));
    const tok = loadTokenizer(dir);
    expect(tok.vocabSize).toBe(142);
    expect(tok.encode('the <extra_id_0> cat')).toEqual([6, 141, 13]);
    expect(tok.encode('<extra_id_99>')).toEqual([42]);
  });

  test('a BPE sentencepiece model is refused with a reason', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-spiece-'));
    writeFileSync(join(dir, 'spiece.model'), writeSpModel(pieces, { modelType: 2 }));
    expect(() => loadTokenizer(dir)).toThrow(/model_type 2 is not supported/);
  });
});

describe('unigram trainer', () => {
  let texts: string[];
  beforeAll(async () => {
    const c = await loadCorpus(join(repoRoot, 'datasets/embedded-samsum'));
    texts = c.get('train')!.slice(0, 400).flatMap((e) => [e.dialogue, e.summary]);
  });

  test('deterministic: the same corpus gives the same tokenizer.json text', () => {
    const a = JSON.stringify(trainUnigram(texts, { vocabSize: 500 }));
    const b = JSON.stringify(trainUnigram(texts, { vocabSize: 500 }));
    expect(b).toBe(a);
  });

  test('T5 ids, size bound, every training character encodable, text round-trips', () => {
    const json = trainUnigram(texts, { vocabSize: 500 });
    const dir = mkdtempSync(join(tmpdir(), 'dp-train-'));
    const tok0 = tokenizerFromJson(json);
    saveTokenizer(tok0, join(dir, 'tokenizer.json'));
    const tok = loadTokenizer(join(dir, 'tokenizer.json'));
    expect([tok.padId, tok.eosId, tok.unkId]).toEqual([0, 1, 2]);
    expect(tok.vocabSize).toBeLessThanOrEqual(500);
    expect(json.model.vocab.slice(0, 3)).toEqual([['<pad>', 0], ['</s>', 0], ['<unk>', 0]]);
    for (const t of texts.slice(0, 200)) {
      const ids = tok.encode(t);
      expect(ids.includes(tok.unkId)).toBe(false);
      expect(tok.decode(ids)).toBe(t.normalize('NFKC').split(/\s+/).filter(Boolean).join(' '));
    }
    // Frequent words of the corpus become single pieces.
    expect(tok.encode('the')).toHaveLength(1);
  });

  test('a tiny corpus: characters are always kept, frequent words become pieces', () => {
    const json = trainUnigram(['ab ab ab ab abc', 'ab x'], { vocabSize: 20 });
    const pieces = (json.model.vocab as [string, number][]).map(([p]) => p);
    for (const c of ['▁', 'a', 'b', 'c', 'x']) expect(pieces).toContain(c);
    expect(pieces).toContain('▁ab');
    const tok = tokenizerFromJson(json);
    expect(tok.encode('ab')).toEqual([pieces.indexOf('▁ab')]);
  });
});
