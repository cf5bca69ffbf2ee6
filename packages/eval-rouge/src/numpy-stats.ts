// The two numpy reductions the HF/rouge_score aggregates go through, reproduced so the
// reported numbers match to the last bit rather than to ~1e-16.

/** numpy's pairwise summation (`pairwise_sum_DOUBLE`, block size 128, 8-way unrolled). */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[start + j]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[start + i + j]!;
    let res = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** `np.mean` of a contiguous 1-D float64 array: pairwise sum, then one division. */
export function numpyMean(a: ArrayLike<number>): number {
  return pairwiseSum(a) / a.length;
}

/**
 * `np.percentile(values, q)` with the default 'linear' method (numpy >= 1.22): virtual index
 * (n-1)·q/100, and numpy's `_lerp`, which interpolates from the upper neighbour when the
 * fraction is >= 0.5 (that changes the last bit in some cases).
 */
export function percentileLinear(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) throw new Error('percentile of an empty array');
  const quantile = q / 100;
  const virtual = (n - 1) * quantile;
  let prev = Math.floor(virtual);
  let next = prev + 1;
  if (virtual >= n - 1) { prev = n - 1; next = n - 1; }
  if (virtual < 0) { prev = 0; next = 0; }
  const gamma = virtual - Math.floor(virtual);
  const a = sorted[prev]!;
  const b = sorted[next]!;
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}
