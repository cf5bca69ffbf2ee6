// The language-modelling train family (src/tasks/language-modelling/): the stream protocol by hand
// (rows, consecutive blocks, the reset rule), the carried cache against model-core's evaluateLm
// (training losses at a vanishing lr == the full-evaluation NLL over the same blocks with the
// cache, != the same blocks from an empty cache), bit-exact resume across StableMoE's stage switch
// and across CompeteSMoE's per-iteration switch, and no tensor leaks.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { DecoderLM, evaluateLm, lmNllSum, lmPresetConfig, loadLmCheckpoint, blockAt, batchifyStream } from '@switchyard/model-core';
import { prepareTask, readLmSplit, readLmVocab, resolveConfig } from '@switchyard/data-prep';
import { fineTune } from '../src/stages.js';
import { resolveTrainConfig } from '../src/config.js';
import { LmTrainStream, blocksInPass, passOffset } from '../src/tasks/language-modelling/lm-stream.js';
import { decodeTensorFile } from '../src/tensor-file.js';

let root: string;
let dataDir: string;

/** A small deterministic byte corpus (words from a fixed list), prepared as enwik8 (90/5/5). */
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  root = mkdtempSync(join(tmpdir(), 'sy-lm-task-'));
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'dog', 'ran', 'far', '<b>', 'away'];
  const rng = new Rng(3);
  let text = '';
  while (text.length < 8000) text += words[rng.int(words.length)] + (rng.int(9) === 0 ? '.\n' : ' ');
  writeFileSync(join(root, 'enwik8'), text.slice(0, 8000));
  dataDir = join(root, 'data');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dataDir);
  await prepareTask(resolveConfig({ task: 'language-modelling', lm: { source: { path: join(root, 'enwik8') } } }), dataDir, { log: () => {}, record: () => {} });
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const loop = (extra: Record<string, unknown>) => resolveTrainConfig({
  preset: 'lm-micro', configOverrides: {}, router: { type: 'smoe' }, steps: 6, batchSize: 4, logEvery: 1, checkpointEvery: 0,
  optimizer: { lr: 1e-2, schedule: 'constant', clipNorm: 0 }, heldOutSize: 4, ...extra,
});

async function train(name: string, cfg: ReturnType<typeof loop>, opts: { killAt?: number; resume?: boolean; seed?: number } = {}): Promise<string> {
  const out = join(root, name);
  const run = () => fineTune({ cfg, seed: opts.seed ?? 7, baseDir: undefined, dataDir, outDir: out, runDir: out, resume: opts.resume ?? false, log: () => {},
    onStep: ({ step }) => { if (step === opts.killAt) throw new Error(`killed after step ${step}`); } });
  if (opts.killAt !== undefined) {
    await expect(run()).rejects.toThrow(`killed after step ${opts.killAt}`);
    opts.killAt = undefined;
    await fineTune({ cfg, seed: opts.seed ?? 7, baseDir: undefined, dataDir, outDir: out, runDir: out, resume: true, log: () => {} });
  } else await run();
  return out;
}

describe('the training stream (adaptive-span protocol)', () => {
  test('data-prep wrote the 90/5/5 split from the end', () => {
    expect([readLmSplit(dataDir, 'train').length, readLmSplit(dataDir, 'validation').length, readLmSplit(dataDir, 'test').length]).toEqual([7200, 400, 400]);
    expect(readLmVocab(dataDir).vocab).toHaveLength(256);
  });

  test('rows, consecutive blocks, and the reset to a new pass with an emptied cache (hand-computed positions)', () => {
    // 2 rows of 30 tokens (61 tokens: the last is dropped); M = 8 → pass 0 has ⌊29/8⌋ = 3 blocks (at 0, 8, 16).
    expect(blocksInPass(30, 0, 8)).toBe(3);
    expect(blocksInPass(30, 6, 8)).toBe(2); // at 6, 14 (22 + 9 > 30)
    const tokens = Int32Array.from({ length: 61 }, (_, i) => i);
    const model = new DecoderLM(lmPresetConfig('lm-micro', { vocabSize: 64 }), new Rng(1));
    const stream = new LmTrainStream(model, tokens, 2);
    const seen: { in0: number[]; in1: number[]; tg0: number[]; past: number; cacheAbs: number }[] = [];
    for (let s = 0; s < 5; s++) {
      const b = stream.makeBatch(Int32Array.from([1, 0]));
      const x = b.inputs.arraySync() as number[][], y = b.targets.arraySync() as number[][];
      seen.push({ in0: x[0]!, in1: x[1]!, tg0: y[0]!, past: b.cache.pastLength, cacheAbs: tf.tidy(() => tf.addN(b.cache.hidden.map((h) => tf.sum(tf.abs(h)))).dataSync()[0]!) });
      b.next = b.cache.hidden.map(() => tf.ones([2, 8, 16]) as tf.Tensor3D); // stands in for the forward pass's next cache
      stream.disposeBatch(b);
    }
    const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);
    const o1 = passOffset(1, 8);
    expect(o1).toBeGreaterThanOrEqual(0);
    expect(o1).toBeLessThan(8);
    const blocks1 = Math.floor((30 - 1 - o1) / 8); // pass 1: blocks at o1, o1 + 8 (and o1 + 16 when o1 + 25 ≤ 30)
    expect(seen.map((s) => s.in0[0])).toEqual([0, 8, 16, o1, o1 + 8]);
    expect(seen[1]!.in1).toEqual(range(38, 8)); // row 1 starts at token 30
    expect(seen[2]!.tg0).toEqual(range(17, 8)); // targets shifted by one
    expect(seen.map((s) => s.past)).toEqual([0, 8, 8, 0, 8]); // min(block·M, span 8); 0 at a pass start
    expect(seen.map((s) => s.cacheAbs > 0)).toEqual([false, true, true, false, true]); // emptied on the reset
    expect(stream.at()).toEqual(blocks1 === 2 ? { pass: 2, block: 0 } : { pass: 1, block: 2 });
    stream.dispose();
    model.dispose();
  });

  test('training losses at a vanishing lr equal the full evaluation with the cache over the same blocks', async () => {
    const out = await train('carry', loop({ optimizer: { lr: 1e-30, schedule: 'constant', clipNorm: 0 } }));
    const ce = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).ce as number);
    expect(ce).toHaveLength(6);
    const model = loadLmCheckpoint(out, new Rng(0));
    const tokens = readLmSplit(dataDir, 'train');
    const expected = evaluateLm(model, tokens, { batchSize: 4, maxBlocks: 6 }).nll;
    const mean = ce.reduce((a, b) => a + b, 0) / ce.length;
    expect(Math.abs(mean - expected) / expected).toBeLessThan(1e-5);
    // Negative control: the same blocks each from an empty cache give another number.
    const { rows } = batchifyStream(tokens, 4);
    let fresh = 0;
    for (let k = 0; k < 6; k++) {
      const { inputs, targets } = blockAt(rows, k * 8, 8);
      fresh += tf.tidy(() => lmNllSum(model.forward(inputs, {}).logits, targets, 1 / 32).dataSync()[0]!);
      tf.dispose([inputs, targets]);
    }
    expect(Math.abs(fresh / 6 - expected)).toBeGreaterThan(1e-3);
    model.dispose();
  }, 60_000);
});

