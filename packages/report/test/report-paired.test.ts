// Paired differences against the switch-top1 baseline, recomputed independently from hand-made
// runs: 3 strategies × 3 seeds whose per-example ROUGE F-measures are written out below. The
// seed interval uses Student-t quantiles from a printed table (not the report's own quantile
// function), the paired bootstrap is re-drawn here from its definition in the README, and two
// cases have closed forms (a constant per-example difference; different example ids).
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { Rng } from '@switchyard/tensor-engine';
import { writeReport } from '@switchyard/report';
import { studentTQuantile } from '../src/student-t.js';
import { baseModelStage, dataPrepStage, evalStage, flopsStage, trainStage } from './synthetic-stages.js';
import { markdownTable } from './recompute.js';

// Per seed, per example (6 examples): F-measures of the baseline, of strategy "better" and of
// strategy "flat" (= baseline + 0.05 on every example, so its per-example difference is constant).
const BASE: Record<number, number[]> = {
  1: [0.30, 0.20, 0.45, 0.10, 0.25, 0.40],
  2: [0.28, 0.22, 0.40, 0.15, 0.30, 0.35],
  3: [0.35, 0.18, 0.50, 0.12, 0.20, 0.45],
};
const BETTER: Record<number, number[]> = {
  1: [0.35, 0.20, 0.50, 0.20, 0.25, 0.42],
  2: [0.30, 0.30, 0.38, 0.15, 0.33, 0.40],
  3: [0.33, 0.25, 0.55, 0.10, 0.29, 0.46],
};
const FLAT: Record<number, number[]> = Object.fromEntries(Object.entries(BASE).map(([s, f]) => [s, f.map((x) => x + 0.05)]));
const SEEDS = [1, 2, 3];
// Student-t 0.975 quantiles from a printed table (e.g. NIST/SEMATECH e-Handbook, Table 1.3.6.7.2).
const T975 = { 1: 12.706204736, 2: 4.302652730, 4: 2.776445105, 10: 2.228138852, 30: 2.042272456 };

let root: string;
let out: string;
let md: string;
let rows: Record<string, unknown>[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'report-paired-'));
  const st = join(root, 'stages');
  mkdirSync(st);
  const dp = dataPrepStage(st);
  const dpKey = dp.split('/').pop()!;
  const base = baseModelStage(st, dpKey);
  const evalBase = evalStage(st, 1, 6, 0.1, 'base-model', 2, { f: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1] });
  const inputs: Record<string, string> = {};
  const strategies = [
    { name: 'samsum-switch-top1', router: { type: 'switch-top1' }, scores: BASE, flops: 1e6 },
    { name: 'samsum-better', router: { type: 'linear-softmax-topk', topK: 2 }, scores: BETTER, flops: 1.4e6 },
    { name: 'samsum-flat', router: { type: 'linear-sparsemax' }, scores: FLAT, flops: 1.6e6 },
  ];
  for (const s of strategies) {
    for (const seed of SEEDS) {
      const dirs = {
        data: dp, base, baseline: evalBase,
        model: trainStage(st, { router: s.router, seed, experts: 4, maxActive: 2, wall: 10 }, dpKey),
        eval: evalStage(st, seed, 6, 0, 'train', 3, { f: s.scores[seed]! }),
        cost: flopsStage(st, seed, s.router.type, s.flops),
      };
      for (const [role, dir] of Object.entries(dirs)) inputs[`${s.name}/seed-${seed}/${role}`] = dir;
    }
  }
  out = join(root, 'out');
  mkdirSync(out);
  await writeReport({ plots: false, paired: { samples: 2000, seed: 11 } }, { inputs, outDir: out, log: () => {} });
  md = readFileSync(join(out, 'report.md'), 'utf8');
  const t = tableFromIPC(readFileSync(join(out, 'report.arrow')));
  rows = Array.from({ length: t.numRows }, (_, i) => t.get(i)!.toJSON() as Record<string, unknown>);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const row = (name: string) => rows.find((r) => r.strategy === name)!;

