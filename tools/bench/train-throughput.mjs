#!/usr/bin/env node
// Training throughput of the full train step (forward, loss parts, backward, clipping, AdamW)
// per router type, on the tiny config of docs/design.md §5: d=128, 2+2 layers (1+1 sparse), E=8,
// V=8000, batch 16, source 128 → target 32 tokens, no padding (synthetic token ids).
// tokens/s counts B·(S+T) = 2,560 positions per step over the median step time. Reports backend
// and threads (and, with --json, the load average: the numbers mean little on a busy machine).
//
//   npm run build && node tools/bench/train-throughput.mjs [--routers switch-top1,smoe] [--steps 5]
//       [--warmup 2] [--backend wasm] [--threads 1] [--json out.json]
//   --routers all   every registered router type
//   --src           run from TypeScript sources (no build) through the test loader
//   --profile       per-kernel ms per timed step (wraps kernelFuncs; tf.profile reads every output back on WASM)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const flag = (name) => args.includes(`--${name}`);

if (flag('src') && !process.env.SWITCHYARD_BENCH_CHILD) {
  // Re-run under the SWC loader so `@switchyard/*` resolves to packages/*/src.
  const loader = path.join(here, '../../packages/train/test/helpers/register-ts.mjs');
  const r = spawnSync(process.execPath, ['--import', loader, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit', env: { ...process.env, SWITCHYARD_BENCH_CHILD: '1' } });
  process.exit(r.status ?? 1);
}

const steps = Number(opt('steps', '5'));
const warmup = Number(opt('warmup', '2'));
const backendName = opt('backend', 'wasm');
const threads = Number(opt('threads', '1'));
const B = 16, S = 128, T = 32;

// Threads: the runtime reads SWITCHYARD_WASM_THREADS (and exposes enableWasmThreads once its
// kernels work lands); the count actually running is what the backend reports.
process.env.SWITCHYARD_WASM_THREADS = String(threads);
const runtime = await import('@switchyard/tensor-engine');
if (threads > 1 && typeof runtime.enableWasmThreads === 'function') runtime.enableWasmThreads(threads, (why) => console.error(`threads: ${why}`));
const info = await runtime.initBackend(backendName, { quiet: true });
const { SwitchTransformer, presetConfig, replaceRouters } = await import('@switchyard/model-core');
const { routerTypes } = await import('@switchyard/routers');
const { trainLoop, SwitchTask, collateSeq2Seq, disposeSeq2SeqBatch } = await import('@switchyard/train');

const routerArg = opt('routers', 'switch-top1');
const routers = routerArg === 'all' ? routerTypes() : routerArg.split(',');
const cfg = presetConfig('tiny');
const V = cfg.vocab_size;

// Synthetic examples: ids in [2, V) (0 = pad, 1 = eos), full length, so every position is real.
const rng = new runtime.Rng(123);
const examples = Array.from({ length: 64 }, () => ({
  inputIds: Array.from({ length: S }, () => 2 + rng.int(V - 2)),
  labels: Array.from({ length: T }, () => 2 + rng.int(V - 2)),
}));
const data = {
  numExamples: examples.length,
  makeBatch: (idx) => collateSeq2Seq(Array.from(idx, (i) => examples[i])),
  tokenCount: (b) => b.inputIds.size + b.labels.size,
  disposeBatch: disposeSeq2SeqBatch,
};

const results = [];
for (const type of routers) {
  const model = new SwitchTransformer(cfg, new runtime.Rng(1));
  replaceRouters(model, { type }, new runtime.Rng(2));
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'sy-bench-'));
  const stamps = [];
  const timer = flag('profile') ? runtime.startKernelTimer(info.tfjsBackend) : undefined;
  try {
    // warmup + steps timed updates + 1 final update (it writes the end-of-run checkpoint; untimed).
    await trainLoop({
      task: new SwitchTask(model), data, runDir, seed: 1, totalSteps: warmup + steps + 1, batchSize: B,
      optimizer: { type: 'adamw' }, schedule: { type: 'linear', lr: 5e-5 }, logEvery: 1_000_000, resume: false, log: () => {},
      onStep: ({ step }) => { stamps[step] = performance.now(); if (step === warmup) timer?.reset(); if (step === warmup + steps) timer?.stop(); },
    });
    // Median step time: robust to other processes stealing the CPU for a moment.
    const per = Array.from({ length: steps }, (_, i) => stamps[warmup + i + 1] - stamps[warmup + i]).sort((a, b) => a - b);
    const ms = per[Math.floor((per.length - 1) / 2)];
    const mean = per.reduce((a, b) => a + b, 0) / per.length;
    // Routing of the last (logged) step: dropped tokens and active experts change the work done.
    const last = JSON.parse(readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').at(-1));
    const layers = Object.values(last.layers);
    const avg = (f) => layers.reduce((a, l) => a + f(l), 0) / Math.max(1, layers.length);
    const r = {
      router: type, tokensPerSec: Math.round((B * (S + T)) / (ms / 1000)), msPerStep: Math.round(ms), meanMsPerStep: Math.round(mean),
      droppedFraction: avg((l) => l.dropped_fraction), meanActiveExperts: avg((l) => l.mean_active_experts), backend: info.name, threads: info.threads, native: info.native,
    };
    if (timer) {
      r.kernels = timer.report().map((k) => ({ kernel: k.kernel, callsPerStep: k.calls / steps, msPerStep: k.ms / steps }));
      const total = r.kernels.reduce((a, k) => a + k.msPerStep, 0);
      console.log(`${type}: kernel time per step ${total.toFixed(0)} ms of ${ms.toFixed(0)} ms (rest: JS, autodiff bookkeeping, host code)`);
      for (const k of r.kernels.slice(0, 25)) console.log(`  ${k.kernel.padEnd(22)} ${k.callsPerStep.toFixed(0).padStart(6)} calls ${k.msPerStep.toFixed(1).padStart(8)} ms`);
    }
    results.push(r);
    console.log(`${type.padEnd(24)} ${String(r.tokensPerSec).padStart(7)} tokens/s  median ${String(r.msPerStep).padStart(6)} ms/step (mean ${r.meanMsPerStep})  ` +
      `drop ${(100 * r.droppedFraction).toFixed(1)}%  active ${r.meanActiveExperts.toFixed(2)}  (${info.name}, ${info.threads} thread${info.threads === 1 ? '' : 's'}, ${info.native ? `native kernels ${info.native.threads} thread${info.native.threads === 1 ? '' : 's'}` : 'native kernels off'})`);
  } catch (e) {
    results.push({ router: type, error: e.message });
    console.log(`${type.padEnd(24)} FAILED: ${e.message.split('\n')[0]}`);
  } finally {
    model.dispose();
    rmSync(runDir, { recursive: true, force: true });
  }
}
const out = opt('json');
if (out) writeFileSync(out, JSON.stringify({ loadAverage: os.loadavg(), config: { d_model: cfg.d_model, layers: [cfg.num_layers, cfg.num_decoder_layers], experts: cfg.num_experts, vocab: V, batch: B, source: S, target: T, steps, warmup }, tfjs: info.tfjsVersion, cpus: os.cpus().length, results }, null, 2) + '\n');
