// The checks the Nx plugin runs on a pipeline before any stage starts (tools/pipeline/stage-checks.cjs):
// the committed stage schemas are the packages' own, and a config error, a model-dependent
// constraint or a missing path is reported with its JSON path, value, allowed values and a
// did-you-mean.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedFiles } from '../pipeline/stage-schemas.mjs';
import { repoRoot } from './nx-env.js';

const require = createRequire(import.meta.url);
const { checkStages } = require('../pipeline/stage-checks.cjs');
const { readPipelineData, resolvePipeline } = require('../pipeline/pipeline-model.cjs');

/** The sparsemax gating pipeline with `edit` applied to its resolved data, checked. */
function problems(edit: (stages: Record<string, { config: Record<string, unknown> } & Record<string, unknown>>) => void): string[] {
  const data = readPipelineData(join(repoRoot, 'pipelines', 'samsum-sparsemax.json'), repoRoot).data;
  edit(data.stages);
  return checkStages(repoRoot, resolvePipeline('pipelines/x.json', data, 'x').stages);
}

it('the committed stage schemas are what the packages declare (else run write-stage-schemas.mjs)', async () => {
  const files = await generatedFiles((p: string) => import(p));
  expect(Object.keys(files)).toHaveLength(7);
  for (const [rel, text] of Object.entries(files)) {
    const committed = readFileSync(join(repoRoot, rel), 'utf8');
    if (committed !== text) throw new Error(`${rel} is stale: run \`npm run build && node tools/pipeline/write-stage-schemas.mjs\``);
  }
}, 120000);

describe('stage checks before any stage runs', () => {
  it('accepts every committed gating pipeline', () => {
    expect(problems(() => {})).toEqual([]);
  });

  it('names a typo\'d router type with the allowed values and a did-you-mean', () => {
    const p = problems((s) => { s.train!.config.router = { type: 'linear-sparsmax' }; });
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^\/stages\/train\/config\/router\/type: "linear-sparsmax" is not allowed; allowed values: .*"linear-sparsemax".*"switch-top1".*; did you mean "linear-sparsemax"\?$/);
  });

  it('names a misspelt router option and stage name', () => {
    expect(problems((s) => { s.train!.config.router = { type: 'linear-softmax-topk', topk: 2 }; }))
      .toEqual([expect.stringMatching(/^\/stages\/train\/config\/router: unknown key "topk"; allowed keys: type, .*topK.*; did you mean "topK"\?$/)]);
    expect(problems((s) => { s.train!.stage = 'trian'; }))
      .toEqual(['/stages/train/stage: "trian" is not a stage of @switchyard/train; allowed values: "base-model", "train"; did you mean "train"?']);
  });

  it('refuses topK above the base model\'s number of experts (tiny: 8; overrides and imports too)', () => {
    expect(problems((s) => { s.train!.config.router = { type: 'linear-softmax-topk', topK: 8 }; })).toEqual([]);
    expect(problems((s) => { s.train!.config.router = { type: 'linear-softmax-topk', topK: 9 }; }))
      .toEqual(['/stages/train/config/router/topK: 9 is more than the 8 experts of the model (preset "tiny" of stage base-model); allowed values: 1 … 8']);
    expect(problems((s) => {
      s['base-model']!.config.configOverrides = { num_experts: 2 };
      s.train!.config.router = { type: 'smoe' }; // topK defaults to 2: allowed
    })).toEqual([]);
    expect(problems((s) => {
      s['base-model']!.config.configOverrides = { num_experts: 2 };
      s.train!.config.router = { type: 'smoe', topK: 3 };
    })).toEqual(['/stages/train/config/router/topK: 3 is more than the 2 experts of the model (configOverrides.num_experts of stage base-model); allowed values: 1 … 2']);
    const ckpt = mkdtempSync(join(tmpdir(), 'switchyard-ckpt-'));
    writeFileSync(join(ckpt, 'config.json'), JSON.stringify({ num_experts: 4 }));
    expect(problems((s) => {
      s['base-model']!.config = { source: 'import', importDir: ckpt };
      s.train!.config.router = { type: 'linear-softmax-topk', topK: 5 };
    })).toEqual([`/stages/train/config/router/topK: 5 is more than the 4 experts of the model (${join(ckpt, 'config.json')} (stage base-model)); allowed values: 1 … 4`]);
  });

  it('names paths that do not exist', () => {
    expect(problems((s) => {
      s['data-prep']!.config = { source: { path: 'no/such/corpus' }, tokenizer: { type: 'pretrained', path: '/no/such/tokenizer.json' } };
      s['base-model']!.config = { source: 'import', importDir: '/path/to/switch-base-8' };
    })).toEqual([
      `/stages/data-prep/config/source/path: "no/such/corpus" does not exist (relative to the workspace root ${repoRoot})`,
      '/stages/data-prep/config/tokenizer/path: "/no/such/tokenizer.json" does not exist',
      '/stages/base-model/config/importDir: "/path/to/switch-base-8" does not exist',
    ]);
  });
});

it('serves repeated checks from its cache, and a changed schema file is checked afresh', () => {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-checkcache-'));
  const schemaFile = join(root, 'packages', 'runtime', 'schemas', 'stage-configs.json');
  mkdirSync(join(schemaFile, '..'), { recursive: true });
  const generated = JSON.parse(readFileSync(join(repoRoot, 'packages', 'runtime', 'schemas', 'stage-configs.json'), 'utf8'));
  writeFileSync(schemaFile, JSON.stringify(generated));
  const stage = { name: 't', package: '@switchyard/runtime', stage: 'smoke-transform', needs: [], config: { operation: 'scale' } };
  expect(checkStages(root, [stage])).toEqual([]);
  const cacheFile = join(root, 'node_modules', '.cache', 'switchyard', 'stage-checks.json');
  const entries = Object.values(JSON.parse(readFileSync(cacheFile, 'utf8')).entries);
  expect(entries).toEqual([{ problems: [], resolved: { operation: 'scale', amount: 1 } }]);
  // Narrow the schema: the cached "valid" must not be served for the new file.
  generated.stages['smoke-transform'].properties.operation.enum = ['shift'];
  writeFileSync(schemaFile, JSON.stringify(generated));
  expect(checkStages(root, [stage])).toEqual(['/stages/t/config/operation: "scale" is not allowed; allowed values: "shift"']);
});
