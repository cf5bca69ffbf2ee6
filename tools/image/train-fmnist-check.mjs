#!/usr/bin/env node
// A short training check of the MoE image classifier (model-core's ImageMoeModel) on the embedded
// Fashion-MNIST subset (datasets/embedded-fashion-mnist: 6,000 train / 1,000 test) with the
// generic training loop of @switchyard/train (the image family's TrainTask + BatchSource), for each
// router named, then the test-set metrics of @switchyard/eval-classify: accuracy, macro-F1 (with a
// seeded bootstrap interval), cross-entropy, experts active per example in training and at
// inference, ½‖w − softmax(logits)‖₁, routing change between epochs (inference sets of the test
// images at each epoch end), expert load. Not a test and not a benchmark; it uses the built
// packages (run `npm run build` first).
//
//   node tools/image/train-fmnist-check.mjs [--steps 400] [--batch 60] [--seed 1] [--routers smoe:2,moesart:2]
//     [--out tools/image/results/fmnist-check.md]
import { mkdtempSync, mkdirSync, appendFileSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { loadFashionMnist } from '@switchyard/data-prep';
import { ImageMoeModel } from '@switchyard/model-core';
import { trainLoop, ImageBatchSource, imageTrainTask, RoutingRecorder } from '@switchyard/train';
import {
  confusionMatrix, accuracy, macroF1, bootstrapAccuracy, crossEntropyFromLogits, argmaxRows,
  activeExperts, softmaxRows, kSparseDistance, routingChangeAcrossEpochs, expertLoad,
} from '@switchyard/eval-classify';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const steps = Number(opt('steps', '400'));
const batchSize = Number(opt('batch', '60'));
const seed = Number(opt('seed', '1'));
const out = opt('out', 'tools/image/results/fmnist-check.md');
const ROUTERS = {
  smoe: (k) => ({ label: `top-k (smoe, TK-B) k=${k}`, cfg: { type: 'smoe', topK: k } }),
  moesart: (k) => ({ label: `MOESART k=${k}`, cfg: { type: 'moesart', topK: k } }),
  'linear-softmax-dense': () => ({ label: 'dense softmax', cfg: { type: 'linear-softmax-dense' } }),
};
const routers = opt('routers', 'smoe:2,moesart:2').split(',').map((s) => { const [t, k] = s.split(':'); return ROUTERS[t](Number(k)); });

const backend = await initBackend('wasm', { quiet: true });
const train = loadFashionMnist('train', 'embedded');
const test = loadFashionMnist('test', 'embedded');
const P = train.rows * train.cols, C = 10;
console.log(train.source.notice);

/** An IdxImageSet as the image family's split shape (pixels uint8, labels int32). */
const asSplit = (set) => ({ pixels: set.images, labels: Int32Array.from(set.labels), sourceIndex: Int32Array.from({ length: set.count }, (_, i) => i), count: set.count, pixelsPerImage: P });
/** The image family's BatchSource (pixels / 255) and TrainTask (CE + router losses, routing recorded). */
const imageSource = (set) => new ImageBatchSource(asSplit(set));
const imageTask = (model) => imageTrainTask({ net: model, recorder: new RoutingRecorder() });

const testSource = imageSource(test);
const allTest = Int32Array.from({ length: test.count }, (_, i) => i);

/** One forward over the test set in chunks; host arrays of logits and per-layer routing. */
function runTest(model, training, rng) {
  const logits = new Float32Array(test.count * C);
  const layers = model.layers.map(() => ({ dispatch: [], selected: [], weights: [], logits: [], dense: false }));
  for (let s = 0; s < test.count; s += 250) {
    const b = testSource.makeBatch(allTest.slice(s, s + 250));
    tf.tidy(() => {
      const o = model.forward(b.x, { training, rng });
      logits.set(o.logits.dataSync(), s * C);
      o.layers.forEach((l, i) => {
        layers[i].dispatch.push(...l.router.dispatch.dataSync()); layers[i].selected.push(...l.router.selected.dataSync());
        layers[i].weights.push(...l.router.weights.dataSync()); layers[i].logits.push(...l.router.logits.dataSync());
        layers[i].dense ||= l.router.denseCompute;
      });
    });
    testSource.disposeBatch(b);
  }
  return { logits, layers };
}

const rows = [];
for (const r of routers) {
  const model = new ImageMoeModel({ router: r.cfg }, seed);
  const E = model.config.numExperts;
  const runDir = mkdtempSync(join(tmpdir(), 'fmnist-check-'));
  const epochSets = [runTest(model, false, new Rng(0)).layers.map((l) => l.selected)];   // before training
  const perEpoch = Math.ceil(train.count / batchSize);
  const t0 = performance.now(), c0 = process.cpuUsage();
  const res = await trainLoop({
    task: imageTask(model), data: imageSource(train), runDir, seed, totalSteps: steps, batchSize,
    optimizer: { type: 'adamw', weightDecay: 0 }, schedule: { type: 'constant', lr: 1e-3 }, logEvery: 100,
    log: (line) => console.log(`  [${r.label}] ${line}`),
    onStep: ({ step }) => { if (step % perEpoch === 0) epochSets.push(runTest(model, false, new Rng(0)).layers.map((l) => l.selected)); },
  });
  const trainSec = (performance.now() - t0) / 1000, cpuSec = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1e6;
  const ev = runTest(model, false, new Rng(0));
  const tr = runTest(model, true, new Rng(1).fork('train-mode-eval'));
  const preds = argmaxRows(ev.logits, test.count, C);
  const cm = confusionMatrix(test.labels, preds, C);
  const ci = bootstrapAccuracy(test.labels, preds, C, { seed: 1, samples: 1000 });
  const layerStats = ev.layers.map((l, i) => {
    const n = test.count;
    return {
      activeInference: activeExperts(l.dispatch, n, E, l.dense),
      activeTraining: activeExperts(tr.layers[i].dispatch, n, E, tr.layers[i].dense),
      distTraining: kSparseDistance(tr.layers[i].weights, softmaxRows(tr.layers[i].logits, n, E), n, E).mean,
      distInference: kSparseDistance(l.weights, softmaxRows(l.logits, n, E), n, E).mean,
      change: routingChangeAcrossEpochs(epochSets.map((s) => s[i]), n, E),
      load: expertLoad(l.dispatch, n, E),
    };
  });
  rows.push({ r, acc: accuracy(cm), f1: macroF1(cm), ci, ce: crossEntropyFromLogits(ev.logits, test.labels, C), layerStats, trainSec, cpuSec, finalLoss: res.finalLoss });
  model.dispose();
  rmSync(runDir, { recursive: true, force: true });
}

const f = (v, d = 3) => v.toFixed(d);
const machine = `${cpus()[0].model}, ${cpus().length} vCPU, load average ${loadavg().map((v) => v.toFixed(1)).join('/')} at the end (other jobs were running)`;
let md = `\n## ${new Date().toISOString()} — ${steps} steps × batch ${batchSize}, seed ${seed}, embedded subset\n\n`;
md += `Machine: ${machine}; backend ${backend.name} ${backend.threads} thr${backend.native ? ` + native kernels (${backend.native.library})` : ''}. Model: ImageMoeModel defaults (D=64, F=128, E=8, 2 MoE layers), AdamW lr 1e-3 constant, clip 1.0. Test: the 1,000 embedded test images.\n\n`;
md += '| router | test acc | 95% bootstrap | macro-F1 | test CE | experts/example train (max) | inference (max) | ½‖w−softmax‖₁ train / inference | routing change per epoch (layer 0) | load CV² inference (layer 0) | wall s / CPU s |\n|---|---|---|---|---|---|---|---|---|---|---|\n';
for (const x of rows) {
  const l0 = x.layerStats[0];
  const act = (k) => x.layerStats.map((l) => `${f(l[k].mean, 2)} (${l[k].max})`).join(', ');
  md += `| ${x.r.label} | ${f(x.acc)} | ${f(x.ci.low)}–${f(x.ci.high)} | ${f(x.f1)} | ${f(x.ce)} | ${act('activeTraining')} | ${act('activeInference')} | ${x.layerStats.map((l) => `${f(l.distTraining)} / ${f(l.distInference)}`).join(', ')} | ${l0.change.map((c) => f(c.changedFraction, 3)).join(' → ')} | ${f(l0.load.cv2)} | ${f(x.trainSec, 1)} / ${f(x.cpuSec, 1)} |\n`;
}
md += '\nPer-layer values are listed layer 0, layer 1. Routing change: fraction of the 1,000 test images whose inference expert set differs between consecutive snapshots (before training, then each epoch end; 100 steps = 1 epoch of the 6,000 images).\n';
console.log(md);
mkdirSync(dirname(out), { recursive: true });
if (!existsSync(out)) writeFileSync(out, '# Fashion-MNIST training check (tools/image/train-fmnist-check.mjs)\n\nShort runs on the embedded subset: they show the machinery works, not how the routers compare.\n');
appendFileSync(out, md);
