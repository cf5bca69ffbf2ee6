// The Nx plugin's graph for valid and invalid pipelines and sweeps, called directly on a scratch
// workspace: an invalid file gets one target that only reports its problems (no stage tasks, no
// builds), valid ones keep their stage tasks, and stage commands carry a key, not a base64 spec.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { repoRoot } from './nx-env.js';

const require = createRequire(import.meta.url);
const { createNodesV2 } = require('../nx-plugin/pipelines.cjs');
const { decodeSpec } = require('../pipeline/pipeline-model.cjs');

type Target = { options: { command: string; env?: Record<string, string> }; dependsOn: { projects: string[]; target: string }[] };
type Project = { name: string; targets: Record<string, Target> };

function scratch(): string {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-plugin-'));
  cpSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(repoRoot, 'packages'), join(root, 'packages'));
  mkdirSync(join(root, 'pipelines', 'sweeps'), { recursive: true });
  cpSync(join(repoRoot, 'pipelines', 'bases'), join(root, 'pipelines', 'bases'), { recursive: true });
  const write = (rel: string, o: unknown) => writeFileSync(join(root, 'pipelines', rel), JSON.stringify(o, null, 2));
  const smoke = JSON.parse(readFileSync(join(repoRoot, 'pipelines', 'smoke.json'), 'utf8'));
  write('good.json', smoke);
  write('typo.json', { ...smoke, stages: { ...smoke.stages, transform: { ...smoke.stages.transform, config: { operation: 'scal' } } } });
  const gating = (type: string) => ({ extends: 'bases/samsum-gating.json', stages: { train: { config: { router: { type } } } } });
  write('g-ok.json', gating('linear-sparsemax'));
  write('g-typo.json', gating('linear-sparsmax'));
  const sweep = (pipelines: string[]) => ({ pipelines, seeds: [1, 2], report: { package: '@switchyard/report', stage: 'report' } });
  write('sweeps/sw-ok.json', sweep(['g-ok']));
  write('sweeps/sw-typo.json', sweep(['g-ok', 'g-typo']));
  return root;
}

it('gives invalid pipelines and sweeps a report-only target and keeps the valid ones', async () => {
  const root = scratch();
  const files = ['pipelines/good.json', 'pipelines/typo.json', 'pipelines/g-ok.json', 'pipelines/g-typo.json', 'pipelines/bases/samsum-gating.json', 'pipelines/sweeps/sw-ok.json', 'pipelines/sweeps/sw-typo.json'];
  const warnings: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { warnings.push(String(s)); return true; });
  let results: [string, { projects: Record<string, Project> }][];
  try { results = await createNodesV2[1](files, {}, { workspaceRoot: root }); } finally { spy.mockRestore(); }

  const projects: Record<string, Project> = Object.assign({}, ...results.map(([, r]) => r.projects));
  const umbrella = projects.pipelines!.targets;
  expect(Object.keys(umbrella).sort()).toEqual(['g-ok', 'g-typo', 'good', 'sw-ok', 'sw-ok-shard', 'sw-typo', 'typo']); // a valid sweep also gets its -shard target
  for (const bad of ['typo', 'g-typo']) {
    expect(umbrella[bad]).toMatchObject({ options: { command: `node tools/pipeline/validate.mjs "pipelines/${bad}.json"` }, dependsOn: [] });
    expect(Object.values(projects).some((p) => p.name === `pipeline-${bad}`)).toBe(false);
  }
  expect(umbrella['sw-typo']).toMatchObject({ options: { command: 'node tools/pipeline/validate.mjs "pipelines/sweeps/sw-typo.json"' }, dependsOn: [] });
  expect(umbrella.good!.dependsOn.map((d) => d.target).sort()).toEqual(['source', 'summary', 'transform']);
  expect(umbrella['sw-ok']!.dependsOn).toEqual([{ projects: ['sweep-sw-ok'], target: 'report' }]);
  expect(warnings.join('')).toBe([
    'switchyard: pipelines/typo.json is invalid (1 problem); its stages will not run — `npx nx run pipeline:validate` lists it\n',
    'switchyard: pipelines/g-typo.json is invalid (1 problem); its stages will not run — `npx nx run pipeline:validate` lists it\n',
    'switchyard: pipelines/sweeps/sw-typo.json is invalid (1 problem); its stages will not run — `npx nx run pipeline:validate` lists it\n',
  ].join(''));

  // Stage commands name the key; the spec is in the target's environment.
  const stages = Object.values(projects).filter((p) => p.name?.startsWith('stage-'));
  expect(stages.length).toBeGreaterThan(10);
  for (const p of stages) {
    const { command, env } = p.targets.run!.options;
    const key = p.name.slice('stage-'.length);
    expect(command).toBe(`node tools/pipeline/run-stage.mjs --key ${key}`);
    expect(decodeSpec(env!.SWITCHYARD_STAGE_SPEC).key).toBe(key);
  }
});
