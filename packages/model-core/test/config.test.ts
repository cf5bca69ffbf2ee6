// Config parsing with HF keys verbatim, presets and sparse-layer placement.
import { parseSwitchConfig, switchConfigToJson, hfConfigJson, presetConfig, isSparseBlock, PRESETS, SwitchConfigError, SwitchTransformer } from '@switchyard/model-core';
import { initBackend, Rng } from '@switchyard/runtime';
import { readJson } from './helpers.js';

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

test('the published switch-base-8/16 configs load without a mapping and write back unchanged', () => {
  for (const [name, e] of [['switch-base-8', 8], ['switch-base-16', 16]] as const) {
    const cfg = presetConfig(name);
    expect([cfg.d_model, cfg.d_ff, cfg.d_kv, cfg.num_heads, cfg.num_layers, cfg.num_experts, cfg.expert_capacity]).toEqual([768, 3072, 64, 12, 12, e, 64]);
    // The export writes back every published field, `architectures` included (recomputed from the router).
    expect(hfConfigJson(cfg)).toEqual(Object.fromEntries(Object.entries(PRESETS[name]!).sort()));
    // 6 sparse blocks per stack: 1, 3, 5, 7, 9, 11.
    expect([...Array(12).keys()].filter((i) => isSparseBlock(i, cfg.encoder_sparse_step))).toEqual([1, 3, 5, 7, 9, 11]);
  }
});

test('the golden tiny config round-trips exactly; sparse step rules follow HF', () => {
  const raw = readJson('trained/config.json');
  expect(switchConfigToJson(parseSwitchConfig(raw))).toEqual(raw);
  expect([0, 1, 2, 3].map((i) => isSparseBlock(i, 1))).toEqual([true, true, true, true]);
  expect([0, 1, 2, 3].map((i) => isSparseBlock(i, 0))).toEqual([false, false, false, false]);
  expect([0, 1, 2, 3, 4, 5].map((i) => isSparseBlock(i, 3))).toEqual([false, true, false, false, true, false]);
  // Without an explicit step, HF derives it from num_sparse_*_layers.
  const derived = parseSwitchConfig({ num_layers: 8, num_sparse_encoder_layers: 4, num_sparse_decoder_layers: 2 });
  expect([derived.encoder_sparse_step, derived.decoder_sparse_step]).toEqual([2, 4]);
});

test('wrong types and unsupported values are named', () => {
  expect(() => parseSwitchConfig({ d_model: '24' }, 'x.json')).toThrow(/x\.json: "d_model" must be a number/);
  expect(() => parseSwitchConfig({ num_experts: 2.5 }, 'x.json')).toThrow(/"num_experts" must be a non-negative integer/);
  expect(() => parseSwitchConfig({ dense_act_fn: 'gelu' }, 'x.json')).toThrow(/dense_act_fn "gelu" is not supported/);
  expect(() => parseSwitchConfig({ switchyard_dropped_tokens: 'drop' }, 'x.json')).toThrow(SwitchConfigError);
});

test('tiny and micro presets build with the documented sizes', () => {
  const tiny = presetConfig('tiny');
  expect([tiny.d_model, tiny.num_layers, tiny.num_decoder_layers, tiny.num_experts, tiny.d_ff, tiny.vocab_size]).toEqual([128, 2, 2, 8, 512, 8000]);
  const m = new SwitchTransformer(presetConfig('micro'), new Rng(0));
  const n = m.parameters().reduce((a, p) => a + p.variable.size, 0);
  // shared 64·32; per stack: attention 4·32·32 per block (+ cross in the decoder), norms, bias 32·4,
  // one dense FFN 2·32·64, one MoE of 4 experts 4·2·32·64 + router 32·4.
  const attn = 4 * 32 * 32, ffn = 2 * 32 * 64, moe = 4 * ffn + 32 * 4, bias = 32 * 4;
  const enc = 2 * attn + bias + ffn + moe + 5 * 32;
  const dec = 4 * attn + bias + ffn + moe + 7 * 32;
  expect(n).toBe(64 * 32 + enc + dec);
  expect(() => presetConfig('nope')).toThrow(/unknown model preset "nope"/);
  m.dispose();
});
