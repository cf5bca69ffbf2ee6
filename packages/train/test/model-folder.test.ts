// A trained model folder is self-contained for text: the base-model and train stages copy
// data-prep's tokenizer.json and input prefix into it, and `switchyard summarize` turns text into
// a summary with nothing else. Its encoding equals data-prep's, its summaries equal decoding the
// prepared ids directly, batching does not change them. Training checkpoints' tfjs-layout
// weights.safetensors is not labelled as a torch file; the HF export in the same folder is.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type StageContext } from '@switchyard/runtime';
import { generate, loadCheckpoint, openSafetensors, readTensor } from '@switchyard/model-core';
import { runDataPrepCommand, readPreparedSplit, readPreparedStats } from '@switchyard/data-prep';
import { baseModelStage, fineTune } from '../src/stages.js';
import { resolveTrainConfig } from '../src/config.js';
import { runTrainCommand } from '../src/train-command.js';
import { readModelText, MODEL_TEXT_FILE } from '../src/tasks/summarisation/model-text.js';
import { encodeSource, readSummarizeInputs, runSummarizeCommand, summarizeTexts } from '../src/tasks/summarisation/summarize-command.js';

let root: string, dataDir: string, baseOut: string, trainOut: string, runDir: string;
const loop = { steps: 2, batchSize: 4, maxSourceLength: 32, maxTargetLength: 8, logEvery: 1 };

beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  root = mkdtempSync(join(tmpdir(), 'sy-model-folder-'));
  dataDir = join(root, 'data');
  await runDataPrepCommand({ config: { source: 'embedded', maxRows: { train: 32, validation: 8, test: 8 }, tokenizer: { vocabSize: 200 } }, out: dataDir, log: () => {} });
  baseOut = join(root, 'base');
  mkdirSync(baseOut);
  const ctx: StageContext<never> = { config: { preset: 'micro', ...loop } as never, seed: 5, inputs: { 'data-prep': dataDir }, outDir: baseOut, log: () => {}, record: () => {} };
  await baseModelStage.run(ctx);
  trainOut = join(root, 'train');
  runDir = join(root, 'run');
  mkdirSync(trainOut);
  const cfg = resolveTrainConfig({ router: { type: 'linear-sparsemax' }, ...loop, checkpointEvery: 1 });
  await fineTune({ cfg, seed: 7, baseDir: baseOut, dataDir, outDir: trainOut, runDir, resume: false, log: () => {} });
}, 180_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('model folders carry their tokenizer and input prefix', () => {
  test.each(['base', 'train'])('%s: tokenizer.json is data-prep\'s, switchyard-text.json has its prefix and limits', (name) => {
    const dir = join(root, name);
    expect(readFileSync(join(dir, 'tokenizer.json'))).toEqual(readFileSync(join(dataDir, 'tokenizer.json')));
    const text = JSON.parse(readFileSync(join(dir, MODEL_TEXT_FILE), 'utf8'));
    const norm = readPreparedStats(dataDir).normalise;
    expect(text).toEqual({ inputPrefix: 'summarize: ', normalise: norm, tokenizer: 'tokenizer.json' });
  });

  test('the base model (native router) is labelled for HF; the sparsemax model is not', () => {
    const base = JSON.parse(readFileSync(join(baseOut, 'config.json'), 'utf8'));
    expect([base.model_type, base.architectures]).toEqual(['switch_transformers', ['SwitchTransformersForConditionalGeneration']]);
    const trained = JSON.parse(readFileSync(join(trainOut, 'config.json'), 'utf8'));
    expect([trained.model_type, trained.architectures]).toEqual(['switchyard_switch_transformers', ['SwitchyardSwitchTransformersForConditionalGeneration']]);
  });

  test('switchyard train\'s model folder carries them too', async () => {
    const r = await runTrainCommand({ data: dataDir, base: baseOut, out: join(root, 'cmd'), config: { router: { type: 'switch-top1' }, ...loop, steps: 1 }, seed: 3, log: () => {} });
    expect(readFileSync(join(r.modelDir, 'tokenizer.json'))).toEqual(readFileSync(join(dataDir, 'tokenizer.json')));
    expect(JSON.parse(readFileSync(join(r.modelDir, MODEL_TEXT_FILE), 'utf8')).inputPrefix).toBe('summarize: ');
  });

  test('a folder without them is refused with the fix named', () => {
    const bare = join(root, 'bare');
    mkdirSync(bare);
    expect(() => readModelText(bare)).toThrow(/no switchyard-text\.json and no tokenizer\.json .*pass --tokenizer/);
  });
});

