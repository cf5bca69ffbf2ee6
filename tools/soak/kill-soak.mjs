#!/usr/bin/env node
// Crash-safety soak: SIGKILL a small sweep run through Nx (nx and every process under it, as a
// crash would) at random moments, N times, re-running after each kill; then let it finish and
// compare every stage's outputs and the report's tables byte for byte with an uninterrupted run.
//
//   node tools/soak/kill-soak.mjs [--kills 20] [--seed 1] [--steps 100]
//
// The sweep (tools/soak/tiny-sweep.mjs): micro models, 2 routers × 2 seeds, train checkpoints
// every 10 steps. Each phase uses its own Nx cache folder (NX_CACHE_DIRECTORY), so the soak never
// restores what the reference computed. Kill moments are drawn uniformly from [1 s, d] with d
// sized so that about N kills fit in one sweep; if a run finishes before its kill, its outputs are
// compared, everything is wiped, and the kills continue on a fresh sweep (a "round"). Compared:
// every file of every stage except timing.jsonl and manifest.json (wall-clock values), and every
// column of the report's Arrow tables except train_tokens_per_s, train_wall_s and eval_wall_s.
// Prints the counts at the end; exit 1 on any difference.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listFiles, readArrowFile, verifyStageOutput } from '@switchyard/runtime';
import { killTree } from './kill-tree.mjs';
import { writeTinySweep, removeFiles } from './tiny-sweep.mjs';

const require = createRequire(import.meta.url);
const { loadSweep } = require('../pipeline/pipeline-model.cjs');
const root = resolve(new URL('../..', import.meta.url).pathname);
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? Number(process.argv[i + 1]) : def; };
const kills = arg('kills', 20);
let rngState = arg('seed', 1) >>> 0 || 1;
const rand = () => { rngState ^= rngState << 13; rngState >>>= 0; rngState ^= rngState >>> 17; rngState ^= rngState << 5; rngState >>>= 0; return rngState / 2 ** 32; };

const prefix = `zz-soak-${process.pid}`;
const files = writeTinySweep(root, prefix, 7000 + (process.pid % 1000), ['linear-sparsemax', 'linear-softmax-topk'], [1, 2], { trainSteps: arg('steps', 100), checkpointEvery: 10 });
const scratch = mkdtempSync(join(tmpdir(), 'switchyard-soak-'));
const sw = loadSweep(join(root, 'pipelines', 'sweeps', `${prefix}.json`), root);
const keys = [...new Set([...sw.runs.flatMap((r) => r.resolved.stages.map((s) => s.key)), sw.report.key])];
const stagesDir = join(root, 'artifacts', 'stages');
const log = (m) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

function env(cacheDir) {
  const e = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', NX_ISOLATE_PLUGINS: 'false', NX_CACHE_DIRECTORY: cacheDir };
  delete e.SWITCHYARD_CACHE_SERVER;
  return e;
}

/** Start the sweep through Nx; resolves with {code, out, ms}. `killAfterMs`: SIGKILL the whole tree then. */
function runSweep(cacheDir, killAfterMs) {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn('npx', ['nx', 'run', `pipeline:${prefix}`, '--output-style=stream'], { cwd: root, env: env(cacheDir) });
    let out = '';
    let killed = false;
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => { killed = true; killTree(child.pid); }, killAfterMs);
    child.on('close', (code) => { clearTimeout(timer); done({ code, out, ms: Date.now() - t0, killed }); });
  });
}

