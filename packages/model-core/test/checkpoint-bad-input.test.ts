// Bad checkpoint folders name the file, the field or tensor and what was expected: empty and
// malformed config.json / index files (line:column), a folder with only pytorch_model.bin
// (refused: no pickle loader), a missing shard, an empty or truncated safetensors file, a
// config.json that disagrees with its tensors (the config field, the tensor, both shapes), and
// a router topK above the model's expert count. Every case builds its folder in a temp dir.
import path from 'node:path';
import os from 'node:os';
import { mkdtemp, mkdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import {
  loadCheckpoint, parseSafetensors, readTensor, writeSafetensors, replaceRouters, stateDict, openSafetensors,
  CheckpointError, SafetensorsError, type FloatTensor,
} from '@switchyard/model-core';
import { FIXTURES } from './helpers.js';

const TRAINED = path.join(FIXTURES, 'trained');
let tmp: string;
let golden: Map<string, FloatTensor>;
let goldenConfig: Record<string, unknown>;
let goldenBytes: Uint8Array;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'model-core-bad-ckpt-'));
  goldenBytes = new Uint8Array(await readFile(path.join(TRAINED, 'model.safetensors')));
  const st = parseSafetensors(goldenBytes, 'golden');
  golden = new Map([...st.entries.keys()].map((k) => [k, readTensor(st, k)]));
  goldenConfig = JSON.parse(await readFile(path.join(TRAINED, 'config.json'), 'utf8'));
});
afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

/** A folder `name` holding the given files (string or bytes). */
async function folder(name: string, files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = path.join(tmp, name);
  await mkdir(dir, { recursive: true });
  for (const [f, content] of Object.entries(files)) await writeFile(path.join(dir, f), content);
  return dir;
}

async function loadError(dir: string): Promise<Error> {
  const before = tf.memory().numTensors;
  const e = await loadCheckpoint(dir).then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(Error);
  // A refused checkpoint leaves no tensors behind (the half-built model is disposed).
  expect(tf.memory().numTensors).toBe(before);
  return e as Error;
}

const configText = (changes: Record<string, unknown> = {}) => JSON.stringify({ ...goldenConfig, ...changes }, null, 2);

describe('config.json and index files', () => {
  test.each([
    ['0 bytes', '', 'empty file (0 bytes)'],
    ['only whitespace', '\n  \n', 'empty file (only whitespace)'],
  ])('an empty config.json (%s) is called empty', async (label, text, what) => {
    const dir = await folder(`empty-config-${label.replace(/ /g, '-')}`, { 'config.json': text, 'model.safetensors': goldenBytes });
    const e = await loadError(dir);
    expect(e).toBeInstanceOf(CheckpointError);
    expect(e.message).toBe(`${path.join(dir, 'config.json')}: ${what}; expected the model config object (HF keys such as d_model, num_experts)`);
  });

  test('a config.json syntax error is given as line and column', async () => {
    // Line 3 is `  "d_ff": 48` with its comma removed: the next key starts on line 4, column 3.
    const lines = configText().split('\n');
    lines[2] = lines[2]!.replace(/,$/, '');
    const dir = await folder('syntax-config', { 'config.json': lines.join('\n'), 'model.safetensors': goldenBytes });
    expect((await loadError(dir)).message).toBe(`${path.join(dir, 'config.json')}:4:3: not valid JSON: expected ',' or '}' after a property value, found '"'`);
  });

  test('a trailing comma (no position from JSON.parse) still gets line and column', async () => {
    const dir = await folder('trailing-comma', { 'config.json': '{\n  "d_model": 24,\n}\n', 'model.safetensors': goldenBytes });
    expect((await loadError(dir)).message).toBe(`${path.join(dir, 'config.json')}:3:1: not valid JSON: expected a property name in double quotes, found '}'`);
  });

  test('an empty or malformed model.safetensors.index.json is named', async () => {
    const empty = await folder('empty-index', { 'config.json': configText(), 'model.safetensors.index.json': '' });
    expect((await loadError(empty)).message).toBe(`${path.join(empty, 'model.safetensors.index.json')}: empty file (0 bytes); expected a model.safetensors.index.json object with a "weight_map"`);
    const bad = await folder('bad-index', { 'config.json': configText(), 'model.safetensors.index.json': '{"metadata": {}, "weight_map": {"shared.weight": "a.safetensors" "x": 1}}' });
    expect((await loadError(bad)).message).toBe(`${path.join(bad, 'model.safetensors.index.json')}:1:66: not valid JSON: expected ',' or '}' after a property value, found '"'`);
    const none = await folder('empty-weight-map', { 'config.json': configText(), 'model.safetensors.index.json': '{"metadata": {}, "weight_map": {}}' });
    expect((await loadError(none)).message).toBe(`${path.join(none, 'model.safetensors.index.json')}: "weight_map" is empty; expected tensor names mapped to shard files`);
  });
});

