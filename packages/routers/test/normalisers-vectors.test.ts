// docs/routers.md §1.6 test vectors and closed-form VJP properties.
import * as tf from '@tensorflow/tfjs';
import { sparsemax, entmax15, entmaxBisect, centredSparsemax, softmax } from '@switchyard/routers';
import { maxAbsDiff, setupBackend, values } from './helpers.js';

beforeAll(setupBackend);

const vectors: { z: number[]; sparsemax: number[]; entmax15?: number[]; centred?: number[] }[] = [
  { z: [-2, 0, 0.5], sparsemax: [0, 0.25, 0.75], entmax15: [0, 0.326007, 0.673993] },
  { z: [1, 0.5, 0.2, -1], sparsemax: [0.75, 0.25, 0, 0], entmax15: [0.592807, 0.270337, 0.136855, 0], centred: [0.75, 0.25, 0, 0] },
  { z: [0.3, 0.2, 0.1, 0], sparsemax: [0.4, 0.3, 0.2, 0.1], entmax15: [0.32703, 0.272343, 0.222657, 0.17797], centred: [0.35, 0.25, 0.2, 0.2] },
  { z: [0.1, 0, -0.1], sparsemax: [0.433333, 0.333333, 0.233333], centred: [0.4, 0.3, 0.3] },
  { z: [1, 1, 1, 1], sparsemax: [0.25, 0.25, 0.25, 0.25], entmax15: [0.25, 0.25, 0.25, 0.25], centred: [0.25, 0.25, 0.25, 0.25] },
  { z: [2, -1], sparsemax: [1, 0], entmax15: [1, 0], centred: [1, 0] },
  { z: [0, 0, -Infinity], sparsemax: [0.5, 0.5, 0] },
];

describe('docs/routers.md §1.6 vectors', () => {
  test.each(vectors.map((v) => [JSON.stringify(v.z), v] as const))('z = %s', (_n, v) => {
    const z = tf.tensor1d(v.z);
    expect(maxAbsDiff(values(sparsemax(z)), v.sparsemax)).toBeLessThan(2e-6);
    if (v.entmax15) {
      expect(maxAbsDiff(values(entmax15(z)), v.entmax15)).toBeLessThan(2e-6);
      expect(maxAbsDiff(values(entmaxBisect(z, 1.5)), v.entmax15)).toBeLessThan(1e-5);
    }
    if (v.centred) expect(maxAbsDiff(values(centredSparsemax(z)), v.centred)).toBeLessThan(2e-6);
    z.dispose();
  });

  test('bisection with α = 2 equals sparsemax', () => {
    const z = tf.tensor2d([[0.3, -1.2, 0.9, 0.1], [2, 1.5, -0.5, 1.9]]);
    expect(maxAbsDiff(values(entmaxBisect(z, 2)), values(sparsemax(z)))).toBeLessThan(1e-5);
    z.dispose();
  });

  test('sparsemax VJP: one-hot row gets zero gradient; J·1 = 0', () => {
    const z = tf.tensor2d([[3, 0, -1], [0.2, 0.1, 0]]);
    const g = tf.tensor2d([[1, 2, 3], [0.5, -1, 2]]);
    const vjp = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(sparsemax(x), g)))(z);
    const v = values(vjp);
    expect(maxAbsDiff(v.slice(0, 3), [0, 0, 0])).toBe(0);
    // row 2: full support {0,1,2}: g − mean(g)
    expect(maxAbsDiff(v.slice(3), [0.5 - 0.5, -1 - 0.5, 2 - 0.5])).toBeLessThan(1e-6);
    const ones = tf.grad((x: tf.Tensor) => tf.sum(entmax15(x)))(z);
    expect(maxAbsDiff(values(ones), [0, 0, 0, 0, 0, 0])).toBeLessThan(1e-6);
    tf.dispose([z, g, vjp, ones]);
  });

  test('softmax along axis 0 equals softmax of the transpose', () => {
    const z = tf.tensor2d([[1, 2], [3, -1], [0, 0.5]]);
    const a = softmax(z, 0);
    const b = tf.transpose(tf.softmax(tf.transpose(z)));
    expect(maxAbsDiff(values(a), values(b))).toBeLessThan(1e-7);
    tf.dispose([z, a, b]);
  });
});
