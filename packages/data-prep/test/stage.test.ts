// The data-prep stage under the runner's contract: the schema compiles with the runtime's
// strict ajv settings and fills documented defaults; run() writes the documented files and
// records the source, skips and statistics; readers check the schema.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSchema, makeTable, writeArrowFile } from '@switchyard/runtime';
import { dataPrepStage, readPreparedSplit, readPreparedTokenizer, normaliseText, withEos, parseCsvRecords, elementLines, resolveConfig } from '@switchyard/data-prep';

describe('config schema', () => {
  test('compiles under the runtime validator and fills the documented defaults', () => {
    const cfg: Record<string, unknown> = {};
    expect(checkSchema(dataPrepStage.configSchema, cfg)).toEqual([]);
    expect(cfg).toEqual({
      task: 'summarisation',
      source: 'samsum',
      fields: { id: 'id', dialogue: 'dialogue', summary: 'summary' },
      onInvalid: 'error',
      normalise: { lineEnds: 'lf', whitespace: 'trim', prefix: 'summarize: ', maxSourceLength: 512, maxTargetLength: 128 },
      tokenizer: { type: 'train', vocabSize: 4000, maxPieceLength: 16 },
    });
    expect(resolveConfig({})).toEqual(cfg);
  });
  test('rejects unknown keys at every level and a pretrained tokenizer without a path', () => {
    expect(checkSchema(dataPrepStage.configSchema, { bogus: 1 }).join('\n')).toMatch(/bogus/);
    expect(checkSchema(dataPrepStage.configSchema, { splits: { train: { from: 'embedded', extra: 1 } } }).join('\n')).toMatch(/extra/);
    expect(checkSchema(dataPrepStage.configSchema, { splits: { dev: 'x' } }).join('\n')).toMatch(/dev/);
    expect(checkSchema(dataPrepStage.configSchema, { tokenizer: { type: 'pretrained' } }).join('\n')).toMatch(/path/);
    expect(checkSchema(dataPrepStage.configSchema, { source: { path: 'x', format: 'xml' } }).join('\n')).toMatch(/format|xml/);
    expect(checkSchema(dataPrepStage.configSchema, { splits: { train: { from: { path: 'a' } }, test: 'test' }, tokenizer: { type: 'pretrained', path: 't' } })).toEqual([]);
  });
});

describe('dataPrepStage.run', () => {
  test('writes splits, tokenizer and stats and records the source', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'dp-stage-'));
    const records: Record<string, unknown> = {};
    const logs: string[] = [];
    await dataPrepStage.run({
      config: resolveConfig({ source: 'embedded', maxRows: { train: 200, validation: 20, test: 20 }, tokenizer: { vocabSize: 300 }, normalise: { maxSourceLength: 48 } }),
      seed: 7, inputs: {}, outDir, log: (m) => logs.push(m), record: (k, v) => { records[k] = v; },
    });
    expect(dataPrepStage.name).toBe('data-prep');
    expect(readdirSync(outDir).sort()).toEqual(['stats.json', 'task.json', 'test.arrow', 'tokenizer.json', 'train.arrow', 'validation.arrow']);
    expect(JSON.parse(readFileSync(join(outDir, 'task.json'), 'utf8'))).toEqual({ task: 'summarisation' });
    expect(Object.keys(records).sort()).toEqual(['config', 'rows', 'seed', 'skipped', 'source', 'stats']);
    expect(records.rows).toEqual({ train: 200, validation: 20, test: 20 });
    expect(records.skipped).toEqual([]);
    expect(logs[0]).toMatch(/^data source: embedded synthetic corpus/);
    const stats = JSON.parse(readFileSync(join(outDir, 'stats.json'), 'utf8'));
    expect(stats).toEqual(records.stats);
    const train = readPreparedSplit(outDir, 'train');
    // Truncation: inputs longer than 48 ids are cut to 47 + eos; the count matches stats.
    expect(train.inputIds.every((x) => x.length <= 48 && x[x.length - 1] === 1)).toBe(true);
    expect(train.inputIds.filter((x) => x.length === 48).length).toBe(stats.splits.train.inputTruncated);
    // ... and equals the number of inputs whose full encoding (plus eos) exceeds 48.
    const tok = readPreparedTokenizer(outDir);
    expect(stats.splits.train.inputTruncated).toBe(train.dialogue.filter((d) => tok.encode(`summarize: ${d}`).length + 1 > 48).length);
    expect(stats.splits.train.inputTokens.max).toBeGreaterThan(48);
  });

  test('readPreparedSplit names the file and column on a schema mismatch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-read-'));
    writeArrowFile(join(dir, 'test.arrow'), makeTable({ id: { kind: 'utf8', values: ['a'] }, dialogue: { kind: 'utf8', values: ['d'] }, summary: { kind: 'utf8', values: ['s'] }, input_ids: { kind: 'int32', values: [1] } }));
    expect(() => readPreparedSplit(dir, 'test')).toThrow(/test\.arrow: column "input_ids" is int32, expected list<int32>/);
    expect(() => readPreparedSplit(dir, 'train')).toThrow(/train\.arrow: no prepared "train" split/);
  });
});