describe('weights in other formats', () => {
  test('a folder with only pytorch_model.bin is refused, naming the file, why, and how to convert', async () => {
    // Bytes that are not even a pickle: the file must be refused by name, never opened.
    const dir = await folder('pickle-only', { 'config.json': configText(), 'pytorch_model.bin': 'PK\u0003\u0004 not read' });
    const e = await loadError(dir);
    expect(e).toBeInstanceOf(CheckpointError);
    expect(e.message).toContain(`${dir}: no model.safetensors or model.safetensors.index.json; "pytorch_model.bin" is a PyTorch pickle; Switchyard never loads pickles (unpickling can run arbitrary code).`);
    expect(e.message).toContain(`Convert the checkpoint to safetensors once, in Python: \`from transformers import AutoModelForSeq2SeqLM; AutoModelForSeq2SeqLM.from_pretrained(${JSON.stringify(dir)}).save_pretrained(${JSON.stringify(dir)}, safe_serialization=True)\``);
  });

  test('sharded pickles and other frameworks are each named', async () => {
    const dir = await folder('pickle-shards', {
      'config.json': configText(), 'pytorch_model.bin.index.json': '{}', 'pytorch_model-00001-of-00002.bin': 'x', 'tf_model.h5': 'x',
    });
    const e = await loadError(dir);
    expect(e.message).toContain('"pytorch_model-00001-of-00002.bin" is a PyTorch pickle');
    expect(e.message).toContain('"pytorch_model.bin.index.json" is a PyTorch pickle');
    expect(e.message).toContain('"tf_model.h5" is TensorFlow/Keras weights, which Switchyard does not read');
  });

  test('a folder with no weights at all lists what it has', async () => {
    const dir = await folder('no-weights', { 'config.json': configText(), 'README.md': '# x' });
    expect((await loadError(dir)).message).toBe(`${dir}: neither model.safetensors nor model.safetensors.index.json exists (the folder has README.md, config.json)`);
  });
});

describe('safetensors files', () => {
  test('a missing shard names the index, the shard and the tensors it should hold', async () => {
    const keys = [...golden.keys()].sort();
    const half = keys.slice(0, 40), rest = keys.slice(40);
    const weightMap = Object.fromEntries([...half.map((k) => [k, 'model-00001-of-00002.safetensors']), ...rest.map((k) => [k, 'model-00002-of-00002.safetensors'])]);
    const dir = await folder('missing-shard', {
      'config.json': configText(),
      'model.safetensors.index.json': JSON.stringify({ metadata: {}, weight_map: weightMap }),
      'model-00001-of-00002.safetensors': writeSafetensors(new Map(half.map((k) => [k, golden.get(k)!]))),
    });
    const e = await loadError(dir);
    expect(e).toBeInstanceOf(CheckpointError);
    expect(e.message).toBe(`${path.join(dir, 'model.safetensors.index.json')}: shard "model-00002-of-00002.safetensors" (should hold ${rest.length} tensors: ${rest.slice(0, 3).join(', ')}, …) listed in weight_map is missing from ${dir} (an incomplete download or copy?)`);
    expect(e.message).not.toMatch(/ENOENT/);
  });

  test('an empty model.safetensors is called empty', async () => {
    const dir = await folder('empty-weights', { 'config.json': configText(), 'model.safetensors': new Uint8Array(0) });
    const e = await loadError(dir);
    expect(e).toBeInstanceOf(SafetensorsError);
    expect(e.message).toBe(`${path.join(dir, 'model.safetensors')}: empty file (0 bytes); expected a safetensors file (8-byte header length, JSON header, tensor data)`);
  });

  test('a truncated model.safetensors names the first tensor past the end and how much is missing', async () => {
    const cut = 1000;
    const dir = await folder('truncated', { 'config.json': configText(), 'model.safetensors': goldenBytes.subarray(0, goldenBytes.length - cut) });
    const headerLen = Number(new DataView(goldenBytes.buffer, goldenBytes.byteOffset).getBigUint64(0, true));
    const dataLen = goldenBytes.length - cut - 8 - headerLen;
    const st = parseSafetensors(goldenBytes, 'golden');
    // The first entry (header order) whose data runs past the shortened data section.
    const [key, entry] = [...st.entries].find(([, t]) => t.end > dataLen)!;
    const e = await loadError(dir);
    expect(e.message).toBe(`${path.join(dir, 'model.safetensors')} [${key}]: data_offsets [${entry.begin}, ${entry.end}] out of range (data section is ${dataLen} bytes): the file is at least ${entry.end - dataLen} bytes short (truncated copy?)`);
  });

  test('a header cut off mid-JSON gives where in the header it breaks', () => {
    const text = '{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": ';
    const hb = new TextEncoder().encode(text);
    const bytes = new Uint8Array(8 + hb.length);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(hb.length), true);
    bytes.set(hb, 8);
    expect(() => parseSafetensors(bytes, 'cut.safetensors')).toThrow(`cut.safetensors: header is not valid UTF-8 JSON (unexpected end of the input, expected a value, at header character ${text.length + 1}; header length ${hb.length} bytes)`);
  });

  test('a missing or folder-shaped safetensors path is named, not a raw ENOENT', async () => {
    const dir = await folder('open-errors', {});
    expect(() => openSafetensors(path.join(dir, 'absent.safetensors'))).toThrow(`${path.join(dir, 'absent.safetensors')}: file not found`);
    await mkdir(path.join(dir, 'model.safetensors'));
    await writeFile(path.join(dir, 'config.json'), configText());
    const e = await loadError(dir);
    expect(e).toBeInstanceOf(SafetensorsError);
    expect(e.message).toBe(`${path.join(dir, 'model.safetensors')}: is a folder, expected a safetensors file`);
  });

  test('an unknown dtype and a header length past the end are named (on disk)', async () => {
    const dir = await folder('dtype', {});
    const f = path.join(dir, 'x.safetensors');
    const hb = new TextEncoder().encode('{"w": {"dtype": "I4", "shape": [2], "data_offsets": [0, 1]}}');
    const bytes = new Uint8Array(8 + hb.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(hb.length), true);
    bytes.set(hb, 8);
    await writeFile(f, bytes);
    expect(() => openSafetensors(f)).toThrow(`${f} [w]: unsupported dtype "I4" (supported: F32, F16, BF16)`);
    new DataView(bytes.buffer).setBigUint64(0, 5000n, true);
    await writeFile(f, bytes);
    expect(() => openSafetensors(f)).toThrow(`${f}: header length 5000 runs past the end of the file (${bytes.length} bytes; truncated, or not a safetensors file)`);
  });
});

