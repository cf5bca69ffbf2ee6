#!/usr/bin/env node
// Switchyard's decoder-LM train step next to its PyTorch twin, on the same machine in one
// invocation (the LM counterpart of train-vs-torch.mjs). Arms, a child process per round:
//   switchyard  node tools/bench/lm-train-step.mjs --threads N   (WASM + the native kernels when
//               built, SWITCHYARD_NATIVE_THREADS=N)
//   torch       /usr/bin/python3 tools/bench/torch-lm-train-step.py --threads N (PyTorch, OpenBLAS)
// Both train the same model (cpu-mini, SMoE top-2, dropout 0.1, exported once from Switchyard) on
// the same token stream. Before timing, a twin check trains both for 3 steps at dropout 0 and
// compares the losses (--no-check skips it). Rounds interleave the arms (order reversed every
// other round); each arm keeps its best round, so a burst of load hits one round, not one arm.
//
//   npm run build && node tools/bench/lm-vs-torch.mjs [--rounds 3] [--threads 1,2] [--steps 10]
//       [--warmup 3] [--preset cpu-mini] [--batch 8] [--torch-omp-threads M] [--out FILE] [--json FILE]
//       [--no-check] [--python /usr/bin/python3]
// Prints a Markdown table (arm | threads | ms/step | tokens/s | × torch at same threads) and the
// machine line; --out appends both (with date and commit) to a results file.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const flag = (name) => args.includes(`--${name}`);
const rounds = Number(opt('rounds', '3'));
const steps = opt('steps', '10');
const warmup = opt('warmup', '3');
const preset = opt('preset', 'cpu-mini');
const batch = opt('batch', '8');
const threadList = opt('threads', '1,2').split(',').map(Number);
const python = opt('python', '/usr/bin/python3');
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const loadStart = load();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sy-lm-vs-torch-'));

