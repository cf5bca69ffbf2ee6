// Every bad-input case (fixtures/bad/README.md) gives its documented error under the default
// policy, naming file, line or row, and field; row-level cases under onInvalid "skip" keep the
// other rows and record the skipped one (id and reason). Nothing crashes, nothing vanishes.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { planCorpus, loadPlannedSplit, runDataPrepCommand, DataPrepError, DEFAULT_FIELDS, type FieldNames, type SkipRecord } from '@switchyard/data-prep';
import { fixtures } from './helpers/paths.js';

const bad = join(fixtures, 'bad');

async function load(file: string, policy: 'error' | 'skip', fields: FieldNames = DEFAULT_FIELDS) {
  const [plan] = planCorpus({ path: join(bad, file) }, { test: 'test' });
  return loadPlannedSplit(plan!, fields, policy);
}

// [file, error message pattern, skip outcome: kept ids + the skip record, or 'fatal']
type Row = [string, RegExp, { kept: string[]; skip: Partial<Record<keyof SkipRecord, unknown>> } | 'fatal'];
const CASES: Row[] = [
  ['missing-field.jsonl', /missing-field\.jsonl:2 \(row 1\) \(id "r2"\) field "summary": missing field \(summary\)$/, { kept: ['r1', 'r3'], skip: { line: 2, id: 'r2', field: 'summary', reason: 'missing field (summary)' } }],
  ['non-string-field.json', /non-string-field\.json:7 \(row 1\) \(id "r2"\) field "summary": summary is a number \(42\), expected a string$/, { kept: ['r1', 'r3'], skip: { row: 1, line: 7, id: 'r2', field: 'summary', reason: 'summary is a number (42), expected a string' } }],
  ['empty-dialogue.json', /empty-dialogue\.json:7 \(row 1\) \(id "r2"\) field "dialogue": empty dialogue$/, { kept: ['r1', 'r3'], skip: { row: 1, line: 7, id: 'r2', field: 'dialogue', reason: 'empty dialogue' } }],
  ['empty-summary.csv', /empty-summary\.csv:4 \(row 1\) \(id "r2"\) field "summary": empty summary$/, { kept: ['r1', 'r3'], skip: { line: 4, id: 'r2', field: 'summary', reason: 'empty summary' } }],
  ['duplicate-ids.jsonl', /duplicate-ids\.jsonl:2 \(row 1\) \(id "r1"\) field "id": duplicate id \(first seen at .*duplicate-ids\.jsonl:1\)$/, { kept: ['r1', 'r3'], skip: { line: 2, id: 'r1', field: 'id' } }],
  ['malformed.json', /malformed\.json:3:32: malformed JSON: expected ',' or '}' after a property value, found '"'$/, 'fatal'],
  ['not-an-array.json', /not-an-array\.json: expected a JSON array of records \(or JSON Lines\), got an object with keys data$/, 'fatal'],
  ['malformed.jsonl', /malformed\.jsonl:3:25 \(row 2\): malformed JSON line: unterminated string/, { kept: ['r1', 'r2', 'r3'], skip: { line: 3, column: 25, row: 2 } }],
  ['invalid-utf8.jsonl', /invalid-utf8\.jsonl:2: invalid UTF-8 at byte 1\d\d$/, 'fatal'],
  ['unterminated-quote.csv', /unterminated-quote\.csv:4: unterminated quoted field$/, 'fatal'],
  ['stray-quote.csv', /stray-quote\.csv:2: a quote inside an unquoted field/, 'fatal'],
  ['field-count.csv', /field-count\.csv:3 \(row 1\) \(id "r2"\): record has 4 fields, the header has 3: an extra value "extra" after column "summary"/, { kept: ['r1', 'r3'], skip: { line: 3, id: 'r2', reason: expect.stringMatching(/^record has 4 fields, the header has 3: an extra value "extra"/) } }],
  ['wrong-schema.parquet', /wrong-schema\.parquet field "summary": Parquet column "summary" is INT32, expected a UTF-8 string column$/, 'fatal'],
  ['wrong-schema.arrow', /wrong-schema\.arrow field "summary": Arrow column "summary" is Int32, expected utf8$/, 'fatal'],
  ['missing-column.arrow', /missing-column\.arrow field "dialogue": the Arrow schema has no column "dialogue"; columns: id, text, summary\. Column names come from "fields"/, 'fatal'],
  ['null-dialogue.arrow', /null-dialogue\.arrow row 1 \(id "r2"\) field "dialogue": missing field \(dialogue\)$/, { kept: ['r1', 'r3'], skip: { row: 1, id: 'r2', field: 'dialogue' } }],
];

