// Real SAMSum validation/test splits from ../shared/datasets/samsum (relative to the repo root;
// the corpus is CC BY-NC-ND and is never copied into the project). The JSON files and the HF
// `save_to_disk` Arrow stream files must load to identical rows; facts the dataset's notes state
// (row counts, mixed line ends, a summary ending in "\n\n") are checked on what was loaded.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus, discoverSplits, runDataPrepCommand, readPreparedSplit, planCorpus, loadPlannedSplit, DEFAULT_FIELDS, DataPrepError, type Example } from '@switchyard/data-prep';
import { sharedSamsum, hasSharedSamsum } from './helpers/paths.js';

if (!hasSharedSamsum) console.log(`SKIPPED: SAMSum not found at ${sharedSamsum} (tests reading the real corpus do not run)`);
const maybe = hasSharedSamsum ? describe : describe.skip;

maybe('SAMSum from ../shared (JSON and HF Arrow)', () => {
  let json: Map<string, Example[]>;
  let arrow: Map<string, Example[]>;
  beforeAll(async () => {
    // onInvalid "skip": the train split (train.json.gz) has one empty dialogue; val/test have none
    json = await loadCorpus(sharedSamsum, { onInvalid: 'skip' });
    arrow = await loadCorpus(join(sharedSamsum, 'hf_arrow'));
  });

  test('split discovery by file name', () => {
    const top = discoverSplits(sharedSamsum);
    expect([...top.keys()].sort()).toEqual(['test', 'train', 'validation']);
    expect(top.get('train')!).toMatchObject({ format: 'json', files: [join(sharedSamsum, 'train.json.gz')] });
    expect(top.get('validation')!.files[0]).toMatch(/val\.json$/);
    const hf = discoverSplits(join(sharedSamsum, 'hf_arrow'));
    expect(hf.get('test')!.files[0]).toMatch(/test\.data-00000-of-00001\.arrow$/);
    expect(hf.get('test')!.format).toBe('arrow');
  });

  test('818 validation and 819 test rows in both forms', () => {
    expect(json.get('validation')!.length).toBe(818);
    expect(json.get('test')!.length).toBe(819);
    expect(json.get('train')!.length).toBe(14731);
    expect(arrow.get('validation')!.length).toBe(818);
    expect(arrow.get('test')!.length).toBe(819);
  });

  test('identical ids, dialogues and summaries (byte for byte, same order)', () => {
    for (const split of ['validation', 'test']) {
      const a = json.get(split)!, b = arrow.get(split)!;
      expect(b.map((e) => e.id)).toEqual(a.map((e) => e.id));
      expect(b.map((e) => e.dialogue)).toEqual(a.map((e) => e.dialogue));
      expect(b.map((e) => e.summary)).toEqual(a.map((e) => e.summary));
    }
  });

  test('nothing was normalised on load: line ends and whitespace as the README describes', () => {
    const test = json.get('test')!, val = json.get('validation')!;
    const crlf = (xs: Example[]) => xs.filter((e) => e.dialogue.includes('\r\n')).length;
    expect([crlf(test), test.length - crlf(test)]).toEqual([724, 95]);
    expect([crlf(val), val.length - crlf(val)]).toEqual([710, 108]);
    expect(test[0]!.id).toBe('13862856');
    expect(test[0]!.dialogue.includes('\r')).toBe(false);
    expect(test[1]!.dialogue.includes('\r\n')).toBe(true);
    const s = test.find((e) => e.id === '13731344')!;
    expect(s.summary.endsWith('\n\n')).toBe(true);
    expect(val.some((e) => e.summary.includes('\n'))).toBe(false);
  });

  test("the HF files' dataset_info.json is read: builder, licence, expected split sizes", async () => {
    const plans = planCorpus({ path: join(sharedSamsum, 'hf_arrow') }, { validation: 'validation', test: 'test' });
    const [val, test] = await Promise.all(plans.map((p) => loadPlannedSplit(p, DEFAULT_FIELDS, 'error')));
    expect(val!.datasetInfo).toEqual({ file: join(sharedSamsum, 'hf_arrow', 'validation.dataset_info.json'), builder: 'samsum', license: 'CC BY-NC-ND 4.0', expectedRows: 818 });
    expect(test!.datasetInfo!.expectedRows).toBe(test!.recordsRead);
  });

  test('train.json.gz is read as the train split (gunzipped): the README\'s first and last ids, its one empty dialogue named', async () => {
    const plans = planCorpus('samsum', { train: 'train' }, { ...process.env, SAMSUM_DIR: sharedSamsum });
    const skip = await loadPlannedSplit(plans[0]!, DEFAULT_FIELDS, 'skip');
    expect(skip.recordsRead).toBe(14732);
    expect(skip.examples).toHaveLength(14731);
    expect([skip.examples[0]!.id, skip.examples[14730]!.id]).toEqual(['13818513', '13729017']);
    expect(skip.examples[0]!.summary).toBe('Amanda baked cookies and will bring Jerry some tomorrow.');
    expect(skip.skipped.map((x) => [x.id, x.reason])).toEqual([['13828807', 'empty dialogue']]);
    await expect(loadPlannedSplit(plans[0]!, DEFAULT_FIELDS, 'error')).rejects.toThrow(DataPrepError);
  });

  test('train on the embedded train split, evaluate on the real test split', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'dp-samsum-')), 'out');
    const logs: string[] = [];
    const r = await runDataPrepCommand({
      config: {
        source: 'samsum',
        splits: { train: { from: 'embedded' }, test: 'test' },
        tokenizer: { vocabSize: 1000 },
        maxRows: { train: 300 },
      },
      out, env: { ...process.env, SAMSUM_DIR: sharedSamsum }, log: (m) => logs.push(m),
    });
    expect(logs.filter((l) => l.startsWith('data source:'))).toHaveLength(2);
    expect(r.stats.splits.test!.rows).toBe(819);
    expect(r.stats.splits.test!.source.via).toBe('SAMSUM_DIR');
    expect(r.stats.splits.train!.source.via).toBe('embedded');
    expect(r.stats.splits.validation).toBeUndefined();
    const t = readPreparedSplit(out, 'test');
    expect(t.id).toEqual(json.get('test')!.map((e) => e.id));
    // Default normalisation: \r\n → \n and trimmed ends.
    expect(t.dialogue.some((d) => d.includes('\r'))).toBe(false);
    expect(t.summary[t.id.indexOf('13731344')]!.endsWith('\n')).toBe(false);
    expect(t.labels.every((l) => l[l.length - 1] === 1)).toBe(true);
    // The truncation count in stats.json is the number of inputs cut to exactly 512 ids.
    expect(t.inputIds.every((x) => x.length <= 512)).toBe(true);
    const cut = t.inputIds.filter((x) => x.length === 512).length;
    expect(r.stats.splits.test!.inputTruncated).toBe(cut);
  });
});
