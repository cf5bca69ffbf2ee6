// The four classification loaders on hand-written tiny files in temp folders: what they read
// (texts, labels, label names, order) is checked against values written out by hand.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  loadBanking77, loadSst2, loadSst5, loadImdb, loadClassificationDataset, resolveClassificationSource,
  parseSentimentTree, treeLeaves, truncateText, SST5_ZIP, evaluationSplit, vocabularyTexts,
} from '@switchyard/data-prep';
import { writeTarGz, writeZip } from './helpers/cls-archives.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'cls-loaders-'));

describe('BANKING77 CSV', () => {
  test('RFC 4180 texts with line breaks, CRLF records, labels from categories.json order', () => {
    const d = tmp();
    writeFileSync(join(d, 'categories.json'), JSON.stringify(['card_arrival', 'age_limit', 'top_up_failed']));
    writeFileSync(join(d, 'train.csv'), 'text,category\r\nwhere is my card?,card_arrival\r\n"\nhow old, exactly?\n",age_limit\r\n"top up ""failed""",top_up_failed\r\n');
    writeFileSync(join(d, 'test.csv'), 'text,category\r\nam I old enough,age_limit\r\n');
    const b = loadBanking77(d);
    expect(b.labelNames).toEqual(['card_arrival', 'age_limit', 'top_up_failed']);
    expect(b.train).toEqual([
      { text: 'where is my card?', label: 0 },
      { text: '\nhow old, exactly?\n', label: 1 },
      { text: 'top up "failed"', label: 2 },
    ]);
    expect(b.test).toEqual([{ text: 'am I old enough', label: 1 }]);
  });

  test('no dev split: evaluation (and the reference vocabulary\'s second file) is test', async () => {
    const d = tmp();
    writeFileSync(join(d, 'train.csv'), 'text,category\nq1,a\n');
    writeFileSync(join(d, 'test.csv'), 'text,category\nq2,a\n');
    const data = await loadClassificationDataset('banking77', { path: d });
    expect(evaluationSplit(data)).toBe('test');
    expect(vocabularyTexts(data)).toEqual(['q1', 'q2']);
  });

  test('without categories.json the train categories in code-point order name the labels', () => {
    const d = tmp();
    writeFileSync(join(d, 'train.csv'), 'text,category\nb text,zeta\na text,alpha\nc,Beta\n');
    writeFileSync(join(d, 'test.csv'), 'text,category\nq,alpha\n');
    const b = loadBanking77(d);
    expect(b.labelNames).toEqual(['Beta', 'alpha', 'zeta']);
    expect(b.train.map((r) => r.label)).toEqual([2, 1, 0]);
    expect(b.labelSource).toMatch(/no categories\.json/);
  });
});

describe('SST-2 GLUE TSV', () => {
  test('train.tsv.gz and dev.tsv; sentences trimmed; unlabelled test counted, not loaded', async () => {
    const d = tmp();
    writeFileSync(join(d, 'train.tsv.gz'), gzipSync('sentence\tlabel\nhide new secretions \t0\nit \'s charming \t1\n'));
    writeFileSync(join(d, 'dev.tsv'), 'sentence\tlabel\na good film \t1\n');
    writeFileSync(join(d, 'test.tsv'), 'index\tsentence\n0\tuh huh\n1\tnope\n');
    const s = loadSst2(d);
    expect(s.train).toEqual([{ text: 'hide new secretions', label: 0 }, { text: "it 's charming", label: 1 }]);
    expect(s.dev).toEqual([{ text: 'a good film', label: 1 }]);
    expect(s.unlabelledTest).toBe(2);
    const data = await loadClassificationDataset('sst2', { path: d });
    expect(Object.keys(data.splits)).toEqual(['train', 'dev']);
    expect(data.notes.join('\n')).toMatch(/test\.tsv has 2 sentences and no labels/);
    // The reference's vocabulary texts: train + dev.
    expect(evaluationSplit(data)).toBe('dev');
    expect(vocabularyTexts(data)).toEqual(['hide new secretions', "it 's charming", 'a good film']);
    expect(vocabularyTexts(data, { withEvaluation: false })).toHaveLength(2);
  });
});

