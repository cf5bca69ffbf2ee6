// Checks a resolved pipeline's stages before any of them runs: each config against its stage's
// own schema (router options included), constraints that depend on the model (a router's topK
// cannot exceed the base model's number of experts), and paths that must exist. Used by the Nx
// plugin while it builds the project graph (an invalid pipeline gets a target that only reports
// its problems) and by `nx run pipeline:validate`.
//
// Plain CommonJS without a build step: the schemas come from the committed
// packages/<package>/schemas/stage-configs.json (written by write-stage-schemas.mjs from the
// packages' own definitions; a test keeps them current), so this works on a fresh clone.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { isAbsolute, join, resolve } = require('node:path');
const { checkSchema, didYouMean } = require('../../packages/runtime/lib/config-check.cjs');
const { parseJsonFile } = require('../../packages/runtime/lib/json-file.cjs');

const packageDir = (pkg) => pkg.replace('@switchyard/', '');

/** Generated facts, read once per workspace root and process. */
const cache = new Map();
function facts(root) {
  if (!cache.has(root)) {
    const stages = new Map();
    const read = (rel) => { const f = join(root, rel); return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined; };
    cache.set(root, {
      stageSchemas(pkg) {
        if (!stages.has(pkg)) stages.set(pkg, read(`packages/${packageDir(pkg)}/schemas/stage-configs.json`));
        return stages.get(pkg);
      },
      model: read('packages/model-core/schemas/model-facts.json') || { presets: {} },
    });
  }
  return cache.get(root);
}

const show = (v) => JSON.stringify(v);
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
    const resolved = structuredClone(s.config);
    const own = checkSchema(schema, resolved, { basePath: `${where}/config` });
    problems.push(...own);
    if (own.length) continue;
    problems.push(...missingPaths(root, { ...s, config: resolved }, where));
    const topK = resolved.router && resolved.router.topK;
    if (s.package === '@switchyard/train' && Number.isInteger(topK)) {
      const e = upstreamExperts(root, s, byName);
      if (e && topK > e.experts) problems.push(`${where}/config/router/topK: ${topK} is more than the ${e.experts} experts of the model (${e.from}); allowed values: 1 … ${e.experts}`);
    }
  }
  return problems;
}

module.exports = { checkStages };
