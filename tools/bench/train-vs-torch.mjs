#!/usr/bin/env node
// Switchyard's tiny Switch train step next to its PyTorch twin, on the same machine in one
// invocation. Arms, each a child process per round:
//   switchyard  node tools/bench/train-throughput.mjs --threads N (WASM; the native kernels
//               when packages/native-kernels is built, with SWITCHYARD_NATIVE_THREADS=N)
//   wasm        the same with SWITCHYARD_NATIVE=0 (plain tfjs WASM + Switchyard's kernels; opt-in)
//   torch       /usr/bin/python3 tools/bench/torch-train-step.py --threads N (PyTorch 1.13, OpenBLAS)
// at every thread count of --threads. Rounds interleave the arms (the order reverses every other
// round) and each arm keeps its best round, as kernels-bench.mjs does: a burst of load from
// other processes on a shared machine then hits one round, not one arm. Before timing, the twin
// check (tools/bench/torch-twin-check.mjs) confirms both compute the same losses (--no-check
// skips it).
//
//   npm run build && node tools/bench/train-vs-torch.mjs [--rounds 3] [--threads 1,2] [--steps 5]
//       [--warmup 2] [--arms switchyard,torch] [--out tools/bench/results/train-vs-torch.md]
//       [--json all.json] [--no-check] [--python /usr/bin/python3] [--torch-omp-threads 1]
// --torch-omp-threads M: torch's OpenMP (elementwise) threads = M while OpenBLAS keeps N; on the
//   2-core machine OpenMP 1 + OpenBLAS 2 ran the step ~10% faster than 2 + 2.
// Prints a Markdown table (arm | threads | ms/step | tokens/s | × torch at same threads) and the
// machine line; --out appends both (with date and commit) to a results file.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const flag = (name) => args.includes(`--${name}`);
const rounds = Number(opt('rounds', '3'));
const steps = opt('steps', '5');
const warmup = opt('warmup', '2');
const threadList = opt('threads', '1,2').split(',').map(Number);
const armNames = opt('arms', 'switchyard,torch').split(',');
const python = opt('python', '/usr/bin/python3');
for (const a of armNames) if (!['switchyard', 'wasm', 'torch'].includes(a)) throw new Error(`unknown arm "${a}"; known: switchyard, wasm, torch`);

const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const loadStart = load();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sy-vs-torch-'));

/** One run of one arm; returns { msPerStep, tokensPerSec, ... } or { error }. */
function runArm(arm, threads) {
  const json = path.join(tmp, `${arm}-${threads}.json`);
  rmSync(json, { force: true });
  let cmd, argv, env = { ...process.env };
  if (arm === 'torch') {
    cmd = python;
    argv = [path.join(here, 'torch-train-step.py'), '--threads', String(threads), '--steps', steps, '--warmup', warmup, '--json', json];
    if (opt('torch-omp-threads')) argv.push('--omp-threads', opt('torch-omp-threads'));
  } else {
    cmd = process.execPath;
    argv = [path.join(here, 'train-throughput.mjs'), '--routers', 'switch-top1', '--threads', String(threads), '--steps', steps, '--warmup', warmup, '--json', json];
    env.SWITCHYARD_NATIVE_THREADS = String(threads);
    if (arm === 'wasm') env.SWITCHYARD_NATIVE = '0';
  }
  const r = spawnSync(cmd, argv, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !existsSync(json)) return { error: `${arm} exited ${r.status ?? r.signal}: ${((r.stderr ?? '') + line).trim().split('\n').slice(-3).join(' | ')}` };
  const out = JSON.parse(readFileSync(json, 'utf8'));
  if (arm === 'torch') return { ...out, line };
  const res = out.results?.[0];
  if (!res || res.error) return { error: `${arm}: ${res?.error ?? 'no result'}` };
  return { msPerStep: res.msPerStep, tokensPerSec: res.tokensPerSec, backendThreads: res.threads, backend: res.backend, native: res.native, droppedFraction: res.droppedFraction, tfjs: out.tfjs, line };
}

