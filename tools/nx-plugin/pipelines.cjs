// Local Nx plugin: turns every pipelines/<name>.json into cached per-stage targets (docs/design.md §2).
//
// For each pipeline file it creates
//   - one content-keyed project per distinct stage, `stage-<stage>-<hash>`, with one cached target
//     `run` whose options carry the stage's full spec (package, stage, config, seed, upstream
//     keys; in the environment, so the printed command shows only the key). The key hashes the
//     same things, so an edited config gets a new project and re-runs, its descendants get new
//     keys too, and identical stages of different pipelines are one task;
//   - a project `pipeline-<name>` with one target per stage (links artifacts/<name>/<stage> to the
//     keyed output) — one project per pipeline, because Nx folds every target's options of a
//     project into each task's hash;
//   - a target `<name>` on the umbrella project `pipeline` that runs the whole DAG and prints a
//     summary.
// Every pipeline is checked here, before any stage can run (stage configs against their stages'
// schemas, model-dependent constraints, paths: ../pipeline/stage-checks.cjs). A file that fails
// gets no stage tasks: its `pipeline:<name>` target only prints every problem (file, JSON path,
// value, allowed values, a did-you-mean) and fails within seconds; every other nx command warns
// once and keeps working. Files over the documented limits (../pipeline/pipeline-model.cjs,
// LIMITS) are refused before they are parsed, so nothing in pipelines/ can stall the graph.
'use strict';
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { loadPipeline, loadSweep, stageSpec, encodeSpec, PipelineError } = require('../pipeline/pipeline-model.cjs');
const { checkStages } = require('../pipeline/stage-checks.cjs');

const warned = new Set();

/** The workspace packages under packages/, by name: { dir, manifest }. */
function workspacePackages(root) {
  const out = new Map();
  for (const d of readdirSync(join(root, 'packages'))) {
    const pj = join(root, 'packages', d, 'package.json');
    if (!existsSync(pj)) continue;
    const manifest = JSON.parse(readFileSync(pj, 'utf8'));
    out.set(manifest.name, { dir: `packages/${d}`, manifest });
  }
  return out;
}

/** What a package declares it needs at run time (optional dependencies included). */
function runtimeDependencies(manifest) {
  return Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
}

/** Workspace packages a package depends on, transitively (from their package.json files). */
function packageClosure(workspace, pkg, seen = new Set()) {
  if (seen.has(pkg) || !workspace.has(pkg)) return seen;
  seen.add(pkg);
  for (const d of runtimeDependencies(workspace.get(pkg).manifest)) if (workspace.has(d)) packageClosure(workspace, d, seen);
  return seen;
}

/**
 * The npm packages a stage's package closure declares (installed ones: an optional dependency
 * that did not install, e.g. tfjs-node offline, is no input). A stage re-runs when one of these
 * changes version, and only then: a plotting library bump does not touch a cached train.
 */
function closureExternals(root, workspace, packages) {
  const names = new Set();
  for (const p of packages) {
    for (const d of runtimeDependencies(workspace.get(p).manifest)) {
      if (!workspace.has(d) && existsSync(join(root, 'node_modules', d, 'package.json'))) names.add(d);
    }
  }
  return [...names].sort();
}

