// Training on the native kernels (packages/native-kernels) follows the plain WASM path.
// The same tiny Switch model, data, seed and optimiser run 5 steps with the native kernels on and
// then off (useNativeKernels swaps the registered kernels back in this process); the per-step
// losses must agree. They differ only by float32 summation order (OpenBLAS vs XNNPACK blocking,
// fused vs composed kernels), which Adam's normalised updates keep small over a few steps.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, nativeKernelInfo, Rng } from '@switchyard/tensor-engine';
import { useNativeKernels } from '@switchyard/tensor-engine/testing';
import { SwitchTransformer, presetConfig } from '@switchyard/model-core';
import { SwitchTask } from '../src/tasks/summarisation/switch-task.js';
import { trainLoop } from '../src/train-loop.js';
import { syntheticSeq2Seq } from './helpers/synthetic-seq2seq.js';

let root: string;
let nativeActive = false;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  nativeActive = nativeKernelInfo() !== null;
  if (!nativeActive) console.log('native-path: native kernels not built (or SWITCHYARD_NATIVE=0); skipping');
  root = mkdtempSync(join(tmpdir(), 'sy-native-path-'));
});
afterAll(() => { useNativeKernels(true); rmSync(root, { recursive: true, force: true }); });

/** Five AdamW steps of the tiny preset on fixed synthetic batches; the logged loss of every step. */
async function losses(tag: string): Promise<number[]> {
  const cfg = presetConfig('tiny');
  const B = 8, S = 64, T = 16, V = cfg.vocab_size;
  const data = syntheticSeq2Seq(11, 32, S, T, V);
  const model = new SwitchTransformer(cfg, new Rng(1));
  const runDir = join(root, tag);
  try {
    await trainLoop({ task: new SwitchTask(model), data, runDir, seed: 3, totalSteps: 5, batchSize: B, logEvery: 1,
      optimizer: { type: 'adamw' }, schedule: { type: 'constant', lr: 1e-3 }, resume: false, log: () => {} });
  } finally {
    model.dispose();
  }
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { loss: number }).loss);
}

test('per-step training losses with and without the native kernels agree', async () => {
  if (!nativeActive) return;
  const tensors = tf.memory().numTensors;
  const withNative = await losses('native');
  expect(useNativeKernels(false)).toBe(false);
  expect(nativeKernelInfo()).toBeNull();
  const plain = await losses('plain');
  expect(useNativeKernels(true)).toBe(true);
  expect(withNative).toHaveLength(5);
  // The loss falls over the 5 steps on both paths (lr 1e-3 on a fixed set of 32 examples).
  expect(withNative[4]!).toBeLessThan(withNative[0]!);
  for (let i = 0; i < 5; i++) {
    const rel = Math.abs(withNative[i]! - plain[i]!) / Math.abs(plain[i]!);
    expect({ step: i + 1, ok: rel <= 1e-4, rel }).toEqual({ step: i + 1, ok: true, rel });
  }
  expect(tf.memory().numTensors).toBe(tensors);
}, 300_000);
