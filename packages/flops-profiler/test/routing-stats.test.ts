import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import {
  flopsModel, summariseRouting, readRoutingFile, canonicalLayer, pooledHistogram, pooledMeanActive,
  mergeRouting, RoutingStatsError, FlopsModelError,
} from '@switchyard/flops-profiler';

// Synthetic statistics for a 2+2-block model with sparse blocks encoder.block.1 and decoder.block.1.
const tiny = {
  d_model: 8, d_kv: 4, num_heads: 2, d_ff: 16, num_layers: 2, num_decoder_layers: 2, num_experts: 4,
  encoder_sparse_step: 2, decoder_sparse_step: 2, vocab_size: 20,
};
const S = 5, T = 3;
const ffn = 2 * 2 * 8 * 16; // FLOPs of one expert on one token

describe('routing statistics', () => {
  it('normalises layer labels to HF block names', () => {
    expect(canonicalLayer('encoder.block.3.layer.1.mlp')).toBe('encoder.block.3');
    expect(canonicalLayer('dec/5')).toBe('decoder.block.5');
    expect(canonicalLayer('all')).toBe('*');
    expect(() => canonicalLayer('router-7')).toThrow(RoutingStatsError);
  });

  it('uses the measured support sizes, not k', () => {
    const enc = [1, 3, 2, 1, 4]; // Σ = 11 over the 5 source tokens
    const dec = [2, 0, 1]; // Σ = 3 over the 3 target tokens (one dropped token)
    const stats = summariseRouting({ 'encoder.block.1': enc, 'decoder.block.1': dec });
    const opts = { model: tiny, sourceLength: S, targetLength: T, router: { gate: 'linear' as const, normaliser: 'sparsemax' as const } };
    const measured = flopsModel({ ...opts, activeExperts: stats });
    const none = flopsModel({ ...opts, activeExperts: 0 });
    // Closed form: the k = 0 model plus Σ_layers Σ_t |S_t| expert evaluations.
    expect(measured.forward.matmul - none.forward.matmul).toBe((11 + 3) * ffn);
    expect(measured.layers.map((l) => [l.layer, l.meanActive, l.source])).toEqual([
      ['encoder.block.1', 11 / 5, 'routing-stats'], ['decoder.block.1', 1, 'routing-stats'],
    ]);
    expect(measured.meanActiveExperts).toBeCloseTo(14 / 8, 12);
    // Same statistics at a constant count equal k reproduce the fixed-k result.
    const flat = summariseRouting({ 'encoder.block.1': [2, 2, 2, 2, 2], 'decoder.block.1': [2, 2, 2] });
    expect(flopsModel({ ...opts, activeExperts: flat }).forward.all).toBe(flopsModel({ ...opts, activeExperts: 2 }).forward.all);
  });

  it('scales statistics gathered over many sequences by their per-token mean', () => {
    // 10 sequences' worth of encoder tokens with mean 1.5, decoder mean 1.25.
    const enc = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 1 : 2));
    const dec = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? 2 : 1));
    const stats = summariseRouting({ 'encoder.block.1': enc, 'decoder.block.1': dec });
    const opts = { model: tiny, sourceLength: S, targetLength: T, router: { gate: 'linear' as const } };
    const got = flopsModel({ ...opts, activeExperts: stats }).forward.matmul - flopsModel({ ...opts, activeExperts: 0 }).forward.matmul;
    expect(got).toBe((1.5 * S + 1.25 * T) * ffn);
  });

  it('reads routing.arrow (layer utf8, active_experts int32) and builds the histogram', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flops-routing-'));
    try {
      const file = path.join(dir, 'routing.arrow');
      const layers = ['encoder.block.1', 'encoder.block.1', 'encoder.block.1', 'decoder.block.1', 'decoder.block.1'];
      writeArrowFile(file, makeTable({
        layer: { kind: 'utf8', values: layers },
        active_experts: { kind: 'int32', values: Int32Array.from([1, 2, 2, 3, 1]) },
      }));
      const stats = readRoutingFile(file);
      expect(stats['encoder.block.1']).toEqual({ tokens: 3, totalActive: 5, histogram: [0, 1, 2] });
      expect(stats['decoder.block.1']).toEqual({ tokens: 2, totalActive: 4, histogram: [0, 1, 0, 1] });
      expect(pooledHistogram(stats)).toEqual([0, 2, 2, 1]);
      expect(pooledMeanActive(stats)).toBeCloseTo(9 / 5, 12);
      expect(mergeRouting([stats, stats])['encoder.block.1']).toEqual({ tokens: 6, totalActive: 10, histogram: [0, 2, 4] });

      const wrong = path.join(dir, 'bad.arrow');
      writeArrowFile(wrong, makeTable({ layer: { kind: 'utf8', values: ['encoder.block.1'] }, active_experts: { kind: 'float64', values: [1] } }));
      expect(() => readRoutingFile(wrong)).toThrow(/active_experts.*float64, expected int32/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails when a sparse layer has no statistics, unless a fallback k is given', () => {
    const stats = summariseRouting({ 'encoder.block.1': [1, 1] });
    const opts = { model: tiny, sourceLength: S, targetLength: T, router: { gate: 'linear' as const }, activeExperts: stats };
    expect(() => flopsModel(opts)).toThrow(FlopsModelError);
    expect(() => flopsModel(opts)).toThrow(/decoder\.block\.1/);
    const r = flopsModel({ ...opts, missingLayerK: 2 });
    expect(r.layers[1]).toMatchObject({ layer: 'decoder.block.1', meanActive: 2, source: 'fixed-k' });
    expect(() => summariseRouting({ 'encoder.block.1': [1, -1] })).toThrow(/non-negative integer/);
    const tooMany = summariseRouting({ '*': [1, 5] }); // E = 4
    expect(() => flopsModel({ ...opts, activeExperts: tooMany })).toThrow(/5 active experts, more than num_experts 4/);
  });
});
