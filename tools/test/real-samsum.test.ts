// Evaluation on the real SAMSum validation/test splits (issue 9, must-show 5). ../shared/datasets/samsum
// has no train split: data-prep must say so, and an explicit split mapping (train from the
// embedded corpus, validation/test from SAMSum) must carry the pipeline through evaluation.
// Reads the corpus from ../shared at test time (never copied); skips when it is absent.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runStage, stageDir, verifyStageOutput, readArrowFile } from '@switchyard/runtime';
import { repoRoot } from './nx-env.js';

const samsum = resolve(repoRoot, '../shared/datasets/samsum');
const present = existsSync(join(samsum, 'val.json'));
if (!present) console.log(`SKIPPED: real SAMSum not found at ${samsum}`);
const maybe = present ? it : it.skip;

describe('real SAMSum through the stages', () => {
  const artifacts = mkdtempSync(join(tmpdir(), 'switchyard-real-'));
  const opts = { artifactsDir: artifacts, backend: 'wasm', log: () => {} };
  let saved: string | undefined;
  beforeAll(() => { saved = process.env.SAMSUM_DIR; process.env.SAMSUM_DIR = samsum; });
  afterAll(() => { if (saved === undefined) delete process.env.SAMSUM_DIR; else process.env.SAMSUM_DIR = saved; });

  maybe('says plainly that the source has no train split', async () => {
    await expect(runStage({ key: 'dp-default', package: '@switchyard/data-prep', stage: 'data-prep', config: { source: 'samsum' }, seed: 1, inputs: {} }, opts))
      .rejects.toThrow(/no train split in .*samsum \(SAMSUM_DIR\); it has test, validation\. Map splits explicitly/);
  });

  maybe('trains on the mapped embedded split and evaluates on the real validation and test splits', async () => {
    const splits = { train: { from: 'embedded' }, validation: 'validation', test: 'test' };
    const dp = await runStage({ key: 'dp-real', package: '@switchyard/data-prep', stage: 'data-prep', config: { source: 'samsum', splits, maxRows: { train: 64 }, tokenizer: { vocabSize: 300 } }, seed: 1, inputs: {} }, opts);
    expect(dp.files['validation.arrow']!.rows).toBe(818);
    expect(dp.files['test.arrow']!.rows).toBe(819);
    expect(JSON.stringify(dp.extra.source)).toContain('SAMSUM_DIR');
    // The real ids are in the prepared split (first validation example of SAMSum's val.json).
    const firstId = (JSON.parse(readFileSync(join(samsum, 'val.json'), 'utf8')) as { id: string }[])[0]!.id;
    expect(readArrowFile(join(stageDir(artifacts, 'dp-real'), 'validation.arrow')).getChild('id')!.get(0)).toBe(firstId);

    await runStage({ key: 'base-real', package: '@switchyard/train', stage: 'base-model', config: { preset: 'micro', steps: 2, batchSize: 4, checkpointEvery: 0 }, seed: 1, inputs: { data: 'dp-real' } }, opts);
    for (const split of ['validation', 'test'] as const) {
      const m = await runStage({ key: `eval-real-${split}`, package: '@switchyard/eval-rouge', stage: 'eval-rouge', config: { split, maxExamples: 6, maxNewTokens: 4, bootstrap: false }, seed: 1, inputs: { data: 'dp-real', checkpoint: 'base-real' } }, opts);
      expect(m.files['predictions.arrow']!.rows).toBe(6);
      const preds = readArrowFile(join(stageDir(artifacts, `eval-real-${split}`), 'predictions.arrow'));
      // References are the real summaries of that split, in order.
      const file = split === 'validation' ? 'val.json' : 'test.json';
      const real = (JSON.parse(readFileSync(join(samsum, file), 'utf8')) as { summary: string }[]).slice(0, 6).map((r) => r.summary.replace(/\r\n/g, '\n').trim());
      const refs = Array.from({ length: 6 }, (_, i) => String(preds.getChild('reference')!.get(i)).trim());
      expect(refs.map((r) => r.replace(/\s+/g, ' '))).toEqual(real.map((r) => r.replace(/\s+/g, ' ')));
      expect(verifyStageOutput(stageDir(artifacts, `eval-real-${split}`)).extra.rouge).toBeDefined();
    }
  }, 300000);
});
