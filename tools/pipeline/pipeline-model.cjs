// Reads a pipeline file into a DAG of stages with content keys. Plain CommonJS with no build
// step, because the Nx plugin loads it while building the project graph (also on a fresh clone
// before anything is compiled). Stage configs are checked against their stages' own schemas
// later, by `validate.mjs` and by the runner, which import the compiled packages.
'use strict';
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { basename, join, relative } = require('node:path');
const { Ajv2020 } = require('ajv/dist/2020');
const schema = require('./pipeline.schema.json');
const sweepSchema = require('./sweep.schema.json');
const { roleDeclarations, inputMap, checkRoles, didYouMean } = require('./stage-roles.cjs');

class PipelineError extends Error {
  constructor(file, problems) {
    super(`${file}: invalid pipeline\n  ${problems.join('\n  ')}`);
    this.file = file;
    this.problems = problems;
  }
}

const ajv = new Ajv2020({ strict: true, allErrors: true, useDefaults: true, verbose: true });
const validateStructure = ajv.compile(schema);
const validateSweep = ajv.compile(sweepSchema);

function valueAt(root, pointer) {
  let cur = root;
  for (const raw of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

/** Same wording as runtime's formatAjvError: path, value, what is allowed. */
function formatError(e, data) {
  const path = e.instancePath || '/';
  const value = JSON.stringify(valueAt(data, e.instancePath));
  switch (e.keyword) {
    case 'enum': return `${path}: ${value} is not allowed; allowed values: ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'additionalProperties': return `${path}: unknown key ${JSON.stringify(e.params.additionalProperty)}; allowed keys: ${Object.keys((e.parentSchema && e.parentSchema.properties) || {}).join(', ')}`;
    case 'required': return `${path}: missing required key ${JSON.stringify(e.params.missingProperty)}`;
    case 'type': return `${path}: ${value} has the wrong type; expected ${e.params.type}`;
    default: return `${path}: ${value} ${e.message}`;
  }
}

/** JSON with sorted object keys, so equal configs hash equally whatever their key order. */
function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Content key of a stage: package, stage, config, seed and upstream keys (by the names it reads them). */
function stageKey(parts) {
  return `${parts.stage}-${createHash('sha256').update(canonicalJson(parts)).digest('hex').slice(0, 12)}`;
}

/**
 * Parse pipeline data (already JSON-parsed). Returns stages in topological order, each with its
 * resolved seed, content key and upstream keys by input role. `roles(pkg, stage)` gives a stage's
 * declared input roles (tools/pipeline/stage-roles.cjs); without it roles are not checked.
 * Throws PipelineError listing every problem.
 */
function resolvePipeline(file, data, name = basename(file, '.json'), roles = () => undefined) {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new PipelineError(file, [`/: file name "${name}" must be lower-case letters, digits and dashes`]);
  if (!validateStructure(data)) throw new PipelineError(file, validateStructure.errors.map((e) => formatError(e, data)));
  const problems = [];
  const stages = data.stages;
  const maps = {};
  for (const [s, def] of Object.entries(stages)) {
    const map = (maps[s] = inputMap(s, def, problems));
    for (const [role, n] of Object.entries(map)) {
      if (!(n in stages)) problems.push(`/stages/${s}/${(def.inputs || {})[role] === n ? `inputs/${role}` : 'needs'}: ${JSON.stringify(n)} is not a stage of this pipeline${didYouMean(n, Object.keys(stages))}; stages: ${Object.keys(stages).join(', ')}`);
    }
    problems.push(...checkRoles(s, def, map, roles(def.package, def.stage)));
  }
  if (problems.length) throw new PipelineError(file, problems);
  // Topological order (Kahn), reporting a cycle by its members.
  const order = [];
  const remaining = new Map(Object.keys(stages).map((s) => [s, new Set(Object.values(maps[s]))]));
  while (remaining.size) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([s]) => s).sort();
    if (!ready.length) throw new PipelineError(file, [`/stages: the inputs form a cycle among ${[...remaining.keys()].join(', ')}`]);
    for (const s of ready) { order.push(s); remaining.delete(s); for (const deps of remaining.values()) deps.delete(s); }
  }
  const resolved = {};
  for (const s of order) {
    const def = stages[s];
    const inputs = {};
    for (const [role, n] of Object.entries(maps[s])) inputs[role] = resolved[n].key;
    const seed = def.seed ?? data.seed;
    const key = stageKey({ package: def.package, stage: def.stage, config: def.config, seed, inputs });
    resolved[s] = { name: s, package: def.package, stage: def.stage, needs: [...new Set(Object.values(maps[s]))], roles: maps[s], config: def.config, seed, inputs, key };
  }
  return { name, file, description: data.description ?? '', seed: data.seed, stages: order.map((s) => resolved[s]) };
}

function readJson(file, workspaceRoot) {
  const shown = relative(workspaceRoot, file) || file;
  let text;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new PipelineError(shown, [`/: cannot read file (${e.message})`]); }
  try { return { shown, data: JSON.parse(text) }; } catch (e) { throw new PipelineError(shown, [`/: not valid JSON (${e.message})`]); }
}

function loadPipeline(file, workspaceRoot = process.cwd()) {
  const { shown, data } = readJson(file, workspaceRoot);
  return resolvePipeline(shown, data, undefined, roleDeclarations(workspaceRoot));
}

/**
 * A sweep: every listed pipeline once per seed (the seed set on `seededStages` only, so data-prep
 * and base-model stay shared), plus one report stage that reads every run. Each pipeline's own
 * report stage says which of its stages plays which role; the sweep's report reads them as
 * `<pipeline>/seed-<seed>/<role>`.
 */
function loadSweep(file, workspaceRoot = process.cwd()) {
  const { shown, data } = readJson(file, workspaceRoot);
  const name = basename(file, '.json');
  if (!validateSweep(data)) throw new PipelineError(shown, validateSweep.errors.map((e) => formatError(e, data)));
  const roles = roleDeclarations(workspaceRoot);
  const runs = [];
  const problems = [];
  data.pipelines.forEach((pname, i) => {
    const pfile = join(workspaceRoot, 'pipelines', `${pname}.json`);
    let base;
    try { base = readJson(pfile, workspaceRoot).data; } catch (e) { problems.push(`/pipelines/${i}: ${JSON.stringify(pname)}: ${e.problems ? e.problems.join('; ') : e.message}`); return; }
    // Each pipeline's own report stage is replaced by the sweep's report; its inputs give the roles.
    let reportRoles;
    for (const [sname, st] of Object.entries(base.stages || {})) {
      if (st && st.package === '@switchyard/report') {
        reportRoles = inputMap(sname, st, problems);
        delete base.stages[sname];
      }
    }
    if (!reportRoles) { problems.push(`/pipelines/${i}: ${JSON.stringify(pname)} has no report stage, so nothing says which of its stages the sweep's report reads as which role`); return; }
    for (const seed of data.seeds) {
      const copy = JSON.parse(JSON.stringify(base));
      for (const st of data.seededStages) if (copy.stages && copy.stages[st] && copy.stages[st].seed === undefined) copy.stages[st].seed = seed;
      try {
        runs.push({ pipeline: pname, seed, reportRoles, resolved: resolvePipeline(relative(workspaceRoot, pfile), copy, pname, roles) });
      } catch (e) { problems.push(`/pipelines/${i}: ${e.message}`); }
    }
  });
  if (problems.length) throw new PipelineError(shown, problems);
  const inputs = {};
  for (const r of runs) {
    const byName = Object.fromEntries(r.resolved.stages.map((s) => [s.name, s]));
    for (const [role, sname] of Object.entries(r.reportRoles)) {
      if (!byName[sname]) throw new PipelineError(shown, [`/pipelines: ${r.pipeline}: its report maps role ${JSON.stringify(role)} to ${JSON.stringify(sname)}, which is not one of its stages`]);
      inputs[`${r.pipeline}/seed-${r.seed}/${role}`] = byName[sname].key;
    }
  }
  const reportParts = { package: data.report.package, stage: data.report.stage, config: data.report.config, seed: 0, inputs };
  const report = { name: 'report', needs: Object.keys(inputs), ...reportParts, key: stageKey(reportParts) };
  return { name, file: shown, description: data.description ?? '', seeds: data.seeds, runs, report };
}

/**
 * The spec a stage runner receives: exactly what determines the stage's output (the pipeline's
 * name is left out, so pipelines that share a stage share one command and one cache entry).
 */
function stageSpec(stage) {
  return { key: stage.key, package: stage.package, stage: stage.stage, config: stage.config, seed: stage.seed, inputs: stage.inputs };
}

function encodeSpec(spec) { return Buffer.from(canonicalJson(spec)).toString('base64url'); }
function decodeSpec(s) { return JSON.parse(Buffer.from(s, 'base64url').toString('utf8')); }

module.exports = { PipelineError, loadPipeline, loadSweep, resolvePipeline, stageKey, canonicalJson, stageSpec, encodeSpec, decodeSpec };
