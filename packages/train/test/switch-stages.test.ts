// The loop on model-core's Switch Transformer with data-prep's embedded corpus: every router
// type of @switchyard/routers lowers the held-out loss; the base-model and train stages write
// HF checkpoints that reload; config schemas reject what they should.
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readArrowFile, columnValues, checkSchema, type StageContext } from '@switchyard/runtime';
import { initBackend, Rng } from '@switchyard/tensor-engine';
import { SwitchTransformer, presetConfig, replaceRouters, crossEntropyIgnore, loadCheckpoint } from '@switchyard/model-core';
import { runDataPrepCommand, readPreparedSplit } from '@switchyard/data-prep';
import { routerTypes } from '@switchyard/routers';
import { SwitchTask, PreparedSource } from '../src/tasks/summarisation/switch-task.js';
import { trainLoop } from '../src/train-loop.js';
import { baseModelStage, trainStage } from '../src/stages.js';
import { trainConfigSchema, baseModelConfigSchema, resolveTrainConfig } from '../src/config.js';
import { runTrainCommand } from '../src/train-command.js';
import { fineTune } from '../src/stages.js';
import { NonFiniteError } from '../src/nan-guard.js';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

let root: string;
let dataDir: string;
let vocab: number;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  root = mkdtempSync(join(tmpdir(), 'sy-switch-'));
  dataDir = join(root, 'data');
  const r = await runDataPrepCommand({ config: { source: 'embedded' }, out: dataDir, log: () => {} });
  vocab = r.stats.tokenizer.vocabSize;
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function stageCtx<C>(config: C, inputs: Record<string, string>, outDir: string): StageContext<C> & { records: Record<string, unknown> } {
  mkdirSync(outDir, { recursive: true });
  const records: Record<string, unknown> = {};
  return { config, seed: 5, inputs, outDir, log: () => {}, record: (k, v) => { records[k] = v; }, records };
}

describe('every router type trains on the embedded corpus (micro preset)', () => {
  test.each(routerTypes())('%s: held-out CE decreases over 3 steps', async (type) => {
    const split = readPreparedSplit(dataDir, 'train');
    const src = new PreparedSource(split, { maxSourceLength: 24, maxTargetLength: 8 });
    const model = new SwitchTransformer(presetConfig('micro', { vocab_size: vocab }), new Rng(1));
    replaceRouters(model, { type }, new Rng(2));
    const held = src.makeBatch(Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7]));
    const ce = () => tf.tidy(() => crossEntropyIgnore(model.forward({ inputIds: held.inputIds, attentionMask: held.attentionMask, decoderInputIds: held.decoderInputIds }).logits, held.labels).dataSync()[0]!);
    const before = ce();
    const numTensors = tf.memory().numTensors;
    await trainLoop({ task: new SwitchTask(model), data: src, runDir: join(root, `r-${type}`), seed: 1, totalSteps: 3, batchSize: 4, logEvery: 3,
      optimizer: { type: 'adamw' }, schedule: { type: 'constant', lr: 3e-3 }, resume: false, log: () => {} });
    expect(tf.memory().numTensors).toBe(numTensors); // the loop leaks nothing on the real model
    const after = ce();
    expect(after).toBeLessThan(before - 0.05);
    const rec = JSON.parse(readFileSync(join(root, `r-${type}`, 'metrics.jsonl'), 'utf8').trim().split('\n').at(-1)!);
    expect(Object.keys(rec.layers)).toEqual(['encoder.block.1.layer.1', 'decoder.block.1.layer.2']);
    src.disposeBatch(held);
    model.dispose();
  });
});

