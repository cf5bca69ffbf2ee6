// Confusion matrix of a classifier and the scores read from it. Rows are true classes, columns
// predicted classes: cm[t][p] = number of examples of class t predicted as p.
//   accuracy   = Σ_c cm[c][c] / Σ cm
//   precision_c = cm[c][c] / Σ_t cm[t][c],  recall_c = cm[c][c] / Σ_p cm[c][p]
//   F1_c = 2·cm[c][c] / (2·cm[c][c] + FP_c + FN_c)   (= harmonic mean of precision and recall)
//   macro-F1 = mean of F1_c over the classes that occur in the labels or the predictions
// (scikit-learn's `f1_score(average="macro")` with labels=None; a class absent from both is left
// out; a class present in only one of them has F1 0).

export type ConfusionMatrix = number[][];

/** cm [C][C] from labels and predictions (each 0..C−1; the error names the index). */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, numClasses: number): ConfusionMatrix {
  if (labels.length !== predictions.length) throw new Error(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`confusionMatrix: numClasses must be a positive integer, got ${numClasses}`);
  const cm = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!, p = predictions[i]!;
    if (!Number.isInteger(t) || t < 0 || t >= numClasses) throw new Error(`confusionMatrix: label ${i} is ${t}; expected an integer 0..${numClasses - 1}`);
    if (!Number.isInteger(p) || p < 0 || p >= numClasses) throw new Error(`confusionMatrix: prediction ${i} is ${p}; expected an integer 0..${numClasses - 1}`);
    cm[t]![p]! += 1;
  }
  return cm;
}

function checkSquare(cm: ConfusionMatrix): number {
  const c = cm.length;
  if (c === 0 || cm.some((r) => r.length !== c)) throw new Error('confusion matrix must be square and non-empty');
  return c;
}

export function accuracy(cm: ConfusionMatrix): number {
  const c = checkSquare(cm);
  let right = 0, all = 0;
  for (let t = 0; t < c; t++) for (let p = 0; p < c; p++) { all += cm[t]![p]!; if (t === p) right += cm[t]![p]!; }
  if (all === 0) throw new Error('accuracy of an empty confusion matrix');
  return right / all;
}

export interface ClassScores {
  /** NaN when the class is never predicted. */
  precision: number;
  /** NaN when the class never occurs. */
  recall: number;
  /** 0 when the class occurs in only one of labels/predictions; NaN when in neither. */
  f1: number;
  /** Examples of the class (row sum). */
  support: number;
}

export function perClassScores(cm: ConfusionMatrix): ClassScores[] {
  const c = checkSquare(cm);
  const out: ClassScores[] = [];
  for (let k = 0; k < c; k++) {
    const tp = cm[k]![k]!;
    let row = 0, col = 0;
    for (let j = 0; j < c; j++) { row += cm[k]![j]!; col += cm[j]![k]!; }
    const fn = row - tp, fp = col - tp;
    out.push({
      precision: col > 0 ? tp / col : NaN,
      recall: row > 0 ? tp / row : NaN,
      f1: row + col > 0 ? (2 * tp) / (2 * tp + fp + fn) : NaN,
      support: row,
    });
  }
  return out;
}

export function macroF1(cm: ConfusionMatrix): number {
  const f = perClassScores(cm).map((s) => s.f1).filter((v) => !Number.isNaN(v));
  if (f.length === 0) throw new Error('macro-F1 of an empty confusion matrix');
  return f.reduce((a, b) => a + b, 0) / f.length;
}
