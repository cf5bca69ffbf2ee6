// Bad data files beyond the fixture corpus (bad-input.test.ts): empty files of every format,
// JSON syntax errors as line:column, CSV records with missing fields, wrong value types, a column
// mapping (`fields`) that names no column of the file, and a failing run that still lists the
// rows it skipped. Every case writes its own file to a temporary folder.
import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table, tableToIPC, vectorFromArray, Utf8 } from 'apache-arrow';
import { planCorpus, loadPlannedSplit, readRecords, runDataPrepCommand, loadTokenizer, DataPrepError, DEFAULT_FIELDS, type FieldNames } from '@switchyard/data-prep';
import { writeParquet } from './helpers/parquet-writer.js';
import { fixtures } from './helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'dp-bad-files-'));
let n = 0;
/** Write `content` to a fresh file with the given extension; returns its path. */
function file(ext: string, content: string | Uint8Array): string {
  const f = join(dir, `f${n++}.${ext}`);
  writeFileSync(f, content);
  return f;
}

async function load(path: string, policy: 'error' | 'skip' = 'error', fields: FieldNames = DEFAULT_FIELDS) {
  const [plan] = planCorpus({ path }, { test: 'test' });
  return loadPlannedSplit(plan!, fields, policy);
}

async function failure(p: Promise<unknown>): Promise<DataPrepError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(DataPrepError);
  return e as DataPrepError;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function arrow(cols: Record<string, string[]>, format: 'stream' | 'file' = 'stream'): Uint8Array {
  return tableToIPC(new Table(Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, vectorFromArray(v, new Utf8())]))), format);
}

function parquet(cols: Record<string, string[]>): Uint8Array {
  return writeParquet(Object.entries(cols).map(([name, values]) => ({ name, type: 'utf8' as const, values })));
}

describe('empty files are called empty, naming the file', () => {
  test.each([
    ['json', '', /empty file \(0 bytes\); expected a JSON array of records/],
    ['json', ' \n\t\n', /empty file \(only whitespace\); expected a JSON array of records/],
    ['jsonl', '', /empty file \(0 bytes\); expected JSON Lines/],
    ['jsonl', '\n\n', /empty file \(only whitespace\); expected JSON Lines/],
    ['csv', '', /empty file \(0 bytes\); expected CSV with a header row/],
    ['csv', '\uFEFF\r\n', /empty file \(only whitespace\); expected CSV with a header row/],
    ['arrow', '', /empty file \(0 bytes\); expected an Arrow IPC file or stream/],
    ['parquet', '', /empty file \(0 bytes\); expected a Parquet file/],
  ])('empty .%s (%j)', async (ext, content, message) => {
    const f = file(ext, content);
    const e = await failure(load(f, 'skip'));
    expect(e.message).toMatch(new RegExp(`^${esc(f)}: `));
    expect(e.message).toMatch(message);
  });

  test('an Arrow stream of zero bytes of schema (only an end marker) says it has no schema', async () => {
    const f = file('arrow', new Uint8Array(8));
    expect((await failure(load(f))).message).toMatch(new RegExp(`^${esc(f)}: no Arrow schema in the file \\(8 bytes, no columns\\)`));
  });

  test('a JSON array with no records and a CSV with only a header say the split has no records', async () => {
    const a = file('json', '[]\n');
    expect((await failure(load(a))).message).toBe(`${a}: split "test" has no records`);
    const c = file('csv', 'id,dialogue,summary\r\n');
    expect((await failure(load(c))).message).toBe(`${c}: split "test" has no records`);
  });
});

describe('cut-off or foreign binary files are named as such', () => {
  const ok = { id: ['a', 'b'], dialogue: ['A: hi', 'B: yo'], summary: ['s', 't'] };
  test('a truncated Arrow IPC file (no trailing ARROW1)', async () => {
    const full = arrow(ok, 'file');
    const f = file('arrow', full.subarray(0, full.length - 10));
    expect((await failure(load(f))).message).toBe(`${f}: truncated Arrow IPC file: it starts with "ARROW1" but does not end with it (${full.length - 10} bytes; re-copy or re-export the file)`);
  });

  test('a truncated Arrow stream', async () => {
    const full = arrow(ok);
    const f = file('arrow', full.subarray(0, 40));
    expect((await failure(load(f))).message).toMatch(new RegExp(`^${esc(f)}: not a readable Arrow IPC file or stream, or cut short \\(40 bytes\\)`));
  });

  test('Parquet: too short, wrong magic, cut off', async () => {
    const full = parquet(ok);
    const short = file('parquet', 'PAR1');
    expect((await failure(load(short))).message).toBe(`${short}: not a Parquet file: 4 bytes, shorter than the 12-byte minimum ("PAR1", footer length, "PAR1")`);
    const foreign = file('parquet', '{"id": "not parquet at all"}');
    expect((await failure(load(foreign))).message).toBe(`${foreign}: not a Parquet file: it does not start with "PAR1"`);
    const cut = file('parquet', full.subarray(0, full.length - 3));
    expect((await failure(load(cut))).message).toBe(`${cut}: truncated Parquet file: it starts with "PAR1" but does not end with it (${full.length - 3} bytes; re-copy or re-export the file)`);
  });
});

