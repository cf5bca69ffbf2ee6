// Router configs as a user writes them wrong: an unknown type with a did-you-mean, a misspelt
// option, and topK above the model's number of experts — each named with its path and the
// allowed values, in the workspace's one error format.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@switchyard/runtime';
import { createRouter, routerTypes } from '@switchyard/routers';
import { setupBackend } from './helpers.js';

beforeAll(setupBackend);

const init = (numExperts: number) => ({ dModel: 4, numExperts, rng: new Rng(1) });

it('names an unknown router type, the registered ones and the closest', () => {
  expect(() => createRouter({ type: 'linear-sparsmax' }, init(4)))
    .toThrow(`unknown router type "linear-sparsmax"; allowed values: ${routerTypes().join(', ')}; did you mean "linear-sparsemax"?`);
});

it('names a misspelt option with the allowed keys and the closest', () => {
  expect(() => createRouter({ type: 'smoe', topk: 2 }, init(4)))
    .toThrow(/^invalid options for router "smoe": \/: unknown key "topk"; allowed keys: .*topK.*; did you mean "topK"\?$/);
});

it.each(['smoe', 'linear-softmax-topk', 'moesart'])('%s: refuses topK above the number of experts, accepts topK equal to it', (type) => {
  const start = tf.memory().numTensors;
  expect(() => createRouter({ type, topK: 5 }, init(4)))
    .toThrow(`router "${type}": option topK is 5, but the model has 4 experts (num_experts); topK must be at most 4`);
  expect(tf.memory().numTensors).toBe(start);
  createRouter({ type, topK: 4 }, init(4)).dispose();
  expect(tf.memory().numTensors).toBe(start);
});
