#!/usr/bin/env node
// Time of Switchyard's decoder-LM train step — the step the `train` stage runs for every
// language-modelling pipeline (trainLoop + LmTrainTask + LmTrainStream of @switchyard/train): one
// block of B stream rows with the cache carried, forward in training mode (dropout), the loss
// parts, backward, Adam (lr 7e-4, no clipping, no weight decay, as pipelines/bases/lm.json). Model:
// the LM preset (cpu-mini by default: 4 layers, d 128, 4 heads, E 8, d_ff 128, block 128, span
// 256, V 256) with SMoE top-2, initialised from Rng(seed); the token stream is the embedded enwik8
// slice. --export DIR also writes the initial weights and the stream so the PyTorch twin
// (tools/bench/torch-lm-train-step.py) trains the same model on the same tokens.
//
//   npm run build && node tools/bench/lm-train-step.mjs [--preset cpu-mini] [--batch 8] [--steps 10]
//       [--warmup 3] [--threads 1] [--json out.json] [--export DIR] [--dropout P] [--check] [--profile]
// --export-only writes DIR and stops. --check logs every step and records the losses (tools/bench/lm-vs-torch.mjs compares them with
// the twin's at dropout 0); never time a --check run.
// tokens/s counts B·M positions per step over the median step time.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const preset = opt('preset', 'cpu-mini');
const B = Number(opt('batch', '8'));
const steps = Number(opt('steps', '10'));
const warmup = Number(opt('warmup', '3'));
const threads = Number(opt('threads', '1'));
const seed = Number(opt('seed', '1'));
// --check: log every step (untimed use) so the losses can be compared with the twin's.
const check = args.includes('--check');

process.env.SWITCHYARD_WASM_THREADS = String(threads);
const runtime = await import('@switchyard/tensor-engine');
const info = await runtime.initBackend('wasm', { quiet: true });
const { DecoderLM, lmPresetConfig, saveLmCheckpoint } = await import('@switchyard/model-core');
const { trainLoop, LmTrainTask, LmTrainStream } = await import('@switchyard/train');
const { loadLmCorpus, embeddedEnwik8Path } = await import('@switchyard/data-prep');

const cfg = lmPresetConfig(preset, { router: { type: 'smoe', topK: 2 }, vocabSize: 256, ...(opt('dropout') !== undefined ? { dropout: Number(opt('dropout')) } : {}) });
const M = cfg.blockSize;
// Enough stream for every step in one pass: B rows of (steps + warmup + 1) blocks + 1 token.
const total = warmup + steps + 1;
const rowLength = total * M + 1;
const corpus = loadLmCorpus({ kind: 'enwik8', path: embeddedEnwik8Path() }).splits.train;
if (corpus.length < B * rowLength) throw new Error(`the embedded enwik8 slice has ${corpus.length} training tokens; ${B} rows of ${rowLength} need ${B * rowLength}`);
const tokens = Int32Array.from(corpus.subarray(0, B * rowLength));

const lm = new DecoderLM(cfg, new runtime.Rng(seed));
const exportDir = opt('export');
if (exportDir) {
  mkdirSync(exportDir, { recursive: true });
  saveLmCheckpoint(lm, path.join(exportDir, 'checkpoint'));
  writeFileSync(path.join(exportDir, 'tokens.bin'), Buffer.from(tokens.buffer, tokens.byteOffset, tokens.byteLength));
  writeFileSync(path.join(exportDir, 'setup.json'), JSON.stringify({ batchSize: B, blockSize: M, steps: total, lr: 7e-4 }, null, 2) + '\n');
  if (args.includes('--export-only')) { lm.dispose(); process.exit(0); }
}
const model = { lm };
const stream = new LmTrainStream(lm, tokens, B);
model.stream = stream;
const runDir = mkdtempSync(path.join(os.tmpdir(), 'sy-lm-bench-'));
// --profile: per-kernel ms per timed step (wraps the backend's kernelFuncs; adds a little overhead).
const timer = args.includes('--profile') ? runtime.startKernelTimer(info.tfjsBackend) : undefined;
const stamps = [];
let losses = [];
try {
  await trainLoop({
    task: new LmTrainTask(model), data: stream, runDir, seed, totalSteps: total, batchSize: B,
    optimizer: { type: 'adamw', weightDecay: 0 }, schedule: { type: 'constant', lr: 7e-4 }, clipNorm: 0,
    // No per-step logging: reading routing statistics back every step is not part of the step.
    logEvery: check ? 1 : 1_000_000, resume: false, log: () => {},
    onStep: ({ step }) => { stamps[step] = performance.now(); if (step === warmup) timer?.reset(); if (step === warmup + steps) timer?.stop(); },
  });
  if (check) losses = readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => typeof r.loss === 'number').map((r) => r.loss);
} finally {
  stream.dispose();
  lm.dispose();
  rmSync(runDir, { recursive: true, force: true });
}
const per = Array.from({ length: steps }, (_, i) => stamps[warmup + i + 1] - stamps[warmup + i]).sort((a, b) => a - b);
const ms = per[Math.floor((per.length - 1) / 2)];
const r = {
  arm: 'switchyard', preset, batch: B, blockSize: M, steps, warmup, msPerStep: ms, tokensPerSec: (B * M) / (ms / 1000),
  backend: info.name, threads: info.threads, native: info.native, tfjs: info.tfjsVersion, dropout: cfg.dropout, losses,
};
console.log(`Switchyard LM train step (${preset}, B ${B} × M ${M}, SMoE top-2): median ${ms.toFixed(0)} ms/step, ${Math.round(r.tokensPerSec)} tokens/s (${info.name}, ${info.threads} thr, ${info.native ? `native ${info.native.threads} thr` : 'native off'})`);
if (timer) {
  const kernels = timer.report().map((k) => ({ kernel: k.kernel, callsPerStep: k.calls / steps, msPerStep: k.ms / steps }));
  const total = kernels.reduce((a, k) => a + k.msPerStep, 0);
  console.log(`kernel time per step ${total.toFixed(0)} ms of ${ms.toFixed(0)} ms (rest: JS, autodiff bookkeeping, host code)`);
  for (const k of kernels.slice(0, 30)) console.log(`  ${k.kernel.padEnd(22)} ${k.callsPerStep.toFixed(0).padStart(6)} calls ${k.msPerStep.toFixed(1).padStart(8)} ms`);
}
const out = opt('json');
if (out) writeFileSync(out, JSON.stringify(r, null, 2) + '\n');
