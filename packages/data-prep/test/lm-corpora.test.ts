// LM corpus loaders (src/loaders/lm-corpora.ts, src/loaders/zip-archive.ts): zips written by
// Python's zipfile (test/fixtures/lm, an independent writer), hand-tokenized WikiText lines, the
// split rules, bad inputs, the embedded enwik8 slice against the published hash of enwik8's first
// 10^6 bytes, and — when ../shared is present — the shared prefixes and WikiText-2's published
// token counts.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { loadLmCorpus, embeddedEnwik8Path, splitStream } from '@switchyard/data-prep';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIX = path.join(here, 'fixtures', 'lm');
const SHARED = path.resolve(here, '..', '..', '..', '..', 'shared', 'datasets');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sy-lm-corpora-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test('text8 from text8.zip: ids 0 = space, 1..26 = a..z; a prefix gets the proportional split', () => {
  const text = ' anarchism originated as a term of abuse first used against early working class radicals';
  const c = loadLmCorpus({ kind: 'text8', path: path.join(FIX, 'text8-tiny.zip') });
  const ids = [...text].map((ch) => (ch === ' ' ? 0 : ch.charCodeAt(0) - 96));
  const held = Math.floor(text.length * 0.05);   // 88 characters → 4
  expect(c.splitRule).toBe('proportional-90-5-5');
  expect(c.vocab.length).toBe(27);
  expect([...c.splits.train!, ...c.splits.valid!, ...c.splits.test!]).toEqual(ids);
  expect([c.splits.train!.length, c.splits.valid!.length, c.splits.test!.length]).toEqual([text.length - 2 * held, held, held]);
  expect(() => loadLmCorpus({ kind: 'text8', path: path.join(FIX, 'text8-tiny.zip'), split: 'standard' }))
    .toThrow(/the standard text8 split needs the complete file of 100,000,000 characters; this one has 88 \(a prefix\?\)/);
});

test('enwik8 from a stored zip: ids are byte values; test = the last 5%', () => {
  const c = loadLmCorpus({ kind: 'enwik8', path: path.join(FIX, 'enwik8-stored.zip') });
  expect(c.totalTokens).toBe(512);
  expect([...c.splits.test!]).toEqual(Array.from({ length: 25 }, (_, i) => 231 + i));
  expect([...c.splits.valid!]).toEqual(Array.from({ length: 25 }, (_, i) => 206 + i));
  expect(c.splits.train!.length).toBe(462);
});

test('the standard split of a complete 10^8-token stream is 90M / 5M / 5M', () => {
  const s = splitStream(new Int32Array(100_000_000), 'standard');
  expect([s.train.length, s.valid.length, s.test.length]).toEqual([90_000_000, 5_000_000, 5_000_000]);
  expect(s.valid.byteOffset / 4).toBe(90_000_000);
});

