// deep-spin/entmax golden vectors (../shared/golden/entmax.json, copied to fixtures):
// float32 outputs and VJPs of sparsemax, entmax15 and entmax_bisect(α=1.5) on every case/axis.
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { sparsemax, entmax15, entmaxBisect, sparsemaxLoss, entmax15Loss } from '@switchyard/routers';
import { maxAbsDiff, setupBackend } from './helpers.js';

interface Result { y_f32: number[]; vjp_f32: number[] }
interface Case { name: string; shape: number[]; dim: number; x: number[]; grad_out: number[]; results: Record<string, Result> }
const here = path.dirname(fileURLToPath(import.meta.url));
interface LossCase { name: string; shape: [number, number]; x: number[]; target: number[]; sparsemax_loss: { loss: number[]; grad_x_of_sum: number[] }; entmax15_loss: { loss: number[]; grad_x_of_sum: number[] } }
const golden = JSON.parse(readFileSync(path.join(here, 'fixtures', 'entmax.json'), 'utf8')) as { cases: Case[]; losses: LossCase[] };

const maps: Record<string, (x: tf.Tensor, axis: number) => tf.Tensor> = {
  sparsemax: (x, a) => sparsemax(x, a),
  entmax15: (x, a) => entmax15(x, a),
  'entmax_bisect_1.5': (x, a) => entmaxBisect(x, 1.5, a, 50),
};

beforeAll(setupBackend);

describe('normalisers match deep-spin/entmax (float32)', () => {
  test('there are 56 cases covering dims -1, -2, 0, 1', () => {
    expect(golden.cases.length).toBe(56);
    expect(new Set(golden.cases.map((c) => c.dim))).toEqual(new Set([-1, -2, 0, 1]));
  });
  for (const name of Object.keys(maps)) {
    test.each(golden.cases.map((c) => [c.name, c] as const))(`${name}: %s`, (_n, c) => {
      const big = Math.max(...c.x.map(Math.abs)) >= 1e4;
      const bisect = name.startsWith('entmax_bisect');
      const tolY = bisect && big ? 1e-2 : 1e-6;
      const tolG = bisect && big ? 1e-2 : 1e-5;
      const before = tf.memory().numTensors;
      const x = tf.tensor(c.x, c.shape, 'float32');
      const g = tf.tensor(c.grad_out, c.shape, 'float32');
      const f = maps[name]!;
      const y = f(x, c.dim);
      const vjp = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(f(z, c.dim), g)))(x);
      const ref = c.results[name]!;
      expect(y.shape).toEqual(c.shape);
      expect(maxAbsDiff(y.dataSync(), ref.y_f32)).toBeLessThan(tolY);
      expect(maxAbsDiff(vjp.dataSync(), ref.vjp_f32)).toBeLessThan(tolG);
      tf.dispose([x, g, y, vjp]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('Fenchel–Young losses match deep-spin/entmax (float32 implementation vs float64 reference)', () => {
  test.each(golden.losses.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const x = tf.tensor2d(c.x, c.shape);
    const t = tf.tensor1d(c.target, 'int32');
    for (const [f, ref] of [[sparsemaxLoss, c.sparsemax_loss], [entmax15Loss, c.entmax15_loss]] as const) {
      const l = f(x, t);
      const g = tf.grad((z: tf.Tensor) => tf.sum(f(z as tf.Tensor2D, t)))(x);
      expect(maxAbsDiff(l.dataSync(), ref.loss)).toBeLessThan(1e-5);
      expect(maxAbsDiff(g.dataSync(), ref.grad_x_of_sum)).toBeLessThan(1e-5);
      tf.dispose([l, g]);
    }
    tf.dispose([x, t]);
  });
});
