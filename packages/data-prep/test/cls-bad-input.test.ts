// Every way the classification loaders reject input, on hand-written tiny files: each error is a
// DataPrepError naming the file (or archive member), the line or row where there is one, the
// field where there is one, and what was expected. Empty files are called empty.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadBanking77, loadSst2, loadSst5, loadImdb, loadClassificationDataset, DataPrepError, SST5_ZIP } from '@switchyard/data-prep';
import { writeTarGz, writeZip } from './helpers/cls-archives.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cls-bad-'));
const BAD_UTF8 = Buffer.from([0x6f, 0x6b, 0x0a, 0x61, 0xff, 0x62]); // "ok\na\xffb"

async function failure(f: () => unknown): Promise<DataPrepError> {
  try { await f(); } catch (e) { if (e instanceof DataPrepError) return e; throw e; }
  throw new Error('expected a DataPrepError');
}

describe('BANKING77', () => {
  const GOOD = 'text,category\r\nhi,card_arrival\r\n';
  function folder(train: string | Buffer, test: string | Buffer = GOOD, cats: string | null = '["card_arrival","age_limit"]') {
    const d = tmp();
    writeFileSync(join(d, 'train.csv'), train);
    writeFileSync(join(d, 'test.csv'), test);
    if (cats !== null) writeFileSync(join(d, 'categories.json'), cats);
    return d;
  }
  test.each<[string, () => string, RegExp]>([
    ['empty CSV', () => folder(''), /train\.csv: empty file \(expected a CSV with the header "text,category"\)$/],
    ['wrong header', () => folder('sentence,label\nhi,card_arrival\n'), /train\.csv:1: header is "sentence,label", expected "text,category"$/],
    ['header only', () => folder('text,category\r\n'), /train\.csv: no records after the header$/],
    ['wrong field count', () => folder('text,category\nhi,card_arrival\nhello, there,age_limit\n'), /train\.csv:3: record has 3 fields, expected 2 \(text, category\)$/],
    ['empty text', () => folder('text,category\n"  ",age_limit\n'), /train\.csv:2 field "text": empty text$/],
    ['empty category', () => folder('text,category\nhi,\n'), /train\.csv:2 field "category": empty category$/],
    ['unknown category, with a suggestion', () => folder(GOOD, 'text,category\nok,age_limit\nwhen,card_arival\n'), /test\.csv:3 field "category": unknown category "card_arival", expected one of the 2 names in .*categories\.json \(did you mean "card_arrival"\?\)$/],
    ['test category not in train (no categories.json)', () => folder(GOOD, 'text,category\nx,age_limit\n', null), /test\.csv:2 field "category": unknown category "age_limit", expected a category of the train split .*train\.csv$/],
    ['unterminated quote', () => folder('text,category\n"hi,card_arrival\n'), /train\.csv:2: unterminated quoted field$/],
    ['invalid UTF-8', () => folder(Buffer.concat([Buffer.from('text,category\n'), BAD_UTF8, Buffer.from(',age_limit\n')])), /train\.csv:3: invalid UTF-8 at byte 18$/],
    ['a folder that does not exist', () => join(folder(GOOD), 'nested-missing'), /nested-missing\/train\.csv: file not found$/],
    ['empty categories.json', () => folder(GOOD, GOOD, ''), /categories\.json: empty file \(expected a JSON array of intent names\)$/],
    ['malformed categories.json', () => folder(GOOD, GOOD, '["a",'), /categories\.json: malformed JSON: /],
    ['categories.json not an array', () => folder(GOOD, GOOD, '{"a":1}'), /categories\.json: expected a JSON array of intent names, got object$/],
    ['non-string category entry', () => folder(GOOD, GOOD, '["card_arrival", 7]'), /categories\.json row 1: entry is 7, expected a non-empty string$/],
    ['duplicate category entry', () => folder(GOOD, GOOD, '["card_arrival","card_arrival"]'), /categories\.json row 1: duplicate category "card_arrival"$/],
  ])('%s', async (_name, make, message) => {
    const e = await failure(() => loadBanking77(make()));
    expect(e.message).toMatch(message);
  });

  test('a missing split file is named', async () => {
    const d = tmp();
    writeFileSync(join(d, 'train.csv'), GOOD);
    expect((await failure(() => loadBanking77(d))).message).toMatch(/test\.csv: file not found$/);
  });
});

