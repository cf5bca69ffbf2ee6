// The report of one pipeline (layout a): inputs by role, model (train), eval, baseline (eval of
// the base model), cost (flops-profiler). The strategy is the model's router type, the seed its
// seed; the data-prep output is found next to train's folder by the key train's manifest records.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { collectRuns, strategyLabel, writeReport } from '@switchyard/report';
import { buildSweep, evalStage, trainStage } from './synthetic-stages.js';
import { TYPES, expectedRun, markdownTable, printedMatches } from './recompute.js';

let root: string;
beforeAll(() => { root = mkdtempSync(join(tmpdir(), 'report-pipeline-')); });
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('report stage over one pipeline', () => {
  it('reports one strategy × one seed with numbers equal to the recomputation, std blank', async () => {
    const stages = join(root, 'stages');
    mkdirSync(stages);
    const [run] = buildSweep(stages, [{ name: 'ignored', router: { type: 'attention-sparsemax' }, maxActive: 3, level: 0.25, flops: 1.7e6 }], [7]);
    const d = run!.dirs;
    const out = join(root, 'out-a');
    mkdirSync(out);
    await writeReport({ title: 'One pipeline' }, { inputs: { model: d.model!, eval: d.eval!, baseline: d.baseline!, cost: d.cost! }, outDir: out, log: () => {} });
    const t = tableFromIPC(readFileSync(join(out, 'report.arrow')));
    expect(t.numRows).toBe(1);
    const row = t.get(0)!.toJSON() as Record<string, unknown>;
    expect([row.strategy, row.router, row.n_seeds]).toEqual(['attention-sparsemax', 'attention-sparsemax', 1]);
    const want = expectedRun(run!);
    for (const tp of TYPES) {
      expect(row[`${tp}_mean`]).toBeCloseTo(want[tp]!, 9);
      expect(row[`${tp}_std`]).toBeNull();
      expect(row[`${tp}_boot_low`]).toBeCloseTo(want[`${tp}_boot_low`]!, 9);
      expect(row[`base_${tp}`]).toBeCloseTo(want[`base_${tp}`]!, 9);
    }
    for (const k of ['active_experts_per_token', 'flops_per_token', 'train_tokens_per_s', 'train_wall_s', 'eval_wall_s', 'final_loss']) expect(row[k]).toBeCloseTo(want[k]!, 9);
    const runs = tableFromIPC(readFileSync(join(out, 'runs.arrow')));
    expect(runs.numRows).toBe(1);
    expect(runs.get(0)!.toJSON().seed).toBe(7);

    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md.startsWith('# One pipeline\n')).toBe(true);
    const [main] = markdownTable(md, 'Results by strategy');
    expect(main![0]).toBe('attention-sparsemax');
    // one seed: the ROUGE cells print the mean alone
    TYPES.forEach((tp, j) => expect([tp, main![3 + j], printedMatches(main![3 + j]!, want[tp]!)]).toEqual([tp, main![3 + j], true]));
    expect(md).toContain('Seeds: 7.');
    expect(md).toContain('the embedded synthetic corpus');
    expect(md).toContain('found next to the train stage\'s folder');
    expect(existsSync(join(out, 'plots', 'rouge-vs-flops.svg'))).toBe(true);
  });

  it('says so when data-prep, eval-base and flops-profiler outputs are not reachable', async () => {
    const a = join(root, 'elsewhere-train');
    const b = join(root, 'elsewhere-eval');
    mkdirSync(a); mkdirSync(b);
    const train = trainStage(a, { router: { type: 'switch-top1' }, seed: 3, experts: 4, maxActive: 1, wall: 5 }, 'data-prep-not-here');
    const ev = evalStage(b, 3, 10, 0.2, 'train', 1);
    const out = join(root, 'out-b');
    mkdirSync(out);
    await writeReport({ plots: false }, { inputs: { model: train, eval: ev }, outDir: out, log: () => {} });
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/Data: unknown/);
    expect(md).toContain('1 run(s) have no baseline input (eval of the base model): base ROUGE-L is blank for them.');
    expect(md).toContain('1 run(s) have no cost input (flops-profiler)');
    const row = tableFromIPC(readFileSync(join(out, 'report.arrow'))).get(0)!.toJSON() as Record<string, unknown>;
    expect([row.strategy, row.flops_per_token, row.base_rougeL]).toEqual(['switch-top1', null, null]);
    expect(row.active_experts_per_token).toBe(1);
    expect(existsSync(join(out, 'plots'))).toBe(false);
  });

  it('rejects inputs without a model role, naming what it got, and an input of no role it has', async () => {
    await expect(writeReport({}, { inputs: { eval: root }, outDir: root, log: () => {} })).rejects.toThrow(/needs a "model" input \(got eval\)/);
    await expect(writeReport({}, { inputs: { model: root, 'eval-rouge': root }, outDir: root, log: () => {} }))
      .rejects.toThrow(/input "eval-rouge": the report has no input role "eval-rouge"; its roles: data, base, baseline, model, eval, cost/);
  });

  it('labels top-2 and top-3 runs of one router type differently', () => {
    const labels = [2, 3].map((k) => {
      const a = join(root, `topk-${k}-train`);
      const b = join(root, `topk-${k}-eval`);
      mkdirSync(a); mkdirSync(b);
      const train = trainStage(a, { router: { type: 'linear-softmax-topk', topK: k }, seed: 3, experts: 4, maxActive: k, wall: 5 }, 'dp');
      return collectRuns({ train, 'eval-rouge': evalStage(b, 3, 10, 0.2, 'train', 1) })[0]!.strategy;
    });
    expect(labels).toEqual(['linear-softmax-top2', 'linear-softmax-top3']);
    expect(strategyLabel({ type: 'switch-top1' })).toBe('switch-top1');
    expect(strategyLabel({ type: 'switch-top1', droppedTokens: 'hf-v4.36' })).toBe('switch-top1 (droppedTokens=hf-v4.36)');
    expect(strategyLabel({ type: 'smoe', topK: 1, noise: 'noisy-top-k' })).toBe('smoe (noise=noisy-top-k, topK=1)');
    expect(strategyLabel(undefined)).toBe('unknown-router');
  });
});
