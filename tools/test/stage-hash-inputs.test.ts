// What a cached stage hashes: its own package closure's sources and the npm packages that closure
// declares — not every root dependency. Bumping a plotting library (vega, used by report and
// flops-profiler) must not re-run a cached train; bumping tfjs must.
import { createRequire } from 'node:module';
import { repoRoot } from './nx-env.js';

const require = createRequire(import.meta.url);
const { createNodesV2 } = require('../nx-plugin/pipelines.cjs');

type Input = string | { externalDependencies?: string[] };
type Project = { name: string; targets: Record<string, { inputs: Input[] }> };

async function stageProjects(): Promise<Project[]> {
  const results: [string, { projects: Record<string, Project> }][] = await createNodesV2[1](['pipelines/samsum-sparsemax.json'], {}, { workspaceRoot: repoRoot });
  return results.flatMap(([, r]) => Object.values(r.projects)).filter((p) => p.name?.startsWith('stage-'));
}
const externals = (p: Project) => p.targets.run!.inputs.flatMap((i) => (typeof i === 'object' && i.externalDependencies) || []);
const sources = (p: Project) => p.targets.run!.inputs.filter((i): i is string => typeof i === 'string' && i.endsWith('/src/**/*'));
const byStage = (ps: Project[], stage: string) => ps.find((p) => p.name.startsWith(`stage-${stage}-`))!;

it('hashes train with the npm packages of its closure only', async () => {
  const ps = await stageProjects();
  const train = byStage(ps, 'train');
  expect(externals(train)).toEqual(expect.arrayContaining(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'apache-arrow', 'ajv', '@sinclair/typebox']));
  for (const unrelated of ['vega', 'vega-lite', '@resvg/resvg-js', 'commander', 'execa', 'nx']) expect(externals(train)).not.toContain(unrelated);
  // Its sources: train and what it depends on, not the report or the evaluators.
  expect(sources(train).map((s) => s.split('/')[2]).sort()).toEqual(['data-prep', 'model-core', 'native-kernels', 'routers', 'runtime', 'tensor-engine', 'train']);
});

it('hashes the report with the plotting libraries it uses', async () => {
  const report = byStage(await stageProjects(), 'report');
  expect(externals(report)).toEqual(expect.arrayContaining(['vega', 'vega-lite']));
});
