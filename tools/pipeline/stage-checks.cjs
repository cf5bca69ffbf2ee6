// Checks a resolved pipeline's stages before any of them runs: each config against its stage's
// own schema (router options included), constraints that depend on the model (a router's topK
// cannot exceed the base model's number of experts), and paths that must exist. Used by the Nx
// plugin while it builds the project graph (an invalid pipeline gets a target that only reports
// its problems) and by `nx run pipeline:validate`.
//
// Plain CommonJS without a build step: the schemas come from the committed
// packages/<package>/schemas/stage-configs.json (written by write-stage-schemas.mjs from the
// packages' own definitions; a test keeps them current), so this works on a fresh clone.
//
// Compiling the train schema (every router's options) costs about a second, and Nx runs the
// plugin for every command; schema results are therefore cached in
// node_modules/.cache/switchyard/stage-checks.json, keyed by the schema file's hash and the
// config, so an unchanged pipeline costs a hash per stage.
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } = require('node:fs');
const { dirname, isAbsolute, join, resolve } = require('node:path');
const { checkSchema, didYouMean } = require('../../packages/runtime/lib/config-check.cjs');
const { parseJsonFile } = require('../../packages/runtime/lib/json-file.cjs');

const packageDir = (pkg) => pkg.replace('@switchyard/', '');

/** A generated JSON file, re-read when its size or modification time changes (the Nx daemon keeps this module loaded). */
const files = new Map();
function generatedFile(root, rel) {
  const f = join(root, rel);
  let st;
  try { st = statSync(f); } catch { return undefined; }
  const stamp = `${st.size}:${st.mtimeMs}`;
  const known = files.get(f);
  if (known && known.stamp === stamp) return known.value;
  const text = readFileSync(f, 'utf8');
  const value = { ...JSON.parse(text), sha: createHash('sha256').update(text).digest('hex') };
  files.set(f, { stamp, value });
  return value;
}

const facts = (root) => ({
  /** { stages: { name: schema }, sha } of a package's committed schema file. */
  stageSchemas: (pkg) => generatedFile(root, `packages/${packageDir(pkg)}/schemas/stage-configs.json`),
  get model() { return generatedFile(root, 'packages/model-core/schemas/model-facts.json') || { presets: {} }; },
});

const show = (v) => JSON.stringify(v);

const RESULTS_FILE = ['node_modules', '.cache', 'switchyard', 'stage-checks.json'];
// Results also depend on the validator and its wording: a change to it invalidates them.
const VALIDATOR_SHA = createHash('sha256').update(readFileSync(require.resolve('../../packages/runtime/lib/config-check.cjs'))).digest('hex');
const MAX_RESULTS = 5000;

/** Schema check results on disk: key → { problems, resolved }; one store per root and process. */
const stores = new Map();
function resultStore(root) {
  if (!stores.has(root)) stores.set(root, openStore(root));
  return stores.get(root);
}