describe('normalisation', () => {
  test.each([
    [' A: hi\r\nB: yo \n', 'lf', 'trim', 'A: hi\nB: yo'],
    [' A: hi\r\nB: yo \n', 'keep', 'trim', 'A: hi\r\nB: yo'],
    [' A: hi\r\nB: yo \n', 'keep', 'keep', ' A: hi\r\nB: yo \n'],
    ['A:  hi\t there \r\n\r\n  B: yo', 'lf', 'collapse', 'A: hi there\nB: yo'],
    ['Summary.\n\n', 'lf', 'trim', 'Summary.'],
  ] as const)('%j lineEnds=%s whitespace=%s', (text, lineEnds, whitespace, expected) => {
    expect(normaliseText(text, { lineEnds, whitespace })).toBe(expected);
  });
  test('withEos: cut to max−1 ids then eos', () => {
    expect(withEos([5, 6, 7], 1, 4)).toEqual({ ids: [5, 6, 7, 1], truncated: false });
    expect(withEos([5, 6, 7, 8], 1, 4)).toEqual({ ids: [5, 6, 7, 1], truncated: true });
    expect(withEos([], 1, 4)).toEqual({ ids: [1], truncated: false });
  });
});

describe('RFC 4180 CSV', () => {
  test.each([
    ['a,b\r\n1,2\r\n', [['a', 'b'], ['1', '2']]],
    ['a,b\n1,2', [['a', 'b'], ['1', '2']]],
    ['a,b\n"x, y","say ""hi"""\n', [['a', 'b'], ['x, y', 'say "hi"']]],
    ['a,b\n"line1\r\nline2",""\n', [['a', 'b'], ['line1\r\nline2', '']]],
    ['a,b\n,\n', [['a', 'b'], ['', '']]],
    ['\uFEFFa\n1\n', [['a'], ['1']]],
  ])('%j', (text, expected) => {
    expect(parseCsvRecords(text, 'x.csv').map((r) => r.fields)).toEqual(expected);
  });
  test('records know their first line', () => {
    expect(parseCsvRecords('h\n"a\nb"\nc\n', 'x.csv').map((r) => r.line)).toEqual([1, 2, 4]);
  });
  test('text after a closing quote is an error', () => {
    expect(() => parseCsvRecords('a\n"x"y\n', 'x.csv')).toThrow(/x\.csv:2: unexpected character "y" after a closing quote/);
  });
});

describe('JSON array element lines', () => {
  test('strings with brackets, commas, quotes and escapes do not confuse the scan', () => {
    const text = '[\n  {"a": "x, ]} [\\"q\\""},\n\n  {"b": [1, {"c": 2}]}, 3,\n  "s,"\n]\n';
    expect(JSON.parse(text)).toHaveLength(4);
    expect(elementLines(text)).toEqual([2, 4, 4, 5]);
    expect(elementLines('[]')).toEqual([]);
  });
});
