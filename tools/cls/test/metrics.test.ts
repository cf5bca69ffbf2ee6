// tools/cls/metrics.mjs (eval-classify's API names) on a confusion matrix computed by hand.
// @ts-ignore: a plain .mjs module without types
import { confusionMatrix, accuracy, macroF1 } from '../metrics.mjs';

test('accuracy and macro-F1 of a hand-worked 3-class case', () => {
  // labels 0 0 0 1 1 2, predictions 0 0 1 1 2 2 → cm [[2,1,0],[0,1,1],[0,0,1]]
  const cm = confusionMatrix([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], 3);
  expect(cm).toEqual([[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
  expect(accuracy(cm)).toBeCloseTo(4 / 6, 15);
  // F1: class 0 = 2·2/(2·2+0+1) = 4/5; class 1 = 2/(2+1+1) = 1/2; class 2 = 2/(2+1+0) = 2/3
  expect(macroF1(cm)).toBeCloseTo((4 / 5 + 1 / 2 + 2 / 3) / 3, 15);
  // A class absent from labels and predictions is left out of the mean.
  expect(macroF1(confusionMatrix([0, 1], [0, 0], 3))).toBeCloseTo((2 / 3 + 0) / 2, 15);
});