describe('stages', () => {
  test('base-model (pretrain) → train (replace routers) → HF checkpoints that reload', async () => {
    const baseOut = join(root, 'base');
    const baseCfg = { preset: 'micro', steps: 3, batchSize: 4, maxSourceLength: 24, maxTargetLength: 8, logEvery: 1 };
    expect(checkSchema(baseModelConfigSchema(), structuredClone(baseCfg))).toEqual([]);
    await baseModelStage.run(stageCtx(baseCfg as never, { data: dataDir }, baseOut));
    const baseConfig = JSON.parse(readFileSync(join(baseOut, 'config.json'), 'utf8'));
    expect(baseConfig.switchyard_router).toBeUndefined(); // the base never mentions a gating strategy
    expect(baseConfig.vocab_size).toBe(vocab);
    expect(existsSync(join(baseOut, 'checkpoints'))).toBe(false);
    const baseActive = columnValues<number>(readArrowFile(join(baseOut, 'routing.arrow'), { layer: 'utf8', active_experts: 'int32' }), 'active_experts');
    expect(baseActive.every((a) => a === 0 || a === 1)).toBe(true); // top-1: one expert, or none when dropped
    expect(baseActive).toContain(1);

    const trainOut = join(root, 'train');
    const ctx = stageCtx({ router: { type: 'linear-sparsemax' }, steps: 3, batchSize: 4, maxSourceLength: 24, maxTargetLength: 8, logEvery: 1, heldOutSize: 4 } as never, { data: dataDir, base: baseOut }, trainOut);
    await trainStage.run(ctx);
    const trained = JSON.parse(readFileSync(join(trainOut, 'config.json'), 'utf8'));
    expect(trained.switchyard_router.type).toBe('linear-sparsemax');
    const model = await loadCheckpoint(trainOut);
    expect(model.sparseLayers().map((l) => l.router.type)).toEqual(['linear-sparsemax', 'linear-sparsemax']);
    model.dispose();
    const routing = readArrowFile(join(trainOut, 'routing.arrow'), { layer: 'utf8', active_experts: 'int32' });
    expect(new Set(columnValues(routing, 'layer'))).toEqual(new Set(['encoder.block.1.layer.1', 'decoder.block.1.layer.2']));
    for (const a of columnValues<number>(routing, 'active_experts')) { expect(a).toBeGreaterThanOrEqual(0); expect(a).toBeLessThanOrEqual(4); }
    const m = readArrowFile(join(trainOut, 'metrics.arrow'), { step: 'int32', loss: 'float64', ce: 'float64' });
    expect(columnValues(m, 'step')).toEqual([1, 2, 3]);
    const summary = ctx.records.training as { steps: number; heldOutLoss: Record<string, number> };
    expect(summary.steps).toBe(3);
    expect(summary.heldOutLoss.ce).toBeGreaterThan(0);
    expect(summary.heldOutLoss.ce).toBeLessThan(Math.log(vocab) + 3); // a plausible CE for ~V classes

    // switchyard train: a second invocation resumes the finished run instead of retraining.
    const cmdOut = join(root, 'cmd');
    const cfg = { router: { type: 'switch-top1' }, steps: 2, batchSize: 4, maxSourceLength: 24, maxTargetLength: 8, checkpointEvery: 1 };
    const first = await runTrainCommand({ data: dataDir, base: baseOut, out: cmdOut, config: cfg, seed: 3, log: () => {} });
    expect(first.resumedFrom).toBeNull();
    const again = await runTrainCommand({ data: dataDir, base: baseOut, out: cmdOut, config: cfg, seed: 3, log: () => {} });
    expect(again.resumedFrom).toBe(2);
    expect(readFileSync(join(again.modelDir, 'model.safetensors'))).toEqual(readFileSync(join(first.modelDir, 'model.safetensors')));
  });

  test('Switch model: same seed → identical weights and metrics; an interrupted run resumes bit-identically', async () => {
    const base = join(root, 'base'); // written by the previous test
    const cfg = resolveTrainConfig({ router: { type: 'switch-top1', jitterNoise: 0.05 }, steps: 4, batchSize: 4, maxSourceLength: 24, maxTargetLength: 8, logEvery: 1, checkpointEvery: 2, heldOutSize: 4 });
    const run = async (name: string, crashAt?: number) => {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      const args = { cfg, seed: 11, baseDir: base, dataDir, outDir: dir, runDir: dir, resume: true, log: () => {} };
      if (crashAt === undefined) return fineTune(args);
      // The crash comes after step 3, one step past the step-2 checkpoint.
      await expect(fineTune({ ...args, onStep: ({ step }) => { if (step === crashAt) throw new Error('simulated crash'); } })).rejects.toThrow('simulated crash');
      return fineTune(args);
    };
    const a = await run('det-a');
    const b = await run('det-b');
    const c = await run('det-c', 3);
    expect(a.resumedFrom).toBeNull();
    expect(c.resumedFrom).toBe(2);
    for (const other of ['det-b', 'det-c']) {
      expect(sha(join(root, other, 'model.safetensors'))).toBe(sha(join(root, 'det-a', 'model.safetensors')));
      for (const f of ['metrics.jsonl', 'metrics.arrow', 'routing-metrics.arrow', 'routing.arrow']) expect(sha(join(root, other, f))).toBe(sha(join(root, 'det-a', f)));
    }
    // Checkpoint folders are HF checkpoints model-core loads directly.
    const ck = await loadCheckpoint(join(root, 'det-a', 'checkpoints', 'step-000004'));
    expect(ck.sparseLayers()[0]!.router.type).toBe('switch-top1');
    ck.dispose();
  });

  test('switchyard train with lr 1e30 stops with NonFiniteError; its last good checkpoint loads in model-core', async () => {
    const out = join(root, 'nan-cmd');
    const cfg = { router: { type: 'smoe' }, steps: 6, batchSize: 4, maxSourceLength: 24, maxTargetLength: 8, checkpointEvery: 1, optimizer: { lr: 1e30, schedule: 'constant', warmupSteps: 10 } };
    const err = await runTrainCommand({ data: dataDir, base: join(root, 'base'), out, config: cfg, seed: 3, log: () => {} }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteError);
    const e = err as NonFiniteError;
    expect(e.message).toContain(`at step ${e.step}; training stopped. Last good checkpoint: ${e.lastGoodCheckpoint}; nothing after it is valid.`);
    expect(existsSync(join(out, 'model'))).toBe(false); // no final model from a failed run
    const model = await loadCheckpoint(e.lastGoodCheckpoint!);
    for (const p of model.parameters()) expect(p.variable.dataSync().every(Number.isFinite)).toBe(true);
    model.dispose();
  });

  test('base-model import copies an HF checkpoint; a vocabulary mismatch with the data is an error', async () => {
    const out = join(root, 'imported');
    await baseModelStage.run(stageCtx({ source: 'import', importDir: join(fixtures, 'switch_tiny') } as never, {}, out));
    const a = await loadCheckpoint(join(fixtures, 'switch_tiny'));
    const b = await loadCheckpoint(out);
    const pa = a.parameters(), pb = b.parameters();
    expect(pb.map((p) => p.name)).toEqual(pa.map((p) => p.name));
    pa.forEach((p, i) => expect(Array.from(pb[i]!.variable.dataSync())).toEqual(Array.from(p.variable.dataSync())));
    a.dispose(); b.dispose();
    await expect(trainStage.run(stageCtx({ router: { type: 'smoe' }, steps: 1 } as never, { data: dataDir, base: out }, join(root, 'mismatch'))))
      .rejects.toThrow(/token id \d+ in the training split is outside the model's vocabulary \(vocab_size 96\)/);
  });

  test('config schemas: defaults filled, unknown keys and router types rejected with the allowed values', () => {
    const c = resolveTrainConfig({ router: { type: 'switch-top1' } });
    expect(c.optimizer).toMatchObject({ type: 'adamw', lr: 5e-5, schedule: 'linear', warmupSteps: 0, weightDecay: 0 });
    expect(c.router).toMatchObject({ type: 'switch-top1', expertCapacity: expect.any(Number) });
    expect(checkSchema(trainConfigSchema(), { router: { type: 'nope' } })[0]).toMatch(/\/router\/type: "nope" is not allowed; allowed values: .*"switch-top1"/);
    expect(checkSchema(trainConfigSchema(), { router: { type: 'switch-top1', bogus: 1 } }).join('\n')).toMatch(/bogus/);
    expect(checkSchema(trainConfigSchema(), { router: { type: 'smoe' }, lr: 1 })[0]).toMatch(/unknown key "lr"/);
    expect(checkSchema(trainConfigSchema(), {})[0]).toMatch(/missing required key "router"/);
    expect(Object.keys((baseModelConfigSchema() as { properties: object }).properties)).not.toContain('router');
  });
});