describe('SST-2', () => {
  function folder(files: Record<string, string | Buffer>) {
    const d = tmp();
    for (const [k, v] of Object.entries({ 'train.tsv': 'sentence\tlabel\ngood \t1\n', 'dev.tsv': 'sentence\tlabel\nbad \t0\n', ...files })) writeFileSync(join(d, k), v);
    return d;
  }
  test.each<[string, Record<string, string | Buffer>, RegExp]>([
    ['empty file', { 'dev.tsv': '' }, /dev\.tsv: empty file \(expected a header "sentence\\tlabel"\)$/],
    ['wrong header', { 'train.tsv': 'text\tlabel\nx\t1\n' }, /train\.tsv:1: header is "text\\tlabel", expected "sentence\\tlabel"$/],
    ['header only', { 'train.tsv': 'sentence\tlabel\n' }, /train\.tsv: no rows after the header$/],
    ['three fields', { 'train.tsv': 'sentence\tlabel\na\tb\t1\n' }, /train\.tsv:2: line has 3 tab-separated fields, expected 2 \(sentence, label\)$/],
    ['label not 0/1', { 'dev.tsv': 'sentence\tlabel\nfine\t1\nmeh\t2\n' }, /dev\.tsv:3 field "label": label is "2", expected 0 or 1$/],
    ['empty sentence', { 'dev.tsv': 'sentence\tlabel\n \t1\n' }, /dev\.tsv:2 field "sentence": empty sentence$/],
    ['blank line', { 'dev.tsv': 'sentence\tlabel\nok\t1\n\nok\t0\n' }, /dev\.tsv:3: blank line$/],
    ['invalid UTF-8', { 'dev.tsv': Buffer.concat([Buffer.from('sentence\tlabel\n'), BAD_UTF8, Buffer.from('\t1\n')]) }, /dev\.tsv:3: invalid UTF-8 at byte 19$/],
    ['unlabelled test with a bad index', { 'test.tsv': 'index\tsentence\nx\tsome text\n' }, /test\.tsv:2 field "index": index is "x", expected a non-negative integer$/],
  ])('%s', async (_n, files, message) => {
    expect((await failure(() => loadSst2(folder(files)))).message).toMatch(message);
  });

  test('a broken gzip, both .tsv and .tsv.gz, a missing dev split', async () => {
    const d1 = tmp();
    writeFileSync(join(d1, 'train.tsv.gz'), gzipSync('sentence\tlabel\nx\t1\n').subarray(0, 12));
    writeFileSync(join(d1, 'dev.tsv'), 'sentence\tlabel\nx\t1\n');
    expect((await failure(() => loadSst2(d1))).message).toMatch(/train\.tsv\.gz: not a readable gzip file \(/);
    const d2 = folder({ 'train.tsv.gz': gzipSync('sentence\tlabel\nx\t1\n') });
    expect((await failure(() => loadSst2(d2))).message).toMatch(/: both train\.tsv and train\.tsv\.gz are here; keep one$/);
    const d3 = tmp();
    writeFileSync(join(d3, 'train.tsv'), 'sentence\tlabel\nx\t1\n');
    expect((await failure(() => loadSst2(d3))).message).toMatch(/: no dev\.tsv or dev\.tsv\.gz \(expected GLUE's SST-2 files train\.tsv, dev\.tsv, test\.tsv\)$/);
  });
});

describe('SST-5', () => {
  const OK = '(2 (2 a) (2 b))\n';
  function zipWith(member: Record<string, string | Uint8Array>) {
    const d = tmp();
    writeZip(join(d, SST5_ZIP), { 'trees/train.txt': OK, 'trees/dev.txt': OK, 'trees/test.txt': OK, ...member });
    return d;
  }
  test.each<[string, Record<string, string | Uint8Array>, RegExp]>([
    ['empty member', { 'trees/dev.txt': '' }, /trainDevTestTrees_PTB\.zip:trees\/dev\.txt: empty file \(expected one sentiment tree per line\)$/],
    ['missing closing parenthesis', { 'trees/train.txt': OK + '(3 (2 a) (4 b)\n' }, /\.zip:trees\/train\.txt:2: malformed tree at column 15: expected "\)", found the end of the line$/],
    ['label outside 0-4', { 'trees/train.txt': '(3 (7 a) (2 b))\n' }, /\.zip:trees\/train\.txt:1: malformed tree at column 5: label "7", expected 0-4$/],
    ['label missing', { 'trees/test.txt': '(3 (a) (2 b))\n' }, /\.zip:trees\/test\.txt:1: malformed tree at column 5: label "a", expected 0-4$/],
    ['empty node', { 'trees/test.txt': '(3 )\n' }, /\.zip:trees\/test\.txt:1: malformed tree at column 4: expected a word or "\(", found "\)"$/],
    ['text after the tree', { 'trees/dev.txt': '(2 (2 a) (2 b)) (1 c)\n' }, /\.zip:trees\/dev\.txt:1: malformed tree at column 17: text after the tree: "\(1 c\)"$/],
    ['not a tree', { 'trees/dev.txt': 'just words\n' }, /\.zip:trees\/dev\.txt:1: malformed tree at column 1: expected "\(", found "j"$/],
    ['blank line', { 'trees/train.txt': OK + '\n' + OK }, /\.zip:trees\/train\.txt:2: blank line \(expected a sentiment tree\)$/],
    ['invalid UTF-8', { 'trees/train.txt': new Uint8Array([...Buffer.from(OK), 0x28, 0x32, 0x20, 0xc3, 0x28, 0x29]) }, /\.zip:trees\/train\.txt:2: invalid UTF-8 at byte 19$/],
  ])('%s', async (_n, member, message) => {
    expect((await failure(() => loadSst5(zipWith(member)))).message).toMatch(message);
  });

  test('not a zip, a zip without the member, an empty zip file, a folder without trees', async () => {
    const d = tmp();
    writeFileSync(join(d, SST5_ZIP), 'this is not a zip file at all, just text');
    expect((await failure(() => loadSst5(d))).message).toMatch(/trainDevTestTrees_PTB\.zip: not a readable zip file \(/);
    const z = tmp();
    writeZip(join(z, SST5_ZIP), { 'trees/train.txt': OK, 'trees/dev.txt': OK, 'README.md': 'x' });
    expect((await failure(() => loadSst5(z))).message).toMatch(/trainDevTestTrees_PTB\.zip: no member trees\/test\.txt \(\.txt members: trees\/dev\.txt, trees\/train\.txt\)$/);
    const e = tmp();
    writeFileSync(join(e, SST5_ZIP), '');
    expect((await failure(() => loadSst5(e))).message).toMatch(/trainDevTestTrees_PTB\.zip: empty file \(expected the zip trainDevTestTrees_PTB\.zip\)$/);
    expect((await failure(() => loadSst5(tmp()))).message).toMatch(/: no trainDevTestTrees_PTB\.zip, trees\/train\.txt or train\.txt here/);
  });
});

describe('IMDb', () => {
  const GOOD = { 'aclImdb/train/pos/0_9.txt': 'good', 'aclImdb/train/neg/0_2.txt': 'bad', 'aclImdb/test/pos/0_8.txt': 'fine', 'aclImdb/test/neg/0_3.txt': 'poor' };
  async function tarWith(files: Record<string, string | Uint8Array>) {
    const d = tmp();
    await writeTarGz(join(d, 'aclImdb_v1.tar.gz'), { ...GOOD, ...files });
    return d;
  }
  test.each<[string, Record<string, string | Uint8Array>, RegExp]>([
    ['file name without a rating', { 'aclImdb/train/pos/7.txt': 'x' }, /aclImdb_v1\.tar\.gz:aclImdb\/train\/pos\/7\.txt: unexpected file name "7\.txt" in train\/pos\/, expected <id>_<rating>\.txt$/],
    ['rating that contradicts the folder', { 'aclImdb/test/neg/4_8.txt': 'x' }, /aclImdb_v1\.tar\.gz:aclImdb\/test\/neg\/4_8\.txt field "rating": rating 8 in neg\/, expected 1-4$/],
    ['empty review', { 'aclImdb/train/neg/3_1.txt': '' }, /aclImdb\/train\/neg\/3_1\.txt: empty review file$/],
    ['whitespace-only review', { 'aclImdb/train/neg/3_1.txt': ' \n ' }, /aclImdb\/train\/neg\/3_1\.txt: review is only whitespace$/],
    ['invalid UTF-8', { 'aclImdb/test/pos/2_10.txt': BAD_UTF8 }, /aclImdb\/test\/pos\/2_10\.txt:2: invalid UTF-8 at byte 4$/],
    ['one id with two ratings', { 'aclImdb/train/pos/0_10.txt': 'again' }, /aclImdb_v1\.tar\.gz: review id 0 occurs twice in train\/pos\/ \(two ratings for one id\)$/],
  ])('%s', async (_n, files, message) => {
    const d = await tarWith(files);
    expect((await failure(() => loadImdb(d))).message).toMatch(message);
  });

  test('a truncated archive, a missing label folder, a path that is neither, a bad option', async () => {
    const d = tmp();
    await writeTarGz(join(d, 'x.tar.gz'), GOOD);
    const { readFileSync } = await import('node:fs');
    writeFileSync(join(d, 'cut.tar.gz'), readFileSync(join(d, 'x.tar.gz')).subarray(0, 40));
    expect((await failure(() => loadImdb(join(d, 'cut.tar.gz')))).message).toMatch(/cut\.tar\.gz: not a readable tar\.gz archive \(/);
    const f = tmp();
    mkdirSync(join(f, 'train', 'pos'), { recursive: true });
    mkdirSync(join(f, 'test', 'pos'), { recursive: true });
    mkdirSync(join(f, 'test', 'neg'), { recursive: true });
    writeFileSync(join(f, 'train', 'pos', '1_8.txt'), 'x');
    writeFileSync(join(f, 'test', 'pos', '1_8.txt'), 'x');
    writeFileSync(join(f, 'test', 'neg', '1_2.txt'), 'x');
    expect((await failure(() => loadImdb(f))).message).toMatch(/: no reviews in aclImdb\/train\/neg\/ \(expected <id>_<rating>\.txt files\)$/);
    writeFileSync(join(d, 'reviews.zip'), 'x');
    expect((await failure(() => loadImdb(join(d, 'reviews.zip')))).message).toMatch(/reviews\.zip: expected an aclImdb \.tar\.gz \/ \.tgz \/ \.tar archive or the aclImdb folder$/);
    expect((await failure(() => loadImdb(tmp()))).message).toMatch(/: no aclImdb_v1\.labeled\.tar\.gz or aclImdb_v1\.tar\.gz, no aclImdb\/ folder and no train\/, test\/ folders here$/);
    expect((await failure(() => loadImdb(d, { maxTokens: 0 }))).message).toBe('IMDb option maxTokens is 0, expected a positive integer');
  });
});

test('an unknown dataset name gets a suggestion', async () => {
  expect((await failure(() => loadClassificationDataset('sst-2' as 'sst2'))).message).toBe(
    'unknown classification dataset "sst-2", expected one of banking77, sst2, sst5, imdb (did you mean "sst2"?)');
});
