// Gradient accumulation: 2 micro-batches of 4 give the same update as one batch of 8 when the
// loss is a plain mean over equal-sized batches (the seeded order makes the 8 examples the same).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { trainLoop } from '../src/train-loop.js';
import type { BatchSource, TrainTask, TrainParameter } from '../src/types.js';

type Batch = { x: tf.Tensor2D; y: tf.Tensor1D };
let root: string;
beforeAll(async () => { await initBackend('wasm', { quiet: true }); root = mkdtempSync(join(tmpdir(), 'sy-accum-')); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

let made = 0;
function regression(): TrainTask<Batch> & { w: TrainParameter } {
  const init = tf.tensor1d([0.5, -0.25, 1]);
  const w: TrainParameter = { name: 'w', variable: tf.variable(init, true, `accum-w-${made++}`) };
  init.dispose();
  return {
    w,
    parameters: () => [w],
    forward: (b) => ({ parts: [{ name: 'ce', coefficient: 1, value: tf.mean(tf.square(tf.sub(tf.squeeze(tf.matMul(b.x, tf.reshape(w.variable, [3, 1])), [1]), b.y))) as tf.Scalar }] }),
  };
}

function source(): BatchSource<Batch> {
  const r = new Rng(4);
  const xs = r.uniformArray(16 * 3, -1, 1), ys = r.uniformArray(16, -1, 1);
  return {
    numExamples: 16,
    makeBatch: (idx) => ({
      x: tf.tensor2d(Array.from(idx).flatMap((i) => Array.from(xs.subarray(3 * i, 3 * i + 3))), [idx.length, 3]),
      y: tf.tensor1d(Array.from(idx, (i) => ys[i]!)),
    }),
    tokenCount: (b) => b.y.size,
    disposeBatch: (b) => { b.x.dispose(); b.y.dispose(); },
  };
}

test('accumulating 2 × 4 equals one batch of 8 (AdamW, 3 steps)', async () => {
  const run = async (batchSize: number, gradAccumSteps: number, dir: string) => {
    const task = regression();
    await trainLoop({ task, data: source(), runDir: join(root, dir), seed: 9, totalSteps: 3, batchSize, gradAccumSteps, clipNorm: 0,
      optimizer: { type: 'adamw' }, schedule: { type: 'constant', lr: 0.1 }, resume: false, log: () => {} });
    const w = Array.from(task.w.variable.dataSync());
    task.w.variable.dispose();
    return w;
  };
  const whole = await run(8, 1, 'whole');
  const accum = await run(4, 2, 'accum');
  const different = await run(4, 1, 'half');
  accum.forEach((v, i) => expect(v).toBeCloseTo(whole[i]!, 5));
  expect(different.some((v, i) => Math.abs(v - whole[i]!) > 1e-4)).toBe(true);
});
