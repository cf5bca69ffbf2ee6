#!/usr/bin/env node
// A sweep split over two "machines" that share a stage cache, end to end:
//   machine A = this workspace, machine B = a copy of it (own artifacts/ and Nx cache, node_modules
//   linked), the protocol fixture tools/test/fixtures/cache-server.mjs on 127.0.0.1;
//   A runs `nx run pipeline:<sweep>-shard --shard=1/2` while B runs `--shard=2/2`;
//   then A runs `nx run pipeline:<sweep>` — only the report may be computed, every other stage is
//   restored (its own from Nx's cache, B's from the stage cache) — and so does B (nothing computed);
//   both reports' tables must agree (wall-clock columns aside).
//
//   node tools/soak/two-machine-sweep.mjs
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readArrowFile } from '@switchyard/runtime';
import { startCacheServer } from '../test/fixtures/cache-server.mjs';
import { writeTinySweep, removeFiles } from './tiny-sweep.mjs';

const require = createRequire(import.meta.url);
const { loadSweep } = require('../pipeline/pipeline-model.cjs');
const A = resolve(new URL('../..', import.meta.url).pathname);
const scratch = mkdtempSync(join(tmpdir(), 'switchyard-two-machine-sweep-'));
const B = join(scratch, 'machine-b');
const prefix = `zz-shards-${process.pid}`;
const nonce = 20000 + (process.pid % 10000);
const log = (m) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

function nx(cwd, args, server) {
  const runLog = join(scratch, `runs-${cwd === A ? 'a' : 'b'}-${Date.now()}.tsv`);
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', SWITCHYARD_CACHE_SERVER: server.url, SWITCHYARD_RUN_LOG: runLog };
  return new Promise((done) => {
    const t0 = Date.now();
    const c = spawn('npx', ['nx', ...args, '--output-style=static'], { cwd, env });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { out += d; });
    c.on('close', (code) => {
      const computed = existsSync(runLog) ? readFileSync(runLog, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\t')[1]) : [];
      done({ code, out, computed: computed.sort(), s: (Date.now() - t0) / 1000 });
    });
  });
}

function reportTables(root, key) {
  const out = {};
  for (const f of ['report.arrow', 'runs.arrow']) {
    const t = readArrowFile(join(root, 'artifacts', 'stages', key, f));
    for (const field of t.schema.fields) if (!/_tokens_per_s$|_wall_s$/.test(field.name)) out[`${f}#${field.name}`] = JSON.stringify(t.getChild(field.name).toArray(), (_, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v));
  }
  return out;
}

const files = writeTinySweep(A, prefix, nonce);
let server;
let failed = false;
try {
  for (const f of ['package.json', 'package-lock.json', 'nx.json', 'tsconfig.base.json', '.gitignore', 'tools', 'pipelines', 'datasets', 'packages']) {
    cpSync(join(A, f), join(B, f), { recursive: true, filter: (src) => !src.includes('node_modules') && !src.includes('/.nx') });
  }
  // B's own node_modules: links to A's packages, except the workspace's, which are B's.
  mkdirSync(join(B, 'node_modules', '@switchyard'), { recursive: true });
  for (const name of readdirSync(join(A, 'node_modules'))) {
    if (name !== '@switchyard') symlinkSync(join(A, 'node_modules', name), join(B, 'node_modules', name));
  }
  for (const name of readdirSync(join(A, 'node_modules', '@switchyard'))) {
    symlinkSync(readlinkSync(join(A, 'node_modules', '@switchyard', name)), join(B, 'node_modules', '@switchyard', name));
  }
  server = await startCacheServer(join(scratch, 'server'));
  const sw = loadSweep(join(A, 'pipelines', 'sweeps', `${prefix}.json`), A);
  log(`sweep ${prefix}: ${sw.runs.length} runs; stage cache ${server.url}`);

  const [s1, s2] = await Promise.all([nx(A, ['run', `pipeline:${prefix}-shard`, '--shard=1/2'], server), nx(B, ['run', `pipeline:${prefix}-shard`, '--shard=2/2'], server)]);
  for (const [name, r] of [['A shard 1/2', s1], ['B shard 2/2', s2]]) {
    log(`${name}: exit ${r.code} in ${r.s.toFixed(0)} s, computed ${r.computed.length} stages (${r.computed.join(', ')})`);
    for (const line of r.out.split('\n').filter((l) => /warning|restored from the stage cache/.test(l))) log(`  ${line.trim()}`);
    if (r.code !== 0) throw new Error(`${name} failed:\n${r.out.slice(-4000)}`);
  }
  log(`stage cache holds ${server.entries().length} entries`);
  const ra = await nx(A, ['run', `pipeline:${prefix}`], server);
  log(`A report: exit ${ra.code} in ${ra.s.toFixed(0)} s, computed: ${ra.computed.join(', ') || 'nothing'}; restored from the stage cache: ${(ra.out.match(/restored from the stage cache/g) ?? []).length}`);
  if (ra.code !== 0) throw new Error(`A report failed:\n${ra.out.slice(-4000)}`);
  const rb = await nx(B, ['run', `pipeline:${prefix}`], server);
  log(`B report: exit ${rb.code} in ${rb.s.toFixed(0)} s, computed: ${rb.computed.join(', ') || 'nothing'}; restored from the stage cache: ${(rb.out.match(/restored from the stage cache/g) ?? []).length}`);
  if (rb.code !== 0) throw new Error(`B report failed:\n${rb.out.slice(-4000)}`);
  const [ta, tb] = [reportTables(A, sw.report.key), reportTables(B, sw.report.key)];
  const diff = Object.keys(ta).filter((k) => ta[k] !== tb[k]);
  log(`report tables A vs B: ${diff.length ? `DIFFERENT: ${diff.join(', ')}` : `identical (${Object.keys(ta).length} columns)`}`);
  failed = diff.length > 0 || JSON.stringify(ra.computed) !== JSON.stringify(['report']) || rb.computed.length > 0;
} finally {
  await server?.close();
  removeFiles(files);
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
