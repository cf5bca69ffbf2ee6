// Builds small but real stage folders (Arrow files + manifest.json via commitStageOutput) in the
// formats the train, eval-rouge, data-prep and flops-profiler stages write, for the report tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitStageOutput } from '@switchyard/runtime/testing';
import { makeTable, writeArrowFile } from '@switchyard/runtime';
import { summarisationMetricRecord, writeMetricRecord } from '@switchyard/eval-rouge';

const ROUGE = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'];
const BACKEND = { name: 'wasm', tfjsBackend: 'wasm', threads: 1, tfjsVersion: '4.22.0' };

/** Deterministic uniform numbers in [0, 1) (a 32-bit LCG; the values only need to vary). */
export function lcg(seed: number): () => number {
  let s = (seed * 2654435761 + 12345) >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

let counter = 0;
function commit(root: string, stage: string, pkg: string, config: unknown, seed: number, wall: number, extra: Record<string, unknown>, write: (dir: string) => void, inputs: Record<string, string> = {}): string {
  const key = `${stage}-${(++counter).toString(16).padStart(12, '0')}`;
  const tmp = join(root, `.tmp-${key}`);
  mkdirSync(tmp, { recursive: true });
  write(tmp);
  const final = join(root, key);
  commitStageOutput(tmp, final, {
    stage, package: pkg, packageVersion: '0.1.0', key, config, seed, backend: stage === 'data-prep' ? null : BACKEND,
    inputs: Object.fromEntries(Object.entries(inputs).map(([n, k]) => [n, { key: k, manifestSha256: '0'.repeat(64) }])),
    wallTimeSeconds: wall, finishedAt: '2026-12-01T00:00:00.000Z', extra,
  });
  return final;
}

export function dataPrepStage(root: string): string {
  const source = [{ via: 'embedded', path: 'datasets/embedded-samsum', notice: 'data source: embedded synthetic corpus (test)' }];
  return commit(root, 'data-prep', '@switchyard/data-prep', { source: 'samsum' }, 42, 1.5, { source },
    (d) => writeFileSync(join(d, 'stats.json'), '{}\n'));
}

export function baseModelStage(root: string, dataPrepKey: string): string {
  return commit(root, 'base-model', '@switchyard/train', { preset: 'tiny' }, 42, 3, { training: { steps: 10, heldOutLoss: { ce: 4.25 } } },
    (d) => writeFileSync(join(d, 'config.json'), '{}\n'), { data: dataPrepKey });
}

/** eval-rouge: scores.arrow of `n` examples (P/R/F per type), rouge.json with bootstrap bounds and the metric record. */
export function evalStage(root: string, seed: number, n: number, level: number, checkpointFrom: string, wall: number, given?: { f: number[]; ids?: string[] }): string {
  const rnd = lcg(seed * 31 + Math.round(level * 1000));
  const ids = given?.ids ?? Array.from({ length: n }, (_, i) => `te${i}`);
  const cols: Parameters<typeof makeTable>[0] = { id: { kind: 'utf8', values: ids } };
  const bootstrap: Record<string, unknown> = {};
  for (const t of ROUGE) {
    // `given.f`: the same hand-made F-measures for every ROUGE type
    const f = given ? given.f : Array.from({ length: n }, () => Math.min(1, Math.max(0, level + 0.2 * (rnd() - 0.5))));
    cols[`${t}_precision`] = { kind: 'float64', values: f.map((x) => Math.min(1, x * 1.1)) };
    cols[`${t}_recall`] = { kind: 'float64', values: f.map((x) => x * 0.9) };
    cols[`${t}_fmeasure`] = { kind: 'float64', values: f };
    const m = f.reduce((a, b) => a + b, 0) / n;
    bootstrap[t] = { low: { precision: 0, recall: 0, fmeasure: m - 0.01 - 0.01 * rnd() }, mid: { precision: 0, recall: 0, fmeasure: m }, high: { precision: 0, recall: 0, fmeasure: m + 0.01 + 0.01 * rnd() } };
  }
  const summary = { split: 'test', checkpointFrom, examples: n, aggregate: { count: n, bootstrap } };
  return commit(root, 'eval-rouge', '@switchyard/eval-rouge', { preset: 'study' }, seed, wall, { rouge: summary }, (d) => {
    writeArrowFile(join(d, 'scores.arrow'), makeTable(cols));
    writeArrowFile(join(d, 'predictions.arrow'), makeTable({
      id: { kind: 'utf8', values: ids },
      prediction: { kind: 'utf8', values: ids.map((id) => `output ${checkpointFrom} ${seed} ${level} of ${id}`) },
      reference: { kind: 'utf8', values: ids.map((id) => `reference of ${id}`) },
    }));
    writeFileSync(join(d, 'rouge.json'), JSON.stringify(summary, null, 2));
    writeMetricRecord(d, summarisationMetricRecord('test', n, summary.aggregate as never));
  });
}

export interface TrainSpec { router: Record<string, unknown>; seed: number; experts: number; maxActive: number; wall: number }

/** train: metrics.arrow, routing-metrics.arrow (2 sparse layers), routing.arrow, timing.jsonl. */
export function trainStage(root: string, s: TrainSpec, dataPrepKey: string): string {
  const rnd = lcg(s.seed * 7 + s.experts + 101 * s.maxActive);
  const steps = [10, 20, 30, 40];
  const layers = ['encoder.block.1.layer.1', 'decoder.block.1.layer.2'];
  const heldOut = 2.5 + 0.1 * rnd();
  return commit(root, 'train', '@switchyard/train', { router: s.router, steps: 40, batchSize: 8 }, s.seed, s.wall,
    { training: { steps: 40, router: s.router, heldOutLoss: { ce: heldOut, 'encoder.block.1.layer.1/balance': 1 } } }, (d) => {
      writeFileSync(join(d, 'config.json'), '{}\n');
      const loss = steps.map((_, i) => 3 - 0.1 * i + 0.05 * rnd());
      writeArrowFile(join(d, 'metrics.arrow'), makeTable({
        step: { kind: 'int32', values: steps }, epoch: { kind: 'int32', values: steps.map(() => 0) },
        lr: { kind: 'float64', values: steps.map(() => 1e-4) }, loss: { kind: 'float64', values: loss },
        ce: { kind: 'float64', values: loss }, grad_norm: { kind: 'float64', values: steps.map(() => 1) },
        tokens: { kind: 'int32', values: steps.map(() => 800) },
      }));
      const rows = steps.flatMap((step) => layers.map((layer) => ({ step, layer, load: Array.from({ length: s.experts }, () => Math.floor(100 * rnd())) })));
      writeArrowFile(join(d, 'routing-metrics.arrow'), makeTable({
        step: { kind: 'int32', values: rows.map((r) => r.step) }, layer: { kind: 'utf8', values: rows.map((r) => r.layer) },
        expert_load: { kind: 'list<float32>', values: rows.map((r) => r.load) },
        dropped_fraction: { kind: 'float64', values: rows.map(() => 0) }, mean_active_experts: { kind: 'float64', values: rows.map(() => 1) },
        router_entropy: { kind: 'float64', values: rows.map(() => 0.5) }, router_confidence: { kind: 'float64', values: rows.map(() => 0.5) },
      }));
      const tokLayer: string[] = [], active: number[] = [];
      for (const layer of layers) for (let i = 0; i < 37; i++) { tokLayer.push(layer); active.push(1 + Math.floor(rnd() * s.maxActive)); }
      writeArrowFile(join(d, 'routing.arrow'), makeTable({ layer: { kind: 'utf8', values: tokLayer }, active_experts: { kind: 'int32', values: active } }));
      let prev = 0;
      writeFileSync(join(d, 'timing.jsonl'), steps.map((step) => {
        const ms = 500 + 500 * rnd(), tokens = 700 + 300 * rnd(), k = step - prev;
        prev = step;
        return JSON.stringify({ step, ms_per_step: ms / k, tokens_per_s: (1000 * tokens) / ms }) + '\n';
      }).join(''));
    }, { data: dataPrepKey });
}

/** flops-profiler: a fixed-k curve row, the routing-stats row of the trained router, the configured row. */
export function flopsStage(root: string, seed: number, routerType: string, perToken: number): string {
  const rows = [
    { router: 'linear-softmax-topk', source: 'fixed-k', k: 1, fwd: 1e6, trn: 3e6 },
    { router: 'linear-softmax-topk', source: 'fixed-k', k: 2, fwd: 1.3e6, trn: 3.9e6 },
    { router: routerType, source: 'routing-stats', k: null, fwd: perToken, trn: 3 * perToken },
    { router: 'trained', source: 'untrained-router', k: null, fwd: perToken * 1.5, trn: perToken * 4.5 },
  ];
  return commit(root, 'flops-profiler', '@switchyard/flops-profiler', { model: 'input:train' }, seed, 0.5, {}, (d) => {
    writeArrowFile(join(d, 'flops.arrow'), makeTable({
      router: { kind: 'utf8', values: rows.map((r) => r.router) }, source: { kind: 'utf8', values: rows.map((r) => r.source) },
      k: { kind: 'int32', values: rows.map((r) => r.k) },
      mean_active_experts: { kind: 'float64', values: rows.map(() => 2) },
      flops_forward_all_per_token: { kind: 'float64', values: rows.map((r) => r.fwd) },
      flops_training_all_per_token: { kind: 'float64', values: rows.map((r) => r.trn) },
    }));
    writeArrowFile(join(d, 'active-experts.arrow'), makeTable({
      router: { kind: 'utf8', values: [routerType] }, source: { kind: 'utf8', values: ['routing-stats'] },
      active_experts: { kind: 'int32', values: [2] }, tokens: { kind: 'int32', values: [10] },
    }));
  });
}

/** `dirs`: the run's stage folders by the report's input roles. */
export interface SyntheticRun { strategy: string; seed: number; router: Record<string, unknown>; dirs: Record<string, string> }

/** `strategies` × `seeds` runs sharing one data-prep, base-model and eval-base, as a sweep does. */
export function buildSweep(root: string, strategies: { name: string; router: Record<string, unknown>; maxActive: number; level: number; flops: number }[], seeds: number[]): SyntheticRun[] {
  const dp = dataPrepStage(root);
  const dpKey = dp.split('/').pop()!;
  const base = baseModelStage(root, dpKey);
  const evalBase = evalStage(root, 1, 24, 0.2, 'base-model', 2);
  const runs: SyntheticRun[] = [];
  strategies.forEach((st, si) => {
    for (const seed of seeds) {
      const train = trainStage(root, { router: st.router, seed, experts: 4, maxActive: st.maxActive, wall: 10 + si + seed / 10 }, dpKey);
      const ev = evalStage(root, seed, 24, st.level, 'train', 3 + seed / 7);
      const fl = flopsStage(root, seed, String(st.router.type), st.flops * (1 + seed / 100));
      runs.push({ strategy: st.name, seed, router: st.router, dirs: { data: dp, base, baseline: evalBase, model: train, eval: ev, cost: fl } });
    }
  });
  return runs;
}
