// Length statistics for stats.json and the manifest.
export interface LengthStats { min: number; p50: number; p90: number; p95: number; p99: number; max: number; mean: number }

/** Percentiles by linear interpolation between order statistics (numpy's default). */
export function lengthStats(xs: readonly number[]): LengthStats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => {
    if (s.length === 0) return 0;
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)]!) - s[lo]!);
  };
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { min: s[0] ?? 0, p50: r(q(0.5)), p90: r(q(0.9)), p95: r(q(0.95)), p99: r(q(0.99)), max: s[s.length - 1] ?? 0, mean: r(mean) };
}
