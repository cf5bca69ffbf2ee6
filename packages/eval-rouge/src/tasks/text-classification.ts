// The text-classification evaluator (the eval stage's work for that task): classify every example
// of the configured split with the fine-tuned LM classifier (model-core lm-classifier.ts; left
// padding, attention mask, argmax of the logits) and score it with @switchyard/eval-classify:
// accuracy and macro-F1 from the confusion matrix, each with a seeded bootstrap interval. The other
// held-out split (validation ↔ test) is scored too when it is labelled (the CompeteSMoE study
// reports its dev split; test where labelled). Writes
//   predictions.arrow  index, label, prediction (the eval split)
//   scores.arrow       correct (1/0 per example of the eval split; its mean is the accuracy)
//   confusion-matrix.png/.svg  the configured split's heat map (confusion-matrix-<split>.* for the others)
//   confusion.json     per scored split: label names, confusion matrix (rows true, columns
//                      predicted), per-class precision/recall/F1, accuracy, macro-F1, intervals
// and returns the metric record (accuracy the headline).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import { Rng } from '@switchyard/tensor-engine';
import { collateClassification, disposeClassificationBatch, loadLmClassifier, type LmClassifier } from '@switchyard/model-core';
import { readClassificationMeta, readClassificationSplit, type ClassificationMeta } from '@switchyard/data-prep';
import { writeConfusionPlot } from '../confusion-plot.js';
import { accuracy, bootstrapAccuracy, bootstrapMacroF1, confusionMatrix, macroF1, perClassScores, type Interval } from '@switchyard/eval-classify';
import type { Evaluator } from '../evaluator-registry.js';
import type { MetricRecord, MetricSpec } from '../metric-record.js';
import type { EvalStageConfig } from '../eval-stage-config.js';

/** Predicted class of every row, batch by batch in eval mode. */
export function classifyRows(model: LmClassifier, rows: number[][], batchSize: number, padId: number): Int32Array {
  const out = new Int32Array(rows.length);
  model.resetCache();
  for (let s = 0; s < rows.length; s += batchSize) {
    const chunk = rows.slice(s, s + batchSize);
    const b = collateClassification(chunk, chunk.map(() => 0), padId);
    const pred = tf.tidy(() => tf.argMax(model.forward(b.ids, b.attentionMask).logits, 1).dataSync() as Int32Array);
    disposeClassificationBatch(b);
    out.set(pred, s);
  }
  model.resetCache();
  return out;
}

interface SplitScore { split: string; examples: number; accuracy: number; macroF1: number; accuracyInterval: Interval | null; macroF1Interval: Interval | null; labels: number[]; predictions: Int32Array; matrix: number[][] }

function scoreSplit(model: LmClassifier, dataDir: string, split: string, meta: ClassificationMeta, c: EvalStageConfig, seed: number): SplitScore {
  const data = readClassificationSplit(dataDir, split);
  const n = c.maxExamples !== undefined ? Math.min(c.maxExamples, data.ids.length) : data.ids.length;
  let maxId = 0;
  for (const r of data.ids) for (const t of r) if (t > maxId) maxId = t;
  const v = model.config.lm.vocabSize;
  if (maxId >= v) throw new Error(`${dataDir}: split "${split}" has token id ${maxId} but the checkpoint's vocabulary has ${v} ids; the data and the model were not prepared together`);
  const labels = data.labels.slice(0, n);
  const predictions = classifyRows(model, data.ids.slice(0, n), c.batchSize, meta.vocabulary.padId);
  const k = meta.labelNames.length;
  const matrix = confusionMatrix(labels, predictions, k);
  const boot = c.bootstrap === false ? null : { samples: c.bootstrap.samples ?? 1000, confidence: c.bootstrap.confidence ?? 0.95, seed: c.bootstrap.seed ?? seed };
  return {
    split, examples: n, accuracy: accuracy(matrix), macroF1: macroF1(matrix),
    accuracyInterval: boot ? bootstrapAccuracy(labels, predictions, k, boot) : null,
    macroF1Interval: boot ? bootstrapMacroF1(labels, predictions, k, boot) : null,
    labels, predictions, matrix,
  };
}

const interval = (i: Interval | null) => (i ? { low: i.low, high: i.high } : null);

