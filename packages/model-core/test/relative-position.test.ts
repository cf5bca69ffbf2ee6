// Relative position buckets and block-0 bias against HF v4.36.2 (golden relative_position.json).
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@switchyard/tensor-engine';
import { relativePositionBucket, positionBias, loadCheckpoint } from '@switchyard/model-core';
import { FIXTURES, readJson, type JT } from './helpers.js';

const rp = readJson<{ relative_position: number[]; bidirectional_32_128: number[]; unidirectional_32_128: number[]; encoder_position_bias_10x10: JT; decoder_position_bias_6x6: JT }>('relative_position.json');

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

test('bidirectional and unidirectional buckets match exactly over -200..200', () => {
  expect(rp.relative_position.map((r) => relativePositionBucket(r, true, 32, 128))).toEqual(rp.bidirectional_32_128);
  expect(rp.relative_position.map((r) => relativePositionBucket(r, false, 32, 128))).toEqual(rp.unidirectional_32_128);
});

test('block-0 position bias of the trained model equals the reference exactly', async () => {
  const model = await loadCheckpoint(path.join(FIXTURES, 'trained'));
  const enc = model.encoder.blocks[0]!.selfAttn.relativeBias! as tf.Tensor as tf.Tensor2D;
  const dec = model.decoder.blocks[0]!.selfAttn.relativeBias! as tf.Tensor as tf.Tensor2D;
  const e = positionBias(enc, 0, 10, 10, true, 128);
  const d = positionBias(dec, 0, 6, 6, false, 128);
  expect({ shape: e.shape, data: Array.from(e.dataSync()) }).toEqual(rp.encoder_position_bias_10x10);
  expect({ shape: d.shape, data: Array.from(d.dataSync()) }).toEqual(rp.decoder_position_bias_6x6);
  // A cached decoding step uses the last row of the full-length bias.
  const last = positionBias(dec, 5, 1, 6, false, 128);
  expect(Array.from(last.dataSync())).toEqual(Array.from(d.slice([0, 0, 5, 0], [1, -1, 1, -1]).dataSync()));
  tf.dispose([e, d, last]);
  model.dispose();
});
