// Parity with HF transformers v4.36.2 on the golden tiny Switch model (the golden switch_tiny set, ../shared/golden/switch_tiny):
// both capacities, trained and random-init weights, both dropped-token rules.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@switchyard/tensor-engine';
import { loadCheckpoint, forwardReport, generate, type SwitchTransformer } from '@switchyard/model-core';
import { FIXTURES, readJson, expectClose, expectRelClose, type JT } from './helpers.js';

interface Golden {
  decoder_input_ids: JT; encoder_last_hidden_state: JT; decoder_last_hidden_state_before_lm_head: JT; logits: JT;
  loss_total: number; loss_lm_cross_entropy: number; encoder_z_loss: number; encoder_aux_loss: number; decoder_z_loss: number; decoder_aux_loss: number;
  sparse_layers: Record<string, Record<string, JT>>;
  encoder_hidden_states: JT[]; decoder_hidden_states: JT[]; encoder_attentions: JT[]; decoder_attentions: JT[]; cross_attentions: JT[];
  generate_greedy_max_new_tokens_8: Record<'use_cache' | 'no_cache', { sequences: JT; step_scores: JT[] }>;
}

const inputs = readJson<Record<string, JT>>('inputs.json');
const t2 = (j: JT) => tf.tensor2d(j.data, j.shape as [number, number], 'int32');

const CASES = [
  { weights: 'trained', file: 'outputs_cap_large.json', capacity: 64, rule: 'hf-v4.36' },
  { weights: 'trained', file: 'outputs_cap_small.json', capacity: 2, rule: 'hf-v4.36' },
  { weights: 'trained', file: 'outputs_cap_small_dropzero.json', capacity: 2, rule: 'zero' },
  { weights: 'random_init', file: 'outputs_random_init_cap_large.json', capacity: 64, rule: 'hf-v4.36' },
  { weights: 'random_init', file: 'outputs_random_init_cap_small.json', capacity: 2, rule: 'hf-v4.36' },
] as const;

beforeAll(async () => { await initBackend('wasm', { quiet: true }); });

describe.each(CASES)('$weights / $file', ({ weights, file, capacity, rule }) => {
  const golden = readJson<Golden>(file);
  let model: SwitchTransformer;
  let report: Record<string, unknown>;
  beforeAll(async () => {
    model = await loadCheckpoint(path.join(FIXTURES, weights), { configOverrides: { expert_capacity: capacity, switchyard_dropped_tokens: rule } });
    const inp = { inputIds: t2(inputs.input_ids!), attentionMask: t2(inputs.attention_mask!), labels: t2(inputs.labels!) };
    report = forwardReport(model, inp);
    tf.dispose(Object.values(inp));
  });
  afterAll(() => model.dispose());

  test('decoder inputs are shift_right(labels)', () => {
    expect(report.decoder_input_ids).toEqual(golden.decoder_input_ids);
  });

  test('hidden states within 1e-5, logits within 1e-4', () => {
    expectClose(report.encoder_last_hidden_state as JT, golden.encoder_last_hidden_state, 1e-5, 'encoder_last_hidden_state');
    expectClose(report.decoder_last_hidden_state_before_lm_head as JT, golden.decoder_last_hidden_state_before_lm_head, 1e-5, 'decoder hidden');
    expectClose(report.logits as JT, golden.logits, 1e-4, 'logits');
  });

  test('routing: logits/probs within 1e-5, choices, kept flags, HF indices and masks exact', () => {
    const sparse = report.sparse_layers as Record<string, Record<string, JT>>;
    expect(Object.keys(sparse)).toEqual(Object.keys(golden.sparse_layers));
    for (const [name, g] of Object.entries(golden.sparse_layers)) {
      const s = sparse[name]!;
      for (const k of ['router_input', 'router_logits', 'router_probs', 'top1_prob']) expectClose(s[k]!, g[k]!, 1e-5, `${name}.${k}`);
      for (const k of ['chosen_expert', 'kept', 'hf_expert_index', 'expert_mask']) expect({ [k]: s[k] }).toEqual({ [k]: g[k] });
    }
  });

  test('per-block hidden states and attention probabilities within 1e-5', () => {
    const toJ = (t: tf.Tensor): JT => ({ shape: t.shape, data: Array.from(t.dataSync()) });
    tf.tidy(() => {
      const out = model.forward({ inputIds: t2(inputs.input_ids!), attentionMask: t2(inputs.attention_mask!), decoderInputIds: t2(golden.decoder_input_ids) }, { capture: true });
      const pairs: [tf.Tensor[], JT[], string][] = [
        [out.encoder.hiddenStates, golden.encoder_hidden_states, 'encoder_hidden_states'],
        [out.decoder.hiddenStates, golden.decoder_hidden_states, 'decoder_hidden_states'],
        [out.encoder.selfAttentions, golden.encoder_attentions, 'encoder_attentions'],
        [out.decoder.selfAttentions, golden.decoder_attentions, 'decoder_attentions'],
        [out.decoder.crossAttentions, golden.cross_attentions, 'cross_attentions'],
      ];
      for (const [ours, ref, label] of pairs) {
        expect(ours.length).toBe(ref.length);
        ours.forEach((t, i) => expectClose(toJ(t), ref[i]!, 1e-5, `${label}[${i}]`));
      }
    });
  });

  test('losses within 1e-5 relative', () => {
    for (const k of ['loss_total', 'loss_lm_cross_entropy', 'encoder_z_loss', 'encoder_aux_loss', 'decoder_z_loss', 'decoder_aux_loss'] as const) {
      expectRelClose(report[k] as number, golden[k], 1e-5, k);
    }
  });

  test.each(['use_cache', 'no_cache'] as const)('greedy generation (%s): ids exact, step scores within 1e-4', (mode) => {
    const g = golden.generate_greedy_max_new_tokens_8[mode];
    const ids = t2(inputs.input_ids!), mask = t2(inputs.attention_mask!);
    const res = generate(model, ids, mask, { maxNewTokens: 8, useCache: mode === 'use_cache', returnStepScores: true });
    tf.dispose([ids, mask]);
    expect(res.sequences.flat()).toEqual(g.sequences.data);
    expect(res.stepScores!.length).toBe(g.step_scores.length);
    res.stepScores!.forEach((s, i) => expectClose({ shape: g.step_scores[i]!.shape, data: Array.from(s) }, g.step_scores[i]!, 1e-4, `step ${i}`));
  });
});