describe('bad input', () => {
  test.each(CASES)('%s: error by default', async (file, message) => {
    const err = await load(file, 'error').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataPrepError);
    expect((err as Error).message).toMatch(message);
  });

  test.each(CASES)('%s: under "skip"', async (file, message, outcome) => {
    if (outcome === 'fatal') {
      await expect(load(file, 'skip')).rejects.toThrow(message);
      return;
    }
    const r = await load(file, 'skip');
    expect(r.examples.map((e) => e.id)).toEqual(outcome.kept);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]).toEqual(expect.objectContaining({ split: 'test', file: join(bad, file), ...outcome.skip }));
  });

  test('CSV quoting: commas, doubled quotes and line breaks inside quoted fields survive', async () => {
    const r = await load('empty-summary.csv', 'skip');
    expect(r.examples[0]!.dialogue).toBe('A: hi\r\nB: hello');
    expect(r.examples[1]!.dialogue).toBe('A: "quoted", ok\nB: fine');
  });

  test('configurable column names read a corpus with other names', async () => {
    const r = await load('missing-column.arrow', 'error', { id: 'id', dialogue: 'text', summary: 'summary' });
    expect(r.examples.map((e) => e.dialogue)).toEqual(['A: hi\r\nB: yo', 'A: x\nB: y']);
  });

  test('missing file and missing split', async () => {
    expect(() => planCorpus({ path: join(bad, 'nonexistent.json') }, { test: 'test' })).toThrow(/nonexistent\.json: source path not found/);
    expect(() => planCorpus({ path: join(bad, 'missing-split') }, undefined)).toThrow(/no train, validation split in .*missing-split \(config\); it has test\./);
    expect(() => planCorpus({ path: join(bad, 'missing-split') }, { test: 'test', validation: 'val' })).toThrow(/no validation \(as "val"\) split/);
  });

  test('the command records every skipped row in the manifest and stats', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'dp-bad-')), 'out');
    const r = await runDataPrepCommand({
      config: { source: { path: join(bad, 'field-count.csv') }, splits: { test: 'test' }, onInvalid: 'skip', tokenizer: { type: 'pretrained', path: join(fixtures, 't5-mini') } },
      out, log: () => {},
    });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    // Paths in the manifest are relative to the working directory (identical across clones).
    expect(manifest.extra.skipped).toEqual([{ split: 'test', file: relative(process.cwd(), join(bad, 'field-count.csv')), line: 3, row: 1, id: 'r2', reason: 'record has 4 fields, the header has 3: an extra value "extra" after column "summary" (an unquoted comma? quote fields that hold commas)' }]);
    expect(r.stats.splits.test).toEqual(expect.objectContaining({ rows: 2, skipped: 1 }));
  });

  test('a failed command leaves no output folder behind', async () => {
    const base = mkdtempSync(join(tmpdir(), 'dp-bad-'));
    await expect(runDataPrepCommand({ config: { source: { path: join(bad, 'missing-field.jsonl') }, splits: { test: 'test' }, tokenizer: { type: 'pretrained', path: join(fixtures, 't5-mini') } }, out: join(base, 'out'), log: () => {} }))
      .rejects.toThrow(/missing field/);
    expect(readdirSync(base)).toEqual([]);
  });

  test('unknown config keys are rejected with their path', async () => {
    await expect(runDataPrepCommand({ config: { source: 'embedded', normalise: { lowercase: true } }, out: join(tmpdir(), 'never'), log: () => {} }))
      .rejects.toThrow(/\/normalise: unknown key "lowercase"/);
  });
});
