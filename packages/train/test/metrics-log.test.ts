import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArrowFile, columnValues } from '@switchyard/runtime';
import { MetricsLog, humanLine, type MetricsRecord } from '../src/metrics-log.js';

const rec = (step: number): MetricsRecord => ({
  step, epoch: 0, lr: 5e-5, loss: 2.91349, ce: 2.9, aux: { aux: 0.0112, z: 0.3201 }, loss_parts: { 'encoder.block.1/aux': 0.0112 },
  grad_norm: 1.5, tokens: 2560,
  layers: {
    'encoder.block.1': { expert_load: [3, 1], dropped_fraction: 0.02, mean_active_experts: 1, router_entropy: 0.6, router_confidence: 0.7 },
    'decoder.block.1': { expert_load: [2, 2], dropped_fraction: 0.016, mean_active_experts: 1, router_entropy: 0.5, router_confidence: 0.8 },
  },
});

test('human line: step | loss | each aux | drop (mean over layers) | lr | ms | tok/s', () => {
  expect(humanLine(rec(120), { step: 120, ms_per_step: 412.3, tokens_per_s: 6209.4 }))
    .toBe('step 120 | loss 2.913 | aux 0.0112 | z 0.3201 | drop 1.8% | lr 5e-5 | 412 ms | 6209 tok/s');
});

test('human line with progress: step/total and the ETA until the last step', () => {
  expect(humanLine(rec(120), { step: 120, ms_per_step: 412.3, tokens_per_s: 6209.4 }, { total: 150, etaSeconds: 12.4 }))
    .toBe('step 120/150 | loss 2.913 | aux 0.0112 | z 0.3201 | drop 1.8% | lr 5e-5 | 412 ms | 6209 tok/s | ETA 12s');
  expect(humanLine(rec(150), undefined, { total: 150, etaSeconds: 0 })).toBe('step 150/150 | loss 2.913 | aux 0.0112 | z 0.3201 | drop 1.8% | lr 5e-5');
});

test('JSONL truncation on resume and the Arrow tables built from it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-metrics-'));
  try {
    const log = new MetricsLog(dir);
    log.reset();
    for (const s of [10, 20, 30]) log.append(rec(s), { step: s, ms_per_step: 1, tokens_per_s: 1 });
    log.truncateAfter(20, true);
    expect(log.records().map((r) => r.step)).toEqual([10, 20]);
    expect(JSON.parse(readFileSync(join(dir, 'metrics.invalid.jsonl'), 'utf8')).step).toBe(30);
    const { metrics, routing } = log.writeArrow();
    const m = readArrowFile(metrics, { step: 'int32', lr: 'float64', aux_aux: 'float64', aux_z: 'float64' });
    expect(columnValues(m, 'step')).toEqual([10, 20]);
    const r = readArrowFile(routing, { step: 'int32', layer: 'utf8', expert_load: 'list<float32>', dropped_fraction: 'float64' });
    expect(columnValues(r, 'layer')).toEqual(['encoder.block.1', 'decoder.block.1', 'encoder.block.1', 'decoder.block.1']);
    expect(columnValues(r, 'expert_load')[0]).toEqual([3, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
