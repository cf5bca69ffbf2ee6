// The image family's training side: when the probe snapshots fall (hand-computed epoch ends,
// with gradient accumulation and a last partial epoch), the per-example active counts, router
// replacement keeping every non-router weight, save → load giving the same logits, and no
// tensor leaked by a few training steps.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng, initBackend } from '@switchyard/tensor-engine';
import { ImageMoeModel, loadImageMoeModel } from '@switchyard/model-core';
import { imageSplitTable } from '@switchyard/data-prep';
import { RoutingRecorder, activePerExample, imageClassificationTrainFamily as fam, trainLoop, type ImageTrainModel } from '@switchyard/train';
import { writeArrowFile } from '@switchyard/runtime';
import { writeFilesInto } from '../src/run-training.js';

let dir: string;
beforeAll(async () => { await initBackend('wasm', { quiet: true }); dir = mkdtempSync(join(tmpdir(), 'image-family-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('snapshots fall at init and after each update that ends an epoch', () => {
  const r = new RoutingRecorder();
  r.setGeometry(10, 3, 2); // 4 batches per epoch, 2 batches per update → epoch ends after updates 2, 4, 6 …
  const due = Array.from({ length: 8 }, (_, s) => r.dueAt(s));
  expect(due).toEqual(['init', null, 'epoch-end', null, 'epoch-end', null, 'epoch-end', null]);
  const r2 = new RoutingRecorder();
  r2.setGeometry(10, 4, 1); // 3 batches per epoch: epochs end after updates 3, 6
  expect(Array.from({ length: 8 }, (_, s) => r2.dueAt(s))).toEqual(['init', null, null, 'epoch-end', null, null, 'epoch-end', null]);
  r2.addSnapshot('init', 0, []);
  r2.recordStep(6, 'moe.0', Int32Array.from([1]));
  expect(r2.lastStepDue()).toEqual({ step: 7, kind: 'last-step' });
  r2.recordStep(8, 'moe.0', Int32Array.from([1]));
  expect(r2.lastStepDue()).toEqual({ step: 9, kind: 'epoch-end' });
});

it('counts active experts per example from a dispatch mask (E for dense compute)', () => {
  expect(Array.from(activePerExample([1, 0, 1, 0, 0, 0, 0.5, 1, 1], 3, 3, false))).toEqual([2, 0, 3]);
  expect(Array.from(activePerExample([], 2, 4, true))).toEqual([4, 4]);
});

it('replaces routers keeping the other weights, saves and loads to the same logits, trains without leaking tensors', async () => {
  // 12 images of 4 pixels, 3 classes.
  const px = Uint8Array.from({ length: 48 }, (_, i) => (i * 37) % 256);
  const labels = Int32Array.from({ length: 12 }, (_, i) => i % 3);
  writeArrowFile(join(dir, 'train.arrow'), imageSplitTable(px, labels, Int32Array.from({ length: 12 }, (_, i) => i), 4));
  writeArrowFile(join(dir, 'validation.arrow'), imageSplitTable(px.subarray(0, 20), labels.subarray(0, 5), Int32Array.from({ length: 5 }, (_, i) => i), 4));
  const before = tf.memory().numTensors;
  const m: ImageTrainModel = { net: new ImageMoeModel({ inputSize: 4, numClasses: 3, dModel: 8, dFf: 8, numExperts: 4, numMoeLayers: 1, router: { type: 'linear-softmax-dense' } }, 3), recorder: new RoutingRecorder() };
  const w0 = m.net.layers[0]!.experts[2]!.w1.dataSync().slice();
  fam.replaceRouters(m, { type: 'moesart', topK: 2 }, new Rng(4), []);
  expect(m.net.config.router).toEqual({ type: 'moesart', topK: 2 });
  expect(Array.from(m.net.layers[0]!.experts[2]!.w1.dataSync())).toEqual(Array.from(w0));
  const loop = { steps: 5, batchSize: 4, maxSourceLength: 2, maxTargetLength: 2, optimizer: { gradAccumSteps: 1 }, logEvery: 5, checkpointEvery: 0, keepCheckpoints: 1 } as never;
  const data = fam.batchSource(m, dir, 'train', loop, 'train')!;
  fam.batchSource(m, dir, 'validation', loop, 'held-out');
  await trainLoop({ task: fam.trainTask(m), data, runDir: join(dir, 'run'), seed: 1, totalSteps: 5, batchSize: 4, optimizer: { type: 'adamw', weightDecay: 0 }, schedule: { type: 'constant', lr: 0.01 }, logEvery: 5, log: () => {} });
  expect(m.recorder.steps.map((s) => s.step)).toEqual([0, 1, 2, 3, 4]);
  expect(m.recorder.steps.every((s) => s.maxActive <= 2 && s.examples === 4)).toBe(true);
  writeFilesInto(join(dir, 'model'), fam.modelFiles(m));
  // snapshots: init (0), epoch ends after updates 3 (12 images / 4), and the last step (5)
  expect([...new Set(m.recorder.snapshots.map((s) => `${s.kind}@${s.step}`))]).toEqual(['init@0', 'epoch-end@3', 'last-step@5']);
  const loaded = loadImageMoeModel(join(dir, 'model'));
  const x = tf.tensor2d(Float32Array.from(px.subarray(0, 16), (v) => v / 255), [4, 4]);
  const logits = (net: ImageMoeModel) => tf.tidy(() => Array.from(net.forward(x, { training: false, rng: new Rng(0) }).logits.dataSync()));
  expect(logits(loaded)).toEqual(logits(m.net));
  x.dispose(); loaded.dispose(); fam.dispose(m);
  expect(tf.memory().numTensors).toBe(before);
});
