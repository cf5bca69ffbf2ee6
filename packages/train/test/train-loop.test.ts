import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readArrowFile, columnValues } from '@switchyard/runtime';
import { initBackend } from '@switchyard/tensor-engine';
import { runToy } from './helpers/run-toy.js';
import { ToyTask } from './helpers/toy-task.js';
import { NonFiniteError } from '../src/nan-guard.js';
import { listCheckpoints, loadTrainingCheckpoint, restoreWeights } from '../src/checkpoint.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
let root: string;
beforeAll(async () => { await initBackend('wasm', { quiet: true }); root = mkdtempSync(join(tmpdir(), 'sy-train-')); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('train loop on a toy MoE', () => {
  test('same seed → identical metrics files and weights; loss decreases; frozen stays; no leak', async () => {
    const before = tf.memory().numTensors;
    const a = await runToy({ runDir: join(root, 'a') });
    const t0 = new ToyTask(7);
    const frozenInit = Array.from(t0.params.find((p) => p.frozen)!.variable.dataSync());
    t0.dispose();
    const frozenAfter = Array.from(a.task.params.find((p) => p.frozen)!.variable.dataSync());
    const paramsA = a.task.params.length;
    a.task.dispose();
    const b = await runToy({ runDir: join(root, 'b') });
    b.task.dispose();
    for (const f of ['metrics.jsonl', 'metrics.arrow', 'routing-metrics.arrow', 'routing.arrow']) {
      expect(sha(join(root, 'a', f))).toBe(sha(join(root, 'b', f)));
    }
    expect(sha(join(a.finalCheckpoint, 'weights.safetensors'))).toBe(sha(join(b.finalCheckpoint, 'weights.safetensors')));
    expect(sha(join(a.finalCheckpoint, 'optimizer.safetensors'))).toBe(sha(join(b.finalCheckpoint, 'optimizer.safetensors')));
    // A different seed gives different weights (the comparison above can fail).
    const c = await runToy({ runDir: join(root, 'c'), seed: 8 });
    c.task.dispose();
    expect(sha(join(c.finalCheckpoint, 'weights.safetensors'))).not.toBe(sha(join(a.finalCheckpoint, 'weights.safetensors')));

    const rows = readFileSync(join(root, 'a', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.step)).toEqual([2, 4, 6, 8, 10, 12]);
    expect(rows.at(-1).loss).toBeLessThan(rows[0].loss);
    const load = rows[0].layers['moe.0'].expert_load.reduce((x: number, y: number) => x + y, 0);
    expect(load).toBeGreaterThan(0);
    expect(load).toBeLessThanOrEqual(rows[0].tokens); // real (non −100) tokens only, one expert each
    expect(frozenAfter).toEqual(frozenInit);
    expect(paramsA).toBe(4);
    expect(tf.memory().numTensors).toBe(before);

    // Tables are readable with the expected schema; routing.arrow counts one expert per real token.
    const m = readArrowFile(join(root, 'a', 'metrics.arrow'), { step: 'int32', loss: 'float64', lr: 'float64', grad_norm: 'float64', aux_aux: 'float64', aux_z: 'float64' });
    expect(columnValues(m, 'step')).toEqual([2, 4, 6, 8, 10, 12]);
    const r = readArrowFile(join(root, 'a', 'routing.arrow'), { layer: 'utf8', active_experts: 'int32' });
    expect(new Set(columnValues(r, 'active_experts'))).toEqual(new Set([1]));
    expect(r.numRows).toBeGreaterThan(0);
    expect(listCheckpoints(join(root, 'a', 'checkpoints')).map((x) => x.step)).toEqual([8, 12]); // keep 2
  });

  test('resume refuses another run\'s checkpoints and skips a corrupt newest checkpoint', async () => {
    const dir = join(root, 'corrupt');
    const r = await runToy({ runDir: dir, totalSteps: 8, checkpointEvery: 4 });
    r.task.dispose();
    await expect(runToy({ runDir: dir, totalSteps: 8, checkpointEvery: 4, schedule: { type: 'constant', lr: 0.01 } })).rejects.toThrow(/checkpoint of a different run/);
    writeFileSync(join(dir, 'checkpoints', 'step-000008', 'weights.safetensors'), 'garbage');
    const warnings: string[] = [];
    const again = await runToy({ runDir: dir, totalSteps: 8, checkpointEvery: 4, log: (m) => warnings.push(m) });
    again.task.dispose();
    expect(warnings.join('\n')).toMatch(/skipping .*step-000008: .*sha256 mismatch/);
    expect(again.resumedFrom).toBe(4);
    const fresh = await runToy({ runDir: join(root, 'corrupt-ref'), totalSteps: 8, checkpointEvery: 4 });
    fresh.task.dispose();
    expect(sha(join(dir, 'checkpoints', 'step-000008', 'weights.safetensors'))).toBe(sha(join(root, 'corrupt-ref', 'checkpoints', 'step-000008', 'weights.safetensors')));
  });

  test('gradient accumulation and Adafactor run through the same loop', async () => {
    const r = await runToy({ runDir: join(root, 'acc'), gradAccumSteps: 2, batchSize: 4, optimizer: { type: 'adafactor' }, schedule: { type: 'constant', lr: 0.05 } });
    r.task.dispose();
    const rows = readFileSync(join(root, 'acc', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows[0].tokens).toBe(2 * 4 * 6); // two micro-batches of 4 sequences of 6
    expect(rows.at(-1).loss).toBeLessThan(rows[0].loss);
  });

  test('lr 1e30 → NonFiniteError naming step, tensor and last good checkpoint, which still loads', async () => {
    const dir = join(root, 'nan');
    let err: unknown;
    try {
      // lr(0) = 0 during warmup, so the step-1 checkpoint is good; step 2 uses lr 1e29.
      const r = await runToy({ runDir: dir, checkpointEvery: 1, schedule: { type: 'constant', lr: 1e30, warmupSteps: 10 } });
      r.task.dispose();
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(NonFiniteError);
    const e = err as NonFiniteError;
    expect(e.message).toMatch(/non-finite value \(NaN\/Inf\) in (loss part|gradient|parameter) \S+ at step \d+; training stopped\. Last good checkpoint: .*step-\d+; nothing after it is valid\./);
    expect(e.lastGoodCheckpoint).toBeDefined();
    const failure = JSON.parse(readFileSync(join(dir, 'failure.json'), 'utf8'));
    expect(failure).toEqual({ error: 'non-finite', step: e.step, tensor: e.tensor, lastGoodCheckpoint: e.lastGoodCheckpoint });
    const ck = loadTrainingCheckpoint(e.lastGoodCheckpoint!);
    expect(ck.state.step).toBe(e.step - 1);
    const fresh = new ToyTask(7);
    restoreWeights(fresh.params, ck.weights, ck.path);
    for (const p of fresh.params) expect(p.variable.dataSync().every(Number.isFinite)).toBe(true);
    fresh.dispose();
    // No metrics line past the checkpoint remains in metrics.jsonl.
    const rows = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(rows.every((r) => r.step <= ck.state.step)).toBe(true);
    expect(readdirSync(join(dir, 'checkpoints')).every((n) => !n.startsWith('.tmp-'))).toBe(true);
    expect(existsSync(join(dir, 'metrics.arrow'))).toBe(false);
  });
});