function openStore(root) {
  const file = join(root, ...RESULTS_FILE);
  let entries = {};
  try { entries = JSON.parse(readFileSync(file, 'utf8')).entries || {}; } catch { entries = {}; }
  let dirty = false;
  return {
    get: (key) => entries[key],
    set(key, value) { entries[key] = value; dirty = true; },
    save() {
      if (!dirty) return;
      dirty = false;
      const keys = Object.keys(entries);
      const kept = Object.fromEntries(keys.slice(Math.max(0, keys.length - MAX_RESULTS)).map((k) => [k, entries[k]]));
      try {
        mkdirSync(dirname(file), { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify({ version: 1, entries: kept }));
        renameSync(tmp, file);
      } catch { /* a read-only node_modules only costs speed */ }
    },
  };
}

/** The config with its stage's defaults filled in, and the schema problems (cached). */
function schemaCheck(store, generated, stage, where) {
  const schema = generated.stages[stage.stage];
  const key = createHash('sha256').update(JSON.stringify([VALIDATOR_SHA, generated.sha, stage.stage, where, stage.config])).digest('hex');
  const hit = store.get(key);
  if (hit) return hit;
  const resolved = structuredClone(stage.config);
  const result = { problems: checkSchema(schema, resolved, { basePath: `${where}/config` }), resolved };
  store.set(key, result);
  return result;
}
const absolute = (root, p) => (isAbsolute(p) ? p : resolve(root, p));

/** Problems for paths in a stage config that do not exist (relative paths: the workspace root). */
function missingPaths(root, stage, at) {
  const c = stage.config;
  const paths = [];
  if (stage.package === '@switchyard/data-prep') {
    if (c.source && typeof c.source === 'object') paths.push(['/source/path', c.source.path]);
    for (const [split, spec] of Object.entries(c.splits || {})) {
      if (spec && typeof spec === 'object' && spec.from && typeof spec.from === 'object') paths.push([`/splits/${split}/from/path`, spec.from.path]);
    }
    if (c.tokenizer && c.tokenizer.type === 'pretrained') paths.push(['/tokenizer/path', c.tokenizer.path]);
  }
  if (stage.package === '@switchyard/train' && stage.stage === 'base-model' && c.source === 'import') paths.push(['/importDir', c.importDir]);
  return paths
    .filter(([, p]) => typeof p === 'string' && !existsSync(absolute(root, p)))
    .map(([ptr, p]) => `${at}/config${ptr}: ${show(p)} does not exist${isAbsolute(p) ? '' : ` (relative to the workspace root ${root})`}`);
}

/**
 * Number of experts of the model a train stage fine-tunes, from its upstream base-model stage:
 * the preset's (or an imported checkpoint's config.json), with configOverrides applied.
 * Returns { experts, from } or undefined when it cannot be known before running.
 */
function upstreamExperts(root, stage, byName) {
  const base = stage.needs.map((n) => byName.get(n)).find((s) => s && s.package === '@switchyard/train' && s.stage === 'base-model');
  if (!base) return undefined;
  const c = base.config;
  const override = c.configOverrides && c.configOverrides.num_experts;
  if (Number.isInteger(override)) return { experts: override, from: `configOverrides.num_experts of stage ${base.name}` };
  if (c.source === 'import') {
    const cfg = typeof c.importDir === 'string' ? join(absolute(root, c.importDir), 'config.json') : undefined;
    if (!cfg || !existsSync(cfg)) return undefined;
    try {
      const n = parseJsonFile(cfg).num_experts;
      return Number.isInteger(n) ? { experts: n, from: `${cfg} (stage ${base.name})` } : undefined;
    } catch { return undefined; }
  }
  const preset = c.preset || 'tiny';
  const p = facts(root).model.presets[preset];
  return p && Number.isInteger(p.num_experts) ? { experts: p.num_experts, from: `preset ${show(preset)} of stage ${base.name}` } : undefined;
}

/**
 * Every problem of the stages of a resolved pipeline (from pipeline-model's loadPipeline), as
 * `<JSON path>: …` strings. `at(stage)` gives a stage's path in the file (default /stages/<name>).
 */
function checkStages(root, stages, at = (s) => `/stages/${s.name}`) {
  const problems = [];
  const byName = new Map(stages.map((s) => [s.name, s]));
  const store = resultStore(root);
  for (const s of stages) {
    const where = at(s);
    const generated = facts(root).stageSchemas(s.package);
    if (!generated) {
      problems.push(`${where}/package: ${show(s.package)} has no packages/${packageDir(s.package)}/schemas/stage-configs.json (run \`npm run build && node tools/pipeline/write-stage-schemas.mjs\`)`);
      continue;
    }
    const names = Object.keys(generated.stages);
    const schema = generated.stages[s.stage];
    if (!schema) {
      const near = didYouMean(s.stage, names);
      problems.push(`${where}/stage: ${show(s.stage)} is not a stage of ${s.package}; allowed values: ${names.map(show).join(', ')}${near ? `; did you mean ${show(near)}?` : ''}`);
      continue;
    }
    const { problems: own, resolved } = schemaCheck(store, generated, s, where);
    problems.push(...own);
    if (own.length) continue;
    problems.push(...missingPaths(root, { ...s, config: resolved }, where));
    const topK = resolved.router && resolved.router.topK;
    if (s.package === '@switchyard/train' && Number.isInteger(topK)) {
      const e = upstreamExperts(root, s, byName);
      if (e && topK > e.experts) problems.push(`${where}/config/router/topK: ${topK} is more than the ${e.experts} experts of the model (${e.from}); allowed values: 1 … ${e.experts}`);
    }
  }
  store.save();
  return problems;
}

module.exports = { checkStages };
