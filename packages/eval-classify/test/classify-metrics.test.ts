// Accuracy, macro-F1, cross-entropy and the bootstrap on hand-computed cases.
import {
  confusionMatrix, accuracy, macroF1, perClassScores, bootstrapAccuracy, bootstrapMacroF1, quantileLinear,
  crossEntropyFromLogits, argmaxRows,
} from '@switchyard/eval-classify';

// cm (rows true, columns predicted) = [[2,1,0],[0,1,1],[1,1,3]], worked out by hand from:
const labels = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
const preds = [0, 1, 0, 1, 2, 2, 2, 0, 2, 1];

describe('confusion matrix scores', () => {
  it('builds the hand-counted matrix', () => {
    expect(confusionMatrix(labels, preds, 3)).toEqual([[2, 1, 0], [0, 1, 1], [1, 1, 3]]);
  });
  it('accuracy 6/10; F1 per class 4/6, 2/5, 6/9; macro-F1 their mean', () => {
    const cm = confusionMatrix(labels, preds, 3);
    expect(accuracy(cm)).toBeCloseTo(0.6, 12);
    const s = perClassScores(cm);
    // class 0: tp 2, fp 1, fn 1; class 1: tp 1, fp 2, fn 1; class 2: tp 3, fp 1, fn 2
    expect(s.map((c) => c.f1)).toEqual([4 / 6, 2 / 5, 6 / 9].map((v) => expect.closeTo(v, 12)));
    expect(s.map((c) => c.precision)).toEqual([2 / 3, 1 / 3, 3 / 4].map((v) => expect.closeTo(v, 12)));
    expect(s.map((c) => c.recall)).toEqual([2 / 3, 1 / 2, 3 / 5].map((v) => expect.closeTo(v, 12)));
    expect(s.map((c) => c.support)).toEqual([3, 2, 5]);
    expect(macroF1(cm)).toBeCloseTo((4 / 6 + 2 / 5 + 6 / 9) / 3, 12);
  });
  it('a class absent from labels and predictions is left out of macro-F1; one present in only one counts 0', () => {
    expect(macroF1(confusionMatrix(labels, preds, 5))).toBeCloseTo((4 / 6 + 2 / 5 + 6 / 9) / 3, 12);
    // labels [0,0], predictions [0,1]: class 0 F1 = 2/3, class 1 (predicted, never true) F1 = 0
    expect(macroF1(confusionMatrix([0, 0], [0, 1], 2))).toBeCloseTo(1 / 3, 12);
  });
  it('errors name the bad index', () => {
    expect(() => confusionMatrix([0, 3], [0, 0], 3)).toThrow(/label 1 is 3; expected an integer 0\.\.2/);
    expect(() => confusionMatrix([0, 1], [0, -1], 3)).toThrow(/prediction 1 is -1/);
    expect(() => confusionMatrix([0], [0, 1], 3)).toThrow(/1 labels but 2 predictions/);
  });
});

describe('bootstrap', () => {
  it('quantiles interpolate linearly between order statistics (numpy default)', () => {
    expect(quantileLinear([4, 1, 3, 2], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantileLinear([4, 1, 3, 2], 0.5)).toBeCloseTo(2.5, 12);
    expect(quantileLinear([5], 0.975)).toBe(5);
  });
  it('is seeded: same seed same interval, another seed another', () => {
    const a = bootstrapMacroF1(labels, preds, 3, { seed: 4, samples: 200 });
    expect(bootstrapMacroF1(labels, preds, 3, { seed: 4, samples: 200 })).toEqual(a);
    expect(bootstrapMacroF1(labels, preds, 3, { seed: 5, samples: 200 })).not.toEqual(a);
    expect(a.mid).toBeCloseTo(macroF1(confusionMatrix(labels, preds, 3)), 12);
    expect(a.low).toBeLessThanOrEqual(a.mid);
    expect(a.high).toBeGreaterThanOrEqual(a.mid);
  });
  it('perfect predictions give the degenerate interval [1, 1]', () => {
    expect(bootstrapAccuracy([0, 1, 2, 1], [0, 1, 2, 1], 3, { samples: 50 })).toEqual({ low: 1, mid: 1, high: 1 });
  });
  it('accuracy interval matches the normal approximation p ± 1.96·√(p(1−p)/n)', () => {
    // n = 400, 300 right: p = 0.75, half-width 1.96·√(0.75·0.25/400) = 0.04244
    const n = 400;
    const y = Array.from({ length: n }, (_, i) => i % 2);
    const p = y.map((v, i) => (i % 4 === 3 ? 1 - v : v));
    const iv = bootstrapAccuracy(y, p, 2, { seed: 1, samples: 2000 });
    expect(iv.mid).toBe(0.75);
    const half = 1.96 * Math.sqrt(0.75 * 0.25 / n);
    expect(Math.abs(iv.mid - iv.low - half)).toBeLessThan(0.008);
    expect(Math.abs(iv.high - iv.mid - half)).toBeLessThan(0.008);
  });
});

describe('cross-entropy from logits', () => {
  it('matches the hand-computed mean −log p[y]', () => {
    // rows softmax: [1/4, 3/4] and [1/2, 1/2]; labels 1 and 0
    expect(crossEntropyFromLogits([0, Math.log(3), 2, 2], [1, 0], 2)).toBeCloseTo((Math.log(4 / 3) + Math.log(2)) / 2, 12);
  });
  it('is stable for large logits', () => {
    expect(crossEntropyFromLogits([1000, 0], [0], 2)).toBeCloseTo(0, 12);
    expect(crossEntropyFromLogits([1000, 0], [1], 2)).toBeCloseTo(1000, 9);
  });
  it('argmax takes the lowest index on ties; bad labels are named', () => {
    expect(Array.from(argmaxRows([1, 3, 3, 0, 0, 0], 2, 3))).toEqual([1, 0]);
    expect(() => crossEntropyFromLogits([0, 0], [2], 2)).toThrow(/label 0 is 2; expected 0\.\.1/);
  });
});
