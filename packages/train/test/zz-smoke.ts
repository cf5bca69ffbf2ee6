import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/runtime';
import { SwitchTransformer, presetConfig, replaceRouters } from '@switchyard/model-core';
import { readPreparedSplit } from '@switchyard/data-prep';
import { routerTypes } from '@switchyard/routers';
import { SwitchTask, PreparedSource } from '../src/switch-task.js';
import { trainLoop } from '../src/train-loop.js';
const info = await initBackend('wasm', { quiet: true });
const preset = process.argv[2] ?? 'micro';
const split = readPreparedSplit('/tmp/trk/dp', 'train');
console.log(routerTypes().join(' '));
const model = new SwitchTransformer(presetConfig(preset, { vocab_size: 846 }), new Rng(1));
if (process.argv[3]) replaceRouters(model, { type: process.argv[3] }, new Rng(2));
const t0 = Date.now();
const r = await trainLoop({ task: new SwitchTask(model), data: new PreparedSource(split), runDir: '/tmp/trk/smoke-' + preset, seed: 1, totalSteps: Number(process.argv[4] ?? 10), batchSize: 8, logEvery: 2,
  optimizer: { type: 'adamw' }, schedule: { type: 'constant', lr: 1e-3 }, resume: false, log: (m) => console.log(m) });
console.log(Date.now() - t0, 'ms', r.finalLoss, tf.memory().numTensors, info.threads);