const weights = (dir: string) => decodeTensorFile(readFileSync(join(dir, 'weights.safetensors')), dir).tensors;
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const same = (a: { data: Float32Array }, b: { data: Float32Array }) => bytes(a.data).equals(bytes(b.data));

describe('bit-exact resume', () => {
  const stable = loop({ router: { type: 'stablemoe', twoStageUpdates: 4 }, configOverrides: { dropout: 0.1 }, steps: 8, checkpointEvery: 1, keepCheckpoints: 20, logEvery: 2 });

  test('StableMoE switches stage at the configured update: the distilled gate learns until update 4, then stays frozen', async () => {
    const out = await train('stable-full', stable);
    const ck = (s: number) => weights(join(out, 'checkpoints', `step-00000${s}`));
    const name = 'layers.0.moe.router.distill_embed.weight';
    expect(same(ck(3)[name]!, ck(4)[name]!)).toBe(false); // step index 3 < 4: stage 1, distillation trains it
    expect(same(ck(4)[name]!, ck(8)[name]!)).toBe(true);  // steps 4… : stage 2, no distillation loss, no update
    expect(same(ck(4)['layers.0.attn.proj_query.weight']!, ck(8)['layers.0.attn.proj_query.weight']!)).toBe(false);
    // the stream buffers are in the checkpoint: position (pass 0, block 8) and a non-empty cache
    expect(Array.from(ck(8)['lm_stream.position']!.data)).toEqual([0, 8]);
  }, 60_000);

  test.each([3, 4, 5])('StableMoE killed after update %i and resumed: byte-identical weights to the uninterrupted run', async (killAt) => {
    const full = join(root, 'stable-full');
    const resumed = await train(`stable-kill-${killAt}`, stable, { killAt });
    expect(readFileSync(join(resumed, 'model.safetensors')).equals(readFileSync(join(full, 'model.safetensors')))).toBe(true);
    expect(readFileSync(join(resumed, 'metrics.jsonl'), 'utf8')).toBe(readFileSync(join(full, 'metrics.jsonl'), 'utf8'));
  }, 60_000);

  test('CompeteSMoE with a per-iteration switch (routerIterationSteps 3, λ(t) schedule) resumes byte-identically', async () => {
    const cfg = loop({ router: { type: 'competesmoe', freqType: 'function', iterationSteps: 3 }, configOverrides: { routerIterationSteps: 3, dropout: 0.1 }, steps: 7, checkpointEvery: 2 });
    const full = await train('compete-full', cfg);
    const resumed = await train('compete-kill', cfg, { killAt: 4 });
    expect(readFileSync(join(resumed, 'model.safetensors')).equals(readFileSync(join(full, 'model.safetensors')))).toBe(true);
    // a different seed is a different run (the comparison can fail)
    const other = await train('compete-seed', cfg, { seed: 8 });
    expect(readFileSync(join(other, 'model.safetensors')).equals(readFileSync(join(full, 'model.safetensors')))).toBe(false);
  }, 90_000);
});

test('a run leaks no tensors (stream buffers and model are disposed)', async () => {
  const before = tf.memory().numTensors;
  await train('leak', loop({ steps: 3, router: { type: 'smoe-dropout', totalSteps: 3 } }));
  expect(tf.memory().numTensors).toBe(before);
  expect(readdirSync(join(root, 'leak'))).toEqual(expect.arrayContaining(['config.json', 'model.safetensors', 'routing.arrow', 'metrics.arrow']));
}, 60_000);

test('bad LM train configs are refused with what to change', async () => {
  await expect(train('bad-total', loop({ steps: 3, router: { type: 'smoe-dropout' } }))).rejects.toThrow('schedules over totalSteps 400000 but the run has steps 3; set "totalSteps": 3');
  await expect(train('bad-preset', loop({ preset: 'cpu-mni' }))).rejects.toThrow('unknown LM preset "cpu-mni"');
  await expect(train('bad-freeze', loop({ freeze: ['router'] }))).rejects.toThrow('"freeze" groups (router) are Switch Transformer groups');
  await expect(train('bad-epochs', loop({ epochs: 1 }))).rejects.toThrow('"epochs" is not used');
}, 60_000);
