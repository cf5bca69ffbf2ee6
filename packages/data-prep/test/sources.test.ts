// Source resolution (explicit path → SAMSUM_DIR → HF datasets cache → embedded) and split
// discovery over the layouts corpora come in, built here from a few embedded-corpus rows.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table, vectorFromArray, Utf8, tableToIPC } from 'apache-arrow';
import { runDataPrepCommand, resolveSource, discoverSplits, splitOfName, findInHfCache, hfDatasetsCache, loadCorpus, embeddedCorpusDir, planCorpus, type Example } from '@switchyard/data-prep';
import { writeParquet } from './helpers/parquet-writer.js';
import { repoRoot, fixtures } from './helpers/paths.js';

const rows: Example[] = [
  { id: 'a1', dialogue: 'Anna: Hi\r\nTom: Hey, "you"', summary: 'Anna greets Tom.' },
  { id: 'a2', dialogue: 'Kate: lunch?\nMark: yes, at noon', summary: 'Kate and Mark will have lunch at noon.' },
];
const arrowStream = (xs: Example[]) => tableToIPC(new Table({
  id: vectorFromArray(xs.map((x) => x.id), new Utf8()),
  dialogue: vectorFromArray(xs.map((x) => x.dialogue), new Utf8()),
  summary: vectorFromArray(xs.map((x) => x.summary), new Utf8()),
}), 'stream');
const csv = (xs: Example[]) => 'id,dialogue,summary\r\n' + xs.map((x) => [x.id, x.dialogue, x.summary].map((v) => `"${v.replace(/"/g, '""')}"`).join(',')).join('\r\n') + '\r\n';
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

describe('split names', () => {
  test.each([
    ['train.json', 'train'], ['val.json', 'validation'], ['validation.jsonl', 'validation'], ['dev.csv', 'validation'],
    ['test.parquet', 'test'], ['train-00000-of-00002.parquet', 'train'], ['samsum-train.arrow', 'train'],
    ['samsum-validation-00001-of-00002.arrow', 'validation'], ['test.data-00000-of-00001.arrow', 'test'], ['train', 'train'],
    ['test.dataset_info.json', undefined], ['dataset_dict.json', undefined], ['README.md', undefined], ['contest.json', undefined],
  ])('%s → %s', (name, split) => expect(splitOfName(name)).toBe(split));
});

describe('layouts load to the same rows', () => {
  test('JSON array, JSONL, CSV, Parquet, HF cache .arrow, save_to_disk folders', async () => {
    const made: string[] = [];
    const mk = (name: string, files: Record<string, string | Uint8Array>) => {
      const d = tmp(`dp-${name}-`);
      for (const [f, body] of Object.entries(files)) { mkdirSync(join(d, f, '..'), { recursive: true }); writeFileSync(join(d, f), body); }
      made.push(d);
      return d;
    };
    mk('json', { 'train.json': JSON.stringify(rows, null, 2) + '\n' });
    mk('jsonl', { 'train.jsonl': rows.map((r) => JSON.stringify(r)).join('\n') + '\n' });
    mk('csv', { 'train.csv': csv(rows) });
    mk('parquet', { 'data/train-00000-of-00002.parquet': writeParquet(cols(rows.slice(0, 1)), 'ZSTD'), 'data/train-00001-of-00002.parquet': writeParquet(cols(rows.slice(1)), 'SNAPPY') });
    mk('cache', { 'samsum-train.arrow': arrowStream(rows), 'dataset_info.json': '{}' });
    mk('save', {
      'dataset_dict.json': '{"splits": ["train"]}',
      'train/data-00000-of-00002.arrow': arrowStream(rows.slice(0, 1)), 'train/data-00001-of-00002.arrow': arrowStream(rows.slice(1)),
      'train/state.json': JSON.stringify({ _data_files: [{ filename: 'data-00000-of-00002.arrow' }, { filename: 'data-00001-of-00002.arrow' }] }),
      'train/dataset_info.json': '{}',
    });
    for (const d of made) expect({ d, rows: (await loadCorpus(d)).get('train') }).toEqual({ d, rows });
    // A save_to_disk split folder on its own is one split.
    const single = await loadCorpus(join(made[made.length - 1]!, 'train'));
    expect(single.get('data')).toEqual(rows);
  });

  test('fewer rows than dataset_info.json lists is logged as a warning and recorded', async () => {
    const d = tmp('dp-info-');
    writeFileSync(join(d, 'samsum-train.arrow'), arrowStream(rows));
    writeFileSync(join(d, 'dataset_info.json'), JSON.stringify({ builder_name: 'samsum', splits: { train: { num_examples: 3 } } }));
    const logs: string[] = [];
    const r = await runDataPrepCommand({ config: { source: { path: d }, splits: { train: 'train' }, tokenizer: { type: 'pretrained', path: join(fixtures, 't5-mini') } }, out: join(d, 'out'), log: (m) => logs.push(m) });
    expect(logs).toContain(`warning: train: read 2 records but ${join(d, 'dataset_info.json')} lists 3 for "train"`);
    expect(r.stats.splits.train!.source.datasetInfo).toEqual(expect.objectContaining({ builder: 'samsum', expectedRows: 3 }));
  });

  test('one split in two formats is ambiguous', () => {
    const d = tmp('dp-amb-');
    writeFileSync(join(d, 'test.json'), JSON.stringify(rows));
    writeFileSync(join(d, 'test.csv'), csv(rows));
    expect(() => discoverSplits(d)).toThrow(/split "test" is found more than once: test.csv, test.json/);
  });
});