function run(cmd, argv, env = process.env) {
  const r = spawnSync(cmd, argv, { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${path.basename(argv[0])} exited ${r.status ?? r.signal}: ${((r.stderr ?? '') + (r.stdout ?? '')).trim().split('\n').slice(-4).join(' | ')}`);
  return r;
}

/** One round of one arm on the exported setup; returns its JSON report or { error }. */
function runArm(arm, threads, setupDir) {
  const json = path.join(tmp, `${arm}-${threads}.json`);
  rmSync(json, { force: true });
  try {
    if (arm === 'torch') {
      const argv = [path.join(here, 'torch-lm-train-step.py'), '--from', setupDir, '--threads', String(threads), '--steps', steps, '--warmup', warmup, '--json', json];
      if (opt('torch-omp-threads')) argv.push('--omp-threads', opt('torch-omp-threads'));
      run(python, argv);
    } else {
      run(process.execPath, [path.join(here, 'lm-train-step.mjs'), '--preset', preset, '--batch', batch, '--threads', String(threads), '--steps', steps, '--warmup', warmup, '--json', json],
        { ...process.env, SWITCHYARD_NATIVE_THREADS: String(threads) });
    }
    return JSON.parse(readFileSync(json, 'utf8'));
  } catch (e) {
    return { error: e.message };
  }
}

try {
  // 0. Same computation? Three Adam steps at dropout 0 on both sides.
  let check = 'skipped (--no-check)';
  if (!flag('no-check')) {
    const dir = path.join(tmp, 'check');
    const sj = path.join(tmp, 'check-sy.json'), tj = path.join(tmp, 'check-torch.json');
    run(process.execPath, [path.join(here, 'lm-train-step.mjs'), '--preset', preset, '--batch', batch, '--steps', '3', '--warmup', '0', '--dropout', '0', '--check', '--export', dir, '--json', sj]);
    run(python, [path.join(here, 'torch-lm-train-step.py'), '--from', dir, '--steps', '3', '--warmup', '0', '--json', tj]);
    const a = JSON.parse(readFileSync(sj, 'utf8')).losses.slice(0, 3), b = JSON.parse(readFileSync(tj, 'utf8')).losses.slice(0, 3);
    const worst = Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.abs(b[i])));
    if (!(a.length === 3 && b.length === 3 && worst <= 1e-4)) throw new Error(`twin check failed: losses of 3 steps at dropout 0: Switchyard ${a.join(', ')} vs torch ${b.join(', ')}; not timing it`);
    check = `OK, 3 Adam steps at dropout 0: losses ${a.map((x) => x.toFixed(6)).join(', ')} (Switchyard) vs ${b.map((x) => x.toFixed(6)).join(', ')} (torch), worst relative difference ${worst.toExponential(1)}`;
    console.error(`twin check: ${check}`);
  }

  // 1. The timed setup (dropout as the preset has it), exported once.
  const setupDir = path.join(tmp, 'setup');
  run(process.execPath, [path.join(here, 'lm-train-step.mjs'), '--preset', preset, '--batch', batch, '--steps', steps, '--warmup', warmup, '--export', setupDir, '--export-only']);

  // 2. Interleaved rounds.
  const arms = threadList.flatMap((t) => ['switchyard', 'torch'].map((a) => ({ arm: a, threads: t, runs: [] })));
  for (let round = 0; round < rounds; round++) {
    for (const a of round % 2 === 0 ? arms : [...arms].reverse()) {
      const r = runArm(a.arm, a.threads, setupDir);
      a.runs.push(r);
      console.error(`round ${round + 1}/${rounds} ${a.arm} ${a.threads} thr: ${r.error ?? `${r.msPerStep.toFixed(0)} ms/step, ${Math.round(r.tokensPerSec)} tokens/s`}  (load ${load()})`);
    }
  }
  for (const a of arms) {
    const ok = a.runs.filter((r) => !r.error);
    a.best = ok.length ? ok.reduce((b, r) => (r.msPerStep < b.msPerStep ? r : b)) : undefined;
  }
  const loadEnd = load();

  // 3. Table and machine line.
  const torchBest = new Map(arms.filter((a) => a.arm === 'torch' && a.best).map((a) => [a.threads, a.best]));
  const label = (a) => {
    const b = a.best;
    if (a.arm === 'torch') return b ? `PyTorch ${b.torch} (${b.blas.library} ${b.blas.coreName ?? ''}, ${b.blas.threads} BLAS thr, ${b.ompThreads} OpenMP thr)` : 'PyTorch';
    return b?.native ? `Switchyard tfjs WASM + native kernels (${b.native.library} ${b.native.coreType}, ${b.native.threads} native thr)` : 'Switchyard tfjs WASM (native kernels NOT active)';
  };
  const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const lines = ['| arm | threads | ms/step | tokens/s | × torch at same threads |', '|---|---|---|---|---|'];
  for (const a of arms) {
    if (!a.best) { lines.push(`| ${label(a)} | ${a.threads} | failed | failed | — |`); continue; }
    const t = torchBest.get(a.threads);
    lines.push(`| ${label(a)} | ${a.threads} | ${fmt(a.best.msPerStep)} | ${fmt(a.best.tokensPerSec)} | ${t ? `${(a.best.tokensPerSec / t.tokensPerSec).toFixed(2)}×` : '—'} |`);
  }
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  const nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  const sy = arms.find((a) => a.arm === 'switchyard' && a.best)?.best;
  const machine = `machine: ${cpu}, nproc ${nproc}, load average ${loadStart} at start, ${loadEnd} at end; node ${process.version}${sy ? `, tfjs ${sy.tfjs}` : ''}; ` +
    `decoder-LM train step (${preset}: 4 layers, d 128, 4 heads, E 8 SMoE top-2, d_ff 128, span 256, V 256; B ${batch} × M ${sy?.blockSize ?? '?'}, dropout 0.1, Adam), median of ${steps} steps after ${warmup} warm-up, best of ${rounds} round(s)`;
  const spread = arms.map((a) => `${a.arm} ${a.threads} thr ${a.runs.map((r) => (r.error ? 'fail' : fmt(r.msPerStep))).join('/')}`).join('; ');
  const text = [...lines, '', machine, `ms/step of every round: ${spread}`, `twin check: ${check}`].join('\n');
  console.log(text);
  for (const a of arms) for (const r of a.runs) if (r.error) console.error(`${a.arm} ${a.threads} thr: ${r.error}`);
  const out = opt('out');
  if (out) {
    let commit = 'unknown';
    try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(); } catch { /* not a checkout */ }
    const header = existsSync(out) ? '' : '# Switchyard vs PyTorch: decoder-LM train step\n\n`node tools/bench/lm-vs-torch.mjs`: interleaved rounds, best round per arm.\n';
    appendFileSync(out, `${header}\n## ${new Date().toISOString().slice(0, 16)} (commit ${commit})\n\n${text}\n`);
  }
  const js = opt('json');
  if (js) writeFileSync(js, JSON.stringify({ loadStart, loadEnd, check, arms: arms.map((a) => ({ arm: a.arm, threads: a.threads, best: a.best, runs: a.runs })) }, null, 2) + '\n');
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
