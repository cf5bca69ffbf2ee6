#!/usr/bin/env node
// Checks that tools/bench/torch-train-step.py computes what Switchyard's train step computes:
// builds the model exactly as train-throughput.mjs does (tiny preset, Rng(1), switch-top1 routers
// from Rng(2)), exports its initial weights as an HF checkpoint (model-core saveCheckpoint:
// HF keys, torch layout [out, in]) with one synthetic batch (B=16, 128→32) and Switchyard's
// losses on it, then runs the torch script with --check-against on that folder, which loads the
// weights by HF name and compares:
//   1. every loss part of an eval-mode forward (CE, z-loss and balance loss of each sparse layer);
//   2. the total loss of the first --train-steps updates of the real trainLoop (forward,
//      backward, clip 1.0, AdamW with linear decay), so backward, clipping and AdamW are covered.
// The switch-top1 router's training jitter (0.01 in the benchmark) draws different random numbers
// in tfjs and torch, so the router is built with jitterNoise 0 here (weights are unchanged: the
// jitter only changes the forward pass); --jitter 0.01 checks the benchmark's router (step 1 then
// agrees only approximately and is not counted).
//
//   npm run build && node tools/bench/torch-twin-check.mjs [--train-steps 3] [--backend wasm]
//       [--tolerance 1e-4] [--keep DIR] [--json out.json] [--capacity 64] [--dropped-tokens zero|hf-v4.36]
// Exit code 0 when every compared value agrees within the relative tolerance.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const trainSteps = Number(opt('train-steps', '3'));
const jitter = Number(opt('jitter', '0'));
// Router options beyond the benchmark's (to exercise the capacity and dropped-token paths):
// --capacity 8 drops tokens; --dropped-tokens hf-v4.36 gives them top1_prob·x.
const capacity = Number(opt('capacity', '64'));
const droppedTokens = opt('dropped-tokens', 'zero');
const tolerance = opt('tolerance', '1e-4');
const python = opt('python', '/usr/bin/python3');
const B = 16, S = 128, T = 32;

const runtime = await import('@switchyard/tensor-engine');
const info = await runtime.initBackend(opt('backend', 'wasm'), { quiet: true });
const tf = await import('@tensorflow/tfjs');
const { SwitchTransformer, presetConfig, replaceRouters, saveCheckpoint, totalLoss } = await import('@switchyard/model-core');
const { trainLoop, SwitchTask, collateSeq2Seq, disposeSeq2SeqBatch } = await import('@switchyard/train');

const dir = opt('keep') ? path.resolve(opt('keep')) : mkdtempSync(path.join(os.tmpdir(), 'sy-twin-'));
mkdirSync(dir, { recursive: true });
try {
  const cfg = presetConfig('tiny');
  const model = new SwitchTransformer(cfg, new runtime.Rng(1));
  replaceRouters(model, { type: 'switch-top1', jitterNoise: jitter, expertCapacity: capacity, droppedTokens }, new runtime.Rng(2));
  const params = model.parameters().reduce((a, p) => a + p.variable.size, 0);
  await saveCheckpoint(model, path.join(dir, 'checkpoint'));

  // The benchmark's synthetic examples (Rng(123), ids in [2, V)); the first B form the batch.
  const V = cfg.vocab_size;
  const rng = new runtime.Rng(123);
  const examples = Array.from({ length: B }, () => ({
    inputIds: Array.from({ length: S }, () => 2 + rng.int(V - 2)),
    labels: Array.from({ length: T }, () => 2 + rng.int(V - 2)),
  }));
  const batch = collateSeq2Seq(examples);
  const rows = (t) => t.arraySync();
  const batchJson = { inputIds: rows(batch.inputIds), attentionMask: rows(batch.attentionMask), labels: rows(batch.labels), decoderInputIds: rows(batch.decoderInputIds) };

  // 1. Eval-mode loss parts through SwitchTask (the same parts the trainer sums).
  const task = new SwitchTask(model);
  const evalParts = {};
  tf.tidy(() => {
    const out = task.forward(batch, { training: false, rng: new runtime.Rng(0), step: 0, wantRouting: false });
    const total = totalLoss(out.parts);
    const vals = tf.stack([total, ...out.parts.map((p) => p.value)]).dataSync();
    evalParts.total = vals[0];
    out.parts.forEach((p, i) => { evalParts[p.layer ? `${p.layer.split('.block.')[0]} ${p.name}` : p.name] = vals[i + 1]; });
  });
  disposeSeq2SeqBatch(batch);

  // 2. The real trainLoop on that batch (16 examples, batch 16: every step sees all of them).
  const runDir = path.join(dir, 'run');
  await trainLoop({
    task, runDir, seed: 1, totalSteps: trainSteps, batchSize: B, logEvery: 1, resume: false, log: () => {},
    data: { numExamples: B, makeBatch: (idx) => collateSeq2Seq(Array.from(idx, (i) => examples[i])), tokenCount: (b) => b.inputIds.size + b.labels.size, disposeBatch: disposeSeq2SeqBatch },
    optimizer: { type: 'adamw' }, schedule: { type: 'linear', lr: 5e-5 },
  });
  const train = readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).loss);
  model.dispose();
  writeFileSync(path.join(dir, 'expected.json'), JSON.stringify({ params, backend: info.name, native: info.native, jitter, batch: batchJson, eval: evalParts, train }) + '\n');
  console.log(`switchyard: ${params.toLocaleString('en-US')} parameters, backend ${info.name}${info.native ? ` + native ${info.native.library} (${info.native.coreType})` : ''}; exported to ${dir}`);

  const extra = opt('json') ? ['--json', path.resolve(opt('json'))] : [];
  const r = spawnSync(python, [path.join(here, 'torch-train-step.py'), '--check-against', dir, '--tolerance', tolerance, ...extra], { stdio: 'inherit' });
  if (r.error) throw r.error;
  process.exitCode = r.status ?? 1;
} finally {
  if (!opt('keep')) rmSync(dir, { recursive: true, force: true });
}
