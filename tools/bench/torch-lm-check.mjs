#!/usr/bin/env node
// Checks that tools/bench/torch-lm.py (a PyTorch twin of the decoder-only MoE LM) computes what
// Switchyard's DecoderLM computes: builds the model (an LM preset, Rng(seed)), exports its weights
// (packages/model-core/src/lm-checkpoint.ts: config.json + model.safetensors, torch layout), takes a
// fixed token stream — the first bytes of the embedded enwik8 slice (datasets/embedded-enwik8) —
// evaluates it with evaluateLm (B rows, `blocks` consecutive blocks, the cache carried, eval mode:
// no dropout, the routers' deterministic inference top-k), and runs the twin on the same folder,
// which compares the mean NLL. Exit code 0 when they agree within the relative tolerance.
//
//   npm run build && node tools/bench/torch-lm-check.mjs [--preset cpu-mini] [--architecture transformer|glam]
//       [--router '{"type":"smoe","topK":2}'] [--compat glam-pairs,double-norm,zero-cache]
//       [--overrides '{"numLayers":4}'] [--batch 2] [--blocks 3] [--seed 1] [--tolerance 1e-5] [--keep DIR] [--python /usr/bin/python3]
// Prints one JSON line: the twin's report plus the configuration checked.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const preset = opt('preset', 'cpu-mini');
const architecture = opt('architecture', 'transformer');
const router = JSON.parse(opt('router', '{"type":"smoe","topK":2}'));
const compat = (opt('compat', '') || '').split(',').filter(Boolean);
const known = { 'glam-pairs': 'compatGlamPairIndexing', 'double-norm': 'compatDoubleMoeNorm', 'zero-cache': 'compatZeroInitialCache' };
for (const c of compat) if (!known[c]) { console.error(`--compat: unknown "${c}"; known: ${Object.keys(known).join(', ')}`); process.exit(2); }
const extra = JSON.parse(opt('overrides', '{}'));
const batch = Number(opt('batch', '2'));
const blocks = Number(opt('blocks', '3'));
const seed = Number(opt('seed', '1'));
const tolerance = opt('tolerance', '1e-5');
const python = opt('python', '/usr/bin/python3');

const runtime = await import('@switchyard/tensor-engine');
await runtime.initBackend(opt('backend', 'wasm'), { quiet: true });
const { DecoderLM, lmPresetConfig, saveLmCheckpoint, evaluateLm } = await import('@switchyard/model-core');
const { loadLmCorpus, embeddedEnwik8Path } = await import('@switchyard/data-prep');

const dir = opt('keep') ? path.resolve(opt('keep')) : mkdtempSync(path.join(os.tmpdir(), 'sy-lm-twin-'));
mkdirSync(dir, { recursive: true });
let code = 1;
try {
  const overrides = { architecture, router, vocabSize: 256, ...extra };
  for (const c of compat) overrides[known[c]] = true;
  const cfg = lmPresetConfig(preset, overrides);
  const model = new DecoderLM(cfg, new runtime.Rng(seed));
  saveLmCheckpoint(model, path.join(dir, 'checkpoint'));
  const stream = loadLmCorpus({ kind: 'enwik8', path: embeddedEnwik8Path() }).splits.train;
  const rowLength = blocks * cfg.blockSize + 1;
  const tokens = Int32Array.from(stream.subarray(0, batch * rowLength));
  const r = evaluateLm(model, tokens, { batchSize: batch, blockSize: cfg.blockSize, maxBlocks: blocks });
  writeFileSync(path.join(dir, 'tokens.bin'), Buffer.from(tokens.buffer, tokens.byteOffset, tokens.byteLength));
  writeFileSync(path.join(dir, 'expected.json'), JSON.stringify({ nll: r.nll, batchSize: batch, blockSize: cfg.blockSize, blocks: r.blocks }, null, 2));
  model.dispose();
  const run = spawnSync(python, [path.join(here, 'torch-lm.py'), '--check-against', dir, '--tolerance', tolerance], { encoding: 'utf8' });
  if (run.error) throw run.error;
  if (run.stderr) process.stderr.write(run.stderr);
  const report = JSON.parse(run.stdout.trim().split('\n').pop() || '{}');
  console.log(JSON.stringify({ ...report, preset, architecture, router, compat, overrides: extra, batch, blocks: r.blocks, blockSize: cfg.blockSize, attnSpan: cfg.attnSpan }));
  code = run.status ?? 1;
} finally {
  if (!opt('keep')) rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
