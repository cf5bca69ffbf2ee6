// The four classification datasets from ../shared/datasets (read at test time only), checked
// against the facts their READMEs state: row counts, label balance, first rows, and the
// embedded BANKING77 copy being byte-identical to the shared one (sha256 from its README).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadClassificationDataset, embeddedBanking77Dir, type LabelledText } from '@switchyard/data-prep';
import { repoRoot } from './helpers/paths.js';

const shared = resolve(repoRoot, '../shared/datasets');
const has = (d: string, f: string) => existsSync(join(shared, d, f));
const counts = (rows: LabelledText[], C: number) => Array.from({ length: C }, (_, c) => rows.filter((r) => r.label === c).length);

test('embedded BANKING77 is the real data, unchanged (sha256 as in its README), and is the default', async () => {
  const dir = embeddedBanking77Dir();
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  for (const f of ['train.csv', 'test.csv', 'categories.json', 'LICENSE']) {
    const sha = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
    expect(readme).toContain(`${sha}  ${f}`);
  }
  expect(readme).toMatch(/CC BY 4\.0/);
  const d = await loadClassificationDataset('banking77', { env: {} });
  expect(d.notice).toMatch(/embedded copy/);
  expect([d.splits.train!.length, d.splits.test!.length, d.labelNames.length]).toEqual([10003, 3080, 77]);
  expect(counts(d.splits.test!, 77).every((n) => n === 40)).toBe(true);
  const train = counts(d.splits.train!, 77);
  expect([Math.min(...train), Math.max(...train)]).toEqual([35, 187]);
  // texts with raw line breaks survive the CSV parser (README: 10 in train, 3 in test)
  expect(d.splits.train!.filter((r) => r.text.includes('\n')).length).toBe(10);
  expect(d.splits.test!.filter((r) => r.text.includes('\n')).length).toBe(3);
});

const maybeSst2 = has('sst2', 'dev.tsv') ? test : test.skip;
const maybeSst5 = has('sst5', 'trainDevTestTrees_PTB.zip') ? test : test.skip;
const maybeImdb = has('imdb', 'aclImdb_v1.labeled.tar.gz') ? test : test.skip;
for (const [name, file] of [['sst2', 'dev.tsv'], ['sst5', 'trainDevTestTrees_PTB.zip'], ['imdb', 'aclImdb_v1.labeled.tar.gz']]) {
  if (!has(name!, file!)) console.log(`SKIPPED: ${name} not found at ${join(shared, name!)} (tests reading the real data do not run)`);
}

maybeSst2('SST-2 (GLUE): 67,349 / 872 rows, label balance, the test file has no labels', async () => {
  const d = await loadClassificationDataset('sst2', { path: join(shared, 'sst2') });
  expect(counts(d.splits.train!, 2)).toEqual([29780, 37569]);
  expect(counts(d.splits.dev!, 2)).toEqual([428, 444]);
  expect(d.splits.train![0]).toEqual({ text: 'hide new secretions from the parental units', label: 0 });
  expect(d.splits.test).toBeUndefined();
  expect(d.notes).toContain('test.tsv has 1821 sentences and no labels (GLUE hides them): not a labelled split');
});

maybeSst5('SST-5 (PTB trees zip): 8,544 / 1,101 / 2,210 sentences with the README root-label counts', async () => {
  const d = await loadClassificationDataset('sst5', { path: join(shared, 'sst5') });
  expect(counts(d.splits.train!, 5)).toEqual([1092, 2218, 1624, 2322, 1288]);
  expect(counts(d.splits.dev!, 5)).toEqual([139, 289, 229, 279, 165]);
  expect(counts(d.splits.test!, 5)).toEqual([279, 633, 389, 510, 399]);
  expect(d.splits.train![0]!.text.startsWith('The Rock is destined to be the 21st Century \'s new `` Conan \'\'')).toBe(true);
  expect(d.splits.train![0]!.label).toBe(3);
  // SST-2 dev = SST dev without neutral sentences: 872.
  expect(d.splits.dev!.filter((r) => r.label !== 2).length).toBe(872);
});

maybeImdb('IMDb (tar.gz streamed): 12,500 reviews per label and split; truncation counted', async () => {
  const d = await loadClassificationDataset('imdb', { path: join(shared, 'imdb'), imdb: { maxTokens: 256 } });
  expect(counts(d.splits.train!, 2)).toEqual([12500, 12500]);
  expect(counts(d.splits.test!, 2)).toEqual([12500, 12500]);
  // train/pos/0_9.txt is the first positive train review (pos sorted by numeric id).
  expect(d.splits.train![12500]!.text.startsWith('Bromwell High is a cartoon comedy.')).toBe(true);
  expect(d.splits.train!.every((r) => r.text.split(/\s+/).filter(Boolean).length <= 256)).toBe(true);
  expect(d.notes[0]).toMatch(/^reviews truncated to the first 256 whitespace tokens: \d+ of 25000 train and \d+ of 25000 test reviews were shortened$/);
});
