// The report's metric record over runs whose evals measured different metrics (sharedRecord):
// the union in first-seen order, a run without a metric gets no value for it, and runs that
// disagree on the headline metric or on what a metric name means are refused. And the paired
// differences of a sweep over groups (config baselineOf): each strategy against its own group's baseline.
import { sharedRecord, summarise } from '@switchyard/report';
import { baselineNameOf } from '../src/summarise.js';

type Spec = { name: string; label: string; higherIsBetter: boolean; scale: number };
const spec = (name: string, label = name, higherIsBetter = false): Spec => ({ name, label, higherIsBetter, scale: 1 });

function run(strategy: string, seed: number, values: Record<string, number>, specs: Spec[], primary = 'test_bpc', method = ['m']) {
  const record = { task: 'language-modelling', split: 'test', examples: 10, primary, metrics: specs.map((s) => ({ ...s, value: values[s.name], digits: 4, interval: null, overSeeds: 'mean-sample-std' })),
    report: { valueNote: '', intervalNote: '', intervalName: '', axisTitle: '', plotName: 'p', method } };
  return {
    strategy, seed, routerType: strategy, router: { type: strategy },
    metrics: { record, mean: values, low: {}, high: {}, perExample: {}, ids: null, examples: 10 }, base: null, validation: null,
    activeExpertsMean: 2, activeHistogram: [], flopsPerToken: 1, flopsTrainingPerToken: 3, flopsRow: null, trainTokensPerS: null,
    trainWallS: 1, evalWallS: 1, finalLoss: null, heldOutLoss: null, baseHeldOutLoss: null, topkCurve: [], loss: [], expertLoad: {},
    backend: undefined, evalBackend: undefined, trainConfig: {},
  } as never;
}

const both = [spec('test_bpc'), spec('valid_bpc')];
const withK = [...both, spec('test_bpc_k1', 'test BPC k=1')];

describe('sharedRecord over differing evals', () => {
  it('appends metrics only some runs have, and their method notes, after the first run\'s', () => {
    const r = sharedRecord([run('smoe', 1, { test_bpc: 3, valid_bpc: 3.1 }, both), run('smoe-dropout', 1, { test_bpc: 3.2, valid_bpc: 3.3, test_bpc_k1: 4 }, withK, 'test_bpc', ['m', 'k note'])]);
    expect(r.metrics.map((m) => m.name)).toEqual(['test_bpc', 'valid_bpc', 'test_bpc_k1']);
    expect(r.report.method).toEqual(['m', 'k note']);
  });

  it('gives a strategy without the metric no value for it (not 0)', () => {
    const rows = summarise([run('smoe', 1, { test_bpc: 3, valid_bpc: 3.1 }, both), run('smoe', 2, { test_bpc: 3.2, valid_bpc: 3.3 }, both),
      run('smoe-dropout', 1, { test_bpc: 3.5, valid_bpc: 3.6, test_bpc_k1: 4 }, withK), run('smoe-dropout', 2, { test_bpc: 3.7, valid_bpc: 3.8, test_bpc_k1: 5 }, withK)],
    { baselineRouter: 'no-such-router', paired: { samples: 100, seed: 1, confidence: 0.95 } });
    const byName = Object.fromEntries(rows.map((r) => [r.strategy, r]));
    expect(byName.smoe!.metricMean.test_bpc_k1).toBeNull();
    expect(byName['smoe-dropout']!.metricMean.test_bpc_k1).toBe(4.5);
    expect(byName['smoe-dropout']!.metricStd.test_bpc_k1).toBeCloseTo(Math.SQRT1_2, 12);
    // lower BPC first
    expect(rows.map((r) => r.strategy)).toEqual(['smoe', 'smoe-dropout']);
  });

  it('refuses runs with different headline metrics', () => {
    expect(() => sharedRecord([run('a', 1, { test_bpc: 3 }, both), run('b', 1, { valid_bpc: 3 }, both, 'valid_bpc')])).toThrow(/headline metric is valid_bpc but a seed 1's is test_bpc/);
  });

  it('refuses one metric name meaning two things', () => {
    expect(() => sharedRecord([run('a', 1, { test_bpc: 3 }, both), run('b', 1, { test_bpc: 3 }, [spec('test_bpc', 'test accuracy', true)])])).toThrow(/metric test_bpc is "test accuracy" \(higher is better/);
  });
});

describe('baselineOf: each strategy paired with its own group\'s baseline', () => {
  const of = { match: '^(enwik8(?:-glam)?)-[a-z-]+$', baseline: '$1-smoe' };
  it('names the baseline by rewriting the strategy name', () => {
    expect(baselineNameOf('enwik8-xmoe', of)).toBe('enwik8-smoe');
    expect(baselineNameOf('enwik8-glam-competesmoe', of)).toBe('enwik8-glam-smoe');
    expect(baselineNameOf('enwik8-smoe', of)).toBeUndefined();          // itself
    expect(baselineNameOf('text8-xmoe', of)).toBeUndefined();           // no match
  });

  it('pairs seeds with the group\'s baseline (Δ per seed = strategy − baseline)', () => {
    const r = (name: string, seed: number, bpc: number) => run(name, seed, { test_bpc: bpc, valid_bpc: bpc }, both);
    const rows = summarise([
      r('enwik8-smoe', 1, 3.0), r('enwik8-smoe', 2, 3.2), r('enwik8-xmoe', 1, 2.9), r('enwik8-xmoe', 2, 3.0),
      r('enwik8-glam-smoe', 1, 3.5), r('enwik8-glam-smoe', 2, 3.4), r('enwik8-glam-xmoe', 1, 3.6), r('enwik8-glam-xmoe', 2, 3.7),
    ], { baselineRouter: 'unused', baselineOf: of, paired: { samples: 100, seed: 1, confidence: 0.95 } });
    const p = Object.fromEntries(rows.map((x) => [x.strategy, x.paired]));
    expect(p['enwik8-smoe']).toBeNull();
    expect(p['enwik8-glam-smoe']).toBeNull();
    expect(p['enwik8-xmoe']!.baseline).toBe('enwik8-smoe');
    expect(p['enwik8-xmoe']!.perSeed.map((x) => +x.toFixed(10))).toEqual([-0.1, -0.2]);
    expect(p['enwik8-glam-xmoe']!.baseline).toBe('enwik8-glam-smoe');
    expect(p['enwik8-glam-xmoe']!.perSeed.map((x) => +x.toFixed(10))).toEqual([0.1, 0.3]);
    expect(p['enwik8-glam-xmoe']!.mean).toBeCloseTo(0.2, 12);
  });
});

describe('formats of a metric a run did not measure', () => {
  it('print a dash, not a crash', async () => {
    const { fmtMetric, fmtInterval, fmtMeanStd } = await import('../src/format.js');
    expect(fmtMetric(undefined, 4)).toBe('–');
    expect(fmtInterval(undefined, 1, 2)).toBe('–');
    expect(fmtMeanStd(3.25, undefined, 2)).toBe('3.25');
  });
});
