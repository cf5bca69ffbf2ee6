// Input files and the `rouge` command: formats, id matching, and the error messages (file and
// line named) for mismatched ids, empty files and invalid JSONL.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pairExamples, parseInputText, runRougeCommand, scorePair } from '../src/scoring.js';
import { loadFixtureGolden, maxScoreDiff } from './golden-helpers.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(path.join(tmpdir(), 'eval-rouge-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}
const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function run(opts: { predictions: string; references?: string; stemmer?: boolean; json?: boolean }) {
  const out = sink();
  const err = sink();
  const code = await runRougeCommand({ stemmer: true, json: false, ...opts, out: out.stream, err: err.stream });
  return { code, out: out.text(), err: err.text() };
}

describe('input parsing errors name the file and line', () => {
  test('invalid JSON line', () => {
    expect(() => parseInputText('p.jsonl', '{"id":1,"prediction":"a"}\n{"id":2,"prediction":\n', 'prediction'))
      .toThrow(/^p\.jsonl:2: invalid JSON/);
  });
  test('a line that is not an object', () => {
    expect(() => parseInputText('p.jsonl', '{"id":1,"prediction":"a"}\n\n[1,2]\n', 'prediction')).toThrow(/^p\.jsonl:3: expected a JSON object/);
  });
  test('missing id, wrong field types, duplicate ids', () => {
    expect(() => parseInputText('p.jsonl', '{"prediction":"a"}\n', 'prediction')).toThrow(/^p\.jsonl:1: missing "id"/);
    expect(() => parseInputText('p.jsonl', '{"id":1,"prediction":3}\n', 'prediction')).toThrow(/^p\.jsonl:1: "prediction" must be a string/);
    expect(() => parseInputText('r.jsonl', '{"id":1,"references":[]}\n', 'reference')).toThrow(/^r\.jsonl:1: "references" must be a non-empty array/);
    expect(() => parseInputText('p.jsonl', '{"id":1,"prediction":"a"}\n{"id":"1","prediction":"b"}\n', 'prediction'))
      .toThrow(/^p\.jsonl:2: duplicate id "1" \(first on line 1\)/);
  });
  test('empty files', () => {
    expect(() => parseInputText('p.jsonl', '', 'prediction')).toThrow(/^p\.jsonl: file is empty/);
    expect(() => parseInputText('p.txt', '', 'prediction')).toThrow(/^p\.txt: file is empty/);
    expect(() => parseInputText('p.jsonl', '\n  \n', 'prediction')).toThrow(/^p\.jsonl: no examples/);
  });
  test('a record without the needed field', () => {
    const preds = parseInputText('p.jsonl', '{"id":1,"prediction":"a"}\n{"id":2}\n', 'prediction');
    const refs = parseInputText('r.jsonl', '{"id":1,"reference":"a"}\n{"id":2,"reference":"b"}\n', 'reference');
    expect(() => pairExamples(preds, refs)).toThrow(/^p\.jsonl:2: missing "prediction"/);
    expect(() => pairExamples(parseInputText('both.jsonl', '{"id":1,"prediction":"a"}\n', 'prediction'))).toThrow(/^both\.jsonl:1: missing "reference" or "references"/);
  });
});

describe('pairing', () => {
  test('JSONL files are matched by id regardless of order', () => {
    const preds = parseInputText('p.jsonl', jsonl([{ id: 'a', prediction: 'x' }, { id: 7, prediction: 'y' }]), 'prediction');
    const refs = parseInputText('r.jsonl', jsonl([{ id: '7', reference: 'Y' }, { id: 'a', references: ['X1', 'X2'] }]), 'reference');
    expect(pairExamples(preds, refs)).toEqual([
      { id: 'a', prediction: 'x', references: ['X1', 'X2'] },
      { id: '7', prediction: 'y', references: ['Y'] },
    ]);
  });
  test('mismatched ids list each side with file:line', () => {
    const preds = parseInputText('p.jsonl', jsonl([{ id: 'a', prediction: 'x' }, { id: 'b', prediction: 'y' }]), 'prediction');
    const refs = parseInputText('r.jsonl', jsonl([{ id: 'a', reference: 'x' }, { id: 'c', reference: 'z' }]), 'reference');
    expect(() => pairExamples(preds, refs)).toThrow(
      'ids do not match: 1 prediction id(s) have no reference in r.jsonl: "b" (p.jsonl:2); 1 reference id(s) have no prediction in p.jsonl: "c" (r.jsonl:2)',
    );
  });
  test('plain text is matched by line; counts must agree; CRLF and a final newline are handled', () => {
    const preds = parseInputText('p.txt', 'one two\r\n\r\nthree\r\n', 'prediction');
    expect(preds.records.map((r) => r.prediction)).toEqual(['one two', '', 'three']);
    const refs = parseInputText('r.txt', 'a\nb\n', 'reference');
    expect(() => pairExamples(preds, refs)).toThrow('p.txt has 3 examples but r.txt has 2 (plain-text files are matched line by line)');
  });
  test('format sniffing: unknown extension starting with { is JSONL', () => {
    expect(parseInputText('p.out', '{"id":1,"prediction":"a"}\n', 'prediction').format).toBe('jsonl');
    expect(parseInputText('p.out', 'just text\n', 'prediction').format).toBe('text');
  });
});

