// The image-classification evaluator: a trained ImageMoeModel (model-core image-moe-io.ts) on a
// prepared split (default test). Out-of-sample cross-entropy and accuracy (+ percentile bootstrap
// interval), macro-F1 (+ interval), and MOESART's routing measures (arXiv 2310.18217; definitions
// in @switchyard/eval-classify): experts active per example in training (every recorded training
// step) and at inference, ½‖w − softmax(router logits)‖₁ from the dense softmax router in training
// mode and at inference, routing change across epochs (the train stage's probe snapshots), expert
// load. Writes scores.arrow (per image), classify.json (everything, per layer and class),
// confusion-matrix.svg/.png, and returns the metric record.
// Inference runs in batches of `batchSize`: capacity-based routers (Expert Choice, V-MoE) choose
// within a batch, so pipelines use the training batch size. Dims: N images, C classes, E experts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import { readImageSplit, readImageTaskInfo } from '@switchyard/data-prep';
import { loadImageMoeModel, type ImageMoeModel } from '@switchyard/model-core';
import {
  accuracy, activeExperts, argmaxRows, bootstrapAccuracy, bootstrapMacroF1, confusionMatrix, expertLoad, kSparseDistance, macroF1, perClassScores, softmaxRows,
} from '@switchyard/eval-classify';
import type { EvaluateArgs, Evaluator } from '../../evaluator-registry.js';
import type { MetricRecord } from '../../metric-record.js';
import { routingConsistency, trainingActive } from './training-routing.js';
import { imageMetricRecord, type ImageMeasures } from './image-metric-record.js';
import { writeConfusionPlot } from '../../confusion-plot.js';

interface LayerArrays { dispatch: Float32Array; selected: Float32Array; weights: Float32Array; logits: Float32Array; dense: boolean }

/** One pass over the images in batches: logits [N, C] and each layer's routing arrays [N, E]. */
export function runImages(net: ImageMoeModel, x: Float32Array, n: number, batchSize: number, training: boolean, rng: Rng): { logits: Float32Array; layers: LayerArrays[] } {
  const { inputSize: p, numClasses: c, numExperts: e } = net.config;
  const logits = new Float32Array(n * c);
  const layers: LayerArrays[] = net.layers.map(() => ({ dispatch: new Float32Array(n * e), selected: new Float32Array(n * e), weights: new Float32Array(n * e), logits: new Float32Array(n * e), dense: false }));
  for (let s = 0; s < n; s += batchSize) {
    const rows = Math.min(batchSize, n - s);
    tf.tidy(() => {
      const o = net.forward(tf.tensor2d(x.subarray(s * p, (s + rows) * p), [rows, p]), { training, rng });
      logits.set(o.logits.dataSync(), s * c);
      o.layers.forEach((l, i) => {
        const a = layers[i]!;
        a.dispatch.set(l.router.dispatch.dataSync(), s * e); a.selected.set(l.router.selected.dataSync(), s * e);
        a.weights.set(l.router.weights.dataSync(), s * e); a.logits.set(l.router.logits.dataSync(), s * e);
        a.dense ||= l.router.denseCompute;
      });
    });
  }
  return { logits, layers };
}

