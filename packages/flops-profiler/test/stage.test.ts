import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeTable, writeArrowFile, readArrowFile, columnValues, checkSchema } from '@switchyard/runtime';
import { initBackend } from '@switchyard/tensor-engine';
import {
  flopsProfilerStage, runFlopsCommand, flopsStageConfigSchema, resolveFlopsConfig, flopsModel, summariseRouting,
} from '@switchyard/flops-profiler';

const tiny = {
  d_model: 8, d_kv: 4, num_heads: 2, d_ff: 16, num_layers: 2, num_decoder_layers: 2, num_experts: 4,
  encoder_sparse_step: 2, decoder_sparse_step: 2, vocab_size: 20,
};

/** A trained model's folder: config.json recording its router, and routing.arrow. */
function modelFolder(folder: string, router: Record<string, unknown> | undefined, layers: string[], counts: number[]): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ ...tiny, ...(router ? { switchyard_router: router } : {}) }));
  writeArrowFile(path.join(folder, 'routing.arrow'), makeTable({
    layer: { kind: 'utf8', values: layers }, active_experts: { kind: 'int32', values: Int32Array.from(counts) },
  }));
}

let dir: string;
beforeAll(async () => {
  await initBackend('wasm', { quiet: true });
  dir = mkdtempSync(path.join(tmpdir(), 'flops-stage-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('config', () => {
  it('accepts an empty config (defaults) and a real HF config.json object, rejects unknown keys', () => {
    expect(checkSchema(flopsStageConfigSchema, {})).toEqual([]);
    expect(checkSchema(flopsStageConfigSchema, { model: { ...tiny, model_type: 'switch_transformers', router_bias: false } })).toEqual([]);
    expect(checkSchema(flopsStageConfigSchema, { modle: 'switch-base-8' }).join('\n')).toMatch(/modle/);
    expect(checkSchema(flopsStageConfigSchema, { measure: { enabled: true, tokns: 3 } }).join('\n')).toMatch(/tokns/);
    const cfg = resolveFlopsConfig({});
    expect(cfg.model).toBe('switch-base-16');
    expect(cfg.topK.kValues).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(() => resolveFlopsConfig({ model: 'switch-base-8', topK: { gates: ['linear'], kValues: [9] } })).toThrow(/exceeds num_experts 8/);
  });

  it('rejects an unknown router type, and the removed gate/normaliser restatements', () => {
    expect(checkSchema(flopsStageConfigSchema, { routers: [{ router: { type: 'linear-sparsmax' } }] }).join('\n')).toMatch(/routers\/0\/router\/type/);
    expect(checkSchema(flopsStageConfigSchema, { statistics: { train: { label: 'x', gate: 'linear' } } }).join('\n')).toMatch(/gate/);
  });
});

describe('flops-profiler stage', () => {
  it('writes flops.arrow, active-experts.arrow and both plots from config, statistics and routers', async () => {
    const upstream = path.join(dir, 'train-sparsemax');
    const layers = [...Array(5).fill('encoder.block.1'), ...Array(3).fill('decoder.block.1')];
    const counts = [1, 2, 1, 3, 1, 2, 2, 1]; // encoder Σ 8 over 5, decoder Σ 5 over 3
    modelFolder(upstream, { type: 'linear-sparsemax' }, layers, counts);
    const outDir = path.join(dir, 'out');
    mkdirSync(outDir);
    const records: Record<string, unknown> = {};
    const before = tf.memory().numTensors;
    await flopsProfilerStage.run({
      config: {
        model: tiny, sourceLength: 5, targetLength: 3, topK: { gates: ['linear', 'attention'], kValues: [1, 2, 4] },
        routers: [{ router: { type: 'linear-sparsemax' } }, { name: 'top2', router: { type: 'linear-softmax-topk', topK: 2 } }],
        statistics: { 'train-sparsemax': { label: 'sparsemax (trained)' } },
        probeTokens: 64,
        measure: { enabled: true, tokens: 16, dModel: 8, dFf: 16, kValues: [1, 2, 4], warmup: 0, repeats: 1, backward: true },
      } as never,
      seed: 7, inputs: { 'train-sparsemax': upstream, 'data-prep': path.join(dir, 'nothing-here') }, outDir,
      log: () => {}, record: (k, v) => { records[k] = v; },
    });
    expect(tf.memory().numTensors).toBe(before);

    const t = readArrowFile(path.join(outDir, 'flops.arrow'), {
      router: 'utf8', source: 'utf8', k: 'int32', mean_active_experts: 'float64', flops_forward_matmul_per_sequence: 'float64',
      flops_forward_all_per_token: 'float64', measured_forward_ms: 'float64', measured_forward_backward_ratio_to_dense: 'float64',
    });
    const router = columnValues<string>(t, 'router');
    const source = columnValues<string>(t, 'source');
    const k = columnValues<number | null>(t, 'k');
    const fwd = columnValues<number>(t, 'flops_forward_matmul_per_sequence');
    const mean = columnValues<number>(t, 'mean_active_experts');
    const ms = columnValues<number | null>(t, 'measured_forward_ms');
    expect(router).toEqual([
      'linear-softmax-topk', 'linear-softmax-topk', 'linear-softmax-topk', 'attention-softmax-topk', 'attention-softmax-topk',
      'attention-softmax-topk', 'sparsemax (trained)', 'linear-sparsemax', 'top2',
    ]);
    expect(source).toEqual(['fixed-k', 'fixed-k', 'fixed-k', 'fixed-k', 'fixed-k', 'fixed-k', 'routing-stats', 'untrained-router', 'fixed-k']);
    expect(k).toEqual([1, 2, 4, 1, 2, 4, null, null, 2]);

    // the statistics row is the FLOPs model fed with the measured support sizes
    const stats = summariseRouting({ 'encoder.block.1': counts.slice(0, 5), 'decoder.block.1': counts.slice(5) });
    const expected = flopsModel({ model: tiny, sourceLength: 5, targetLength: 3, router: { gate: 'linear', normaliser: 'sparsemax' }, activeExperts: stats });
    expect(fwd[6]).toBe(expected.forward.matmul);
    expect(mean[6]).toBeCloseTo(13 / 8, 12);
    expect(fwd[1]).toBe(flopsModel({ model: tiny, sourceLength: 5, targetLength: 3, router: { gate: 'linear', selectionSort: true }, activeExperts: 2 }).forward.matmul);
    // an untrained sparsemax router activates between 1 and E experts per token
    expect(mean[7]).toBeGreaterThanOrEqual(1);
    expect(mean[7]).toBeLessThanOrEqual(4);
    // every row was measured (k ∈ measure.kValues), and has a ratio to the dense layer
    expect(ms.every((v) => typeof v === 'number' && v >= 0)).toBe(true);
    const ratio = columnValues<number | null>(t, 'measured_forward_backward_ratio_to_dense');
    expect(ratio.every((v) => typeof v === 'number' && v > 0)).toBe(true);

    const h = readArrowFile(path.join(outDir, 'active-experts.arrow'), { router: 'utf8', active_experts: 'int32', tokens: 'int32' });
    const hRouter = columnValues<string>(h, 'router');
    const hTokens = columnValues<number>(h, 'tokens');
    expect(hTokens.filter((_, i) => hRouter[i] === 'sparsemax (trained)')).toEqual([0, 4, 3, 1]);
    expect(hTokens.filter((_, i) => hRouter[i] === 'linear-sparsemax').reduce((a, b) => a + b, 0)).toBe(64);

    for (const stem of ['flops-vs-k', 'active-experts-histogram']) {
      expect(readFileSync(path.join(outDir, `${stem}.svg`), 'utf8')).toMatch(/^<svg/);
      expect(readFileSync(path.join(outDir, `${stem}.png`)).subarray(1, 4).toString('latin1')).toBe('PNG');
    }
    expect(records.rows).toBe(9);
  });
});

describe('flops-profiler stage with the default config (switch-base-16, 128/64)', () => {
  it('draws the top-k curves with the untrained and the published sparsemax points', async () => {
    const outDir = path.join(dir, 'default');
    mkdirSync(outDir);
    await flopsProfilerStage.run({ config: { probeTokens: 128 } as never, seed: 1, inputs: {}, outDir, log: () => {}, record: () => {} });
    if (process.env.FLOPS_KEEP_PLOTS) for (const f of ['flops-vs-k.png', 'active-experts-histogram.png']) copyFileSync(path.join(outDir, f), path.join(process.env.FLOPS_KEEP_PLOTS, f));
    const t = readArrowFile(path.join(outDir, 'flops.arrow'));
    const router = columnValues<string>(t, 'router');
    const source = columnValues<string>(t, 'source');
    const fwd = columnValues<number>(t, 'flops_forward_matmul_per_sequence');
    expect(router.length).toBe(32 + 2 + 2);
    expect(source.filter((s) => s === 'untrained-router')).toHaveLength(2);
    const pub = router.map((r, i) => [r, fwd[i]] as const).filter(([r]) => r.includes('published'));
    expect(pub.map(([r]) => r)).toEqual(['linear-sparsemax (SparTMoE, published)', 'attention-sparsemax (SparTMoE, published)']);
    expect(pub[0]![1] / 4.45e10).toBeCloseTo(1, 9);
    expect(pub[1]![1] / 4.65e10).toBeCloseTo(1, 9);
    expect(columnValues<number | null>(t, 'measured_forward_ms').every((v) => v === null)).toBe(true);
    expect(readFileSync(path.join(outDir, 'flops-vs-k.svg'), 'utf8')).toContain('published');
  });
});

describe('runFlopsCommand', () => {
  it('reads routing.arrow given as a file and writes the outputs into --out', async () => {
    const src = path.join(dir, 'run-a');
    modelFolder(src, { type: 'linear-sparsemax' }, ['all', 'all'], [1, 3]);
    const out = path.join(dir, 'cmd-out');
    const r = await runFlopsCommand({
      out, model: tiny, sourceLength: 5, targetLength: 3, routing: [path.join(src, 'routing.arrow')],
      config: { topK: { gates: ['linear'], kValues: [2] }, routers: [], plots: false } as never, log: () => {},
    });
    expect(r.files).toEqual(['flops.arrow', 'active-experts.arrow']);
    const t = readArrowFile(path.join(out, 'flops.arrow'));
    expect(columnValues<string>(t, 'router')).toEqual(['linear-softmax-topk', 'run-a']);
    // mean 2 everywhere ('all' applies to every sparse layer): same expert FLOPs as k = 2
    const f = columnValues<number>(t, 'flops_forward_matmul_per_sequence');
    const fixed2 = flopsModel({ model: tiny, sourceLength: 5, targetLength: 3, router: { gate: 'linear', normaliser: 'sparsemax' }, activeExperts: 2 });
    expect(f[1]).toBe(fixed2.forward.matmul);
    expect(columnValues<number[]>(t, 'active_experts_histogram')[1]).toEqual([0, 1, 0, 1]);
    await expect(runFlopsCommand({ out, config: { bogus: 1 } as never })).rejects.toThrow(/bogus/);
  });

  it('costs sparse layers missing from the statistics at the pooled mean, and says so', async () => {
    const src = path.join(dir, 'run-b');
    // only the encoder's sparse block: mean (1 + 2 + 3) / 3 = 2
    modelFolder(src, { type: 'linear-sparsemax' }, ['encoder.block.1', 'encoder.block.1', 'encoder.block.1'], [1, 2, 3]);
    const logs: string[] = [];
    const out = path.join(dir, 'cmd-out-b');
    await runFlopsCommand({
      out, model: tiny, sourceLength: 5, targetLength: 3, routing: [src],
      config: { topK: { gates: ['linear'], kValues: [2] }, routers: [], plots: false } as never, log: (m) => logs.push(m),
    });
    const f = columnValues<number>(readArrowFile(path.join(out, 'flops.arrow')), 'flops_forward_matmul_per_sequence');
    const fixed2 = flopsModel({ model: tiny, sourceLength: 5, targetLength: 3, router: { gate: 'linear', normaliser: 'sparsemax' }, activeExperts: 2 });
    expect(f[1]).toBe(fixed2.forward.matmul);
    expect(logs.join('\n')).toMatch(/no tokens for 1 of 2 sparse layers.*pooled mean 2\.000/);
  });
});
