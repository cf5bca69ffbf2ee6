// numpy legacy RandomState reproduction and the numpy reductions behind the aggregates,
// checked against published values and closed forms.
import { LegacyMt19937, pairwiseSum, numpyMean, percentileLinear, bootstrapIntervals } from '../src/scoring.js';

describe('LegacyMt19937 = numpy RandomState', () => {
  test('MT19937 reference: 10000th output for seed 5489 is 4123659995 (C++ [rand.predef])', () => {
    const rng = new LegacyMt19937(5489);
    let v = 0;
    for (let i = 0; i < 10000; i++) v = rng.nextUint32();
    expect(v).toBe(4123659995);
  });

  test('np.random.seed(42); np.random.rand(3)', () => {
    const rng = new LegacyMt19937(42);
    expect([rng.nextDouble(), rng.nextDouble(), rng.nextDouble()]).toEqual([0.3745401188473625, 0.9507143064099162, 0.7319939418114051]);
  });

  test('np.random.seed(42); np.random.randint(0, 10, 5) == [6, 3, 7, 4, 6]', () => {
    expect(Array.from(new LegacyMt19937(42).choice(10, 5))).toEqual([6, 3, 7, 4, 6]);
  });

  test('masked rejection: a draw is the raw output masked, retried while above the bound', () => {
    const raw = new LegacyMt19937(3);
    const masked = new LegacyMt19937(3);
    for (let i = 0; i < 200; i++) {
      let v: number;
      do v = raw.nextUint32() & 255; while (v > 246);
      expect(masked.interval(246)).toBe(v);
    }
    expect(new LegacyMt19937(1).interval(0)).toBe(0);
  });

  test('seeds outside [0, 2^32-1] are rejected', () => {
    expect(() => new LegacyMt19937(-1)).toThrow(/seed/);
    expect(() => new LegacyMt19937(2 ** 32)).toThrow(/seed/);
  });
});

describe('numpy reductions', () => {
  test('pairwiseSum is exact on integers and follows numpy block order on floats', () => {
    const ints = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(pairwiseSum(ints)).toBe(500500);
    // 0.1 repeated 10 times: numpy's 8-way unrolled sum gives 1.0 (sequential gives 0.9999999999999999).
    expect(pairwiseSum(new Array(10).fill(0.1))).toBe(1);
    expect(new Array(10).fill(0.1).reduce((a, b) => a + b, 0)).toBe(0.9999999999999999);
    expect(numpyMean([1, 2, 3, 4])).toBe(2.5);
  });

  test('percentileLinear: (n-1)·q/100 interpolation', () => {
    const v = Array.from({ length: 1000 }, (_, i) => 999 - i); // unsorted on purpose
    expect(percentileLinear(v, 50)).toBe(499.5);
    expect(percentileLinear(v, 2.5)).toBeCloseTo(24.975, 12);
    expect(percentileLinear([0, 1], 50)).toBe(0.5);
    expect(percentileLinear([3, 1, 2], 100)).toBe(3);
    expect(percentileLinear([3, 1, 2], 0)).toBe(1);
  });
});

describe('bootstrapIntervals', () => {
  const s = (f: number) => ({ precision: f, recall: f, fmeasure: f });

  test('constant scores give a degenerate interval at that value', () => {
    const out = bootstrapIntervals([['rouge1', [s(0.25), s(0.25), s(0.25)]]], { samples: 50 });
    expect(out.rouge1!.low.fmeasure).toBe(0.25);
    expect(out.rouge1!.high.fmeasure).toBe(0.25);
  });

  test('interval brackets the mean and the types share one stream in order', () => {
    const data = Array.from({ length: 40 }, (_, i) => s((i % 7) / 7));
    const both = bootstrapIntervals([['a', data], ['b', data]], { seed: 1, samples: 200 });
    const mean = data.reduce((x, y) => x + y.fmeasure, 0) / data.length;
    expect(both.a!.low.fmeasure).toBeLessThan(mean);
    expect(both.a!.high.fmeasure).toBeGreaterThan(mean);
    // 'b' consumed the stream after 'a', so with equal data it gets a different interval...
    expect(both.b!.mid.fmeasure).not.toBe(both.a!.mid.fmeasure);
    // ...while 'a' alone is unchanged by what follows it.
    expect(bootstrapIntervals([['a', data]], { seed: 1, samples: 200 }).a).toEqual(both.a);
  });
});