describe('JSON syntax errors are given as line and column', () => {
  // Positions below are counted by hand from the text (lines and columns 1-based).
  test.each([
    ['missing comma between records', '[\n  {"id": "a", "dialogue": "x", "summary": "y"}\n  {"id": "b"}\n]', 3, 3, "expected ',' or ']' after an array element, found '{'"],
    ['trailing comma (JSON.parse gives no position)', '[\n  {"id": "a", "dialogue": "x", "summary": "y"},\n]', 3, 1, "expected a value, found ']'"],
    ['unquoted key', '[{"id": "a",\n dialogue: "x"}]', 2, 2, "expected a property name in double quotes, found 'd'"],
    ['line break inside a string', '[{"id": "a", "dialogue": "x\ny", "summary": "s"}]', 1, 28, 'a line break inside a string (escape it)'],
    ['cut off', '[{"id": "a", "dialogue": "x", "summary": "s"},\n {"id": "b", "dia', 2, 14, "unterminated string (no closing '\"')"],
    ['cut off after a comma', '[{"id": "a", "dialogue": "x", "summary": "s"},', 1, 47, 'unexpected end of the input, expected a value'],
    ['bad escape', '[{"id": "a\\q"}]', 1, 11, 'invalid escape \\q in a string'],
    ['leading zero', '[{"id": 01}]', 1, 9, 'invalid number'],
    ['two documents', '[]\n[]', 2, 1, "unexpected '[' after the end of the JSON value"],
  ])('%s', async (_label, text, line, column, problem) => {
    const f = file('json', text);
    expect((await failure(load(f, 'skip'))).message).toBe(`${f}:${line}:${column}: malformed JSON: ${problem}`);
  });

  test('deep nesting is scanned without overflowing the stack', async () => {
    const f = file('json', `${'['.repeat(200_000)}1${']'.repeat(199_999)}`);
    expect((await failure(load(f))).message).toBe(`${f}:1:400001: malformed JSON: expected ',' or ']' after an array element, found the end of the input`);
  });

  test('a malformed JSON Lines row names its line, column and row; under "skip" it is recorded with them', async () => {
    const f = file('jsonl', '{"id": "a", "dialogue": "x", "summary": "y"}\n\n{"id": "b", "dialogue": "x" "summary": "y"}\n{"id": "c", "dialogue": "x", "summary": "y"}\n');
    expect((await failure(load(f))).message).toBe(`${f}:3:29 (row 1): malformed JSON line: expected ',' or '}' after a property value, found '"'`);
    const r = await load(f, 'skip');
    expect(r.examples.map((e) => e.id)).toEqual(['a', 'c']);
    expect(r.skipped).toEqual([{ split: 'test', file: f, line: 3, column: 29, row: 1, reason: `malformed JSON line: expected ',' or '}' after a property value, found '"'` }]);
  });

  test('a data-prep config file and a tokenizer.json with a syntax error name line and column', async () => {
    const cfg = file('json', '{\n  "source": "embedded",\n  "onInvalid": "skip",\n}\n');
    await expect(runDataPrepCommand({ config: cfg, out: join(dir, 'never'), log: () => {} })).rejects.toThrow(`${cfg}:4:1: malformed JSON: expected a property name in double quotes, found '}'`);
    const tf = file('json', '{"model": {"type": "Unigram"}, "added_tokens": [}');
    expect(() => loadTokenizer(tf)).toThrow(`${tf}:1:49: malformed JSON: expected a value, found '}'`);
  });
});

