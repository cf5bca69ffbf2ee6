// Local Nx plugin: turns every pipelines/<name>.json into cached per-stage targets (design.md §2).
//
// For each pipeline file it creates
//   - one content-keyed project per distinct stage, `stage-<stage>-<hash>`, with one cached target
//     `run` whose command carries the stage's full spec (package, stage, config, seed, upstream
//     keys). The key hashes the same things, so an edited config gets a new project and re-runs,
//     its descendants get new keys too, and identical stages of different pipelines are one task;
//   - a project `pipeline-<name>` with one target per stage (links artifacts/<name>/<stage> to the
//     keyed output) — one project per pipeline, because Nx folds every target's options of a
//     project into each task's hash;
//   - a target `<name>` on the umbrella project `pipeline` that runs the whole DAG and prints a
//     summary.
// A file that fails to parse is reported once and skipped, so other pipelines and nx commands
// keep working; `nx run pipeline:validate` reports it in full.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { loadPipeline, loadSweep, stageSpec, encodeSpec } = require('../pipeline/pipeline-model.cjs');

const warned = new Set();

/** Workspace packages a package depends on, transitively (from package.json files). */
function packageClosure(root, pkg, seen = new Set()) {
  if (seen.has(pkg)) return seen;
  seen.add(pkg);
  const dir = join(root, 'packages', pkg.replace('@switchyard/', ''));
  const pj = join(dir, 'package.json');
  if (!existsSync(pj)) return seen;
  const deps = Object.keys(JSON.parse(readFileSync(pj, 'utf8')).dependencies || {});
  for (const d of deps) if (d.startsWith('@switchyard/')) packageClosure(root, d, seen);
  return seen;
}

function externalDependencies(root) {
  const pj = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return Object.keys(pj.dependencies || {}).filter((d) => d !== 'nx').sort();
}

function keyedStageProject(root, stage, externals) {
  const packages = [...packageClosure(root, stage.package)].sort();
  const inputs = [
    '{workspaceRoot}/tools/pipeline/**/*',
    ...packages.flatMap((p) => {
      const d = `{workspaceRoot}/packages/${p.replace('@switchyard/', '')}`;
      return [`${d}/src/**/*`, `${d}/package.json`, `${d}/schemas/**/*`, `${d}/assets/**/*`];
    }),
    { dependentTasksOutputFiles: '**/*.{arrow,safetensors}', transitive: true },
    { externalDependencies: externals },
  ];
  if (stage.package === '@switchyard/data-prep') {
    // The corpus: the embedded one in the workspace, and whatever SAMSUM_DIR, the HF cache or an
    // explicit path points at outside it (fingerprinted at hash time).
    inputs.push('{workspaceRoot}/datasets/**/*', { runtime: `node tools/pipeline/source-fingerprint.cjs ${encodeSpec(stage.config)}` });
  }
  return {
    name: `stage-${stage.key}`,
    root: `pipelines/.stages/${stage.key}`,
    tags: ['type:stage', `stage:${stage.stage}`],
    targets: {
      run: {
        executor: 'nx:run-commands',
        options: { command: `node tools/pipeline/run-stage.mjs --spec ${encodeSpec(stageSpec(stage))}`, cwd: '{workspaceRoot}' },
        cache: true,
        inputs,
        outputs: [`{workspaceRoot}/artifacts/stages/${stage.key}`],
        dependsOn: [
          { projects: [stage.package], target: 'build' },
          ...Object.values(stage.inputs).map((k) => ({ projects: [`stage-${k}`], target: 'run' })),
        ],
      },
    },
  };
}

function linkTarget(owner, stageName, key) {
  return {
    executor: 'nx:run-commands',
    options: { command: `node tools/pipeline/link-stage.mjs ${owner} ${stageName} ${key}`, cwd: '{workspaceRoot}' },
    cache: false,
    inputs: [],
    dependsOn: [{ projects: [`stage-${key}`], target: 'run' }],
  };
}

function umbrellaTarget(command, dependsOn) {
  return { executor: 'nx:run-commands', options: { command, cwd: '{workspaceRoot}' }, cache: false, inputs: [], dependsOn };
}

function warnOnce(file, e) {
  if (warned.has(file)) return;
  warned.add(file);
  process.stderr.write(`switchyard: skipping ${e.message}\n  (run \`npx nx run pipeline:validate\` for details)\n`);
}

const createNodesV2 = [
  'pipelines/**/*.json',
  async (files, _options, context) => {
    const root = context.workspaceRoot;
    const externals = externalDependencies(root);
    const emitted = new Set();
    const results = [];
    const umbrellaTargets = {};
    const keyed = (projects, stage) => {
      if (emitted.has(stage.key)) return;
      emitted.add(stage.key);
      const proj = keyedStageProject(root, stage, externals);
      projects[proj.root] = proj;
    };
    for (const file of files) {
      if (file === 'pipelines/project.json') continue; // the umbrella project itself
      const projects = {};
      if (file.startsWith('pipelines/sweeps/')) {
        let sw;
        try { sw = loadSweep(join(root, file), root); } catch (e) { warnOnce(file, e); continue; }
        for (const r of sw.runs) for (const s of r.resolved.stages) keyed(projects, s);
        keyed(projects, sw.report);
        projects[`pipelines/.sweeps/${sw.name}`] = { name: `sweep-${sw.name}`, root: `pipelines/.sweeps/${sw.name}`, tags: ['type:sweep'], targets: { report: linkTarget(sw.name, 'report', sw.report.key) } };
        umbrellaTargets[sw.name] = umbrellaTarget(`node tools/pipeline/summarize.mjs --sweep ${sw.name}`, [{ projects: [`sweep-${sw.name}`], target: 'report' }]);
        // One shard of the sweep's runs (tools/pipeline/run-shard.mjs; `--shard=I/N` is passed on).
        umbrellaTargets[`${sw.name}-shard`] = umbrellaTarget(`node tools/pipeline/run-shard.mjs ${sw.name}`, []);
      } else if (!file.includes('/', 'pipelines/'.length)) {
        let p;
        try { p = loadPipeline(join(root, file), root); } catch (e) { warnOnce(file, e); continue; }
        const pipelineTargets = {};
        for (const s of p.stages) {
          keyed(projects, s);
          pipelineTargets[s.name] = linkTarget(p.name, s.name, s.key);
        }
        projects[`pipelines/.pipelines/${p.name}`] = { name: `pipeline-${p.name}`, root: `pipelines/.pipelines/${p.name}`, tags: ['type:pipeline'], targets: pipelineTargets };
        umbrellaTargets[p.name] = umbrellaTarget(`node tools/pipeline/summarize.mjs ${p.name}`, p.stages.map((s) => ({ projects: [`pipeline-${p.name}`], target: s.name })));
      } else {
        continue;
      }
      results.push([file, { projects }]);
    }
    results.push(['pipelines/project.json', { projects: { pipelines: { targets: umbrellaTargets } } }]);
    return results;
  },
];

module.exports = { createNodesV2 };
