// The baselines' pieces against independent expectations: bag-of-words rows worked by hand, the
// logistic-regression gradient against central finite differences of its loss, training reaching
// the stationary point of the strictly convex objective (zero gradient), the power iteration
// against a closed-form eigenvalue, and the majority class.
import {
  bagOfWordsVocabulary, bagOfWordsFeatures, lossAndGradient, trainLogisticRegression, predictLogisticRegression,
  gramTopEigenvalue, majorityClass, type SparseRows,
} from '@switchyard/data-prep';

const dense = (x: SparseRows) => {
  const m = Array.from({ length: x.rows }, () => new Array<number>(x.dim).fill(0));
  for (let r = 0; r < x.rows; r++) for (let k = x.indptr[r]!; k < x.indptr[r + 1]!; k++) m[r]![x.indices[k]!] = x.values[k]!;
  return m;
};

test('bag of words: first-appearance columns, binary presence, unit rows, unknown words dropped', () => {
  const vocab = bagOfWordsVocabulary(['good film', 'bad bad film']);
  expect([...vocab.entries()]).toEqual([['good', 0], ['film', 1], ['bad', 2]]);
  const x = bagOfWordsFeatures(['Film good GOOD', 'bad', 'unseen words', 'bad film good'], vocab);
  const h = 1 / Math.sqrt(2), t = 1 / Math.sqrt(3); // 1/√(distinct known words)
  expect(dense(x)).toEqual([[h, h, 0], [0, 0, 1], [0, 0, 0], [t, t, t]]);
  expect(Array.from(x.indptr)).toEqual([0, 2, 3, 3, 6]);
  expect(bagOfWordsVocabulary(['a b a', 'b c'], 2)).toEqual(new Map([['a', 0], ['b', 1]]));
});

// A small random-ish but fixed problem (no RNG: values from a formula).
function problem(): { x: SparseRows; y: Int32Array; C: number } {
  const texts = ['a b c', 'b d', 'a e f', 'c d e', 'f a', 'b', 'd e a b', 'c f'];
  const vocab = bagOfWordsVocabulary(texts);
  return { x: bagOfWordsFeatures(texts, vocab), y: Int32Array.from([0, 1, 2, 1, 0, 2, 1, 0]), C: 3 };
}

test('gradient equals central finite differences of the loss', () => {
  const { x, y, C } = problem();
  const D = x.dim;
  const w = Float64Array.from({ length: D * C }, (_, i) => Math.sin(i + 1) * 0.7);
  const b = Float64Array.from({ length: C }, (_, i) => Math.cos(i) * 0.3);
  const gw = new Float64Array(D * C), gb = new Float64Array(C);
  const lam = 0.05;
  lossAndGradient(x, y, C, lam, w, b, gw, gb);
  const f = (w2: Float64Array, b2: Float64Array) => lossAndGradient(x, y, C, lam, w2, b2, new Float64Array(D * C), new Float64Array(C));
  const eps = 1e-6;
  for (let i = 0; i < w.length; i++) {
    const p = w.slice(), m = w.slice();
    p[i] += eps; m[i] -= eps;
    expect(Math.abs((f(p, b) - f(m, b)) / (2 * eps) - gw[i]!)).toBeLessThan(1e-8);
  }
  for (let c = 0; c < C; c++) {
    const p = b.slice(), m = b.slice();
    p[c] += eps; m[c] -= eps;
    expect(Math.abs((f(w, p) - f(w, m)) / (2 * eps) - gb[c]!)).toBeLessThan(1e-8);
  }
  // Loss at zero weights is log C (uniform softmax), by hand.
  expect(f(new Float64Array(D * C), new Float64Array(C))).toBeCloseTo(Math.log(3), 14);
});

test('training reaches the minimiser: the gradient vanishes, the loss falls, the result is deterministic', () => {
  const { x, y, C } = problem();
  const m = trainLogisticRegression(x, y, C, { l2: 0.1, iterations: 400 });
  const gw = new Float64Array(m.weights.length), gb = new Float64Array(C);
  const loss = lossAndGradient(x, y, C, 0.1, m.weights, m.bias, gw, gb);
  const norm = Math.sqrt([...gw, ...gb].reduce((s, v) => s + v * v, 0));
  expect(norm).toBeLessThan(1e-9);
  expect(loss).toBeLessThan(Math.log(3));
  expect(m.finalLoss).toBe(loss);
  expect(m.learningRate).toBeCloseTo(1 / (0.5 * gramTopEigenvalue(x) + 0.1), 12);
  const again = trainLogisticRegression(x, y, C, { l2: 0.1, iterations: 400 });
  expect(Array.from(again.weights)).toEqual(Array.from(m.weights));
  // With little regularisation it fits this separable training set.
  const loose = trainLogisticRegression(x, y, C, { l2: 1e-3, iterations: 400 });
  expect(Array.from(predictLogisticRegression(loose, x))).toEqual(Array.from(y));
});

test('one plain gradient step from zero, worked by hand', () => {
  // Two examples, one feature each (x = 1), classes 0 and 1; at zero p = ½ everywhere.
  // ∇W[0] = ½(p0 − y0) = ½(½ − 1, ½ − 0) = (−¼, ¼); ∇W[1] = ½(½, −½) = (¼, −¼); ∇b = 0.
  const x: SparseRows = { rows: 2, dim: 2, indptr: Int32Array.from([0, 1, 2]), indices: Int32Array.from([0, 1]), values: Float64Array.from([1, 1]) };
  const m = trainLogisticRegression(x, [0, 1], 2, { l2: 0, learningRate: 2, momentum: 0, iterations: 1 });
  expect(Array.from(m.weights)).toEqual([0.5, -0.5, -0.5, 0.5]);
  expect(Array.from(m.bias)).toEqual([0, 0]);
});

test('power iteration finds the top eigenvalue of [X 1]ᵀ[X 1]/N', () => {
  // X = [[1, 0], [0, 1]] (N = 2) → [X 1] = [[1,0,1],[0,1,1]]; Gram/N = ½[[1,0,1],[0,1,1],[1,1,2]],
  // eigenvalues ½·{3, 1, 0} → 1.5.
  const x: SparseRows = { rows: 2, dim: 2, indptr: Int32Array.from([0, 1, 2]), indices: Int32Array.from([0, 1]), values: Float64Array.from([1, 1]) };
  expect(gramTopEigenvalue(x)).toBeCloseTo(1.5, 12);
});

test('majority class: most frequent, ties to the lowest index', () => {
  expect(majorityClass([2, 1, 2, 0], 3)).toBe(2);
  expect(majorityClass([1, 0, 1, 0], 2)).toBe(0);
  expect(() => majorityClass([3], 3)).toThrow(/label 0 is 3/);
});