function keyedStageProject(root, stage, workspace) {
  const packages = [...packageClosure(workspace, stage.package)].sort();
  const inputs = [
    '{workspaceRoot}/tools/pipeline/**/*',
    ...packages.flatMap((p) => {
      const d = `{workspaceRoot}/${workspace.get(p).dir}`;
      return [`${d}/src/**/*`, `${d}/lib/**/*`, `${d}/package.json`, `${d}/schemas/**/*`, `${d}/assets/**/*`];
    }),
    { dependentTasksOutputFiles: '**/*.{arrow,safetensors}', transitive: true },
    { externalDependencies: closureExternals(root, workspace, packages) },
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
        // The spec travels in the environment: Nx prints the command, and a user should read a
        // stage key there, not a base64 blob. Options (env included) are part of the task hash.
        options: { command: `node tools/pipeline/run-stage.mjs --key ${stage.key}`, env: { SWITCHYARD_STAGE_SPEC: encodeSpec(stageSpec(stage)) }, cwd: '{workspaceRoot}' },
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

function warnOnce(file, problems) {
  if (warned.has(file)) return;
  warned.add(file);
  const n = problems.length;
  process.stderr.write(`switchyard: ${file} is invalid (${n} problem${n === 1 ? '' : 's'}); its stages will not run — \`npx nx run pipeline:validate\` lists ${n === 1 ? 'it' : 'them'}\n`);
}

/** The problems of a pipeline or sweep that loads but whose stages fail their checks. */
function stageProblems(root, stagesWithPaths) {
  return stagesWithPaths.flatMap(([stages, prefix, at]) => checkStages(root, stages, at).map((p) => `${prefix}${p}`));
}

/** Load and check; returns { value } or { problems }. Non-pipeline errors propagate. */
function loadChecked(load, check) {
  let value;
  try { value = load(); } catch (e) {
    if (!(e instanceof PipelineError)) throw e;
    return { problems: e.problems };
  }
  const problems = check(value);
  return problems.length ? { problems } : { value };
}

/** The target of an invalid pipeline or sweep: report its problems and fail, running nothing. */
function invalidTarget(file) {
  return umbrellaTarget(`node tools/pipeline/validate.mjs ${JSON.stringify(file)}`, []);
}

const createNodesV2 = [
  'pipelines/**/*.json',
  async (files, _options, context) => {
    const root = context.workspaceRoot;
    const workspace = workspacePackages(root);
    const emitted = new Set();
    const results = [];
    const umbrellaTargets = {};
    const keyed = (projects, stage) => {
      if (emitted.has(stage.key)) return;
      emitted.add(stage.key);
      const proj = keyedStageProject(root, stage, workspace);
      projects[proj.root] = proj;
    };
    for (const file of files) {
      if (file === 'pipelines/project.json') continue; // the umbrella project itself
      const projects = {};
      if (file.startsWith('pipelines/sweeps/')) {
        const name = file.slice('pipelines/sweeps/'.length, -'.json'.length);
        const r = loadChecked(() => loadSweep(join(root, file), root), (sw) => {
          const seen = new Set();
          const runs = sw.runs.filter((x) => !seen.has(x.pipeline) && seen.add(x.pipeline));
          return stageProblems(root, [[[sw.report], '', () => '/report'], ...runs.map((x) => [x.resolved.stages, `/pipelines (${x.pipeline}): `])]);
        });
        if (r.problems) { warnOnce(file, r.problems); umbrellaTargets[name] = invalidTarget(file); continue; }
        const sw = r.value;
        for (const r of sw.runs) for (const s of r.resolved.stages) keyed(projects, s);
        keyed(projects, sw.report);
        projects[`pipelines/.sweeps/${sw.name}`] = { name: `sweep-${sw.name}`, root: `pipelines/.sweeps/${sw.name}`, tags: ['type:sweep'], targets: { report: linkTarget(sw.name, 'report', sw.report.key) } };
        umbrellaTargets[sw.name] = umbrellaTarget(`node tools/pipeline/summarize.mjs --sweep ${sw.name}`, [{ projects: [`sweep-${sw.name}`], target: 'report' }]);
        // One shard of the sweep's runs (tools/pipeline/run-shard.mjs; `--shard=I/N` is passed on).
        umbrellaTargets[`${sw.name}-shard`] = umbrellaTarget(`node tools/pipeline/run-shard.mjs ${sw.name}`, []);
      } else if (!file.includes('/', 'pipelines/'.length)) {
        const name = file.slice('pipelines/'.length, -'.json'.length);
        const r = loadChecked(() => loadPipeline(join(root, file), root), (p) => stageProblems(root, [[p.stages, '']]));
        if (r.problems) { warnOnce(file, r.problems); umbrellaTargets[name] = invalidTarget(file); continue; }
        const p = r.value;
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