describe('switchyard summarize', () => {
  test('encodes text exactly as data-prep encoded the test split', () => {
    const { text, tokenizer } = readModelText(trainOut);
    const split = readPreparedSplit(dataDir, 'test');
    expect(split.dialogue.map((d) => encodeSource(d, text, tokenizer))).toEqual(split.inputIds);
  });

  test('--text gives the summary of decoding the prepared ids directly; JSONL batches and .txt agree', async () => {
    const split = readPreparedSplit(dataDir, 'test');
    // Independent path: the prepared ids of row 0 through generate, start token dropped, cut at eos.
    const model = await loadCheckpoint(trainOut);
    const ids = tf.tensor2d([split.inputIds[0]!], [1, split.inputIds[0]!.length], 'int32');
    const seq = generate(model, ids, undefined, { maxNewTokens: 6, useCache: true }).sequences[0]!;
    ids.dispose();
    const body = seq.slice(1);
    const cut = body.indexOf(model.config.eos_token_id);
    const { tokenizer, text } = readModelText(trainOut);
    const expected = tokenizer.decode(cut < 0 ? body : body.slice(0, cut));

    const one = await runSummarizeCommand({ model: trainOut, text: split.dialogue[0]!, maxNewTokens: 6 });
    expect(one).toEqual([{ id: 'text', summary: expected }]);

    const txt = join(root, 'one.txt');
    writeFileSync(txt, split.dialogue[0]!);
    expect(await runSummarizeCommand({ model: trainOut, input: txt, maxNewTokens: 6 })).toEqual(one);

    // Three dialogues of different lengths in one padded batch = one at a time.
    const jsonl = join(root, 'in.jsonl');
    writeFileSync(jsonl, split.dialogue.slice(0, 3).map((d, i) => JSON.stringify({ id: split.id[i], dialogue: d })).join('\n') + '\n');
    const out = join(root, 'out.jsonl');
    const batched = await runSummarizeCommand({ model: trainOut, input: jsonl, out, maxNewTokens: 6, batchSize: 3 });
    const single = summarizeTexts(model, tokenizer, text, split.dialogue.slice(0, 3), { maxNewTokens: 6, numBeams: 1, batchSize: 1 });
    expect(batched.map((b) => b.summary)).toEqual(single);
    expect(batched.map((b) => b.id)).toEqual(split.id.slice(0, 3));
    expect(readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))).toEqual(batched);

    const before = tf.memory().numTensors;
    summarizeTexts(model, tokenizer, text, split.dialogue.slice(0, 2), { maxNewTokens: 3, numBeams: 2, batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  test('input errors name the file, line and field', () => {
    expect(() => readSummarizeInputs({ text: 'a', input: 'b.jsonl' })).toThrow(/exactly one of --text/);
    const bad = join(root, 'bad.jsonl');
    writeFileSync(bad, '{"dialogue": "A: hi"}\n{"summary": "x"}\n');
    expect(() => readSummarizeInputs({ input: bad })).toThrow(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: field "dialogue" \\(or "text"\\) must be a string; the record has "summary"`));
    expect(() => readSummarizeInputs({ input: join(root, 'x.csv') })).toThrow(/cannot read/);
    writeFileSync(join(root, 'x.csv'), 'a');
    expect(() => readSummarizeInputs({ input: join(root, 'x.csv') })).toThrow(/unknown input format "\.csv"/);
  });
});

describe('training checkpoints', () => {
  test('weights.safetensors (tfjs layout) is not labelled pt; the HF model.safetensors beside it is, transposed', () => {
    const ck = join(runDir, 'checkpoints', 'step-000002');
    const w = openSafetensors(join(ck, 'weights.safetensors'));
    const hf = openSafetensors(join(ck, 'model.safetensors'));
    try {
      // transformers' safetensors loader accepts only these formats.
      expect(['pt', 'tf', 'flax', 'mlx']).not.toContain(w.metadata.format);
      expect(w.metadata.layout).toMatch(/tfjs/);
      expect(hf.metadata.format).toBe('pt');
      const key = 'encoder.block.0.layer.1.mlp.wi.weight'; // dense FFN wi: torch [d_ff, d], tfjs [d, d_ff]
      const a = readTensor(w, key);
      const b = readTensor(hf, key);
      expect(a.shape).toEqual([...b.shape].reverse());
      expect(a.shape[0]).not.toBe(a.shape[1]);
      const [r, c] = a.shape as [number, number];
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) expect(a.values[i * c + j]).toBe(b.values[j * r + i]);
    } finally { w.close(); hf.close(); }
  });
});