describe('paired differences against the switch-top1 baseline', () => {
  it('student-t quantiles equal the printed table', () => {
    for (const [df, q] of Object.entries(T975)) expect(studentTQuantile(0.975, Number(df))).toBeCloseTo(q, 8);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-T975[4], 8);
    expect(studentTQuantile(0.95, 5)).toBeCloseTo(2.015048373, 8);
  });

  it('seed interval: mean of the per-seed differences ± t(0.975, 2) · sd / √3', () => {
    const d = SEEDS.map((s) => 100 * (mean(BETTER[s]!) - mean(BASE[s]!)));
    const m = mean(d);
    const sd = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / 2);
    const half = (T975[2] * sd) / Math.sqrt(3);
    const r = row('samsum-better');
    expect(r.paired_baseline).toBe('samsum-switch-top1');
    expect(Array.from(r.paired_seeds as ArrayLike<number>)).toEqual(SEEDS);
    expect(r.paired_mean as number).toBeCloseTo(m, 10);
    expect(r.paired_t_low as number).toBeCloseTo(m - half, 7);
    expect(r.paired_t_high as number).toBeCloseTo(m + half, 7);
    expect(row('samsum-switch-top1').paired_mean).toBeNull();
  });

  it('paired bootstrap: the same example draw for every seed, percentile interval of the mean difference', () => {
    // D_i = mean over seeds of 100·(better − base) of example i
    const D = Array.from({ length: 6 }, (_, i) => mean(SEEDS.map((s) => 100 * (BETTER[s]![i]! - BASE[s]![i]!))));
    const rng = new Rng(11).fork('paired/samsum-better');
    const stats: number[] = [];
    for (let b = 0; b < 2000; b++) {
      let s = 0;
      for (let k = 0; k < 6; k++) s += D[Math.floor(rng.uniform() * 6)]!;
      stats.push(s / 6);
    }
    stats.sort((a, b) => a - b);
    const pct = (p: number) => { const h = (stats.length - 1) * p, lo = Math.floor(h); return stats[lo]! + (h - lo) * (stats[lo + 1]! - stats[lo]!); };
    const r = row('samsum-better');
    expect(r.paired_boot_low as number).toBeCloseTo(pct(0.025), 10);
    expect(r.paired_boot_high as number).toBeCloseTo(pct(0.975), 10);
    // the interval lies inside the range of the D_i and contains their mean
    expect(r.paired_boot_low as number).toBeGreaterThanOrEqual(Math.min(...D));
    expect(r.paired_boot_high as number).toBeLessThanOrEqual(Math.max(...D));
    expect(r.paired_boot_low as number).toBeLessThan(mean(D));
    expect(r.paired_boot_high as number).toBeGreaterThan(mean(D));
  });

  it('a constant per-example difference gives a zero-width seed interval and bootstrap interval at that constant', () => {
    const r = row('samsum-flat');
    for (const k of ['paired_mean', 'paired_t_low', 'paired_t_high', 'paired_boot_low', 'paired_boot_high']) expect([k, r[k] as number]).toEqual([k, expect.closeTo(5, 9)]);
  });

  it('prints the paired table with the differences to the digits shown, and marks the Pareto front', () => {
    const table = markdownTable(md, 'Paired differences against the baseline');
    // rows in table order (best first); flat = base + 5 beats better = base + 3.5 on average
    expect(table.map((r) => r[0])).toEqual(['samsum-flat', 'samsum-better']);
    const better = table.find((r) => r[0] === 'samsum-better')!;
    const d = SEEDS.map((s) => 100 * (mean(BETTER[s]!) - mean(BASE[s]!)));
    expect(better[2]).toBe(d.map((x) => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(2)}`).join(', '));
    expect(better[3]).toBe(`+${mean(d).toFixed(2)}`);
    expect(better[6]).toBe('6');
    expect(md).toContain('95% Student-t interval over seeds');
    const q = { base: 100 * mean(SEEDS.map((s) => mean(BASE[s]!))), better: 100 * mean(SEEDS.map((s) => mean(BETTER[s]!))), flat: 100 * mean(SEEDS.map((s) => mean(FLAT[s]!))) };
    const order = Object.entries(q).sort((a, b) => b[1] - a[1]).map(([k]) => `samsum-${k === 'base' ? 'switch-top1' : k}`);
    expect(rows.map((r) => r.strategy)).toEqual(order);
    // FLOPs: switch-top1 1e6 < better 1.4e6 < flat 1.6e6 (× (1 + seed/100), same factor for all).
    // The cheapest is always on the front; a costlier one only if it is better than every cheaper one.
    expect(row('samsum-switch-top1').pareto).toBe(true);
    expect(row('samsum-better').pareto).toBe(q.better > q.base);
    expect(row('samsum-flat').pareto).toBe(q.flat > Math.max(q.base, q.better));
  });

  it('no bootstrap when the runs did not score the same examples (ids differ), with the reason', async () => {
    const st = join(root, 'stages-ids');
    mkdirSync(st);
    const inputs: Record<string, string> = {};
    for (const [name, type, ids] of [['p-top1', 'switch-top1', ['a', 'b', 'c']], ['p-other', 'linear-sparsemax', ['a', 'c', 'b']]] as const) {
      inputs[`${name}/seed-1/model`] = trainStage(st, { router: { type }, seed: 1, experts: 4, maxActive: 1, wall: 1 }, 'none');
      inputs[`${name}/seed-1/eval`] = evalStage(st, 1, 3, 0, 'train', 1, { f: [0.1, 0.2, 0.3], ids: [...ids] });
    }
    const o = join(root, 'out-ids');
    mkdirSync(o);
    await writeReport({ plots: false }, { inputs, outDir: o, log: () => {} });
    const t = markdownTable(readFileSync(join(o, 'report.md'), 'utf8'), 'Paired differences against the baseline');
    expect(t[0]![0]).toBe('p-other');
    expect(t[0]![4]).toBe('–'); // one seed: no interval over seeds
    expect(t[0]![5]).toMatch(/^– \(seed 1: the example ids differ/);
  });
});
