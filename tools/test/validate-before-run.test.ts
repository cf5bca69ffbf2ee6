// "Validate before running": on a fresh copy of the repository (no dist/, no Nx cache, no
// artifacts), `nx run pipeline:<name>` with a typo'd router type fails within seconds, before any
// build or stage runs, naming the file, the JSON path, the value, the allowed values and a
// did-you-mean — and shows no stage spec or internal task name.
import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { childEnv, repoRoot } from './nx-env.js';

let clone: string;

beforeAll(async () => {
  clone = mkdtempSync(join(tmpdir(), 'switchyard-fresh-'));
  // What a clone of this working tree holds: tracked and new files, nothing ignored or built.
  const listed = await execa('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot });
  for (const rel of listed.stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(repoRoot, rel))) continue; // deleted in the working tree
    mkdirSync(dirname(join(clone, rel)), { recursive: true });
    cpSync(join(repoRoot, rel), join(clone, rel));
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(clone, 'node_modules'));
  const p = JSON.parse(readFileSync(join(clone, 'pipelines', 'samsum-sparsemax.json'), 'utf8'));
  p.stages.train.config.router.type = 'linear-sparsmax';
  writeFileSync(join(clone, 'pipelines', 'my-copy.json'), JSON.stringify(p, null, 2));
}, 120000);

afterAll(() => { if (clone) rmSync(clone, { recursive: true, force: true }); });

it('fails in seconds before any stage runs, naming file, path, value, allowed values and a did-you-mean', async () => {
  const t0 = Date.now();
  const r = await execa('npx', ['nx', 'run', 'pipeline:my-copy', '--output-style=static'], { cwd: clone, env: childEnv(), extendEnv: false, reject: false, all: true });
  const seconds = (Date.now() - t0) / 1000;
  console.log(`nx run pipeline:my-copy (typo'd router) on a fresh copy failed after ${seconds.toFixed(1)} s`);
  expect(r.exitCode).toBe(1);
  expect(r.all).toMatch(/pipelines\/my-copy\.json: \/stages\/train\/config\/router\/type: "linear-sparsmax" is not allowed; allowed values: [^\n]*"linear-sparsemax"[^\n]*; did you mean "linear-sparsemax"\?/);
  expect(r.all).not.toMatch(/--spec|[A-Za-z0-9_-]{100,}|stage-train-[0-9a-f]{12}/);
  expect(existsSync(join(clone, 'artifacts'))).toBe(false);
  expect(existsSync(join(clone, 'packages', 'train', 'dist'))).toBe(false);
  expect(seconds).toBeLessThan(60);
  // The other pipelines of the same workspace are unaffected.
  // Asked by name: a full `nx show projects` (~700 lines) through a pipe was seen cut at 8 KiB under load.
  const wanted = ['pipeline-samsum-sparsemax', 'pipeline-smoke', 'pipeline-my-copy'];
  const shown = await execa('npx', ['nx', 'show', 'projects', `--projects=${wanted.join(',')}`], { cwd: clone, env: childEnv(), extendEnv: false, reject: false, all: true });
  expect(shown.exitCode).toBe(0);
  expect(shown.stdout.split('\n').filter(Boolean).sort()).toEqual(['pipeline-samsum-sparsemax', 'pipeline-smoke']);
}, 180000);

it('stays responsive whatever sits in pipelines/: a 10 MiB file, deep nesting, duplicate keys', async () => {
  const stages: Record<string, unknown> = {};
  for (let i = 0; i < 120_000; i++) stages[`stage-${i}`] = { package: '@switchyard/runtime', stage: 'smoke-source', config: { rows: i } };
  const huge = JSON.stringify({ stages });
  expect(huge.length).toBeGreaterThan(10 * 1024 * 1024);
  writeFileSync(join(clone, 'pipelines', 'huge.json'), huge);
  writeFileSync(join(clone, 'pipelines', 'deep.json'), `{"stages":${'['.repeat(500_000)}${']'.repeat(500_000)}}`);
  writeFileSync(join(clone, 'pipelines', 'twice.json'), '{\n  "stages": {},\n  "stages": {}\n}\n');
  const t0 = Date.now();
  // The whole project graph is built either way; asking for one project keeps the output under a pipe's 8 KiB.
  const shown = await execa('npx', ['nx', 'show', 'projects', '--projects=pipeline-samsum-sparsemax'], { cwd: clone, env: childEnv(), extendEnv: false, reject: false, all: true });
  const seconds = (Date.now() - t0) / 1000;
  console.log(`nx show projects with a ${(huge.length / 2 ** 20).toFixed(1)} MiB pipeline file present: ${seconds.toFixed(1)} s`);
  expect(shown.exitCode).toBe(0);
  expect(shown.stdout.split('\n').filter(Boolean)).toEqual(['pipeline-samsum-sparsemax']);
  expect(seconds).toBeLessThan(30);
  for (const f of ['huge', 'deep', 'twice']) expect(shown.stderr).toContain(`switchyard: pipelines/${f}.json is invalid (1 problem)`);

  const v = await execa('node', ['tools/pipeline/validate.mjs', 'pipelines/huge.json', 'pipelines/deep.json', 'pipelines/twice.json'], { cwd: clone, env: childEnv(), extendEnv: false, reject: false, all: true });
  expect(v.exitCode).toBe(1);
  expect(v.stderr).toContain(`pipelines/huge.json: the file is ${Buffer.byteLength(huge)} bytes; the limit is 1048576 bytes`);
  expect(v.stderr).toContain('pipelines/deep.json: line 1, column 42: nested more than 32 levels deep (the limit for this file)');
  expect(v.stderr).toContain('pipelines/twice.json: line 3, column 3: duplicate key "stages" (also on line 2); each key may appear once per object');
}, 180000);
