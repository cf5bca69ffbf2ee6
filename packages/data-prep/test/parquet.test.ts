// Parquet loading through hyparquet + hyparquet-compressors: SNAPPY, ZSTD and uncompressed
// pages (written by the test's own minimal writer) give back exactly the strings written,
// including \r\n inside dialogues and characters outside the BMP.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRecords, DataPrepError } from '@switchyard/data-prep';
import { writeParquet, type Codec } from './helpers/parquet-writer.js';

const rows = [
  { id: '1', dialogue: 'Anna: Hi!\r\nTom: Hey 😀', summary: 'Anna greets Tom.' },
  { id: '2-1', dialogue: 'Kate: "quoted", comma\nMark: ok', summary: 'Kate says something.\n\n' },
  { id: '3', dialogue: 'x'.repeat(70000), summary: 'a long one' },
];
const dir = mkdtempSync(join(tmpdir(), 'dp-parquet-'));
const cols = (r: typeof rows) => (['id', 'dialogue', 'summary'] as const).map((name) => ({ name, type: 'utf8' as const, values: r.map((x) => x[name]) }));

describe('parquet loader', () => {
  for (const codec of ['SNAPPY', 'ZSTD', 'UNCOMPRESSED'] as Codec[]) {
    test(`${codec} pages round-trip`, async () => {
      const f = join(dir, `ok-${codec}.parquet`);
      writeFileSync(f, writeParquet(cols(rows), codec));
      const got = await readRecords(f, ['id', 'dialogue', 'summary']);
      expect(got.map((r) => r.values)).toEqual(rows);
    });
  }

  test('a non-string column is a schema error naming the column', async () => {
    const f = join(dir, 'int-summary.parquet');
    writeFileSync(f, writeParquet([{ name: 'id', type: 'utf8', values: ['a'] }, { name: 'dialogue', type: 'utf8', values: ['A: x'] }, { name: 'summary', type: 'int32', values: [7] }]));
    await expect(readRecords(f, ['id', 'dialogue', 'summary'])).rejects.toThrow(/column "summary" is INT32, expected a UTF-8 string column/);
  });

  test('invalid UTF-8 in a value is a row problem with the field named', async () => {
    const f = join(dir, 'bad-utf8.parquet');
    writeFileSync(f, writeParquet([{ name: 'id', type: 'utf8', values: ['a', 'b'] }, { name: 'dialogue', type: 'utf8', values: ['A: x', Uint8Array.from([0x41, 0xff])] }, { name: 'summary', type: 'utf8', values: ['s', 't'] }], 'SNAPPY'));
    const got = await readRecords(f, ['id', 'dialogue', 'summary']);
    expect(got[0]!.values).toEqual({ id: 'a', dialogue: 'A: x', summary: 's' });
    expect(got[1]!.problem).toEqual({ reason: 'invalid UTF-8', field: 'dialogue' });
    expect(got[1]!.place).toEqual({ file: f, row: 1 });
  });

  test('a file that is not Parquet is rejected', async () => {
    const f = join(dir, 'not.parquet');
    writeFileSync(f, 'hello');
    await expect(readRecords(f, ['id'])).rejects.toBeInstanceOf(DataPrepError);
  });
});
