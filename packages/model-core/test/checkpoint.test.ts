// HF checkpoint import/export: bit-exact round trip, exactly the golden key set and config fields,
// tied copies, sharded index files.
import path from 'node:path';
import os from 'node:os';
import { mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import {
  loadCheckpoint, saveCheckpoint, stateDict, parseSafetensors, readTensor, writeSafetensors, presetConfig,
  SwitchTransformer, type FloatTensor,
} from '@switchyard/model-core';
import { FIXTURES, readJson } from './helpers.js';

let tmp: string;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'model-core-ckpt-'));
});
afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

async function fileTensors(file: string): Promise<Map<string, FloatTensor>> {
  const st = parseSafetensors(new Uint8Array(await readFile(file)), file);
  return new Map([...st.entries.keys()].map((k) => [k, readTensor(st, k)]));
}

function expectBitEqual(a: Map<string, FloatTensor>, b: Map<string, FloatTensor>): void {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [k, t] of a) {
    const u = b.get(k)!;
    expect({ k, shape: t.shape }).toEqual({ k, shape: u.shape });
    const x = new Uint32Array(t.values.buffer, t.values.byteOffset, t.values.length);
    const y = new Uint32Array(u.values.buffer, u.values.byteOffset, u.values.length);
    let same = x.length === y.length;
    for (let i = 0; same && i < x.length; i++) same = x[i] === y[i];
    expect({ k, same }).toEqual({ k, same: true });
  }
}

test('import → export reproduces the golden model.safetensors bit for bit, with the same keys and config fields', async () => {
  const model = await loadCheckpoint(path.join(FIXTURES, 'trained'));
  expect(model.parameters().reduce((a, p) => a + p.variable.size, 0)).toBe(58528); // the golden switch_tiny model
  const out = path.join(tmp, 'export1');
  await saveCheckpoint(model, out);
  model.dispose();
  const golden = await fileTensors(path.join(FIXTURES, 'trained', 'model.safetensors'));
  const exported = await fileTensors(path.join(out, 'model.safetensors'));
  expectBitEqual(exported, golden);
  const idx = readJson<{ all_state_dict_keys: { key: string }[]; tied_keys_omitted_from_model_safetensors: string[] }>('weights_index.json');
  const expectedKeys = idx.all_state_dict_keys.map((k) => k.key).filter((k) => !idx.tied_keys_omitted_from_model_safetensors.includes(k));
  expect([...exported.keys()].sort()).toEqual(expectedKeys.sort());
  const cfgOut = JSON.parse(await readFile(path.join(out, 'config.json'), 'utf8'));
  const cfgIn = JSON.parse(await readFile(path.join(FIXTURES, 'trained', 'config.json'), 'utf8'));
  // The same fields, plus the `architectures` save_pretrained writes (the golden file has none).
  expect(cfgOut).toEqual({ ...cfgIn, architectures: ['SwitchTransformersForConditionalGeneration'] });
  // Re-import of the export is bit-exact too.
  const again = await loadCheckpoint(out);
  expectBitEqual(stateDict(again), golden);
  again.dispose();
});

test('a freshly initialised preset model round-trips bit-exactly', async () => {
  const model = new SwitchTransformer(presetConfig('micro'), new Rng(3));
  const out = path.join(tmp, 'micro');
  await saveCheckpoint(model, out);
  const back = await loadCheckpoint(out);
  expectBitEqual(stateDict(back), stateDict(model));
  expect(back.config).toEqual(model.config);
  model.dispose(); back.dispose();
});

test('the all-keys file (tied copies included) loads to the same weights', async () => {
  const a = await loadCheckpoint(path.join(FIXTURES, 'all_keys'));
  const b = await loadCheckpoint(path.join(FIXTURES, 'trained'));
  expectBitEqual(stateDict(a), stateDict(b));
  a.dispose(); b.dispose();
});

test('a tied copy that differs from shared.weight is rejected', async () => {
  const dir = path.join(tmp, 'bad-tie');
  const t = await fileTensors(path.join(FIXTURES, 'all_keys', 'model.safetensors'));
  const lm = t.get('lm_head.weight')!;
  lm.values[0] = lm.values[0]! + 1;
  await rm(dir, { recursive: true, force: true });
  await saveDir(dir, t);
  await expect(loadCheckpoint(dir)).rejects.toThrow(/lm_head\.weight.*differs from shared\.weight/);
});

async function saveDir(dir: string, tensors: Map<string, FloatTensor>): Promise<void> {
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  await copyFile(path.join(FIXTURES, 'trained', 'config.json'), path.join(dir, 'config.json'));
  await writeFile(path.join(dir, 'model.safetensors'), writeSafetensors(tensors));
}

test('sharded checkpoints (model.safetensors.index.json) load like the single file', async () => {
  const dir = path.join(tmp, 'sharded');
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  await copyFile(path.join(FIXTURES, 'trained', 'config.json'), path.join(dir, 'config.json'));
  const t = await fileTensors(path.join(FIXTURES, 'trained', 'model.safetensors'));
  const keys = [...t.keys()].sort();
  const shards = [keys.slice(0, 20), keys.slice(20)];
  const weightMap: Record<string, string> = {};
  for (let i = 0; i < shards.length; i++) {
    const name = `model-0000${i + 1}-of-00002.safetensors`;
    await writeFile(path.join(dir, name), writeSafetensors(new Map(shards[i]!.map((k) => [k, t.get(k)!]))));
    for (const k of shards[i]!) weightMap[k] = name;
  }
  await writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  const m = await loadCheckpoint(dir);
  expectBitEqual(stateDict(m), t);
  m.dispose();
  // An index pointing outside the folder is refused.
  const bad = { metadata: {}, weight_map: { ...weightMap, 'shared.weight': '../evil.safetensors' } };
  await writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify(bad));
  await expect(loadCheckpoint(dir)).rejects.toThrow(/not a file name in the checkpoint folder/);
});

test('F16 and BF16 tensors are widened exactly', () => {
  // 1.5 in F16 = 0x3e00; -2 in BF16 = 0xc000; F16 subnormal 2^-24 = 0x0001.
  const header = JSON.stringify({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, b: { dtype: 'BF16', shape: [1], data_offsets: [4, 6] } });
  const hb = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + hb.length + 6);
  const dv = new DataView(bytes.buffer);
  dv.setBigUint64(0, BigInt(hb.length), true);
  bytes.set(hb, 8);
  dv.setUint16(8 + hb.length, 0x3e00, true);
  dv.setUint16(8 + hb.length + 2, 0x0001, true);
  dv.setUint16(8 + hb.length + 4, 0xc000, true);
  const st = parseSafetensors(bytes, 'mem');
  expect(Array.from(readTensor(st, 'a').values)).toEqual([1.5, 2 ** -24]);
  expect(Array.from(readTensor(st, 'b').values)).toEqual([-2]);
  expect(tf.memory().numTensors).toBeGreaterThanOrEqual(0);
});
