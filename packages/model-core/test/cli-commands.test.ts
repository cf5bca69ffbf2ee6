// The CLI helpers write the golden key names and values.
import path from 'node:path';
import os from 'node:os';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { initBackend } from '@switchyard/tensor-engine';
import { runForwardCommand, runGenerateCommand } from '@switchyard/model-core';
import { FIXTURES, readJson, expectClose, expectRelClose, type JT } from './helpers.js';

let tmp: string;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'model-core-cli-'));
});
afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

test('runForwardCommand writes the golden outputs keys', async () => {
  const out = path.join(tmp, 'fwd.json');
  await runForwardCommand({ checkpoint: path.join(FIXTURES, 'trained'), inputs: path.join(FIXTURES, 'inputs.json'), out });
  const got = JSON.parse(await readFile(out, 'utf8'));
  const g = readJson<Record<string, unknown>>('outputs_cap_large.json');
  expectClose(got.logits as JT, g.logits as JT, 1e-4, 'logits');
  expectClose(got.encoder_last_hidden_state as JT, g.encoder_last_hidden_state as JT, 1e-5, 'encoder');
  expectRelClose(got.loss_total, g.loss_total as number, 1e-5, 'loss_total');
  const sl = (g.sparse_layers as Record<string, Record<string, JT>>)['decoder.block.1.layer.2']!;
  expect(got.sparse_layers['decoder.block.1.layer.2'].hf_expert_index).toEqual(sl.hf_expert_index);
});

test('runGenerateCommand writes the golden generation layout', async () => {
  const out = path.join(tmp, 'gen.json');
  await runGenerateCommand({ checkpoint: path.join(FIXTURES, 'trained'), inputs: path.join(FIXTURES, 'inputs.json'), maxNewTokens: 8, out });
  const got = JSON.parse(await readFile(out, 'utf8'));
  const g = readJson<{ generate_greedy_max_new_tokens_8: { use_cache: { sequences: JT } } }>('outputs_cap_large.json');
  expect(got.generate_greedy_max_new_tokens_8.use_cache.sequences).toEqual(g.generate_greedy_max_new_tokens_8.use_cache.sequences);
  expect(got.generate_greedy_max_new_tokens_8.use_cache.step_scores).toHaveLength(8);
});
