#!/usr/bin/env node
// Whole-process benchmark of the `rouge` command (process start, file reading, scoring,
// bootstrap, report writing) on 10,000 synthetic SAMSum-length pairs:
//   npx tsc -b packages/tsconfig.build.json && node tools/bench/rouge-bench.mjs [--pairs N] [--runs R]
// Runs packages/eval-rouge/bin/rouge.mjs (the entry the integrator's CLI reuses) as a child
// process, R times per variant, and reports the median wall time as pairs/s. The texts are
// generated (seeded) from a made-up vocabulary with SAMSum's shape: 1-3 sentences, ~20 words per
// summary (SAMSum validation summaries average ~20 words), multi-sentence summaries use "\n"
// between sentences 30% of the time; predictions are perturbed copies.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const entry = path.join(repoRoot, 'packages/eval-rouge/bin/rouge.mjs');

const args = process.argv.slice(2);
const argValue = (flag, dflt) => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const nPairs = argValue('--pairs', 10000);
const runs = argValue('--runs', 3);

// mulberry32: a small seeded generator, enough for synthetic text.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261201);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const names = ['Amanda', 'Jerry', 'Hannah', 'Eric', 'Ollie', 'Larry', 'Mia', 'Tom', 'Kate', 'Peter'];
const words = ['will', 'meet', 'tomorrow', 'at', 'the', 'station', 'is', 'going', 'to', 'buy', 'some', 'cookies',
  'for', 'party', 'wants', 'borrow', 'his', 'her', 'car', 'weekend', 'they', 'are', 'planning', 'a', 'trip', 'dinner',
  'called', 'asked', 'about', 'doctor', 'appointment', 'running', 'late', 'because', 'of', 'traffic', 'and', 'needs',
  'help', 'with', 'homework', 'sent', 'photos', 'from', 'holidays', 'agreed', 'watching', 'movie', 'tonight', 'on',
  'Friday', 'happiness', 'connection', 'organizing', 'generalization', 'carefully', 'studies', 'ponies', "didn't", "it's"];

function sentence() {
  const n = 5 + Math.floor(rand() * 9);
  const w = [pick(names)];
  for (let i = 1; i < n; i++) w.push(pick(words));
  return `${w.join(' ')}${pick(['.', '.', '.', '!', '?'])}`;
}
function summary() {
  const k = 1 + Math.floor(rand() * 3);
  return Array.from({ length: k }, sentence).join(rand() < 0.3 ? '\n' : ' ');
}
function perturb(text) {
  return text.split(' ').flatMap((w) => {
    const r = rand();
    if (r < 0.15) return [];
    if (r < 0.3) return [pick(words)];
    if (r < 0.35) return [w, pick(words)];
    return [w];
  }).join(' ');
}

const loadBefore = loadavg().map((x) => x.toFixed(2)).join(' ');
const dir = mkdtempSync(path.join(tmpdir(), 'rouge-bench-'));
try {
  const refs = Array.from({ length: nPairs }, summary);
  const preds = refs.map(perturb);
  const predFile = path.join(dir, 'predictions.jsonl');
  const refFile = path.join(dir, 'references.jsonl');
  writeFileSync(predFile, preds.map((p, i) => JSON.stringify({ id: `ex${i}`, prediction: p })).join('\n') + '\n');
  writeFileSync(refFile, refs.map((r, i) => JSON.stringify({ id: `ex${i}`, reference: r })).join('\n') + '\n');
  const tokens = refs.reduce((s, r) => s + r.split(/\s+/).length, 0) / nPairs;

  const variants = [
    ['stemmer, text report', []],
    ['stemmer, --json', ['--json']],
    ['--no-stemmer, text report', ['--no-stemmer']],
    ['stemmer, text report, --no-bootstrap', ['--no-bootstrap']],
  ];
  // Node start-up alone, to separate fixed cost from per-pair cost.
  const startup = median(Array.from({ length: runs }, () => time(['-e', '0']).ms));
  const rows = [];
  for (const [label, extra] of variants) {
    const samples = Array.from({ length: runs }, () => time([entry, '--predictions', predFile, '--references', refFile, ...extra]));
    const ms = median(samples.map((x) => x.ms));
    const cpuMs = median(samples.map((x) => x.cpuMs));
    rows.push({ label, ms, cpuMs, pairsPerS: nPairs / (ms / 1000), pairsPerCpuS: nPairs / (cpuMs / 1000) });
  }
  const cpu = cpus()[0]?.model ?? 'unknown';
  console.log(`rouge CLI benchmark: ${nPairs} pairs (~${tokens.toFixed(1)} words per reference), median of ${runs} runs, node ${process.version}, ${cpus().length} logical CPUs (${cpu})`);
  console.log(`node start-up alone: ${startup.toFixed(0)} ms; load average before: ${loadBefore}, after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log('| variant | wall time (ms) | pairs/s (wall) | CPU time (ms) | pairs/s (CPU) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${r.ms.toFixed(0)} | ${r.pairsPerS.toFixed(0)} | ${r.cpuMs.toFixed(0)} | ${r.pairsPerCpuS.toFixed(0)} |`);

  // In-process split of the work (same data, stemmer on): scoring vs the exact numpy bootstrap.
  const { scoreCorpus, aggregateScores } = await import(path.join(repoRoot, 'packages/eval-rouge/dist/index.js'));
  let t0 = performance.now();
  const scored = scoreCorpus(preds, refs, { stemmer: true, bootstrap: false });
  const scoreMs = performance.now() - t0;
  t0 = performance.now();
  aggregateScores(scored.perExample.map((e) => e.scores), scored.aggregate.rougeTypes, {});
  const bootMs = performance.now() - t0;
  console.log(`in-process: scoring ${scoreMs.toFixed(0)} ms (${(nPairs / (scoreMs / 1000)).toFixed(0)} pairs/s), bootstrap 4x1000 resamples ${bootMs.toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Wall time of one child run, plus its CPU time (user + sys, from bash's `times`) because this
 * machine's 2 cores are shared and wall time swings with the load; CPU time is steadier.
 */
function time(nodeArgs) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync('bash', ['-c', '"$0" "$@" >/dev/null || exit $?; times', process.execPath, ...nodeArgs],
    { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 0) throw new Error(`rouge run failed (${res.status}): ${res.stderr}`);
  // `times` prints the shell's own user/sys line, then the children's.
  const line = res.stdout.toString().trim().split('\n').at(-1) ?? '';
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  const cpuMs = secs.length === 2 ? 1000 * (secs[0] + secs[1]) : NaN;
  return { ms, cpuMs };
}
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