function wipe(cacheDir) {
  for (const k of keys) for (const d of [join(stagesDir, k), join(stagesDir, `.work-${k}`)]) rmSync(d, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
}

/** What must not depend on interruptions: stage files (minus wall-clock ones) and the report's tables (minus timing columns). */
function snapshot() {
  const snap = {};
  for (const k of keys) {
    const dir = join(stagesDir, k);
    verifyStageOutput(dir);
    for (const f of listFiles(dir)) {
      if (f === 'manifest.json' || f === 'timing.jsonl') continue;
      if (k === sw.report.key && f.endsWith('.arrow')) {
        const t = readArrowFile(join(dir, f));
        for (const field of t.schema.fields) {
          if (/_tokens_per_s$|_wall_s$/.test(field.name)) continue;
          snap[`${k}/${f}#${field.name}`] = JSON.stringify(t.getChild(field.name).toArray(), (_, v) => (typeof v === 'bigint' ? String(v) : ArrayBuffer.isView(v) ? Array.from(v) : v));
        }
      } else if (k !== sw.report.key) {
        snap[`${k}/${f}`] = readFileSync(join(dir, f)).toString('base64');
      }
    }
  }
  return snap;
}

function differences(a, b) {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names.filter((n) => a[n] !== b[n]);
}

const counts = { kills: 0, killsDuringTrain: 0, resumesLogged: 0, runsFinishedBeforeKill: 0, rounds: 1, comparisons: 0, differences: 0, nonZeroExitsWithoutKill: 0 };
try {
  log(`soak: sweep ${prefix} (${sw.runs.length} runs, ${keys.length} stages), ${kills} kills`);
  const refCache = join(scratch, 'nx-cache-ref');
  wipe(refCache);
  const ref = await runSweep(refCache);
  if (ref.code !== 0) throw new Error(`uninterrupted reference run failed:\n${ref.out}`);
  const reference = snapshot();
  log(`reference: uninterrupted sweep in ${(ref.ms / 1000).toFixed(1)} s, ${Object.keys(reference).length} files/columns to compare`);

  const soakCache = join(scratch, 'nx-cache-soak');
  wipe(soakCache);
  const maxDelay = Math.max(4000, (2 * ref.ms) / Math.max(1, kills / 2));
  const check = (label) => {
    const diff = differences(reference, snapshot());
    counts.comparisons++;
    counts.differences += diff.length;
    log(`${label}: ${diff.length ? `DIFFERENT: ${diff.slice(0, 10).join(', ')}` : 'byte-identical to the uninterrupted run'}`);
  };
  while (counts.kills < kills) {
    const delay = 1000 + rand() * (maxDelay - 1000);
    const trainWork = () => keys.filter((k) => k.startsWith('train-') && existsSync(join(stagesDir, `.work-${k}`, 'out', 'checkpoints'))).length;
    const r = await runSweep(soakCache, delay);
    counts.resumesLogged += (r.out.match(/resuming from \S+ \(step \d+\)/g) ?? []).length;
    if (r.killed && r.code !== 0) {
      counts.kills++;
      const inTrain = trainWork();
      if (inTrain) counts.killsDuringTrain++;
      log(`kill ${counts.kills}/${kills} after ${(delay / 1000).toFixed(1)} s${inTrain ? ` (train work folders with checkpoints: ${inTrain})` : ''}`);
      continue;
    }
    if (r.code !== 0) { counts.nonZeroExitsWithoutKill++; log(`run exited ${r.code} without a kill:\n${r.out.slice(-3000)}`); continue; }
    counts.runsFinishedBeforeKill++;
    check(`round ${counts.rounds} finished (after ${counts.kills} kills so far)`);
    wipe(soakCache);
    counts.rounds++;
  }
  const last = await runSweep(soakCache);
  counts.resumesLogged += (last.out.match(/resuming from \S+ \(step \d+\)/g) ?? []).length;
  if (last.code !== 0) { counts.nonZeroExitsWithoutKill++; throw new Error(`final run failed:\n${last.out.slice(-5000)}`); }
  check(`final run of round ${counts.rounds}`);
  const leftovers = readdirSync(stagesDir).filter((n) => keys.some((k) => n.includes(k)) && n.startsWith('.'));
  log(`leftover work/temporary folders of the sweep: ${leftovers.length ? leftovers.join(', ') : 'none'}`);
} finally {
  log(`counts: ${JSON.stringify(counts)}`);
  removeFiles(files);
  for (const k of keys) for (const d of [join(stagesDir, k), join(stagesDir, `.work-${k}`)]) rmSync(d, { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
  rmSync(join(root, 'artifacts', prefix), { recursive: true, force: true });
  for (const r of new Set(sw.runs.map((x) => x.pipeline))) rmSync(join(root, 'artifacts', r), { recursive: true, force: true });
}
process.exit(counts.differences || counts.nonZeroExitsWithoutKill ? 1 : 0);

