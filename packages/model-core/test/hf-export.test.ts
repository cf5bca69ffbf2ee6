// The HF export never claims to be a model HF v4.36.2 would run differently: every config.json
// has `architectures`; only the native top-1 router with v4.36.2's dropped-token rule and the
// config's capacity is labelled `switch_transformers`; every other router gets Switchyard's own
// model type and architecture (transformers' AutoConfig refuses an unknown model type), with the
// reasons listed, and still reloads in Switchyard with identical outputs.
import path from 'node:path';
import os from 'node:os';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/runtime';
import { routerTypes } from '@switchyard/routers';
import {
  loadCheckpoint, saveCheckpoint, presetConfig, replaceRouters, hfCompatibility, SwitchTransformer,
  HF_MODEL_TYPE, HF_ARCHITECTURE, SWITCHYARD_MODEL_TYPE, SWITCHYARD_ARCHITECTURE, type RouterSlotConfig,
} from '@switchyard/model-core';

let tmp: string;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'model-core-hf-export-'));
});
afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

async function exported(model: SwitchTransformer, name: string): Promise<{ dir: string; json: Record<string, unknown> }> {
  const dir = path.join(tmp, name);
  await saveCheckpoint(model, dir);
  return { dir, json: JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) };
}

function withRouter(router?: RouterSlotConfig, overrides: Record<string, unknown> = {}): SwitchTransformer {
  const m = new SwitchTransformer(presetConfig('micro', overrides), new Rng(11));
  if (router) replaceRouters(m, router, new Rng(12));
  return m;
}

const expectHf = (json: Record<string, unknown>) => {
  expect(json.model_type).toBe(HF_MODEL_TYPE);
  expect(json.architectures).toEqual([HF_ARCHITECTURE]);
  expect(json.switchyard_hf_incompatible).toBeUndefined();
};
const expectMarked = (json: Record<string, unknown>, reason: RegExp) => {
  expect(json.model_type).toBe(SWITCHYARD_MODEL_TYPE);
  expect(json.architectures).toEqual([SWITCHYARD_ARCHITECTURE]);
  expect((json.switchyard_hf_incompatible as string[]).join('; ')).toMatch(reason);
};

test('the native router (v4.36.2 dropped-token rule, config capacity) exports as switch_transformers with architectures', async () => {
  const m = withRouter();
  const { json } = await exported(m, 'native');
  expectHf(json);
  m.dispose();
});

test('the native router with the newer zero dropped-token rule is marked', async () => {
  const m = withRouter(undefined, { switchyard_dropped_tokens: 'zero' });
  expectMarked((await exported(m, 'native-zero')).json, /dropped-token rule "zero"/);
  m.dispose();
});

test('switch-top1 as a replaced router: HF only with hf-v4.36 drops and the config capacity', async () => {
  const cap = presetConfig('micro').expert_capacity;
  const cases: [RouterSlotConfig, RegExp | null][] = [
    [{ type: 'switch-top1', droppedTokens: 'hf-v4.36', expertCapacity: cap }, null],
    [{ type: 'switch-top1' }, /dropped-token rule "zero"/], // the router's default rule is the newer one
    [{ type: 'switch-top1', droppedTokens: 'hf-v4.36', expertCapacity: cap + 1 }, new RegExp(`router capacity ${cap + 1} differs from expert_capacity ${cap}`)],
    [{ type: 'switch-top1', droppedTokens: 'hf-v4.36', expertCapacity: null }, /router capacity null/],
  ];
  for (const [router, reason] of cases) {
    const m = withRouter(router);
    const { json } = await exported(m, `top1-${JSON.stringify(router).replace(/\W+/g, '-')}`);
    if (reason) expectMarked(json, reason); else expectHf(json);
    m.dispose();
  }
});

test('every other registered router type is marked, and the marked export reloads with identical logits', async () => {
  const others = routerTypes().filter((t) => t !== 'switch-top1');
  expect(others.length).toBeGreaterThan(10);
  for (const type of others) {
    const router = type.endsWith('-topk') ? { type, topK: 2 } : { type };
    const m = withRouter(router);
    expect(hfCompatibility(m.config).exact).toBe(false);
    const { dir, json } = await exported(m, `r-${type}`);
    expectMarked(json, new RegExp(`router "${type}"`));
    if (type === 'linear-sparsemax') {
      const back = await loadCheckpoint(dir);
      const ids = tf.tensor2d([[5, 6, 7, 1], [8, 9, 1, 0]], [2, 4], 'int32');
      const mask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 0]], [2, 4]);
      const dec = tf.tensor2d([[0, 3, 4], [0, 5, 6]], [2, 3], 'int32');
      const before = tf.memory().numTensors;
      const a = tf.tidy(() => m.forward({ inputIds: ids, attentionMask: mask, decoderInputIds: dec }).logits.dataSync().slice());
      const b = tf.tidy(() => back.forward({ inputIds: ids, attentionMask: mask, decoderInputIds: dec }).logits.dataSync().slice());
      expect(tf.memory().numTensors).toBe(before);
      expect(Array.from(b)).toEqual(Array.from(a));
      // Re-exporting the reloaded model keeps the marking (it is recomputed, not copied).
      expect((await exported(back, 'r-again')).json).toEqual(json);
      tf.dispose([ids, mask, dec]);
      back.dispose();
    }
    m.dispose();
  }
});

test('a marked checkpoint given back the native router exports as switch_transformers again', async () => {
  const m = withRouter({ type: 'linear-sparsemax' });
  const { dir } = await exported(m, 'flip');
  m.dispose();
  const back = await loadCheckpoint(dir);
  replaceRouters(back, { type: 'switch-top1', droppedTokens: 'hf-v4.36', expertCapacity: back.config.expert_capacity }, new Rng(1));
  expectHf((await exported(back, 'flip-back')).json);
  back.dispose();
});