describe('metadata JSON beside the data', () => {
  const rows = '{"id": "a", "dialogue": "A: hi", "summary": "s"}\n';
  test('an empty save_to_disk state.json is called empty', async () => {
    const split = mkdtempSync(join(dir, 'state-'));
    writeFileSync(join(split, 'state.json'), '');
    expect((await failure(load(split))).message).toBe(`${join(split, 'state.json')}: empty file (0 bytes); expected a save_to_disk state.json object with "_data_files"`);
  });

  test('a state.json whose _data_files is not a list of {filename} names the field', async () => {
    const split = mkdtempSync(join(dir, 'state-'));
    writeFileSync(join(split, 'state.json'), '{"_data_files": ["data.arrow"]}');
    expect((await failure(load(split))).message).toBe(`${join(split, 'state.json')} field "_data_files": "_data_files" must be a list of {"filename": "..."} objects`);
  });

  test('a dataset_info.json with a syntax error gives line and column', async () => {
    const corpus = mkdtempSync(join(dir, 'info-'));
    writeFileSync(join(corpus, 'test.jsonl'), rows);
    writeFileSync(join(corpus, 'dataset_info.json'), '{\n  "builder_name": "samsum"\n  "license": "cc-by-nc-nd-4.0"\n}');
    const [plan] = planCorpus({ path: corpus }, { test: 'test' });
    expect((await failure(loadPlannedSplit(plan!, DEFAULT_FIELDS, 'error'))).message).toBe(`${join(corpus, 'dataset_info.json')}:3:3: malformed JSON: expected ',' or '}' after a property value, found '"'`);
  });
});

describe('rows with missing fields or wrong types name the row, the field and what was expected', () => {
  test('a CSV record with a missing field names the row and the field', async () => {
    const f = file('csv', 'id,dialogue,summary\r\nr1,A: hi,Hello.\r\nr2,"A: a\r\nB: b"\r\nr3,A: x,X.\r\n');
    expect((await failure(load(f))).message).toBe(`${f}:3 (row 1) (id "r2") field "summary": record has 2 fields, the header has 3: no value for "summary" (column 3)`);
    const r = await load(f, 'skip');
    expect(r.examples.map((e) => e.id)).toEqual(['r1', 'r3']);
    expect(r.skipped).toEqual([{ split: 'test', file: f, line: 3, row: 1, id: 'r2', field: 'summary', reason: 'record has 2 fields, the header has 3: no value for "summary" (column 3)' }]);
  });

  test('a CSV record with one field names every missing column', async () => {
    const f = file('csv', 'id,dialogue,summary\nr1,A: hi,Hello.\nr2\n');
    expect((await failure(load(f))).message).toBe(`${f}:3 (row 1) (id "r2") field "dialogue": record has 1 field, the header has 3: no value for "dialogue" (column 2), "summary" (column 3)`);
  });

  test.each([
    ['jsonl', '{"id": "a", "dialogue": "x", "summary": "y"}\n{"id": "b", "dialogue": ["x"], "summary": "y"}\n', 2, 1, 'b', 'dialogue', 'dialogue is an array, expected a string'],
    ['jsonl', '{"id": "a", "dialogue": "x", "summary": "y"}\n{"id": true, "dialogue": "x", "summary": "y"}\n', 2, 1, undefined, 'id', 'id is a boolean (true), expected a string or a number'],
    ['json', '[\n{"id": "a", "dialogue": "x", "summary": "y"},\n{"id": "b", "dialogue": "x", "summary": {"text": "y"}}\n]', 3, 1, 'b', 'summary', 'summary is an object, expected a string'],
  ])('.%s wrong type', async (ext, text, line, row, id, field, reason) => {
    const f = file(ext, text);
    const idPart = id === undefined ? '' : ` (id "${id}")`;
    expect((await failure(load(f))).message).toBe(`${f}:${line} (row ${row})${idPart} field "${field}": ${reason}`);
  });
});

