// The language-modelling data-prep task (src/tasks/language-modelling/): source resolution
// (explicit path, the corpus's environment variable, the embedded enwik8 slice) with its errors,
// and the prepared folder (token streams in Arrow, vocabulary, corpus description) read back
// against the raw bytes split by hand.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import { resolveLmSource, prepareTask, resolveConfig, readLmSplit, readLmVocab, readLmCorpusInfo, readPreparedTask } from '../src/index.js';

let root: string;
beforeAll(() => { root = mkdtempSync(join(tmpdir(), 'sy-lm-prep-')); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lm = (x: object) => ({ corpus: 'enwik8' as const, source: 'auto' as const, split: 'auto' as const, ...x });

test('source resolution: path, then the corpus\'s variable, then (enwik8 only) the embedded slice', () => {
  expect(resolveLmSource(lm({ source: { path: '/x/enwik8.zip' } }), {}).via).toBe('path');
  expect(resolveLmSource(lm({}), { ENWIK8_DIR: root })).toMatchObject({ via: 'ENWIK8_DIR', path: root });
  const emb = resolveLmSource(lm({}), {});
  expect(emb.via).toBe('embedded-enwik8');
  expect(emb.path).toMatch(/datasets\/embedded-enwik8\/enwik8\.first-1000000\.gz$/);
  expect(() => resolveLmSource(lm({}), { ENWIK8_DIR: join(root, 'nope') })).toThrow(`${join(root, 'nope')}: ENWIK8_DIR is set but does not exist`);
  expect(() => resolveLmSource(lm({ corpus: 'text8' }), {})).toThrow('no text8 source: set TEXT8_DIR');
  expect(() => resolveLmSource(lm({ corpus: 'wikitext-103' }), {})).toThrow('set WIKITEXT_DIR');
  expect(() => resolveLmSource(lm({ corpus: 'text8', source: 'embedded' }), {})).toThrow('lm.source "embedded" exists only for enwik8');
});

test('text8 from TEXT8_DIR: streams, vocabulary and description match the bytes split 90/5/5 by hand', async () => {
  const dir = join(root, 't8'); mkdirSync(dir);
  const text = 'anarchism originated as a term of abuse first used against early working class radicals '.repeat(10).slice(0, 800);
  writeFileSync(join(dir, 'text8'), text);
  const out = join(root, 'out'); mkdirSync(out);
  const logs: string[] = [];
  await prepareTask(resolveConfig({ task: 'language-modelling', lm: { corpus: 'text8' } }), out, { log: (m) => logs.push(m), record: () => {}, env: { TEXT8_DIR: dir } });
  expect(readPreparedTask(out)).toBe('language-modelling');
  const ids = (s: string) => Array.from(s, (c) => (c === ' ' ? 0 : c.charCodeAt(0) - 96));
  expect(Array.from(readLmSplit(out, 'train'))).toEqual(ids(text.slice(0, 720)));
  expect(Array.from(readLmSplit(out, 'validation'))).toEqual(ids(text.slice(720, 760)));
  expect(Array.from(readLmSplit(out, 'test'))).toEqual(ids(text.slice(760)));
  expect(readLmVocab(out)).toEqual({ unit: 'character', vocab: [' ', ...'abcdefghijklmnopqrstuvwxyz'] });
  expect(readLmCorpusInfo(out)).toMatchObject({ kind: 'text8', splitRule: 'proportional-90-5-5', vocabSize: 27, tokens: { train: 720, validation: 40, test: 40 }, metric: 'bpc', source: { via: 'TEXT8_DIR' } });
  expect(logs[0]).toBe(`data source: text8 from ${dir} (TEXT8_DIR)`);
  expect(() => readLmSplit(root, 'test')).toThrow(`${join(root, 'test.arrow')}: no test split in this language-modelling folder (has none)`);
  expect(() => resolveConfig({ task: 'language-modelling', lm: { corpus: 'enwik9' } })).toThrow('/lm/corpus: "enwik9" is not allowed; allowed values: "enwik8", "text8", "wikitext-2", "wikitext-103"; did you mean "enwik8"?');
});

test('a split of odd length reads back whole (Arrow pads the values buffer past the last row)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lm-odd-'));
  try {
    for (const n of [1, 7, 100001]) {
      const tokens = Int32Array.from({ length: n }, (_, i) => (i * 7) % 27);
      writeArrowFile(join(dir, 'train.arrow'), makeTable({ token: { kind: 'int32', values: tokens } }));
      expect(Buffer.from(readLmSplit(dir, 'train').buffer).equals(Buffer.from(tokens.buffer))).toBe(true);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
