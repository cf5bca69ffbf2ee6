// The flops-profiler stage on a trained decoder LM's folder (src/lm-profile.ts): it reads the
// model's config.json, the eval-time active experts of routing.arrow and the training-time ones of
// routing-metrics.arrow, and writes flops.arrow rows equal to lmFlopsModel at those numbers.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { columnValues, makeTable, readArrowFile, writeArrowFile } from '@switchyard/runtime';
import { initBackend } from '@switchyard/tensor-engine';
import { lmLayerKinds, lmPresetConfig } from '@switchyard/model-core';
import { describeRouter } from '@switchyard/routers';
import { costSpecOf, flopsProfilerStage, lmFlopsModel } from '@switchyard/flops-profiler';

let root: string;
beforeAll(async () => { await initBackend('wasm', { quiet: true }); root = mkdtempSync(join(tmpdir(), 'lm-profile-')); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('costs a trained SMoE-Dropout GLaM LM at its measured eval and training active experts', async () => {
  const cfg = lmPresetConfig('lm-micro', { architecture: 'glam', numLayers: 4, router: { type: 'smoe-dropout', totalSteps: 10 } });
  const model = join(root, 'model');
  const out = join(root, 'out');
  for (const d of [model, out]) rmSync(d, { recursive: true, force: true });
  mkdirSync(model, { recursive: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(model, 'config.json'), JSON.stringify(cfg));
  // MoE layers 0 and 2. Eval: layer 0 tokens with 4, 4, 2 experts; layer 2 with 3, 3.
  writeArrowFile(join(model, 'routing.arrow'), makeTable({
    layer: { kind: 'utf8', values: ['layers.0.moe', 'layers.0.moe', 'layers.0.moe', 'layers.2.moe', 'layers.2.moe'] },
    active_experts: { kind: 'int32', values: [4, 4, 2, 3, 3] },
  }));
  // Training: logged means 2 then 3 on layer 0 (mean 2.5), 2 then 4 on layer 2 (mean 3).
  writeArrowFile(join(model, 'routing-metrics.arrow'), makeTable({
    step: { kind: 'int32', values: [5, 5, 10, 10] },
    layer: { kind: 'utf8', values: ['layers.0.moe', 'layers.2.moe', 'layers.0.moe', 'layers.2.moe'] },
    mean_active_experts: { kind: 'float64', values: [2, 2, 3, 4] },
  }));
  const logs: string[] = [];
  await flopsProfilerStage.run({ config: { model: 'input:model', routers: [], published: false, plots: false }, inputs: { model }, outDir: out, seed: 1, log: (m: string) => logs.push(m), record: () => {} } as never);
  const t = readArrowFile(join(out, 'flops.arrow'));
  const source = columnValues<string>(t, 'source');
  const fwd = columnValues<number>(t, 'flops_forward_all_per_token');
  const trn = columnValues<number>(t, 'flops_training_all_per_token');
  const k = columnValues<number | null>(t, 'k');
  const shape = { vocabSize: cfg.vocabSize, dModel: cfg.dModel, numHeads: cfg.numHeads, dFf: cfg.dFf, blockSize: cfg.blockSize, attnSpan: cfg.attnSpan, layerKinds: lmLayerKinds(cfg), numExperts: cfg.numExperts, doubleMoeNorm: false };
  const router = costSpecOf(describeRouter(cfg.router as never, { dModel: cfg.dModel, numExperts: cfg.numExperts }));
  const want = lmFlopsModel(shape, [
    { layer: 'layers.0.moe', router, activeEval: 10 / 3, activeTraining: 2.5 },
    { layer: 'layers.2.moe', router, activeEval: 3, activeTraining: 3 },
  ]);
  const i = source.indexOf('routing-stats');
  expect(columnValues<string>(t, 'router')[i]).toBe('smoe-dropout');
  expect(fwd[i]).toBeCloseTo(want.perToken.forwardAll, 6);
  expect(trn[i]).toBeCloseTo(want.perToken.trainingAll, 6);
  expect(columnValues<number>(t, 'mean_active_experts')[i]).toBeCloseTo((10 / 3 + 3) / 2, 12);
  expect(columnValues<number>(t, 'mean_active_experts_training')[i]).toBeCloseTo(2.75, 12);
  // the top-k line: k = 1…E, forward FLOPs rising by one expert's work per step; at k = E no
  // selection sort (E·⌈log2 E⌉ = 8 per token per MoE layer, 2 layers) is needed any more
  const line = k.map((x, j) => [x, fwd[j]] as const).filter(([x], j) => source[j] === 'fixed-k' && x !== null);
  expect(line.map(([x]) => x)).toEqual([1, 2, 3, 4]);
  const steps = line.slice(1).map(([, f], j) => f! - line[j]![1]!);
  const expert = 2 * (4 * cfg.dModel * cfg.dFf + 2 * cfg.dFf + cfg.dModel + 2 * cfg.dModel);   // 2 MoE layers
  expect(steps).toEqual([expert, expert, expert - 16].map((x) => expect.closeTo(x, 6)));
  expect(existsSync(join(out, 'flops-vs-k.png'))).toBe(false);
});
