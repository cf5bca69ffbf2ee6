// The Pareto front and the quality order on hand-made points, for a higher-is-better metric
// (ROUGE, accuracy) and a lower-is-better one (perplexity, loss).
import { byQuality, paretoFront } from '../src/pareto.js';

const points = [
  { strategy: 'a', quality: 30, flops: 1.0 },
  { strategy: 'b', quality: 35, flops: 2.0 },
  { strategy: 'c', quality: 33, flops: 2.5 }, // costlier than b and worse when higher is better
  { strategy: 'd', quality: 36, flops: 4.0 },
  { strategy: 'e', quality: 36, flops: 4.0 }, // ties d on both: neither dominates the other
  { strategy: 'f', quality: null, flops: 1.5 },
];

it('higher is better: a, b, d, e on the front; c dominated by b; f unranked', () => {
  const f = paretoFront(points, true);
  expect(Object.fromEntries(f)).toEqual({ a: true, b: true, c: false, d: true, e: true, f: null });
  expect(byQuality(points, (p) => p.quality, true).map((p) => p.strategy)).toEqual(['d', 'e', 'b', 'c', 'a', 'f']);
});

it('lower is better: only the cheapest-and-lowest a is on the front', () => {
  const f = paretoFront(points, false);
  expect(Object.fromEntries(f)).toEqual({ a: true, b: false, c: false, d: false, e: false, f: null });
  expect(byQuality(points, (p) => p.quality, false).map((p) => p.strategy)).toEqual(['a', 'c', 'b', 'd', 'e', 'f']);
});