try {
  // 0. Same computation on both sides?
  let check = 'skipped (--no-check)';
  if (!flag('no-check') && armNames.includes('torch')) {
    const cj = path.join(tmp, 'check.json');
    const r = spawnSync(process.execPath, [path.join(here, 'torch-twin-check.mjs'), '--python', python, '--json', cj], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      process.stderr.write((r.stdout ?? '') + (r.stderr ?? ''));
      throw new Error('twin check failed: the PyTorch twin does not compute what Switchyard computes (see above); not timing it');
    }
    const c = JSON.parse(readFileSync(cj, 'utf8'));
    check = `OK, ${c.params.toLocaleString('en-US')} parameters each, first-step loss ${c.train[0].torch.toFixed(6)} (torch) vs ${c.train[0].switchyard.toFixed(6)} (Switchyard), worst relative difference ${c.worstRel.toExponential(1)} over ${Object.keys(c.eval).length} eval loss parts and ${c.train.length} train steps`;
    console.error(`twin check: ${check}`);
  }

  // 1. Interleaved rounds; best (lowest median ms/step) round per arm.
  const arms = threadList.flatMap((t) => armNames.map((a) => ({ arm: a, threads: t, runs: [] })));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? arms : [...arms].reverse();
    for (const a of order) {
      const r = runArm(a.arm, a.threads);
      a.runs.push(r);
      console.error(`round ${round + 1}/${rounds} ${a.arm} ${a.threads} thr: ${r.error ?? `${r.msPerStep.toFixed(0)} ms/step, ${Math.round(r.tokensPerSec)} tokens/s`}  (load ${load()})`);
    }
  }
  for (const a of arms) {
    const ok = a.runs.filter((r) => !r.error);
    a.best = ok.length ? ok.reduce((b, r) => (r.msPerStep < b.msPerStep ? r : b)) : undefined;
  }
  const loadEnd = load();

  // 2. Table and machine line.
  const torchBest = new Map(arms.filter((a) => a.arm === 'torch' && a.best).map((a) => [a.threads, a.best]));
  const label = (a) => {
    if (a.arm === 'torch') {
      const b = a.best;
      return b ? `PyTorch ${b.torchPackage ?? b.torch} (${b.blas.library} ${b.blas.coreName ?? ''}, ${b.blas.threads} BLAS thr${b.ompThreads !== b.threads ? `, ${b.ompThreads} OpenMP thr` : ''}, matmul 1024³ ${b.matmulGflops ? b.matmulGflops.toFixed(0) : '?'} GFLOP/s)` : 'PyTorch';
    }
    if (a.arm === 'wasm') return 'Switchyard tfjs WASM (SWITCHYARD_NATIVE=0)';
    const n = a.best?.native;
    return n ? `Switchyard tfjs WASM + native kernels (${n.library} ${n.coreType}, ${n.threads} native thr)` : 'Switchyard tfjs WASM (native kernels NOT active)';
  };
  const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const lines = ['| arm | threads | ms/step | tokens/s | × torch at same threads |', '|---|---|---|---|---|'];
  for (const a of arms) {
    const thr = a.arm === 'torch' ? `${a.threads}` : `${a.threads}${a.best && a.best.backendThreads !== a.threads ? ` (WASM ran ${a.best.backendThreads})` : ''}`;
    if (!a.best) { lines.push(`| ${label(a)} | ${thr} | failed | failed | — |`); continue; }
    const t = torchBest.get(a.threads);
    const ratio = t ? `${(a.best.tokensPerSec / t.tokensPerSec).toFixed(2)}×` : '—';
    lines.push(`| ${label(a)} | ${thr} | ${fmt(a.best.msPerStep)} | ${fmt(a.best.tokensPerSec)} | ${ratio} |`);
  }
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  const anyTorch = [...torchBest.values()][0];
  const coreTypes = [anyTorch ? `torch ${anyTorch.blas.coreName}` : undefined, ...arms.filter((a) => a.arm === 'switchyard' && a.best?.native).slice(0, 1).map((a) => `Switchyard ${a.best.native.coreType}`)].filter(Boolean).join(', ');
  const tfjs = arms.find((a) => a.arm !== 'torch' && a.best)?.best.tfjs;
  const machine = `machine: ${cpu}, nproc ${nproc}, load average ${loadStart} at start, ${loadEnd} at end; node ${process.version}${tfjs ? `, tfjs ${tfjs}` : ''}` +
    `${anyTorch ? `, torch ${anyTorch.torchPackage ?? anyTorch.torch} (python ${anyTorch.python})` : ''}; OpenBLAS core type: ${coreTypes || 'n/a'}; ` +
    `tiny Switch train step (d=128, 2+2 blocks, E=8 top-1, V=8000, B=16, 128→32), median of ${steps} steps after ${warmup} warm-up, best of ${rounds} round(s)`;
  const spread = arms.map((a) => `${a.arm} ${a.threads} thr ${a.runs.map((r) => (r.error ? 'fail' : fmt(r.msPerStep))).join('/')}`).join('; ');
  const text = [...lines, '', machine, `ms/step of every round: ${spread}`, `twin check: ${check}`].join('\n');
  console.log(text);
  for (const a of arms) for (const r of a.runs) if (r.error) console.error(`${a.arm} ${a.threads} thr: ${r.error}`);

  const out = opt('out');
  if (out) {
    let commit = 'unknown';
    try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
    const header = existsSync(out) ? '' : '# Switchyard vs PyTorch: tiny Switch train step\n\n`node tools/bench/train-vs-torch.mjs`: interleaved rounds, best round per arm.\n';
    appendFileSync(out, `${header}\n## ${new Date().toISOString().slice(0, 16)} (commit ${commit})\n\n${text}\n`);
  }
  const js = opt('json');
  if (js) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(js, JSON.stringify({ loadStart, loadEnd, check, arms: arms.map((a) => ({ arm: a.arm, threads: a.threads, best: a.best, runs: a.runs })) }, null, 2) + '\n');
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
