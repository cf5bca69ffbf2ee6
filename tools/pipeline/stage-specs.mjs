// Finds the spec of a content-keyed stage by scanning the pipeline and sweep files (for repairing
// a stage output that does not verify: link-stage.mjs, run-stage.mjs). Files that do not parse
// are skipped here; `nx run pipeline:validate` reports them.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const { loadPipeline, loadSweep, stageSpec } = require('./pipeline-model.cjs');

/** The spec of the stage with content key `key`, or undefined when no pipeline has it. */
export function findStageSpec(root, key) {
  const dir = join(root, 'pipelines');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'project.json').map((f) => ['p', join(dir, f)]);
  const sweeps = join(dir, 'sweeps');
  if (existsSync(sweeps)) files.push(...readdirSync(sweeps).filter((f) => f.endsWith('.json')).map((f) => ['s', join(sweeps, f)]));
  for (const [kind, file] of files) {
    let stages;
    try {
      if (kind === 'p') stages = loadPipeline(file, root).stages;
      else { const sw = loadSweep(file, root); stages = [...sw.runs.flatMap((r) => r.resolved.stages), sw.report]; }
    } catch { continue; }
    const s = stages.find((x) => x.key === key);
    if (s) return stageSpec(s);
  }
  return undefined;
}
