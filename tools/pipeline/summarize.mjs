#!/usr/bin/env node
// Final line of `nx run pipeline:<name>`: where each stage's output is, which backend ran the
// tensor stages, which data source was used, and where the report is.
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { verifyStageOutput } from '@switchyard/runtime';

const require = createRequire(import.meta.url);
const { loadPipeline } = require('./pipeline-model.cjs');
const root = resolve(new URL('../..', import.meta.url).pathname);
const name = process.argv[2];
const p = loadPipeline(join(root, 'pipelines', `${name}.json`), root);
const backends = new Set();
let source = null;
let report = null;
for (const s of p.stages) {
  const dir = join(root, 'artifacts', 'stages', s.key);
  const m = verifyStageOutput(dir);
  if (m.backend) backends.add(`${m.backend.name} (${m.backend.threads} thr)`);
  if (m.extra?.dataSource) source = m.extra.dataSource;
  if (s.stage === 'report') report = join('artifacts', p.name, s.name);
  const rows = Object.entries(m.files).filter(([, f]) => f.rows !== undefined).map(([f, r]) => `${f}:${r.rows}`).join(' ');
  process.stdout.write(`  ${s.name.padEnd(16)} ${relative(root, dir)}  ${m.wallTimeSeconds.toFixed(1)} s  ${rows}\n`);
}
const src = source ? (typeof source === 'string' ? source : source.description ?? JSON.stringify(source)) : 'n/a';
process.stdout.write(`switchyard: pipeline ${p.name} done | backend ${[...backends].join(', ') || 'none'} | data ${src} | report ${report ?? 'none'} | outputs artifacts/${p.name}/\n`);
