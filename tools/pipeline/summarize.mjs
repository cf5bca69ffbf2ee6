#!/usr/bin/env node
// Final lines of `nx run pipeline:<name>` (or of a sweep, with --sweep): where each stage's output
// is, which backend ran the tensor stages, which data source was used, and where the report is.
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { verifyStageOutput } from '@switchyard/runtime';

const require = createRequire(import.meta.url);
const { loadPipeline, loadSweep } = require('./pipeline-model.cjs');
const root = resolve(new URL('../..', import.meta.url).pathname);
const args = process.argv.slice(2);
const isSweep = args[0] === '--sweep';
const name = isSweep ? args[1] : args[0];

const backends = new Set();
const sources = new Set();
function describe(label, key) {
  const dir = join(root, 'artifacts', 'stages', key);
  const m = verifyStageOutput(dir);
  if (m.backend) backends.add(`${m.backend.name} ${m.backend.threads} thr${m.backend.native ? ` + native ${m.backend.native.library}` : ''}`);
  // data-prep records the source of every split it read: [{ via, path, notice }]
  // (a task other than summarisation names its own corpus in `via`, e.g. embedded-enwik8, ENWIK8_DIR)
  const task = m.config?.task ?? 'summarisation';
  for (const src of [m.extra?.source ?? []].flat()) if (src && src.via) sources.add(`${task !== 'summarisation' ? `${task} via ${src.via}` : src.via === 'embedded' ? 'embedded synthetic corpus' : `SAMSum via ${src.via}`} (${src.path})`);
  const rows = Object.entries(m.files).filter(([, f]) => f.rows !== undefined).map(([f, r]) => `${f}:${r.rows}`).join(' ');
  process.stdout.write(`  ${label.padEnd(28)} ${relative(root, dir).padEnd(44)} ${m.wallTimeSeconds.toFixed(1).padStart(7)} s  ${rows}\n`);
}

let report = 'none';
if (isSweep) {
  const sw = loadSweep(join(root, 'pipelines', 'sweeps', `${name}.json`), root);
  for (const r of sw.runs) for (const s of r.resolved.stages) describe(`${r.pipeline}/seed-${r.seed}/${s.name}`, s.key);
  describe('report', sw.report.key);
  report = join('artifacts', name, 'report');
} else {
  const p = loadPipeline(join(root, 'pipelines', `${name}.json`), root);
  for (const s of p.stages) {
    describe(s.name, s.key);
    if (s.stage === 'report') report = join('artifacts', p.name, s.name);
  }
}
process.stdout.write(`switchyard: ${isSweep ? 'sweep' : 'pipeline'} ${name} done | backend ${[...backends].join(', ') || 'none'} | data ${[...sources].join(', ') || 'n/a'} | report ${report} | outputs artifacts/${name}/\n`);