describe('runRougeCommand', () => {
  const golden = loadFixtureGolden();
  const pairs = golden.pairs.filter((p) => p.category === 'lsum' || p.category === 'basic' || p.category === 'stem');

  test('--json on separate JSONL files reproduces the golden per-example scores', async () => {
    const p = file('preds.jsonl', jsonl([...pairs].reverse().map((g) => ({ id: `g${g.id}`, prediction: g.prediction }))));
    const r = file('refs.jsonl', jsonl(pairs.map((g) => ({ id: `g${g.id}`, reference: g.reference }))));
    for (const stemmer of [true, false]) {
      const res = await run({ predictions: p, references: r, stemmer, json: true });
      expect(res.err).toBe('');
      expect(res.code).toBe(0);
      const parsed = JSON.parse(res.out) as { examples: Array<Record<string, any>>; aggregate: any };
      expect(parsed.examples.length).toBe(pairs.length);
      for (const e of parsed.examples) {
        const g = pairs.find((x) => `g${x.id}` === e.id)!;
        expect(maxScoreDiff(e, g.scores[stemmer ? 'stem' : 'nostem'])).toBe(0);
      }
      expect(parsed.aggregate.stemmer).toBe(stemmer);
      expect(parsed.aggregate.bootstrapOptions).toEqual({ samples: 1000, confidence: 0.95, seed: 42, generator: 'numpy-legacy-mt19937' });
    }
  });

  test('one JSONL with both fields, text report x100 with per-example lines and the aggregate', async () => {
    const g = pairs[0]!;
    const both = file('both.jsonl', jsonl([{ id: 'only', prediction: g.prediction, reference: g.reference }]));
    const res = await run({ predictions: both, stemmer: false });
    expect(res.code).toBe(0);
    const lines = res.out.trim().split('\n');
    expect(lines[0]).toBe('id\trouge1_f\trouge2_f\trougeL_f\trougeLsum_f');
    const f = (t: string) => (100 * g.scores.nostem[t]!.fmeasure).toFixed(2);
    expect(lines[1]).toBe(`only\t${f('rouge1')}\t${f('rouge2')}\t${f('rougeL')}\t${f('rougeLsum')}`);
    expect(lines).toContain(`rouge1\t${f('rouge1')}\t${f('rouge1')}\t${f('rouge1')}\t${f('rouge1')}\t${(100 * g.scores.nostem.rouge1!.precision).toFixed(2)}\t${(100 * g.scores.nostem.rouge1!.recall).toFixed(2)}`);
  });

  test('bootstrap: false leaves the interval columns empty', async () => {
    const both = file('nb.jsonl', jsonl([{ id: 1, prediction: 'a b', reference: 'a c' }]));
    const out = sink();
    const code = await runRougeCommand({ predictions: both, stemmer: true, json: true, bootstrap: false, out: out.stream });
    expect(code).toBe(0);
    const agg = JSON.parse(out.text()).aggregate;
    expect(agg.bootstrap).toBeNull();
    expect(agg.evaluate.rouge1).toBe(0.5);
  });

  test('plain-text files score line by line', async () => {
    const p = file('p.txt', 'the cat sat\nhello world\n');
    const r = file('r.txt', 'the cat sat down\nhello\n');
    const res = await run({ predictions: p, references: r, json: true });
    const parsed = JSON.parse(res.out) as { examples: Array<Record<string, any>> };
    expect(parsed.examples.map((e) => e.id)).toEqual(['1', '2']);
    expect(parsed.examples[0]!.rouge1).toEqual(scorePair('the cat sat down', 'the cat sat', { useStemmer: true }).rouge1);
    expect(parsed.examples[1]!.rouge1).toEqual({ precision: 0.5, recall: 1, fmeasure: 2 / 3 });
  });

  test('bad input: exit code 1 and the message on stderr, nothing on stdout', async () => {
    const p = file('bad.jsonl', '{"id":1,"prediction":"a"}\nnot json\n');
    const r = file('ok.jsonl', jsonl([{ id: 1, reference: 'a' }]));
    const res = await run({ predictions: p, references: r });
    expect(res.code).toBe(1);
    expect(res.out).toBe('');
    expect(res.err).toMatch(new RegExp(`^switchyard rouge: ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: invalid JSON`));

    const empty = file('empty.jsonl', '');
    expect((await run({ predictions: empty, references: r })).err).toMatch(/empty\.jsonl: file is empty/);
    expect((await run({ predictions: path.join(dir, 'missing.jsonl'), references: r })).err).toMatch(/missing\.jsonl: cannot read \(ENOENT\)/);
    const other = file('other.jsonl', jsonl([{ id: 2, prediction: 'a' }]));
    const mism = await run({ predictions: other, references: r });
    expect(mism.code).toBe(1);
    expect(mism.err).toMatch(/ids do not match: .*"2" \(.*other\.jsonl:1\).*"1" \(.*ok\.jsonl:1\)/);
  });
});