function cols(xs: Example[]) {
  return (['id', 'dialogue', 'summary'] as const).map((name) => ({ name, type: 'utf8' as const, values: xs.map((x) => x[name]) }));
}

describe('samsum source resolution', () => {
  const cache = tmp('dp-hfcache-');
  const snap = join(cache, 'samsum', 'samsum', '0.0.0', 'abc123');
  mkdirSync(snap, { recursive: true });
  for (const s of ['train', 'validation', 'test']) writeFileSync(join(snap, `samsum-${s}.arrow`), arrowStream(rows));
  const samsumDir = tmp('dp-samsumdir-');
  writeFileSync(join(samsumDir, 'train.json'), JSON.stringify(rows));

  test('explicit path wins over everything', () => {
    const r = resolveSource({ path: samsumDir }, { SAMSUM_DIR: '/nonexistent', HF_DATASETS_CACHE: cache });
    expect([r.via, r.path]).toEqual(['config', samsumDir]);
  });
  test('SAMSUM_DIR before the HF cache; a SAMSUM_DIR that does not exist is an error, not a fallback', () => {
    expect(resolveSource('samsum', { SAMSUM_DIR: samsumDir, HF_DATASETS_CACHE: cache }).via).toBe('SAMSUM_DIR');
    expect(() => resolveSource('samsum', { SAMSUM_DIR: join(samsumDir, 'nope') })).toThrow(/SAMSUM_DIR is set but does not exist/);
  });
  test('the HF datasets cache (HF_DATASETS_CACHE, else HF_HOME/datasets, else ~/.cache)', async () => {
    expect(findInHfCache(cache)).toBe(snap);
    const r = resolveSource('samsum', { HF_DATASETS_CACHE: cache });
    expect([r.via, r.path]).toEqual(['hf-cache', snap]);
    expect(r.notice).toBe(`data source: SAMSum from the Hugging Face datasets cache ${snap}`);
    expect(hfDatasetsCache({ HF_HOME: '/h' })).toBe('/h/datasets');
    expect(hfDatasetsCache({ HOME: '/x', XDG_CACHE_HOME: '/c' })).toBe('/c/huggingface/datasets');
    const plans = planCorpus('samsum', undefined, { HF_DATASETS_CACHE: cache });
    expect(plans.map((p) => [p.split, p.location.files[0]])).toEqual([['train', join(snap, 'samsum-train.arrow')], ['validation', join(snap, 'samsum-validation.arrow')], ['test', join(snap, 'samsum-test.arrow')]]);
  });
  test('split mapping: a split under another name, and per-split sources', () => {
    const emb = join(repoRoot, 'datasets/embedded-samsum');
    const plans = planCorpus({ path: emb }, { train: 'validation', test: { from: { path: samsumDir }, split: 'train' } });
    expect(plans.map((p) => [p.split, p.sourceSplit, p.location.files[0]])).toEqual([
      ['train', 'validation', join(emb, 'validation.json')],
      ['test', 'train', join(samsumDir, 'train.json')],
    ]);
  });

  test('nothing found: the embedded corpus, with a notice that says so', () => {
    const empty = tmp('dp-empty-');
    const r = resolveSource('samsum', { HF_DATASETS_CACHE: empty });
    expect(r.via).toBe('embedded');
    expect(r.path).toBe(join(repoRoot, 'datasets/embedded-samsum'));
    expect(r.notice).toMatch(/^data source: embedded synthetic corpus .* \(no SAMSUM_DIR, no samsum in .*; results are not SAMSum results\)$/);
    expect(embeddedCorpusDir()).toBe(r.path);
  });
});

describe('gzip-compressed text splits', () => {
  test('train.json.gz is the train split and reads to the same rows as train.json; a damaged stream is named', async () => {
    const { gzipSync } = await import('node:zlib');
    const plain = tmp('dp-plain-'), gz = tmp('dp-gz-');
    const text = JSON.stringify(rows, null, 2);
    writeFileSync(join(plain, 'train.json'), text);
    writeFileSync(join(gz, 'train.json.gz'), gzipSync(Buffer.from(text, 'utf8')));
    expect(splitOfName('train.json.gz')).toBe('train');
    expect(splitOfName('val.jsonl.gz')).toBe('validation');
    expect(splitOfName('train.parquet.gz')).toBeUndefined();
    expect(discoverSplits(gz).get('train')!.format).toBe('json');
    expect((await loadCorpus(gz)).get('train')).toEqual((await loadCorpus(plain)).get('train'));
    const bad = tmp('dp-badgz-');
    writeFileSync(join(bad, 'train.json.gz'), gzipSync(Buffer.from(text, 'utf8')).subarray(0, 30));
    await expect(loadCorpus(bad)).rejects.toThrow(/train\.json\.gz.*gzip stream is damaged/);
  });
});
