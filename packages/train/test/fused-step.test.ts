// The fused native kernels in the train step against the tfjs compositions, on WASM
// with runtime's setFusedOps on and off: AdamW updates are bit-identical, the global gradient
// norm agrees to float32 rounding and the NaN guard names the same tensors, and a few steps of
// the micro Switch model log the same losses. Skipped, with a message, without the addon.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fusedOpActive, setFusedOps, type FusedOp } from '@switchyard/tensor-engine/testing';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { SwitchTransformer, presetConfig } from '@switchyard/model-core';
import { AdamW } from '../src/optim/index.js';
import { globalNorm, type GradMap } from '../src/grad-utils.js';
import { firstNonFiniteGradient, firstNonFiniteParameter } from '../src/nan-guard.js';
import { SwitchTask } from '../src/tasks/summarisation/switch-task.js';
import { trainLoop } from '../src/train-loop.js';
import { syntheticSeq2Seq } from './helpers/synthetic-seq2seq.js';
import type { TrainParameter } from '../src/types.js';

let fused = false;
let root: string;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  fused = (['adamw', 'globalNorm', 'finiteFlags', 'rmsNorm', 'crossEntropy'] as FusedOp[]).every((op) => fusedOpActive(op));
  if (!fused) console.log('train fused-step: the native fused kernels are not registered (addon not built or SWITCHYARD_NATIVE=0); skipping');
  root = mkdtempSync(join(tmpdir(), 'sy-fused-step-'));
});
afterAll(() => { setFusedOps(true); rmSync(root, { recursive: true, force: true }); });

/** f with the fused kernels, then with the compositions. */
function bothPaths<T>(f: () => T): [T, T] {
  setFusedOps(true);
  const a = f();
  setFusedOps(false);
  try { return [a, f()]; } finally { setFusedOps(true); }
}

const SHAPES = [[7], [33, 5], [2, 3, 17], [1]];

test('AdamW.apply: weights and moments bit-identical over several steps with decay and a gradient scale', () => {
  if (!fused) return;
  const rng = new Rng(5);
  const init = SHAPES.map((s) => rng.normalArray(s.reduce((a, d) => a * d, 1)));
  const grads = Array.from({ length: 5 }, () => SHAPES.map((s) => rng.normalArray(s.reduce((a, d) => a * d, 1), 0, 0.3)));
  const run = () => {
    const params: TrainParameter[] = SHAPES.map((s, i) => {
      const t = tf.tensor(init[i]!, s);
      const variable = tf.variable(t, true);
      t.dispose();
      return { name: `p${i}`, variable, frozen: false };
    });
    const opt = new AdamW({ weightDecay: 0.05, beta1: 0.85, eps: 1e-7 });
    grads.forEach((gs, step) => {
      const g: GradMap = Object.fromEntries(gs.map((v, i) => [`p${i}`, tf.tensor(v, SHAPES[i]!)]));
      opt.apply(params, g, 0.01 / (step + 1), 0.4);
      tf.dispose(Object.values(g));
    });
    const out = { weights: params.map((p) => Array.from(p.variable.dataSync())), slots: Object.values(opt.exportState().slots).map((s) => Array.from(s.data)) };
    params.forEach((p) => p.variable.dispose());
    opt.dispose();
    return out;
  };
  const before = tf.memory().numTensors;
  const [withFused, composed] = bothPaths(run);
  expect(withFused).toEqual(composed);
  expect(tf.memory().numTensors).toBe(before);
});

test('globalNorm and the NaN guard agree on both paths, and name the same tensors', () => {
  if (!fused) return;
  const rng = new Rng(6);
  const grads: GradMap = Object.fromEntries(SHAPES.map((s, i) => [`g${i}`, rng.normalTensor(s, 0, 2)]));
  const norm = () => { const n = globalNorm(grads); const v = n.dataSync()[0]!; n.dispose(); return v; };
  const [a, b] = bothPaths(norm);
  expect(Math.abs(a - b) / b).toBeLessThan(1e-6);
  expect(bothPaths(() => firstNonFiniteGradient(grads))).toEqual([undefined, undefined]);
  const bad = grads.g2!;
  grads.g2 = tf.tidy(() => bad.add(tf.scatterND([[1, 2, 3]], [Infinity], bad.shape)));
  bad.dispose();
  expect(bothPaths(norm).map((v) => Number.isFinite(v))).toEqual([false, false]);
  expect(bothPaths(() => firstNonFiniteGradient(grads))).toEqual(['g2', 'g2']);
  const params: TrainParameter[] = Object.entries(grads).map(([name, g]) => ({ name, variable: tf.variable(g, false), frozen: false }));
  expect(bothPaths(() => firstNonFiniteParameter(params))).toEqual(['g2', 'g2']);
  params.forEach((p) => p.variable.dispose());
  tf.dispose(Object.values(grads));
});

/** Three AdamW steps of the micro model on fixed batches; loss and grad_norm of every step. */
async function microRun(tag: string): Promise<Array<{ loss: number; grad_norm: number }>> {
  const cfg = presetConfig('micro');
  const data = syntheticSeq2Seq(11, 16, 12, 5, cfg.vocab_size);
  const model = new SwitchTransformer(cfg, new Rng(1));
  const runDir = join(root, tag);
  try {
    await trainLoop({ task: new SwitchTask(model), data, runDir, seed: 3, totalSteps: 3, batchSize: 4, logEvery: 1,
      optimizer: { type: 'adamw' }, schedule: { type: 'constant', lr: 1e-3 }, resume: false, log: () => {} });
  } finally {
    model.dispose();
  }
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { loss: number; grad_norm: number });
}

test('micro Switch model: three train steps log the same losses and gradient norms on both paths', async () => {
  if (!fused) return;
  const withFused = await microRun('fused');
  setFusedOps(false);
  const composed = await microRun('composed').finally(() => setFusedOps(true));
  expect(withFused).toHaveLength(3);
  withFused.forEach((r, i) => {
    const c = composed[i]!;
    const rel = { loss: Math.abs(r.loss - c.loss) / c.loss, grad_norm: Math.abs(r.grad_norm - c.grad_norm) / c.grad_norm };
    expect({ step: i + 1, ok: rel.loss <= 1e-5 && rel.grad_norm <= 1e-5, rel }).toEqual({ step: i + 1, ok: true, rel });
  });
}, 120_000);