describe('a config.json that disagrees with its tensors names the field, the tensor and both shapes', () => {
  const weights = () => path.join(tmp, 'mismatch-weights.safetensors');
  beforeAll(async () => { await copyFile(path.join(TRAINED, 'model.safetensors'), weights()); });

  async function mismatch(name: string, changes: Record<string, unknown>): Promise<{ dir: string; message: string }> {
    const dir = await folder(`mismatch-${name}`, { 'config.json': configText(changes) });
    await copyFile(weights(), path.join(dir, 'model.safetensors'));
    const e = await loadError(dir);
    expect(e).toBeInstanceOf(CheckpointError);
    return { dir, message: e.message };
  }

  // The fixture: vocab 96, d_model 24, d_ff 48, 4 heads × d_kv 6, 32 buckets, 8 experts,
  // 2 + 2 blocks with experts in block 1 of each stack (sparse step 2).
  test.each([
    ['num_experts', { num_experts: 4 }, 'encoder.block.1.layer.1.mlp.router.classifier.weight', 4, 8, '[8, 24]', '[4, 24]'],
    ['num_experts (fewer in the checkpoint)', { num_experts: 16 }, 'encoder.block.1.layer.1.mlp.router.classifier.weight', 16, 8, '[8, 24]', '[16, 24]'],
    ['vocab_size', { vocab_size: 128 }, 'shared.weight', 128, 96, '[96, 24]', '[128, 24]'],
    ['d_model', { d_model: 32 }, 'shared.weight', 32, 24, '[96, 24]', '[96, 32]'],
    ['d_ff', { d_ff: 64 }, 'encoder.block.0.layer.1.mlp.wi.weight', 64, 48, '[48, 24]', '[64, 24]'],
    ['num_heads', { num_heads: 2, d_kv: 12 }, 'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight', 2, 4, '[32, 4]', '[32, 2]'],
  ])('%s', async (label, changes, tensor, configValue, tensorValue, gotShape, wantShape) => {
    const field = label.split(' ')[0]!;
    const { dir, message } = await mismatch(field + Object.values(changes).join('-'), changes);
    expect(message).toBe(`${path.join(dir, 'config.json')}: "${field}" is ${configValue}, but the checkpoint's tensors have ${tensorValue}: "${tensor}" in ${path.join(dir, 'model.safetensors')} has shape ${gotShape}, this config gives ${wantShape}. Fix "${field}" in config.json (or use the checkpoint this config belongs to)`);
    expect(message).not.toMatch(/unexpected key/);
  });

  test('num_heads × d_kv', async () => {
    const { dir, message } = await mismatch('dkv', { d_kv: 8 });
    expect(message).toMatch(new RegExp(`^${path.join(dir, 'config.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: "num_heads × d_kv" is 32, but the checkpoint's tensors have 24: "encoder\\.block\\.0\\.layer\\.0\\.SelfAttention\\.q\\.weight" in .* has shape \\[24, 24\\], this config gives \\[32, 24\\]`));
  });

  test('num_layers (more in the config than in the checkpoint)', async () => {
    const { dir, message } = await mismatch('layers3', { num_layers: 3 });
    expect(message).toBe(`${path.join(dir, 'config.json')}: "num_layers" is 3, but the checkpoint has 2 encoder blocks (encoder.block.0, 1): "encoder.block.2.layer.0.SelfAttention.q.weight" is not in the checkpoint`);
  });

  test('num_decoder_layers (fewer in the config than in the checkpoint)', async () => {
    const { dir, message } = await mismatch('declayers1', { num_decoder_layers: 1 });
    expect(message).toBe(`${path.join(dir, 'config.json')}: "num_decoder_layers" is 1, but the checkpoint has 2 decoder blocks (decoder.block.0, 1): "decoder.block.1.layer.0.SelfAttention.k.weight" in ${path.join(dir, 'model.safetensors')} has no place in a 1-block decoder`);
  });

  test('encoder_sparse_step', async () => {
    const { dir, message } = await mismatch('step1', { encoder_sparse_step: 1 });
    expect(message).toBe(`${path.join(dir, 'config.json')}: "encoder_sparse_step" is 1 (sparse encoder blocks: 0, 1), but the checkpoint has experts in encoder blocks 1. Set "encoder_sparse_step" (HF: block i is sparse when i % step == 1; step 1: every block) to match the checkpoint`);
  });

  test('num_experts from the expert tensors when no router tensor gives the count', async () => {
    const t = new Map([...golden].filter(([k]) => !k.includes('.mlp.router.')));
    const dir = await folder('experts-no-router', { 'config.json': configText({ num_experts: 4 }), 'model.safetensors': writeSafetensors(t) });
    expect((await loadError(dir)).message).toBe(`${path.join(dir, 'config.json')}: "num_experts" is 4, but the checkpoint has 8 experts per sparse layer (expert_0, expert_1, expert_2, expert_3, expert_4, expert_5, expert_6, expert_7): "decoder.block.1.layer.2.mlp.experts.expert_4.wi.weight" in ${path.join(dir, 'model.safetensors')} has no place in a 4-expert layer`);
  });

  test('one odd expert tensor is not blamed on d_ff', async () => {
    const t = new Map(golden);
    t.set('encoder.block.1.layer.1.mlp.experts.expert_3.wi.weight', { shape: [64, 24], values: new Float32Array(64 * 24) });
    const dir = await folder('odd-expert', { 'config.json': configText(), 'model.safetensors': writeSafetensors(t) });
    expect((await loadError(dir)).message).toBe(`${path.join(dir, 'model.safetensors')}: "encoder.block.1.layer.1.mlp.experts.expert_3.wi.weight" has shape [64, 24], the model expects [48, 24]`);
  });

  test('a tensor with a shape no config field explains keeps the plain shape message', async () => {
    const t = new Map(golden);
    t.set('encoder.block.0.layer.0.SelfAttention.o.weight', { shape: [24, 12], values: new Float32Array(24 * 12) });
    const dir = await folder('odd-shape', { 'config.json': configText(), 'model.safetensors': writeSafetensors(t) });
    expect((await loadError(dir)).message).toBe(`${path.join(dir, 'model.safetensors')}: "encoder.block.0.layer.0.SelfAttention.o.weight" has shape [24, 12], the model expects [24, 24]`);
  });
});

test('a router topK above the model\'s expert count is refused when the router is built, naming option, value and expert count', async () => {
  const model = await loadCheckpoint(TRAINED);
  const before = stateDict(model);
  const tensors = tf.memory().numTensors;
  expect(() => replaceRouters(model, { type: 'linear-softmax-topk', topK: 9 }, new Rng(1)))
    .toThrow('router "linear-softmax-topk": option topK is 9, but the model has 8 experts (num_experts); topK must be at most 8');
  expect(() => replaceRouters(model, { type: 'smoe', topK: 12 }, new Rng(1))).toThrow(/option topK is 12, but the model has 8 experts/);
  // Nothing changed, nothing leaked; topK = num_experts is accepted.
  expect(tf.memory().numTensors).toBe(tensors);
  expect([...stateDict(model).keys()]).toEqual([...before.keys()]);
  replaceRouters(model, { type: 'linear-softmax-topk', topK: 8 }, new Rng(1));
  model.dispose();
});