describe('SST-5 PTB trees', () => {
  // Read by hand: leaves left to right, root label = the digit after the first "(".
  const lines = [
    '(3 (2 (2 The) (2 Rock)) (4 (3 (2 is) (4 great)) (2 .)))',
    '(1 (2 -LRB-) (1 (1 dull) (2 -RRB-)))',
    '(2 Fine)',
  ];

  test('parser: labels, words and structure of hand-read trees', () => {
    const t = parseSentimentTree(lines[0]!);
    expect(t.label).toBe(3);
    expect(t.children.map((c) => c.label)).toEqual([2, 4]);
    expect(t.children[0]!.children.map((c) => [c.label, c.word])).toEqual([[2, 'The'], [2, 'Rock']]);
    expect(t.children[1]!.children[0]!.children[1]).toEqual({ label: 4, word: 'great', children: [] });
    expect(treeLeaves(t)).toEqual(['The', 'Rock', 'is', 'great', '.']);
    expect(parseSentimentTree(lines[2]!)).toEqual({ label: 2, word: 'Fine', children: [] });
    // Any run of whitespace between parts is accepted.
    expect(treeLeaves(parseSentimentTree('  (0  (1 a)\t(0 b) ) '))).toEqual(['a', 'b']);
  });

  test('from the zip (trees/*.txt members) and from an extracted trees/ folder alike', () => {
    const d = tmp();
    const members = { 'trees/train.txt': lines.join('\n') + '\n', 'trees/dev.txt': lines[1]! + '\n', 'trees/test.txt': lines[2]! + '\n' };
    writeZip(join(d, SST5_ZIP), members);
    const fromZip = loadSst5(d);
    expect(fromZip.train).toEqual([
      { text: 'The Rock is great .', label: 3 },
      { text: '-LRB- dull -RRB-', label: 1 },
      { text: 'Fine', label: 2 },
    ]);
    expect(fromZip.dev).toEqual([{ text: '-LRB- dull -RRB-', label: 1 }]);
    expect(fromZip.files.train).toBe(`${join(d, SST5_ZIP)}:trees/train.txt`);
    const e = tmp();
    mkdirSync(join(e, 'trees'));
    for (const [k, v] of Object.entries(members)) writeFileSync(join(e, k), v);
    const fromDir = loadSst5(e);
    expect(fromDir.train).toEqual(fromZip.train);
    expect(fromDir.test).toEqual(fromZip.test);
  });
});

describe('IMDb aclImdb', () => {
  const reviews: Record<string, string> = {
    'aclImdb/train/pos/10_9.txt': 'Great fun.<br /><br />Loved it',
    'aclImdb/train/pos/2_7.txt': 'Good.',
    'aclImdb/train/neg/0_1.txt': 'Awful   film, truly awful',
    'aclImdb/test/neg/5_4.txt': 'Meh.',
    'aclImdb/test/pos/1_10.txt': 'Wow',
  };
  const others = { 'aclImdb/README': 'readme', 'aclImdb/imdb.vocab': 'a\nb\n', 'aclImdb/train/urls_pos.txt': 'http://x\n', 'aclImdb/train/unsup/0_0.txt': 'unlabelled' };
  const expected = {
    train: [{ text: 'Awful   film, truly awful', label: 0 }, { text: 'Good.', label: 1 }, { text: 'Great fun.<br /><br />Loved it', label: 1 }],
    test: [{ text: 'Meh.', label: 0 }, { text: 'Wow', label: 1 }],
  };

  test('streamed from a tar.gz (other members ignored) and read from the folder: same reviews, neg then pos by numeric id', async () => {
    const d = tmp();
    await writeTarGz(join(d, 'aclImdb_v1.labeled.tar.gz'), { ...others, ...reviews });
    const t = await loadImdb(d);
    expect({ train: t.train, test: t.test }).toEqual(expected);
    const f = tmp();
    for (const [k, v] of Object.entries({ ...reviews, ...others })) { mkdirSync(join(f, k, '..'), { recursive: true }); writeFileSync(join(f, k), v); }
    const fromFolder = await loadImdb(join(f, 'aclImdb'));
    expect({ train: fromFolder.train, test: fromFolder.test }).toEqual(expected);
    const plainTar = join(d, 'plain.tar');
    await writeTarGz(plainTar, reviews, false);
    expect((await loadImdb(plainTar)).train).toEqual(expected.train);
  });

  test('truncation to N tokens / characters, counted and stated', async () => {
    expect(truncateText('a  b\tc d', { maxTokens: 3 })).toBe('a b c');
    expect(truncateText('a  b', { maxTokens: 3 })).toBe('a  b');
    expect(truncateText('héllo', { maxChars: 2 })).toBe('hé');
    expect(truncateText('x😀', { maxChars: 2 })).toBe('x'); // no half surrogate pair
    const d = tmp();
    await writeTarGz(join(d, 'aclImdb_v1.tar.gz'), reviews);
    const data = await loadClassificationDataset('imdb', { path: d, imdb: { maxTokens: 2 } });
    expect(data.splits.train!.map((r) => r.text)).toEqual(['Awful film,', 'Good.', 'Great fun.<br']);
    expect(data.notes[0]).toBe('reviews truncated to the first 2 whitespace tokens: 2 of 3 train and 0 of 2 test reviews were shortened');
  });
});

describe('source resolution', () => {
  test('explicit path, then <NAME>_DIR, then the embedded BANKING77; others name their variable', () => {
    const d = tmp();
    expect(resolveClassificationSource('sst2', d, {}).via).toBe('path');
    const viaEnv = resolveClassificationSource('sst2', undefined, { SST2_DIR: d });
    expect([viaEnv.via, viaEnv.path]).toEqual(['env', d]);
    expect(resolveClassificationSource('banking77', undefined, {}).via).toBe('embedded');
    expect(() => resolveClassificationSource('imdb', undefined, {})).toThrow(/no IMDb \(aclImdb\) data: pass a path or set IMDB_DIR/);
    expect(() => resolveClassificationSource('sst5', undefined, { SST5_DIR: join(d, 'nope') })).toThrow(/SST5_DIR is set but does not exist/);
  });
});