export async function evaluateImages(a: EvaluateArgs): Promise<MetricRecord> {
  const info = readImageTaskInfo(a.dataDir);
  const data = readImageSplit(a.dataDir, a.config.split);
  const n = Math.min(data.count, a.config.maxExamples ?? Infinity);
  const p = data.pixelsPerImage;
  const x = new Float32Array(n * p);
  for (let i = 0; i < n * p; i++) x[i] = data.pixels[i]! / 255;
  const labels = data.labels.subarray(0, n);
  const boot = a.config.bootstrap === false ? null : { samples: a.config.bootstrap.samples ?? 1000, confidence: a.config.bootstrap.confidence ?? 0.95, seed: a.config.bootstrap.seed ?? 42 };

  const net = loadImageMoeModel(a.checkpointDir);
  let inf: ReturnType<typeof runImages>, trn: ReturnType<typeof runImages>;
  const { numClasses: c, numExperts: e } = net.config;
  const router = net.config.router;
  try {
    if (p !== net.config.inputSize) throw new Error(`${a.dataDir}/${a.config.split}.arrow: images have ${p} pixels, the model expects ${net.config.inputSize}`);
    inf = runImages(net, x, n, a.config.batchSize, false, new Rng(a.seed).fork('eval/inference'));
    trn = runImages(net, x, n, a.config.batchSize, true, new Rng(a.seed).fork('eval/training-mode'));
  } finally {
    net.dispose();
  }

  // Classification.
  const preds = argmaxRows(inf.logits, n, c);
  const cm = confusionMatrix(labels, preds, c);
  const perCe = new Float64Array(n), correct = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let j = 0; j < c; j++) mx = Math.max(mx, inf.logits[i * c + j]!);
    let z = 0;
    for (let j = 0; j < c; j++) z += Math.exp(inf.logits[i * c + j]! - mx);
    perCe[i] = Math.log(z) + mx - inf.logits[i * c + labels[i]!]!;
    correct[i] = preds[i] === labels[i] ? 1 : 0;
  }
  writeArrowFile(join(a.outDir, 'scores.arrow'), makeTable({
    index: { kind: 'int32', values: Int32Array.from({ length: n }, (_, i) => i) as unknown as number[] },
    label: { kind: 'int32', values: Array.from(labels) },
    prediction: { kind: 'int32', values: Array.from(preds) },
    correct: { kind: 'float64', values: correct as unknown as number[] },
    cross_entropy: { kind: 'float64', values: perCe as unknown as number[] },
  }));

  // Routing on the evaluated images.
  const layerNames = net.layers.map((l) => l.name);
  const layers = inf.layers.map((l, i) => {
    const t = trn.layers[i]!;
    return {
      layer: layerNames[i]!,
      activeInference: activeExperts(l.dispatch, n, e, l.dense),
      activeTrainingMode: activeExperts(t.dispatch, n, e, t.dense),
      distanceInference: kSparseDistance(l.weights, softmaxRows(l.logits, n, e), n, e).mean,
      distanceTraining: kSparseDistance(t.weights, softmaxRows(t.logits, n, e), n, e).mean,
      load: expertLoad(l.dispatch, n, e),
    };
  });
  const mean = (f: (l: (typeof layers)[number]) => number) => layers.reduce((s, l) => s + f(l), 0) / layers.length;
  const steps = trainingActive(a.checkpointDir);
  const consistency = routingConsistency(a.checkpointDir, e);
  if (!consistency) a.log('routing change across epochs: not measured (the model folder has fewer than two epoch-end probe snapshots in routing-epochs.arrow)');

  const m: ImageMeasures = {
    examples: n, split: a.config.split,
    accuracy: { value: accuracy(cm), interval: boot ? bootstrapAccuracy(labels, preds, c, boot) : null },
    macroF1: { value: macroF1(cm), interval: boot ? bootstrapMacroF1(labels, preds, c, boot) : null },
    crossEntropy: perCe.reduce((s, v) => s + v, 0) / n,
    activeTraining: steps ? { mean: steps.mean, max: steps.max, source: `every training step (${steps.steps} steps, routing-steps.arrow)` } : { mean: mean((l) => l.activeTrainingMode.mean), max: Math.max(...layers.map((l) => l.activeTrainingMode.max)), source: 'a training-mode pass over the evaluated images (no routing-steps.arrow)' },
    activeInference: { mean: mean((l) => l.activeInference.mean), max: Math.max(...layers.map((l) => l.activeInference.max)) },
    distanceTraining: mean((l) => l.distanceTraining),
    distanceInference: mean((l) => l.distanceInference),
    routingChange: consistency ? { value: consistency.meanChanged, pairs: consistency.snapshots.length - 1, probeImages: consistency.probeImages } : null,
    loadCv2: mean((l) => l.load.cv2),
    bootstrap: boot,
  };
  const classes = info.classes;
  writeFileSync(join(a.outDir, 'classify.json'), `${JSON.stringify({
    router, measures: m, confusionMatrix: cm, classes,
    perClass: perClassScores(cm).map((s, i) => ({ class: classes[i], ...s })),
    layers: layers.map((l) => ({
      layer: l.layer, activeInference: { mean: l.activeInference.mean, max: l.activeInference.max, histogram: l.activeInference.histogram },
      activeTrainingMode: { mean: l.activeTrainingMode.mean, max: l.activeTrainingMode.max, histogram: l.activeTrainingMode.histogram },
      distanceTraining: l.distanceTraining, distanceInference: l.distanceInference, load: l.load,
    })),
    trainingSteps: steps, consistency,
  }, null, 2)}\n`);
  try {
    await writeConfusionPlot(a.outDir, cm, classes, `Confusion matrix, ${router.type}, ${a.config.split} (${n} images)`, { unit: 'images' });
  } catch (err) {
    a.log(`confusion-matrix plot not drawn: ${(err as Error).message}`);
  }
  a.record('image', { accuracy: m.accuracy, macroF1: m.macroF1, crossEntropy: m.crossEntropy, activeTraining: m.activeTraining, activeInference: m.activeInference, routingChange: m.routingChange });
  a.log(`${a.config.split}: accuracy ${(100 * m.accuracy.value).toFixed(2)} %, CE ${m.crossEntropy.toFixed(4)}, experts/example train ${m.activeTraining.mean.toFixed(3)} (max ${m.activeTraining.max}), inference ${m.activeInference.mean.toFixed(3)}`);
  return imageMetricRecord(m);
}

export const imageClassificationEvaluator: Evaluator = { task: 'image-classification', evaluate: evaluateImages };
