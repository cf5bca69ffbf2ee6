// Input roles of stages: what a stage reads from upstream, by role (data, base, checkpoint, …)
// rather than by the pipeline's stage names. A stage declares its roles in its package's
// package.json, readable before anything is compiled (the Nx plugin loads pipelines while it
// builds the project graph):
//
//   "switchyard": { "stages": { "train": { "inputs": {
//     "data": { "description": "prepared data (a data-prep output)" },
//     "base": { "description": "the model to fine-tune" } } } } }
//
// A role is required unless it says `"optional": true`; `"otherInputs": true` on the stage lets
// it take inputs under any further names (flops-profiler costs every routing.arrow it gets).
// A pipeline maps roles to its stage names (`"inputs": { "data": "data-prep" }`); the legacy
// `"needs": ["x"]` is the input `x` read under the role `x`.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Edit distance, for did-you-mean hints. */
function distance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** ` (did you mean "x"?)` when one candidate is close to `name`, else ''. */
function didYouMean(name, candidates) {
  let best;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = distance(name, c);
    if (dd < bestD) { best = c; bestD = dd; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean ${JSON.stringify(best)}?)` : '';
}

/**
 * `(pkg, stage) → declaration | undefined` reading packages/<name>/package.json under
 * `workspaceRoot` (cached). Undefined: the stage declares no roles, and is not checked.
 */
function roleDeclarations(workspaceRoot) {
  const cache = new Map();
  return (pkg, stage) => {
    if (!cache.has(pkg)) {
      const file = join(workspaceRoot, 'packages', pkg.replace('@switchyard/', ''), 'package.json');
      cache.set(pkg, existsSync(file) ? ((JSON.parse(readFileSync(file, 'utf8')).switchyard || {}).stages || {}) : {});
    }
    return cache.get(pkg)[stage];
  };
}

/**
 * A stage's inputs as role → upstream stage name: its `inputs` map plus legacy `needs` (role =
 * stage name). Problems (a role given twice) are pushed onto `problems`.
 */
function inputMap(name, def, problems) {
  const map = { ...(def.inputs || {}) };
  for (const n of def.needs || []) {
    if (n in map && map[n] !== n) problems.push(`/stages/${name}/needs: ${JSON.stringify(n)} is also mapped in "inputs"; use one of them`);
    map[n] = n;
  }
  return map;
}

/** Problems of one stage's role map against its declaration (none when it declares no roles). */
function checkRoles(name, def, map, declaration) {
  if (!declaration) return [];
  const roles = declaration.inputs || {};
  const problems = [];
  const where = `stage ${JSON.stringify(name)} (${def.package} ${def.stage})`;
  for (const role of Object.keys(map)) {
    if (role in roles || declaration.otherInputs) continue;
    const known = Object.keys(roles);
    problems.push(`/stages/${name}/inputs/${role}: ${where} has no input role ${JSON.stringify(role)}${didYouMean(role, known)}; its roles: ${known.join(', ') || '(none)'}`);
  }
  for (const [role, r] of Object.entries(roles)) {
    if (r.optional || role in map) continue;
    problems.push(`/stages/${name}/inputs: ${where} needs the input role ${JSON.stringify(role)} (${r.description}); map it to one of this pipeline's stages, e.g. "inputs": { ${JSON.stringify(role)}: "<stage>" }`);
  }
  return problems;
}

module.exports = { roleDeclarations, inputMap, checkRoles, didYouMean };
