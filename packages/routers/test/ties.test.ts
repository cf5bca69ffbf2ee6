// Tie policy (docs/routers.md §0): order by value descending, then by index ascending — kept out of
// the ordinary tests and checked here.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/tensor-engine';
import { createRouter, topKIndices, expertsChooseDispatch, tokensChooseDispatch } from '@switchyard/routers';
import { setupBackend, values } from './helpers.js';

beforeAll(setupBackend);

describe('ties', () => {
  test('top-k breaks ties by the lower expert index', () => {
    expect(Array.from(topKIndices([1, 2, 2, 1], 1, 4, 3))).toEqual([1, 2, 0]);
    expect(Array.from(topKIndices([0, 0, 0], 1, 3, 1))).toEqual([0]);
  });
  test('switch-top1 argmax takes the first maximal expert (as torch.argmax)', () => {
    const r = createRouter({ type: 'switch-top1', jitterNoise: 0 }, { dModel: 3, numExperts: 3, rng: new Rng(1) });
    r.parameters()[0]!.variable.assign(tf.zeros([3, 3]));
    const x = tf.ones([2, 3]) as tf.Tensor2D;
    const o = r.route(x, { training: false, rng: new Rng(0) });
    expect(values(o.selected)).toEqual([1, 0, 0, 1, 0, 0]);
    tf.dispose([x, o.logits, o.probs, o.weights, o.dispatch, o.selected, o.hfExpertIndex!, ...Object.values(o.losses)]);
    r.dispose();
  });
  test('expert choice and BPR break ties by the lower token index', () => {
    expect(Array.from(expertsChooseDispatch([0.5, 0.5, 0.5, 0.5], 4, 1, 2, 4))).toEqual([1, 1, 0, 0]);
    const plan = tokensChooseDispatch(new Int32Array([0, 0, 0]), 3, 1, 1, { capacity: 1, groupSize: 3, order: 'bpr', priority: [0.3, 0.7, 0.7] });
    expect(Array.from(plan.dispatch)).toEqual([0, 1, 0]);
  });
});
