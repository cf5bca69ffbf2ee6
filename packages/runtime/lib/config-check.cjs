// The one JSON Schema (2020-12) validator and the one error format of the workspace. Every config
// check — pipeline files in the Nx plugin, stage configs in the runner, router options in the
// router registry, data-prep's config — goes through `checkSchema` here, so a problem always reads
//   <JSON path>: <value> is not allowed; allowed values: <…>; did you mean <closest>?
// (the caller prefixes the file). ajv's raw errors are formatted here rather than with
// better-ajv-errors, which drops some errors when several hit one location.
//
// Plain CommonJS without a build step for the same reason as json-file.cjs: the Nx plugin uses it
// while building the project graph on a fresh clone. Types: config-check.d.cts.
'use strict';
const { Ajv2020 } = require('ajv/dist/2020');

/** The single ajv instance: strict schemas, every error, defaults filled into the checked data. */
const ajv = new Ajv2020({ strict: true, allErrors: true, useDefaults: true, allowUnionTypes: true, verbose: true });
const compiled = new WeakMap();

function compile(schema) {
  let validate = compiled.get(schema);
  if (!validate) {
    // `$id`s are dropped: one ajv instance would refuse a second schema object with the same id
    // (a router schema built twice), and no schema here resolves `$ref`s across ids.
    const { $id: _id, ...rest } = schema;
    validate = ajv.compile(rest);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Optimal-string-alignment edit distance (insert, delete, substitute, swap neighbours). */
function editDistance(a, b) {
  const m = a.length, n = b.length;
  let prev2 = null;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n];
}

/**
 * The candidate closest to `value` by edit distance (case-insensitive), if it is close enough to
 * be a typo: at most a third of the longer word's length (and at least 1, at most 4 edits).
 */
function didYouMean(value, candidates) {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  let best, bestD = Infinity;
  for (const c of candidates) {
    if (typeof c !== 'string' || c === value) continue;
    const d = editDistance(value.toLowerCase(), c.toLowerCase());
    if (d < bestD) { best = c; bestD = d; }
  }
  if (best === undefined) return undefined;
  const limit = Math.min(4, Math.max(1, Math.floor(Math.max(value.length, best.length) / 3)));
  return bestD <= limit ? best : undefined;
}

function valueAt(root, pointer) {
  if (pointer === '') return root;
  let cur = root;
  for (const raw of pointer.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[k];
  }
  return cur;
}

function show(v) {
  const s = JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const suggestion = (value, candidates) => {
  const m = didYouMean(value, candidates);
  return m === undefined ? '' : `; did you mean ${show(m)}?`;
};

/** One ajv error as `path: value …; allowed …; did you mean …?` (path prefixed by `basePath`). */
function formatAjvError(e, data, basePath = '') {
  const path = `${basePath}${e.instancePath}` || '/';
  const value = valueAt(data, e.instancePath);
  switch (e.keyword) {
    case 'enum': {
      const allowed = e.params.allowedValues;
      return `${path}: ${show(value)} is not allowed; allowed values: ${allowed.map(show).join(', ')}${suggestion(value, allowed)}`;
    }
    case 'const':
      return `${path}: ${show(value)} is not allowed; expected ${show(e.params.allowedValue)}`;
    case 'additionalProperties': {
      const keys = Object.keys((e.parentSchema && e.parentSchema.properties) || {});
      return `${path}: unknown key ${show(e.params.additionalProperty)}; allowed keys: ${keys.join(', ') || '(none)'}${suggestion(e.params.additionalProperty, keys)}`;
    }
    case 'required':
      return `${path}: missing required key ${show(e.params.missingProperty)}`;
    case 'type':
      return `${path}: ${show(value)} has the wrong type; expected ${e.params.type}`;
    default:
      return `${path}: ${show(value)} ${e.message || 'is invalid'}`;
  }
}

/** ajv adds one error per failing branch of oneOf/anyOf; keep the specific ones, each once. */
function usefulErrors(errors) {
  const specific = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  return specific.length > 0 ? specific : errors;
}

/**
 * Validate `data` against `schema`. With `applyDefaults` (the default) `data` is mutated: schema
 * defaults are filled in; otherwise a copy is checked. Returns formatted problems, empty if valid.
 * @param {object} schema
 * @param {unknown} data
 * @param {{ basePath?: string, applyDefaults?: boolean }} [opts]
 */
function checkSchema(schema, data, opts = {}) {
  const target = opts.applyDefaults === false ? structuredClone(data) : data;
  const validate = compile(schema);
  if (validate(target)) return [];
  return [...new Set(usefulErrors(validate.errors || []).map((e) => formatAjvError(e, target, opts.basePath || '')))];
}

module.exports = { ajv, checkSchema, formatAjvError, didYouMean, editDistance };
