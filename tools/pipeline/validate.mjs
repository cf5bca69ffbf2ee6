#!/usr/bin/env node
// `nx run pipeline:validate`: checks every pipelines/*.json (or the files given) — structure,
// stage references, cycles, and each stage's config against its own stage's schema. Prints every
// problem with file and JSON path; exits 1 if any file is invalid.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { checkSchema, loadStageDefinitions } from '@switchyard/runtime';

const require = createRequire(import.meta.url);
const { loadPipeline, loadSweep, PipelineError } = require('./pipeline-model.cjs');
const root = resolve(new URL('../..', import.meta.url).pathname);
const args = process.argv.slice(2);
const listJson = (dir) => { try { return readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'project.json').sort().map((f) => join(dir, f)); } catch { return []; } };
const files = args.length ? args.map((f) => resolve(f)) : [...listJson(join(root, 'pipelines')), ...listJson(join(root, 'pipelines', 'sweeps'))];

const defsByPackage = new Map();
async function defs(pkg) {
  if (!defsByPackage.has(pkg)) defsByPackage.set(pkg, await loadStageDefinitions(pkg));
  return defsByPackage.get(pkg);
}

let bad = 0;
for (const file of files) {
  const problems = [];
  let p;
  const isSweep = file.includes(`${join('pipelines', 'sweeps')}/`);
  try {
    if (isSweep) {
      const sw = loadSweep(file, root);
      p = { stages: [sw.report] };
    } else {
      p = loadPipeline(file, root);
    }
  } catch (e) {
    if (!(e instanceof PipelineError)) throw e;
    problems.push(...e.problems);
  }
  if (p) {
    for (const s of p.stages) {
      const at = isSweep ? '/report' : `/stages/${s.name}`;
      const d = (await defs(s.package)).get(s.stage);
      if (!d) {
        problems.push(`${at}/stage: ${JSON.stringify(s.stage)} is not a stage of ${s.package}; allowed values: ${[...(await defs(s.package)).keys()].map((k) => JSON.stringify(k)).join(', ')}`);
        continue;
      }
      problems.push(...checkSchema(d.configSchema, structuredClone(s.config), { basePath: `${at}/config` }));
    }
  }
  const shown = file.startsWith(root) ? file.slice(root.length + 1) : file;
  if (problems.length) {
    bad++;
    process.stderr.write(`✗ ${shown}\n${problems.map((x) => `  ${shown}: ${x}`).join('\n')}\n`);
  } else {
    process.stdout.write(`✓ ${shown} (${p.stages.length} stages)\n`);
  }
}
if (bad) { process.stderr.write(`${bad} of ${files.length} pipeline files invalid\n`); process.exit(1); }
process.stdout.write(`all ${files.length} pipeline files valid\n`);