export const textClassificationEvaluator: Evaluator = {
  task: 'text-classification',
  async evaluate(a): Promise<MetricRecord> {
    const c = a.config;
    const meta = readClassificationMeta(a.dataDir);
    const labelled = Object.keys(meta.labelled).filter((s) => meta.labelled[s]);
    if (!meta.labelled[c.split]) throw new Error(`${a.dataDir}: split "${c.split}" ${meta.rows[c.split] === undefined ? 'does not exist' : 'is not labelled'}; labelled splits: ${labelled.join(', ') || '(none)'}`);
    const model = loadLmClassifier(a.checkpointDir, new Rng(a.seed).fork('eval-classifier'));
    let scores: SplitScore[];
    try {
      const others = ['validation', 'test'].filter((s) => s !== c.split && meta.labelled[s]);
      scores = [c.split, ...others].map((s) => scoreSplit(model, a.dataDir, s, meta, c, a.seed));
    } finally { model.dispose(); }
    const main = scores[0]!;
    writeArrowFile(join(a.outDir, 'predictions.arrow'), makeTable({
      index: { kind: 'int32', values: Array.from(main.labels, (_, i) => i) },
      label: { kind: 'int32', values: main.labels },
      prediction: { kind: 'int32', values: Array.from(main.predictions) },
    }));
    writeArrowFile(join(a.outDir, 'scores.arrow'), makeTable({ correct: { kind: 'float64', values: main.labels.map((l, i) => (l === main.predictions[i] ? 1 : 0)) } }));
    const confusion = scores.map((s) => ({
      split: s.split, examples: s.examples, labelNames: meta.labelNames, matrix: s.matrix, perClass: perClassScores(s.matrix),
      accuracy: s.accuracy, macroF1: s.macroF1, accuracyInterval: s.accuracyInterval, macroF1Interval: s.macroF1Interval,
    }));
    writeFileSync(join(a.outDir, 'confusion.json'), `${JSON.stringify(confusion, null, 2)}\n`);
    // One heat map per scored split: confusion-matrix.png for the configured split, confusion-matrix-<split>.png for the others.
    for (const [i, s] of scores.entries()) {
      await writeConfusionPlot(a.outDir, s.matrix, meta.labelNames, `Confusion matrix, ${s.split} (${s.examples} examples)`, { unit: 'examples', stem: i === 0 ? 'confusion-matrix' : `confusion-matrix-${s.split}` });
    }
    for (const s of scores) a.log(`${s.split}: accuracy ${(100 * s.accuracy).toFixed(2)}, macro-F1 ${(100 * s.macroF1).toFixed(2)} over ${s.examples} examples`);
    a.record('classification', confusion.map(({ matrix: _m, perClass: _p, ...rest }) => rest));
    const spec = (name: string, label: string, rest: Partial<MetricSpec>): MetricSpec => ({ name, label, higherIsBetter: true, scale: 100, digits: 2, interval: null, overSeeds: 'mean-sample-std', ...rest });
    const metrics: MetricSpec[] = [
      spec('accuracy', 'Accuracy', { perExample: { file: 'scores.arrow', column: 'correct' }, interval: interval(main.accuracyInterval) }),
      spec('macro_f1', 'Macro-F1', { value: main.macroF1, interval: interval(main.macroF1Interval) }),
    ];
    for (const s of scores.slice(1)) {
      metrics.push(spec(`${s.split}_accuracy`, `${s.split} accuracy`, { value: s.accuracy, interval: interval(s.accuracyInterval) }));
      metrics.push(spec(`${s.split}_macro_f1`, `${s.split} macro-F1`, { value: s.macroF1, interval: interval(s.macroF1Interval) }));
    }
    return {
      task: 'text-classification', split: c.split, examples: main.examples, primary: 'accuracy', metrics,
      report: {
        valueNote: `Accuracy and macro-F1 ×100 on the ${c.split} split${scores.length > 1 ? ` (and ${scores.slice(1).map((s) => s.split).join(', ')})` : ''}`,
        intervalNote: 'Each eval stage bootstraps its own interval by resampling (label, prediction) pairs',
        intervalName: 'bootstrap',
        axisTitle: 'accuracy (%)',
        plotName: 'accuracy-vs-flops',
        method: [
          'Accuracy: share of examples whose argmax class is the label (the mean of scores.arrow\'s `correct`), ×100.',
          'Macro-F1: mean over the classes present in labels or predictions of 2·TP / (2·TP + FP + FN), from the confusion matrix (confusion.json), ×100.',
          'Bootstrap: resampled (label, prediction) pairs, seeded; bounds are the (1 ∓ confidence)/2 quantiles.',
        ],
      },
    };
  },
};
