#!/usr/bin/env node
// Baselines for the classification datasets: majority class and bag-of-words multinomial
// logistic regression (packages/data-prep/src/text-classification/logistic-regression.ts),
// trained on train, scored (accuracy, macro-F1) on every other labelled split.
//   node tools/cls/baselines.mjs --dataset banking77|sst2|sst5|imdb [--dir PATH]
//        [--max-tokens N (IMDb; default 256)] [--l2 λ (default 1/N)] [--lr η (default 1/L̂)] [--momentum μ (default from η, λ)] [--iterations K]
//        [--json FILE]
// Needs `npm run build` first. Reports CPU time (process.cpuUsage), not wall time.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  loadClassificationDataset, checkDatasetName, bagOfWordsVocabulary, bagOfWordsFeatures,
  trainLogisticRegression, predictLogisticRegression, majorityClass, LOGREG_DEFAULTS,
} from '@switchyard/data-prep';
import { confusionMatrix, accuracy, macroF1 } from '@switchyard/eval-classify';

const { values: a } = parseArgs({
  options: {
    dataset: { type: 'string' }, dir: { type: 'string' }, 'max-tokens': { type: 'string' },
    l2: { type: 'string' }, lr: { type: 'string' }, momentum: { type: 'string' }, iterations: { type: 'string' },
    json: { type: 'string' },
  },
});
if (!a.dataset) { console.error('usage: baselines.mjs --dataset banking77|sst2|sst5|imdb [--dir PATH] [--max-tokens N] [--l2 λ] [--lr η] [--momentum μ] [--iterations K] [--json FILE]'); process.exit(2); }
const num = (v, d) => (v === undefined ? d : Number(v));
const dataset = checkDatasetName(a.dataset);
const maxTokens = num(a['max-tokens'], 256);
const opts = { l2: num(a.l2, undefined), learningRate: num(a.lr, undefined), momentum: num(a.momentum, undefined), iterations: num(a.iterations, LOGREG_DEFAULTS.iterations) };

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const c0 = cpu();
const data = await loadClassificationDataset(dataset, { path: a.dir, imdb: { maxTokens } });
const c1 = cpu();
console.log(data.notice);
for (const n of data.notes) console.log(`  note: ${n}`);
const C = data.labelNames.length;
const train = data.splits.train;
const trainLabels = Int32Array.from(train, (r) => r.label);
const vocab = bagOfWordsVocabulary(train.map((r) => r.text));
const xTrain = bagOfWordsFeatures(train.map((r) => r.text), vocab);
const model = trainLogisticRegression(xTrain, trainLabels, C, opts);
const c2 = cpu();
const major = majorityClass(trainLabels, C);
const result = {
  dataset, notice: data.notice, notes: data.notes, classes: C, train: train.length, features: vocab.size,
  logreg: { ...opts, l2: model.l2, learningRate: model.learningRate, momentum: model.momentum, features: 'binary bag of words (lower-cased whitespace tokens seen in train), rows L2-normalised', finalTrainLoss: model.finalLoss },
  cpuSeconds: { load: c1 - c0, train: c2 - c1 }, splits: {},
};
const pct = (v) => (100 * v).toFixed(2);
console.log(`${train.length} train examples, ${C} classes, ${vocab.size} bag-of-words features; logistic regression λ=${model.l2.toPrecision(4)} η=${model.learningRate.toPrecision(4)} μ=${model.momentum.toPrecision(4)} ${opts.iterations} steps, final train loss ${model.finalLoss.toFixed(4)}`);
console.log('| split | n | majority acc | majority macro-F1 | BoW LR acc | BoW LR macro-F1 |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const split of ['train', 'dev', 'test']) {
  const rows = data.splits[split];
  if (!rows) continue;
  const labels = rows.map((r) => r.label);
  const pred = Array.from(predictLogisticRegression(model, bagOfWordsFeatures(rows.map((r) => r.text), vocab)));
  const cmLr = confusionMatrix(labels, pred, C);
  const cmMaj = confusionMatrix(labels, labels.map(() => major), C);
  const s = { n: rows.length, majority: { accuracy: accuracy(cmMaj), macroF1: macroF1(cmMaj) }, logreg: { accuracy: accuracy(cmLr), macroF1: macroF1(cmLr) } };
  result.splits[split] = s;
  console.log(`| ${split} | ${s.n} | ${pct(s.majority.accuracy)} | ${pct(s.majority.macroF1)} | ${pct(s.logreg.accuracy)} | ${pct(s.logreg.macroF1)} |`);
}
result.cpuSeconds.total = cpu() - c0;
console.log(`CPU time: load ${result.cpuSeconds.load.toFixed(1)} s, features + training ${result.cpuSeconds.train.toFixed(1)} s, total ${result.cpuSeconds.total.toFixed(1)} s`);
if (a.json) writeFileSync(a.json, JSON.stringify(result, null, 2) + '\n');