describe('onInvalid "skip" with a column mapping ("fields")', () => {
  const mapping: FieldNames = { id: 'dialogue_id', dialogue: 'text', summary: 'sum' };
  const cols = { dialogue_id: ['a', 'b', 'c'], text: ['A: hi', '   ', 'A: x'], sum: ['s1', 's2', 's3'] };
  const rows = cols.dialogue_id.map((_, i) => ({ dialogue_id: cols.dialogue_id[i], text: cols.text[i], sum: cols.sum[i] }));
  const files: [string, () => string][] = [
    ['json', () => file('json', JSON.stringify(rows, null, 1))],
    ['jsonl', () => file('jsonl', rows.map((r) => JSON.stringify(r)).join('\n'))],
    ['csv', () => file('csv', `dialogue_id,text,sum\n${rows.map((r) => `${r.dialogue_id},${r.text},${r.sum}`).join('\n')}\n`)],
    ['arrow', () => file('arrow', arrow(cols))],
    ['parquet', () => file('parquet', parquet(cols))],
  ];

  test.each(files)('.%s: only the bad row is skipped', async (_ext, make) => {
    const r = await load(make(), 'skip', mapping);
    expect(r.examples).toEqual([{ id: 'a', dialogue: 'A: hi', summary: 's1' }, { id: 'c', dialogue: 'A: x', summary: 's3' }]);
    expect(r.skipped).toEqual([expect.objectContaining({ row: 1, id: 'b', field: 'text', reason: 'empty dialogue' })]);
  });

  test.each(files)('.%s: a mapped column the file does not have stops the run instead of skipping every row', async (ext, make) => {
    const f = make();
    const e = await failure(load(f, 'skip', { ...mapping, summary: 'Sum' }));
    const what = { json: 'no record has a column', jsonl: 'no record has a column', csv: 'the CSV header (line 1) has no column', arrow: 'the Arrow schema has no column', parquet: 'the Parquet schema has no column' }[ext]!;
    expect(e.message).toMatch(new RegExp(`^${esc(f)} field "Sum": ${esc(what)} "Sum" \\(did you mean "sum"\\?\\); columns: dialogue_id, text, sum\\. Column names come from "fields"`));
  });

  test('the default mapping on a corpus with other column names says which column is missing', async () => {
    const f = file('jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
    expect((await failure(load(f, 'skip'))).message).toMatch(/field "id": no record has a column "id"; columns: dialogue_id, text, sum\./);
  });
});

describe('a failing run still says what it skipped', () => {
  const tokenizer = { type: 'pretrained', path: join(fixtures, 't5-mini') };
  test('a split whose rows were all skipped lists them (count, rows, reasons)', async () => {
    const lines = Array.from({ length: 7 }, (_, i) => JSON.stringify({ id: `r${i}`, dialogue: 'A: hi', summary: i % 2 ? 7 : ' ' }));
    const f = file('jsonl', lines.join('\n'));
    const e = await failure(load(f, 'skip'));
    expect(e.message.split('\n')).toEqual([
      `${f}: split "test" has no valid rows: all 7 were skipped`,
      'Before this error, 7 row(s) were skipped (onInvalid "skip"):',
      `  ${f}:1 (row 0) (id "r0") field "summary": empty summary`,
      `  ${f}:2 (row 1) (id "r1") field "summary": summary is a number (7), expected a string`,
      `  ${f}:3 (row 2) (id "r2") field "summary": empty summary`,
      `  ${f}:4 (row 3) (id "r3") field "summary": summary is a number (7), expected a string`,
      `  ${f}:5 (row 4) (id "r4") field "summary": empty summary`,
      '  … and 2 more',
    ]);
    expect(e.skipped.map((s) => s.row)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  test('a run that skipped rows in one split and then fails on another lists the skipped rows in its error', async () => {
    const train = file('jsonl', '{"id": "a", "dialogue": "A: hi", "summary": "s"}\n{"id": "b", "dialogue": "A: yo"}\n{"id": "c", "dialogue": "A: x", "summary": "t"}\n');
    const test = file('json', '[{"id": "a", "dialogue": "A: hi", "summary": "s"}');
    const base = mkdtempSync(join(dir, 'run-'));
    const e = await failure(runDataPrepCommand({
      config: { source: { path: train }, splits: { train: 'train', test: { from: { path: test } } }, onInvalid: 'skip', tokenizer },
      out: join(base, 'out'), log: () => {},
    }));
    expect(e.message).toBe([
      `${test}:1:50: malformed JSON: expected ',' or ']' after an array element, found the end of the input`,
      'Before this error, 1 row(s) were skipped (onInvalid "skip"):',
      `  ${train}:2 (row 1) (id "b") field "summary": missing field (summary)`,
    ].join('\n'));
    expect(e.skipped).toEqual([{ split: 'train', file: train, line: 2, row: 1, id: 'b', field: 'summary', reason: 'missing field (summary)' }]);
    expect(e.place).toEqual({ file: test, line: 1, column: 50 });
    expect(readdirSync(base)).toEqual([]);
  });

  test('a later shard of the same split failing keeps the earlier shards\' skips', async () => {
    const split = mkdtempSync(join(dir, 'shards-'));
    writeFileSync(join(split, 'test-00000-of-00002.jsonl'), '{"id": "a", "dialogue": "A: hi", "summary": "s"}\n{"id": "b", "dialogue": "", "summary": "t"}\n');
    writeFileSync(join(split, 'test-00001-of-00002.jsonl'), '');
    const e = await failure(load(split, 'skip'));
    expect(e.message).toMatch(/test-00001-of-00002\.jsonl: empty file \(0 bytes\); expected JSON Lines/);
    expect(e.message).toMatch(/Before this error, 1 row\(s\) were skipped .*\n {2}.*test-00000-of-00002\.jsonl:2 \(row 1\) \(id "b"\) field "dialogue": empty dialogue$/);
  });
});

test('readRecords on an empty file names it whatever the caller asks for', async () => {
  const f = file('csv', '');
  await expect(readRecords(f, ['id'])).rejects.toThrow(`${f}: empty file (0 bytes)`);
});
