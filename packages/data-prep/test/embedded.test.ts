// The embedded corpus: the committed JSON files are exactly the generator's output, and a
// data-prep run on it is deterministic (same sha256 for every output file across two runs).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDataPrepCommand, readPreparedSplit, readPreparedTokenizer, readPreparedStats, loadCorpus } from '@switchyard/data-prep';
import { repoRoot } from './helpers/paths.js';

const embedded = join(repoRoot, 'datasets/embedded-samsum');
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('embedded corpus', () => {
  test('regenerates byte-identically with the documented command', () => {
    const out = mkdtempSync(join(tmpdir(), 'dp-gen-'));
    execFileSync(process.execPath, [join(repoRoot, 'datasets/tools/generate-embedded.mjs'), '--out', out], { stdio: 'pipe' });
    for (const f of ['train.json', 'validation.json', 'test.json']) expect(sha(join(out, f))).toBe(sha(join(embedded, f)));
    // --check agrees (exit 0) on the committed files.
    expect(execFileSync(process.execPath, [join(repoRoot, 'datasets/tools/generate-embedded.mjs'), '--check'], { encoding: 'utf8' })).toMatch(/up to date/);
  });

  test('split sizes, shape and a README-stated property (summaries are 7-23 words)', async () => {
    const c = await loadCorpus(embedded);
    expect([...c.keys()].sort()).toEqual(['test', 'train', 'validation']);
    expect([c.get('train')!.length, c.get('validation')!.length, c.get('test')!.length]).toEqual([2000, 200, 200]);
    const all = [...c.values()].flat();
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
    for (const e of all) {
      const n = e.summary.split(/\s+/).length;
      expect(n).toBeGreaterThanOrEqual(7);
      expect(n).toBeLessThanOrEqual(23);
      expect(e.dialogue).toMatch(/^[A-Z][a-z]+: /);
    }
    // Both line-end styles occur, never mixed within one dialogue.
    const crlf = all.filter((e) => e.dialogue.includes('\r\n'));
    expect(crlf.length).toBeGreaterThan(0);
    expect(crlf.length).toBeLessThan(all.length);
    expect(all.filter((e) => !e.dialogue.includes('\r')).length).toBe(all.length - crlf.length);
  });

  test('data-prep on it is deterministic and self-consistent', async () => {
    const base = mkdtempSync(join(tmpdir(), 'dp-det-'));
    const config = { source: 'embedded', tokenizer: { vocabSize: 2000 } };
    const records: string[] = [];
    await runDataPrepCommand({ config, out: join(base, 'a'), log: () => {} });
    const r = await runDataPrepCommand({ config, out: join(base, 'b'), log: (m) => records.push(m) });
    const files = readdirSync(join(base, 'a')).sort();
    expect(files).toEqual(['manifest.json', 'stats.json', 'task.json', 'test.arrow', 'tokenizer.json', 'train.arrow', 'validation.arrow']);
    for (const f of files) expect(`${f} ${sha(join(base, 'b', f))}`).toBe(`${f} ${sha(join(base, 'a', f))}`);

    expect(records[0]).toMatch(/^data source: embedded synthetic corpus/);
    const out = join(base, 'b');
    const tok = readPreparedTokenizer(out);
    expect([tok.padId, tok.eosId, tok.unkId]).toEqual([0, 1, 2]);
    const stats = readPreparedStats(out);
    expect(stats.splits.train!.rows).toBe(2000);
    expect(r.records.source).toEqual([expect.objectContaining({ via: 'embedded' })]);
    const corpus = await loadCorpus(embedded);
    for (const split of ['train', 'validation', 'test']) {
      const s = readPreparedSplit(out, split);
      const src = corpus.get(split)!;
      expect(s.id).toEqual(src.map((e) => e.id));
      // Normalised text: LF line ends; decode(labels) is the summary up to whitespace.
      expect(s.dialogue).toEqual(src.map((e) => e.dialogue.replace(/\r\n/g, '\n').trim()));
      for (let i = 0; i < s.rows; i += 37) {
        expect(s.labels[i]![s.labels[i]!.length - 1]).toBe(tok.eosId);
        expect(tok.decode(s.labels[i]!)).toBe(s.summary[i]!.split(/\s+/).join(' '));
        expect(tok.decode(s.inputIds[i]!)).toBe(('summarize: ' + s.dialogue[i]!).split(/\s+/).join(' '));
        // No unknown pieces: the tokenizer was trained on this corpus' train split.
        if (split === 'train') expect(s.inputIds[i]!.includes(tok.unkId)).toBe(false);
      }
    }
  });
});
