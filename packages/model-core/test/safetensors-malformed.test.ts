// Hostile or broken safetensors files give a SafetensorsError / CheckpointError naming the file and
// the key — never an out-of-range read, a huge allocation or an unrelated crash.
import path from 'node:path';
import os from 'node:os';
import { mkdtemp, mkdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { parseSafetensors, openSafetensors, readTensor, writeSafetensors, loadCheckpoint, SafetensorsError, CheckpointError, MAX_HEADER_BYTES, type FloatTensor } from '@switchyard/model-core';
import { FIXTURES } from './helpers.js';

/** A file with the given header object (or raw header text) and `dataBytes` zero bytes of data. */
function rawFile(header: unknown, dataBytes: number, declaredLength?: bigint): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const hb = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + hb.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, declaredLength ?? BigInt(hb.length), true);
  out.set(hb, 8);
  return out;
}

const ok = { a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [2], data_offsets: [16, 24] } };

test.each([
  ['file shorter than the length prefix', new Uint8Array(5), /shorter than the 8-byte header length/],
  ['header length beyond the file', rawFile(ok, 24, 10_000n), /runs past the end of the file/],
  ['header length over the cap', rawFile(ok, 24, BigInt(MAX_HEADER_BYTES) + 1n), /exceeds the 100000000-byte cap/],
  ['header length 2^64-1', rawFile(ok, 24, 2n ** 64n - 1n), /exceeds/],
  ['non-JSON header', rawFile('{"a": {"dtype": ', 0), /not valid UTF-8 JSON/],
  ['header is a JSON array', rawFile([1, 2], 0), /not a JSON object/],
  ['invalid UTF-8 in the header', (() => { const f = rawFile('{"a":1}', 0); f[10] = 0xff; return f; })(), /not valid UTF-8 JSON/],
  ['overlapping offsets', rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }, 16), /\[b\].*overlap those of "a"|\[a\].*overlap/],
  ['offsets out of range', rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8), /\[a\].*out of range/],
  ['begin after end', rawFile({ a: { dtype: 'F32', shape: [0], data_offsets: [8, 4] } }, 8), /\[a\].*out of range/],
  ['negative offset', rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, 8), /\[a\].*data_offsets/],
  ['unknown dtype', rawFile({ a: { dtype: 'Q4_K', shape: [2], data_offsets: [0, 1] } }, 8), /\[a\].*unsupported dtype "Q4_K"/],
  ['missing dtype', rawFile({ a: { shape: [2], data_offsets: [0, 8] } }, 8), /\[a\].*unsupported dtype/],
  ['shape/size mismatch', rawFile({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /\[a\].*needs 12 bytes but data_offsets span 8/],
  ['non-integer shape', rawFile({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, 8), /\[a\].*shape/],
  ['entry is not an object', rawFile({ a: 7 }, 0), /\[a\].*not an object/],
  ['metadata value not a string', rawFile({ __metadata__: { format: 1 } }, 0), /metadata value/],
])('%s', (_label, bytes, pattern) => {
  let err: unknown;
  try { parseSafetensors(bytes, 'bad.safetensors'); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(SafetensorsError);
  expect((err as Error).message).toMatch(/^bad\.safetensors/);
  expect((err as Error).message).toMatch(pattern);
});

test('random header corruption never escapes as anything but SafetensorsError', () => {
  const valid = writeSafetensors(new Map<string, FloatTensor>([
    ['x', { shape: [3, 2], values: new Float32Array(6).fill(1) }], ['y', { shape: [4], values: new Float32Array(4) }],
  ]));
  const headerEnd = 8 + Number(new DataView(valid.buffer).getBigUint64(0, true));
  const rng = new Rng(17);
  let rejected = 0;
  for (let trial = 0; trial < 400; trial++) {
    const f = Uint8Array.from(valid);
    for (let m = 0; m < 1 + rng.int(3); m++) f[rng.int(headerEnd)] = rng.int(256);
    try {
      const st = parseSafetensors(f, 'fuzz');
      for (const k of st.entries.keys()) readTensor(st, k);
    } catch (e) {
      if (!(e instanceof SafetensorsError)) throw e;
      rejected++;
    }
  }
  expect(rejected).toBeGreaterThan(100);
});

test('files on disk are validated the same way before any tensor is read', async () => {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'model-core-disk-'));
  try {
    const bad = path.join(tmp, 'bad.safetensors');
    await writeFile(bad, rawFile(ok, 24, 10_000n));
    expect(() => openSafetensors(bad)).toThrow(/bad\.safetensors: header length 10000 runs past the end of the file/);
    await writeFile(bad, rawFile({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8));
    expect(() => openSafetensors(bad)).toThrow(/\[a\].*out of range \(data section is 8 bytes\)/);
    await writeFile(bad, new Uint8Array(3));
    expect(() => openSafetensors(bad)).toThrow(/shorter than the 8-byte header length/);
    const good = path.join(tmp, 'good.safetensors');
    await writeFile(good, writeSafetensors(new Map([['w', { shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, 6]) }]])));
    const st = openSafetensors(good);
    expect(Array.from(readTensor(st, 'w').values)).toEqual([1, 2, 3, 4, 5, 6]);
    st.close();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

describe('checkpoint key checks', () => {
  let tmp: string;
  let golden: Map<string, FloatTensor>;
  beforeAll(async () => {
    await initBackend('wasm', { quiet: true });
    tmp = await mkdtemp(path.join(os.tmpdir(), 'model-core-bad-'));
    const file = path.join(FIXTURES, 'trained', 'model.safetensors');
    const st = parseSafetensors(new Uint8Array(await readFile(file)), file);
    golden = new Map([...st.entries.keys()].map((k) => [k, readTensor(st, k)]));
  });
  afterAll(async () => { await rm(tmp, { recursive: true, force: true }); });

  async function dirWith(name: string, tensors: Map<string, FloatTensor>): Promise<string> {
    const dir = path.join(tmp, name);
    await mkdir(dir, { recursive: true });
    await copyFile(path.join(FIXTURES, 'trained', 'config.json'), path.join(dir, 'config.json'));
    await writeFile(path.join(dir, 'model.safetensors'), writeSafetensors(tensors));
    return dir;
  }

  test('a missing key is named', async () => {
    const t = new Map(golden);
    t.delete('decoder.block.1.layer.2.mlp.experts.expert_5.wi.weight');
    await expect(loadCheckpoint(await dirWith('missing', t))).rejects.toThrow(/missing 1 key\(s\): decoder\.block\.1\.layer\.2\.mlp\.experts\.expert_5\.wi\.weight/);
  });

  test('an extra key is named with its file', async () => {
    const t = new Map(golden);
    t.set('encoder.block.1.layer.1.mlp.experts.expert_8.wi.weight', { shape: [48, 24], values: new Float32Array(48 * 24) });
    await expect(loadCheckpoint(await dirWith('extra', t))).rejects.toThrow(/extra[/\\]model\.safetensors: unexpected key "encoder\.block\.1\.layer\.1\.mlp\.experts\.expert_8\.wi\.weight"/);
  });

  test('a wrong shape is named with both shapes', async () => {
    const t = new Map(golden);
    t.set('encoder.block.0.layer.1.mlp.wi.weight', { shape: [24, 48], values: new Float32Array(48 * 24) });
    const err = await loadCheckpoint(await dirWith('shape', t)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/"encoder\.block\.0\.layer\.1\.mlp\.wi\.weight" has shape \[24, 48\], the model expects \[48, 24\]/);
  });

  test('a folder without weights is reported', async () => {
    const dir = path.join(tmp, 'empty');
    await mkdir(dir, { recursive: true });
    await copyFile(path.join(FIXTURES, 'trained', 'config.json'), path.join(dir, 'config.json'));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/neither model\.safetensors nor model\.safetensors\.index\.json/);
  });
});