test('WikiText from wikitext-2-v1.zip: whitespace tokens, <eos> per line, vocabulary by first appearance', () => {
  const c = loadLmCorpus({ kind: 'wikitext-2', path: path.join(FIX, 'wikitext-2-v1.zip') });
  expect(c.vocab.slice(0, 10)).toEqual(['<eos>', '=', 'Valkyria', 'Chronicles', 'III', 'Senjō', 'no', '3', ':', '<unk>']);
  expect([...c.splits.train!]).toEqual([0, 1, 2, 3, 4, 1, 0, 0, 5, 6, 2, 7, 8, 9, 3, 0]);
  // valid: " = Homarus gammarus = ", "", " Homarus gammarus , known as the European lobster "
  expect([...c.splits.valid!]).toEqual([1, 10, 11, 1, 0, 0, 10, 11, 12, 13, 14, 15, 16, 17, 0]);
  expect([...c.splits.test!]).toEqual([1, 18, 9, 1, 0]);
  expect(() => loadLmCorpus({ kind: 'wikitext-2', path: path.join(FIX, 'wikitext-2-raw-v1.zip') })).toThrow(/no wiki\.train\.tokens in the archive \(this is the raw variant/);
});

test('bad inputs are named', () => {
  expect(() => loadLmCorpus({ kind: 'enwik8', path: path.join(tmp, 'nope') })).toThrow(/nope: not found \(expected the enwik8 file, enwik8\.zip/);
  const empty = path.join(tmp, 'empty');
  mkdirSync(empty);
  writeFileSync(path.join(empty, 'readme.txt'), 'x');
  expect(() => loadLmCorpus({ kind: 'text8', path: empty })).toThrow(/no text8, text8\.zip or text8\*\.gz in this folder; it has readme\.txt/);
  const bad = path.join(tmp, 'text8');
  writeFileSync(bad, ' abc Def');
  expect(() => loadLmCorpus({ kind: 'text8', path: bad })).toThrow(/text8: byte 5 is 0x44 \("D"\); text8 holds only a–z and space/);
  const zip = readFileSync(path.join(FIX, 'text8-tiny.zip'));
  const cut = path.join(tmp, 'cut.zip');
  writeFileSync(cut, zip.subarray(0, zip.length - 30));
  expect(() => loadLmCorpus({ kind: 'text8', path: cut })).toThrow(/cut\.zip: not a zip archive \(no end-of-central-directory record; truncated download\?\)/);
  const gz = path.join(tmp, 'enwik8.gz');
  writeFileSync(gz, gzipSync(Buffer.from('hello world')).subarray(0, 12));
  expect(() => loadLmCorpus({ kind: 'enwik8', path: gz })).toThrow(/enwik8\.gz: gzip data is corrupt or truncated/);
  const wt = path.join(tmp, 'wt');
  mkdirSync(wt);
  writeFileSync(path.join(wt, 'wiki.valid.tokens'), ' a b \n');
  expect(() => loadLmCorpus({ kind: 'wikitext-103', path: wt })).toThrow(/no wiki\.train\.tokens \(or \.gz\) for the train split; the folder has wiki\.valid\.tokens/);
  writeFileSync(path.join(wt, 'wiki.test.tokens'), Buffer.from([0x61, 0x0a, 0x62, 0xff, 0x0a]));
  expect(() => loadLmCorpus({ kind: 'wikitext-103', path: wt, splits: ['valid', 'test'] })).toThrow(/wiki\.test\.tokens:2: invalid UTF-8 at byte 3/);
  expect(() => loadLmCorpus({ kind: 'enwik9' as never, path: wt })).toThrow(/unknown LM corpus "enwik9"; known: enwik8, text8, wikitext-2, wikitext-103/);
});

test('the embedded enwik8 slice is enwik8\'s first 1,000,000 bytes (published "enwik6" sha256)', () => {
  const file = embeddedEnwik8Path();
  const bytes = gunzipSync(readFileSync(file));
  expect(bytes.length).toBe(1_000_000);
  expect(createHash('sha256').update(bytes).digest('hex')).toBe('369b688978f649681136198fb96db14c1616756260c55fb4b65e9bc049552cad');
  const c = loadLmCorpus({ kind: 'enwik8', path: file });
  expect([c.splits.train!.length, c.splits.valid!.length, c.splits.test!.length]).toEqual([900_000, 50_000, 50_000]);
});

const shared = existsSync(SHARED) ? test : test.skip;
if (!existsSync(SHARED)) console.warn(`lm-corpora.test: ${SHARED} absent; shared-corpus checks skipped`);

shared('shared prefixes: enwik8 4,000,000 bytes and text8 6,877,825 characters, split 90/5/5 from the end', () => {
  const e = loadLmCorpus({ kind: 'enwik8', path: path.join(SHARED, 'enwik8') });
  expect(e.totalTokens).toBe(4_000_000);
  expect([e.splits.train!.length, e.splits.valid!.length, e.splits.test!.length]).toEqual([3_600_000, 200_000, 200_000]);
  const t = loadLmCorpus({ kind: 'text8', path: path.join(SHARED, 'text8') });
  expect(t.totalTokens).toBe(6_877_825);
  expect([t.splits.valid!.length, t.splits.test!.length]).toEqual([343_891, 343_891]);
});

shared('shared WikiText-2 valid/test match the published token counts (217,646 and 245,569 with <eos>)', () => {
  const w = loadLmCorpus({ kind: 'wikitext-2', path: path.join(SHARED, 'wikitext-2'), splits: ['valid', 'test'] });
  expect(w.splits.valid!.length).toBe(217_646);
  expect(w.splits.test!.length).toBe(245_569);
  expect(w.splits.train).toBeUndefined();
});
