// The real-data path on real SAMSum (../shared/datasets/samsum: train.json.gz, val.json,
// test.json), read through SAMSUM_DIR at test time (never copied); skips when it is absent.
//   1. data-prep reads the gzip-compressed train split and records every path as $SAMSUM_DIR/….
//   2. A few hundred real dialogues through the whole chain (data-prep → base-model → train →
//      eval-rouge + eval-base + flops-profiler → report), the shape of a samsum-real-* pipeline
//      at test size: the report labels every split as real SAMSum, and no manifest or report
//      carries an absolute machine path.
//   3. The older mapping (train from the embedded corpus, validation/test from SAMSum) still
//      works, and the report says the models were trained on synthetic data.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runStage, stageDir, readArrowFile } from '@switchyard/runtime';
import { repoRoot } from './nx-env.js';

const samsum = resolve(repoRoot, '../shared/datasets/samsum');
const present = existsSync(join(samsum, 'train.json.gz')) && existsSync(join(samsum, 'val.json'));
if (!present) console.log(`SKIPPED: real SAMSum (train.json.gz, val.json, test.json) not found at ${samsum}`);
const maybe = present ? it : it.skip;

/** Every file of a folder tree (manifests, reports) as text, to look for absolute paths. */
function texts(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...texts(p));
    else if (/\.(json|md|html)$/.test(e.name)) out.push({ file: p, text: readFileSync(p, 'utf8') });
  }
  return out;
}

