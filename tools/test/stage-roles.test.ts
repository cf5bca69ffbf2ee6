// Inputs by role: a stage declares the roles it reads (its package.json), a pipeline maps roles to
// its stage names. Renaming every stage of a gating pipeline changes no content key (keys hash
// roles, not names) and the renamed pipeline runs end to end under the stage contract; a missing
// role is an error naming the file, the stage and the role — in pipeline-model (what
// `pipeline:validate` and the Nx plugin load) and through the plugin, which skips the file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { runStage, stageDir } from '@switchyard/runtime';
import { execa } from 'execa';
import { childEnv, repoRoot } from './nx-env.js';

const require = createRequire(import.meta.url);
const { loadPipeline, stageSpec, PipelineError } = require('../pipeline/pipeline-model.cjs');
const { createNodesV2 } = require('../nx-plugin/pipelines.cjs');

type Stage = { package: string; stage: string; inputs?: Record<string, string>; config: Record<string, unknown> };
type Pipeline = { stages: Record<string, Stage> };
type Resolved = { name: string; key: string; package: string; stage: string; inputs: Record<string, string> };

const RENAME: Record<string, string> = {
  'data-prep': 'corpus', 'base-model': 'pretrained', 'eval-base': 'scored-base', train: 'finetuned',
  'eval-rouge': 'scored', 'flops-profiler': 'costed', report: 'summary',
};

/** The gating pipelines' base file with a router in train. */
function gatingPipeline(router: Record<string, unknown>): Pipeline {
  const p = JSON.parse(readFileSync(join(repoRoot, 'pipelines', 'bases', 'samsum-gating.json'), 'utf8')) as Pipeline & { $schema?: string };
  delete p.$schema;
  p.stages.train!.config.router = router;
  return p;
}

/** The gating base with small settings (micro model, a few steps and rows). */
function small(): Pipeline {
  const p = gatingPipeline({ type: 'linear-sparsemax' });
  const s = p.stages;
  s['data-prep']!.config = { source: 'embedded', maxRows: { train: 32, validation: 8, test: 6 }, tokenizer: { vocabSize: 200 } };
  s['base-model']!.config = { source: 'pretrain', preset: 'micro', steps: 2, batchSize: 4, logEvery: 1, checkpointEvery: 0 };
  Object.assign(s.train!.config, { steps: 2, batchSize: 4, logEvery: 1, checkpointEvery: 0, heldOutSize: 4 });
  for (const e of ['eval-base', 'eval-rouge']) Object.assign(s[e]!.config, { maxNewTokens: 3, bootstrap: { samples: 10 } });
  Object.assign(s['flops-profiler']!.config, { plots: false });
  s.report!.config.plots = false;
  return p;
}

function renamed(p: Pipeline): Pipeline {
  const stages: Record<string, Stage> = {};
  for (const [name, st] of Object.entries(p.stages)) {
    stages[RENAME[name]!] = { ...st, ...(st.inputs ? { inputs: Object.fromEntries(Object.entries(st.inputs).map(([role, n]) => [role, RENAME[n]!])) } : {}) };
  }
  return { ...p, stages };
}

const dir = mkdtempSync(join(tmpdir(), 'switchyard-roles-'));
const write = (name: string, p: Pipeline) => { const f = join(dir, `${name}.json`); writeFileSync(f, JSON.stringify(p)); return f; };
const pluginFile = join('pipelines', `zz-test-roles-${process.pid}.json`);
afterAll(() => { rmSync(dir, { recursive: true, force: true }); rmSync(join(repoRoot, pluginFile), { force: true }); });

it('a pipeline with every stage renamed resolves to the same content keys and runs', async () => {
  const original = loadPipeline(write('original', small()), repoRoot) as { stages: Resolved[] };
  const p = loadPipeline(write('renamed', renamed(small())), repoRoot) as { stages: Resolved[] };
  expect(p.stages.map((s) => s.name).sort()).toEqual(Object.values(RENAME).sort());
  const keyOf = (stages: Resolved[], name: string) => stages.find((s) => s.name === name)!.key;
  for (const [from, to] of Object.entries(RENAME)) expect([to, keyOf(p.stages, to)]).toEqual([to, keyOf(original.stages, from)]);

  const artifacts = join(dir, 'artifacts');
  for (const s of p.stages) await runStage({ ...stageSpec(s), pipeline: 'renamed' }, { artifactsDir: artifacts, backend: 'wasm', log: () => {} });
  const report = readFileSync(join(stageDir(artifacts, keyOf(p.stages, 'summary')), 'report.md'), 'utf8');
  expect(report).toContain('| linear-sparsemax | `linear-sparsemax` | 1 |');
  expect(report).not.toMatch(/have no (baseline|cost) input/); // every role found under the new names
}, 120000);

it('a missing role names the file, the stage and the role; the Nx plugin skips the file', async () => {
  const p = renamed(small());
  delete p.stages.scored!.inputs!.checkpoint;
  p.stages.finetuned!.inputs = { dta: 'corpus', base: 'pretrained' };
  const file = write('broken', p);
  let err: { message: string } | undefined;
  try { loadPipeline(file, repoRoot); } catch (e) { err = e as { message: string }; }
  expect(err).toBeInstanceOf(PipelineError);
  expect(err!.message).toMatch(/broken\.json: invalid pipeline\n/);
  expect(err!.message).toContain('/stages/scored/inputs: stage "scored" (@switchyard/eval-rouge eval-rouge) needs the input role "checkpoint" (the model to evaluate (config.json + model.safetensors)); map it to one of this pipeline\'s stages, e.g. "inputs": { "checkpoint": "<stage>" }');
  expect(err!.message).toContain('/stages/finetuned/inputs/dta: stage "finetuned" (@switchyard/train train) has no input role "dta" (did you mean "data"?); its roles: data, base');
  expect(err!.message).toContain('/stages/finetuned/inputs: stage "finetuned" (@switchyard/train train) needs the input role "data"');

  // `nx run pipeline:validate`'s script (it loads the built packages, as npm test builds first)
  const v = await execa('node', ['tools/pipeline/validate.mjs', file], { cwd: repoRoot, env: childEnv(), extendEnv: false, reject: false });
  expect(v.exitCode).toBe(1);
  expect(v.stderr).toMatch(/broken\.json: \/stages\/scored\/inputs: stage "scored" \(@switchyard\/eval-rouge eval-rouge\) needs the input role "checkpoint"/);

  writeFileSync(join(repoRoot, pluginFile), JSON.stringify(p));
  const errors: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { errors.push(String(s)); return true; });
  let results: [string, { projects: Record<string, { name?: string }> }][];
  try { results = await createNodesV2[1]([pluginFile], {}, { workspaceRoot: repoRoot }); } finally { spy.mockRestore(); }
  expect(errors.join('')).toContain(`switchyard: ${pluginFile} is invalid (`);
  expect(results!.map(([f]) => f)).toEqual(['pipelines/project.json']); // no stage projects from the broken file
  // Its umbrella target runs nothing but validate.mjs, which prints the role problem above.
  const umbrella = (results![0]![1].projects as Record<string, { targets?: Record<string, { options?: { command?: string }; dependsOn?: unknown[] }> }>).pipelines!.targets!;
  const name = pluginFile.replace(/^pipelines\//, '').replace(/\.json$/, '');
  expect(umbrella[name]!.options!.command).toContain('tools/pipeline/validate.mjs');
  expect(umbrella[name]!.dependsOn).toEqual([]);
});
