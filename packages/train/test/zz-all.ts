import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/runtime';
import { SwitchTransformer, presetConfig, replaceRouters, crossEntropyIgnore } from '@switchyard/model-core';
import { readPreparedSplit } from '@switchyard/data-prep';
import { routerTypes } from '@switchyard/routers';
import { SwitchTask, PreparedSource } from '../src/switch-task.js';
import { trainLoop } from '../src/train-loop.js';
await initBackend('wasm', { quiet: true });
const split = readPreparedSplit('/tmp/trk/dp', 'train');
const src = new PreparedSource(split, { sourceLength: 32, targetLength: 12 });
for (const type of routerTypes()) {
  const t0 = Date.now();
  try {
    const model = new SwitchTransformer(presetConfig('micro', { vocab_size: 846 }), new Rng(1));
    replaceRouters(model, { type }, new Rng(2));
    const held = src.makeBatch(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]));
    const evalCe = () => tf.tidy(() => crossEntropyIgnore(model.forward({ inputIds: held.inputIds, attentionMask: held.attentionMask, decoderInputIds: held.decoderInputIds }).logits, held.labels).dataSync()[0]);
    const before = evalCe();
    await trainLoop({ task: new SwitchTask(model), data: src, runDir: '/tmp/trk/all-' + type, seed: 1, totalSteps: 8, batchSize: 4, logEvery: 4,
      optimizer: { type: 'adamw' }, schedule: { type: 'constant', lr: 3e-3 }, resume: false, log: () => {} });
    console.log(type, before.toFixed(3), evalCe().toFixed(3), Date.now() - t0, 'ms');
  } catch (e) { console.log(type, 'FAILED', (e as Error).message.slice(0, 300)); }
}