describe('real SAMSum through the stages', () => {
  const artifacts = mkdtempSync(join(tmpdir(), 'switchyard-real-'));
  const opts = { artifactsDir: artifacts, backend: 'wasm', log: () => {} };
  let saved: string | undefined;
  beforeAll(() => { saved = process.env.SAMSUM_DIR; process.env.SAMSUM_DIR = samsum; });
  afterAll(() => { if (saved === undefined) delete process.env.SAMSUM_DIR; else process.env.SAMSUM_DIR = saved; });

  maybe('runs 300 real train and 50 real test dialogues from data-prep to the report, every split labelled real, no absolute paths', async () => {
    const dp = await runStage({ key: 'dp', package: '@switchyard/data-prep', stage: 'data-prep', config: { source: 'samsum', onInvalid: 'skip', maxRows: { train: 300, validation: 50, test: 50 }, tokenizer: { vocabSize: 400 } }, seed: 1, inputs: {} }, opts);
    expect([dp.files['train.arrow']!.rows, dp.files['validation.arrow']!.rows, dp.files['test.arrow']!.rows]).toEqual([300, 50, 50]);
    // The train split is the gzip file, byte for byte the corpus: its first dialogues are ours, in order.
    const train = JSON.parse(gunzipSync(readFileSync(join(samsum, 'train.json.gz'))).toString('utf8')) as { id: string; summary: string }[];
    const ids = readArrowFile(join(stageDir(artifacts, 'dp'), 'train.arrow')).getChild('id')!;
    expect(Array.from({ length: 5 }, (_, i) => String(ids.get(i)))).toEqual(train.slice(0, 5).map((r) => r.id));
    const stats = dp.extra.stats as { splits: Record<string, { source: { via: string; path: string; files: string[] } }> };
    expect(stats.splits.train!.source).toMatchObject({ via: 'SAMSUM_DIR', path: '$SAMSUM_DIR', files: ['$SAMSUM_DIR/train.json.gz'] });
    expect(stats.splits.test!.source.files).toEqual(['$SAMSUM_DIR/test.json']);

    const loop = { steps: 3, batchSize: 4, maxSourceLength: 64, maxTargetLength: 16, logEvery: 1, checkpointEvery: 0 };
    await runStage({ key: 'base', package: '@switchyard/train', stage: 'base-model', config: { preset: 'micro', ...loop }, seed: 1, inputs: { data: 'dp' } }, opts);
    await runStage({ key: 'train', package: '@switchyard/train', stage: 'train', config: { router: { type: 'linear-sparsemax' }, ...loop }, seed: 1, inputs: { data: 'dp', base: 'base' } }, opts);
    const gen = { preset: 'greedy', maxNewTokens: 6, bootstrap: { samples: 50 } };
    const ev = await runStage({ key: 'eval', package: '@switchyard/eval-rouge', stage: 'eval-rouge', config: gen, seed: 1, inputs: { data: 'dp', checkpoint: 'train' } }, opts);
    expect(ev.files['scores.arrow']!.rows).toBe(50);
    await runStage({ key: 'eval-base', package: '@switchyard/eval-rouge', stage: 'eval-rouge', config: gen, seed: 1, inputs: { data: 'dp', checkpoint: 'base' } }, opts);
    await runStage({ key: 'eval-val', package: '@switchyard/eval-rouge', stage: 'eval-rouge', config: { ...gen, split: 'validation' }, seed: 1, inputs: { data: 'dp', checkpoint: 'train' } }, opts);
    await runStage({ key: 'flops', package: '@switchyard/flops-profiler', stage: 'flops-profiler', config: { model: 'input:model', sourceLength: 64, targetLength: 16, routers: [], published: false }, seed: 1, inputs: { model: 'train' } }, opts);
    await runStage({ key: 'report', package: '@switchyard/report', stage: 'report', config: { plots: false, examples: 2 }, seed: 1,
      inputs: { data: 'dp', base: 'base', model: 'train', eval: 'eval', baseline: 'eval-base', validation: 'eval-val', cost: 'flops' } }, opts);

    const md = readFileSync(join(stageDir(artifacts, 'report'), 'report.md'), 'utf8');
    expect(md).toContain('Data by split — train: SAMSum via SAMSUM_DIR (`$SAMSUM_DIR`), 300 rows; validation: SAMSum via SAMSUM_DIR (`$SAMSUM_DIR`), 50 rows; test: SAMSum via SAMSUM_DIR (`$SAMSUM_DIR`), 50 rows.');
    expect(md).toContain('Every split is real data (SAMSUM_DIR).');
    expect(md).not.toMatch(/synthetic/i);
    // the reference shown is the real summary of that test id
    const test = JSON.parse(readFileSync(join(samsum, 'test.json'), 'utf8')) as { id: string; summary: string }[];
    const shownId = /### Example (\S+)/.exec(md)![1]!;
    const ref = test.find((r) => r.id === shownId)!.summary.replace(/\r\n/g, '\n').trim().replace(/\s+/g, ' ');
    expect(md.replace(/\s+/g, ' ')).toContain(`| reference | ${ref.replace(/\|/g, '\\|')} |`);
    expect(md).toMatch(/\| validation ROUGE-L|val ROUGE-L/);
    for (const { file, text } of texts(artifacts)) {
      expect([file, text.includes(samsum)]).toEqual([file, false]);
      expect([file, text.includes(artifacts)]).toEqual([file, false]);
    }
  }, 90000);

  maybe('trains on the mapped embedded split and evaluates on real validation/test: the report says the training data is synthetic', async () => {
    const splits = { train: { from: 'embedded' }, validation: 'validation', test: 'test' };
    const dp = await runStage({ key: 'dp-mapped', package: '@switchyard/data-prep', stage: 'data-prep', config: { source: 'samsum', splits, maxRows: { train: 64, validation: 20, test: 20 }, tokenizer: { vocabSize: 300 } }, seed: 1, inputs: {} }, opts);
    expect(dp.files['test.arrow']!.rows).toBe(20);
    const loop = { steps: 2, batchSize: 4, maxSourceLength: 48, maxTargetLength: 12, checkpointEvery: 0 };
    await runStage({ key: 'base-mapped', package: '@switchyard/train', stage: 'base-model', config: { preset: 'micro', ...loop }, seed: 1, inputs: { data: 'dp-mapped' } }, opts);
    await runStage({ key: 'eval-mapped', package: '@switchyard/eval-rouge', stage: 'eval-rouge', config: { maxNewTokens: 4, bootstrap: false }, seed: 1, inputs: { data: 'dp-mapped', checkpoint: 'base-mapped' } }, opts);
    await runStage({ key: 'report-mapped', package: '@switchyard/report', stage: 'report', config: { plots: false, examples: 0 }, seed: 1, inputs: { data: 'dp-mapped', model: 'base-mapped', eval: 'eval-mapped' } }, opts);
    const md = readFileSync(join(stageDir(artifacts, 'report-mapped'), 'report.md'), 'utf8');
    expect(md).toMatch(/train: the embedded \*\*synthetic\*\* corpus \(`datasets\/embedded-samsum`\), not SAMSum, 64 rows; validation: SAMSum via SAMSUM_DIR/);
    expect(md).toContain('The evaluated split (test) is real, but **the models were trained on the embedded synthetic corpus**');
  }, 90000);
});
