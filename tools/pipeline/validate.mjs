#!/usr/bin/env node
// `nx run pipeline:validate` (every pipelines/*.json and sweeps/*.json, or the files given) and
// the target of a pipeline that failed its checks: structure, `extends`, stage references,
// cycles, and each stage's config against its own stage's schema with the model-dependent
// constraints and paths (stage-checks.cjs). Needs no build. Prints every problem with file and
// JSON path; exits 1 if any file is invalid.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const { loadPipeline, loadSweep, PipelineError } = require('./pipeline-model.cjs');
const { checkStages } = require('./stage-checks.cjs');
const root = resolve(new URL('../..', import.meta.url).pathname);
const args = process.argv.slice(2);
const listJson = (dir) => { try { return readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'project.json').sort().map((f) => join(dir, f)); } catch { return []; } };
const files = args.length ? args.map((f) => resolve(root, f)) : [...listJson(join(root, 'pipelines')), ...listJson(join(root, 'pipelines', 'sweeps'))];

/** Problems of one pipeline or sweep file (each `<JSON path>: …`, the file prefixed by the caller). */
function fileProblems(file) {
  try {
    if (file.includes(`${join('pipelines', 'sweeps')}/`)) {
      const sw = loadSweep(file, root);
      const problems = checkStages(root, [sw.report], () => '/report');
      // Each run's stages are checked as their own pipeline file would be (once per pipeline).
      const seen = new Set();
      for (const r of sw.runs) {
        if (seen.has(r.pipeline)) continue;
        seen.add(r.pipeline);
        problems.push(...checkStages(root, r.resolved.stages).map((p) => `/pipelines (${r.pipeline}): ${p}`));
      }
      return { problems, stages: sw.runs.reduce((n, r) => n + r.resolved.stages.length, 1) };
    }
    const p = loadPipeline(file, root);
    return { problems: checkStages(root, p.stages), stages: p.stages.length };
  } catch (e) {
    if (!(e instanceof PipelineError)) throw e;
    return { problems: e.problems, stages: 0 };
  }
}

let bad = 0;
for (const file of files) {
  const { problems, stages } = fileProblems(file);
  const shown = file.startsWith(root) ? file.slice(root.length + 1) : file;
  if (problems.length) {
    bad++;
    process.stderr.write(`✗ ${shown}\n${problems.map((x) => `  ${shown}: ${x}`).join('\n')}\n`);
  } else {
    process.stdout.write(`✓ ${shown} (${stages} stages)\n`);
  }
}
if (bad) { process.stderr.write(`${bad} of ${files.length} pipeline files invalid\n`); process.exit(1); }
process.stdout.write(`all ${files.length} pipeline files valid\n`);
