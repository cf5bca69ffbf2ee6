// Accuracy and macro-F1 from a confusion matrix, with the exact names and signatures of
// @switchyard/eval-classify (confusionMatrix(labels, predictions, numClasses), accuracy(cm),
// macroF1(cm)) so that this file can be replaced by an import from that package.
//   cm[t][p] = examples of true class t predicted as p
//   macro-F1 = mean over classes present in labels or predictions of 2·tp / (2·tp + fp + fn)

export function confusionMatrix(labels, predictions, numClasses) {
  if (labels.length !== predictions.length) throw new Error(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  const cm = Array.from({ length: numClasses }, () => new Array(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i], p = predictions[i];
    if (!(Number.isInteger(t) && t >= 0 && t < numClasses)) throw new Error(`confusionMatrix: label ${i} is ${t}`);
    if (!(Number.isInteger(p) && p >= 0 && p < numClasses)) throw new Error(`confusionMatrix: prediction ${i} is ${p}`);
    cm[t][p] += 1;
  }
  return cm;
}

export function accuracy(cm) {
  let right = 0, all = 0;
  cm.forEach((row, t) => row.forEach((v, p) => { all += v; if (t === p) right += v; }));
  if (all === 0) throw new Error('accuracy of an empty confusion matrix');
  return right / all;
}

export function macroF1(cm) {
  const C = cm.length;
  const f = [];
  for (let k = 0; k < C; k++) {
    const tp = cm[k][k];
    let row = 0, col = 0;
    for (let j = 0; j < C; j++) { row += cm[k][j]; col += cm[j][k]; }
    if (row + col > 0) f.push((2 * tp) / (row + col)); // 2tp + fp + fn = row + col
  }
  if (f.length === 0) throw new Error('macro-F1 of an empty confusion matrix');
  return f.reduce((a, b) => a + b, 0) / f.length;
}
