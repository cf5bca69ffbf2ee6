// Beam search and decoding edge cases on the trained golden model (a copy task, so the best
// continuation is known: the input itself).
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@switchyard/tensor-engine';
import { loadCheckpoint, generate, type SwitchTransformer } from '@switchyard/model-core';
import { FIXTURES, readJson, type JT } from './helpers.js';

const inputs = readJson<Record<string, JT>>('inputs.json');
const golden = readJson<{ generate_greedy_max_new_tokens_8: { use_cache: { sequences: JT; step_scores: JT[] } } }>('outputs_cap_large.json');
let model: SwitchTransformer;
let ids: tf.Tensor2D, mask: tf.Tensor2D;

beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  model = await loadCheckpoint(path.join(FIXTURES, 'trained'));
  ids = tf.tensor2d(inputs.input_ids!.data, [2, 10], 'int32');
  mask = tf.tensor2d(inputs.attention_mask!.data, [2, 10], 'int32');
});
afterAll(() => { tf.dispose([ids, mask]); model.dispose(); });

/** Σ log softmax of the chosen tokens up to and including eos, / generated length (length penalty 1). */
function greedyScores(): number[] {
  const g = golden.generate_greedy_max_new_tokens_8.use_cache;
  const seq = g.sequences.data, width = g.sequences.shape[1]!, v = 96;
  return [0, 1].map((r) => {
    let s = 0, n = 0;
    for (let t = 1; t < width; t++) {
      const row = g.step_scores[t - 1]!.data.slice(r * v, r * v + v);
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
      s += row[seq[r * width + t]!]! - lse; n++;
      if (seq[r * width + t] === 1) break;
    }
    return s / n;
  });
}

test('beam search (3 beams): cached == uncached, finds the copy, scores at least the greedy path', () => {
  const a = generate(model, ids, mask, { maxNewTokens: 8, numBeams: 3 });
  const b = generate(model, ids, mask, { maxNewTokens: 8, numBeams: 3, useCache: false });
  expect(a.sequences).toEqual(b.sequences);
  a.beamScores!.forEach((s, i) => expect(Math.abs(s - b.beamScores![i]!)).toBeLessThan(1e-4));
  // Row 0 is cut by max_new_tokens, row 1 copies its 5 tokens and ends with eos.
  expect(a.sequences[0]).toEqual([0, 91, 82, 86, 88, 5, 55, 93, 16]);
  expect(a.sequences[1]!.slice(0, 7)).toEqual([0, 91, 85, 57, 6, 50, 1]);
  const g = greedyScores();
  a.beamScores!.forEach((s, i) => expect(s).toBeGreaterThanOrEqual(g[i]! - 1e-5));
});

test('maxNewTokens 0 returns only the start token; bad options are rejected', () => {
  expect(generate(model, ids, mask, { maxNewTokens: 0 }).sequences).toEqual([[0], [0]]);
  expect(() => generate(model, ids, mask, { maxNewTokens: -1 })).toThrow(/maxNewTokens/);
  expect(() => generate(model, ids, mask, { maxNewTokens: 2, numBeams: 0 })).toThrow(/numBeams/);
});

test('generation stops early once every row has produced eos', () => {
  // Only row 1 (5 tokens + eos) decodes: it copies and stops after 6 steps of 20 allowed.
  const one = tf.tidy(() => ids.slice([1, 0], [1, 10]) as tf.Tensor2D);
  const m1 = tf.tidy(() => mask.slice([1, 0], [1, 10]) as tf.Tensor2D);
  const res = generate(model, one, m1, { maxNewTokens: 20, returnStepScores: true });
  expect(res.sequences).toEqual([[0, 91, 85, 57, 6, 50, 1]]);
  expect(res.stepScores!.length).toBe(6);
  tf.dispose([one, m1]);
});
