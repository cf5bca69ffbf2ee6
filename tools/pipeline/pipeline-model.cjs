// Reads a pipeline file into a DAG of stages with content keys. Plain CommonJS with no build
// step, because the Nx plugin loads it while building the project graph (also on a fresh clone
// before anything is compiled). Stage configs are checked against their stages' own schemas by
// stage-checks.cjs (the plugin, before any stage runs) and again by the runner.
//
// A pipeline file may `extends` another file (a path relative to it): the base is read first
// (its own `extends` too) and the file is merged over it — objects key by key, arrays and other
// values replace, `null` deletes the key. Limits keep every nx command responsive whatever sits
// in pipelines/: see LIMITS.
'use strict';
const { createHash } = require('node:crypto');
const { basename, dirname, join, relative, resolve } = require('node:path');
const { checkSchema } = require('../../packages/runtime/lib/config-check.cjs');
const { parseJsonFile, JsonFileError } = require('../../packages/runtime/lib/json-file.cjs');
const schema = require('./pipeline.schema.json');
const sweepSchema = require('./sweep.schema.json');
const { roleDeclarations, inputMap, checkRoles, didYouMean } = require('./stage-roles.cjs');

/** Documented limits (README "Pipeline files"): beyond them a file is refused, quickly. */
const LIMITS = Object.freeze({
  /** bytes of one pipeline, base or sweep file (checked before reading it) */
  maxFileBytes: 1024 * 1024,
  /** nesting depth of objects/arrays in one file */
  maxDepth: 32,
  /** stages of one pipeline after `extends` */
  maxStages: 200,
  /** length of an `extends` chain */
  maxExtends: 8,
  /** pipelines × seeds of one sweep */
  maxSweepRuns: 500,
});

class PipelineError extends Error {
  constructor(file, problems) {
    super(`${file}: invalid pipeline\n  ${problems.join('\n  ')}`);
    this.file = file;
    this.problems = problems;
  }
}

const structureProblems = (sch, data) => checkSchema(sch, data);

/** JSON with sorted object keys, so equal configs hash equally whatever their key order. */
function canonicalJson(value, depth = 0) {
  // Parsed files are at most LIMITS.maxDepth deep; the guard keeps other callers off the stack limit.
  if (depth > 256) throw new Error('canonicalJson: value nested more than 256 levels deep');
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k], depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A cycle among `remaining` (stage → set of unresolved needs), as [a, b, …, a]. */
function findCycle(remaining) {
  let cur = [...remaining.keys()].sort()[0];
  const seenAt = new Map();
  const path = [];
  while (!seenAt.has(cur)) {
    seenAt.set(cur, path.length);
    path.push(cur);
    cur = [...remaining.get(cur)].sort()[0];
  }
  return [...path.slice(seenAt.get(cur)), cur];
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
  const count = isPlainObject(data) && isPlainObject(data.stages) ? Object.keys(data.stages).length : 0;
  if (count > LIMITS.maxStages) throw new PipelineError(file, [`/stages: ${count} stages; the limit is ${LIMITS.maxStages} per pipeline`]);
  const structural = structureProblems(schema, data);
  if (structural.length) throw new PipelineError(file, structural);
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
  // Topological order (Kahn), reporting one cycle by its members in order.
  const order = [];
  const remaining = new Map(Object.keys(stages).map((s) => [s, new Set(Object.values(maps[s]))]));
  while (remaining.size) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([s]) => s).sort();
    if (!ready.length) throw new PipelineError(file, [`/stages: the inputs form a cycle: ${findCycle(remaining).join(' → ')}`]);
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

/** Strictly parsed JSON (line and column in errors, duplicate keys refused, limits applied). */
function readJson(file, workspaceRoot) {
  const shown = relative(workspaceRoot, file) || file;
  try {
    return { shown, data: parseJsonFile(file, { shown, maxBytes: LIMITS.maxFileBytes, maxDepth: LIMITS.maxDepth }) };
  } catch (e) {
    if (!(e instanceof JsonFileError)) throw e;
    const at = e.line !== undefined ? `line ${e.line}, column ${e.column}: ` : '';
    throw new PipelineError(shown, [`${at}${e.reason}`]);
  }
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `over` merged onto `base`: objects key by key, arrays and other values replace, null deletes. */
function mergeOver(base, over) {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? mergeOver(out[k], v) : v;
  }
  return out;
}

/**
 * A pipeline file's data with its `extends` chain resolved. `files` lists the files read, the
 * file itself first. Problems in a base file name that file.
 */
function readPipelineData(file, workspaceRoot, chain = []) {
  const { shown, data } = readJson(file, workspaceRoot);
  if (!isPlainObject(data)) throw new PipelineError(shown, ['/: a pipeline file holds one JSON object']);
  if (data.extends === undefined) return { shown, data, files: [shown] };
  if (typeof data.extends !== 'string' || !data.extends.endsWith('.json')) {
    throw new PipelineError(shown, [`/extends: ${JSON.stringify(data.extends)} must be the path of a .json file, relative to this file`]);
  }
  const baseFile = resolve(dirname(file), data.extends);
  const baseShown = relative(workspaceRoot, baseFile) || baseFile;
  if ([shown, ...chain].includes(baseShown)) throw new PipelineError(shown, [`/extends: ${[...chain].reverse().concat(shown, baseShown).join(' → ')} extends itself`]);
  if (chain.length + 1 >= LIMITS.maxExtends) throw new PipelineError(shown, [`/extends: more than ${LIMITS.maxExtends} files in the extends chain`]);
  let base;
  try { base = readPipelineData(baseFile, workspaceRoot, [shown, ...chain]); } catch (e) {
    if (!(e instanceof PipelineError)) throw e;
    throw new PipelineError(shown, e.problems.map((p) => `/extends: ${e.file}: ${p}`));
  }
  const { extends: _e, ...own } = data;
  return { shown, data: mergeOver(base.data, own), files: [shown, ...base.files] };
}

function loadPipeline(file, workspaceRoot = process.cwd()) {
  const { shown, data, files } = readPipelineData(file, workspaceRoot);
  return { ...resolvePipeline(shown, data, basename(file, '.json'), roleDeclarations(workspaceRoot)), files };
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
  const structural = isPlainObject(data) ? structureProblems(sweepSchema, data) : ['/: a sweep file holds one JSON object'];
  if (structural.length) throw new PipelineError(shown, structural);
  if (data.pipelines.length * data.seeds.length > LIMITS.maxSweepRuns) {
    throw new PipelineError(shown, [`/: ${data.pipelines.length} pipelines × ${data.seeds.length} seeds = ${data.pipelines.length * data.seeds.length} runs; the limit is ${LIMITS.maxSweepRuns}`]);
  }
  const roles = roleDeclarations(workspaceRoot);
  const runs = [];
  const problems = [];
  data.pipelines.forEach((pname, i) => {
    const pfile = join(workspaceRoot, 'pipelines', `${pname}.json`);
    let base;
    try { base = readPipelineData(pfile, workspaceRoot).data; } catch (e) { problems.push(`/pipelines/${i}: ${JSON.stringify(pname)}: ${e.problems ? e.problems.join('; ') : e.message}`); return; }
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

module.exports = { LIMITS, PipelineError, loadPipeline, readPipelineData, mergeOver, loadSweep, resolvePipeline, stageKey, canonicalJson, stageSpec, encodeSpec, decodeSpec };
