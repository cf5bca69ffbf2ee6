// The quality-vs-cost Pareto front: a strategy is on it when no other strategy is at least as
// good on the headline metric at no more forward FLOPs per token, and strictly better in one
// of the two. Strategies without a FLOPs or metric value are not ranked (null).

export interface ParetoPoint { strategy: string; quality: number | null; flops: number | null }

/** strategy → on the front (true), dominated (false), or unranked (null). */
export function paretoFront(points: ParetoPoint[], higherIsBetter: boolean): Map<string, boolean | null> {
  const better = (a: number, b: number) => (higherIsBetter ? a > b : a < b);
  const ranked = points.filter((p) => p.quality !== null && p.flops !== null) as { strategy: string; quality: number; flops: number }[];
  const out = new Map<string, boolean | null>(points.map((p) => [p.strategy, null]));
  for (const p of ranked) {
    const dominated = ranked.some((q) => q !== p && q.flops <= p.flops && (q.quality === p.quality || better(q.quality, p.quality))
      && (q.flops < p.flops || better(q.quality, p.quality)));
    out.set(p.strategy, !dominated);
  }
  return out;
}

/** Rows ordered best first on the headline metric (direction from the record); nulls last, ties by name. */
export function byQuality<T extends { strategy: string }>(rows: T[], quality: (r: T) => number | null, higherIsBetter: boolean): T[] {
  return [...rows].sort((a, b) => {
    const qa = quality(a), qb = quality(b);
    if (qa === null || qb === null) return qa === null && qb === null ? (a.strategy < b.strategy ? -1 : 1) : qa === null ? 1 : -1;
    if (qa !== qb) return higherIsBetter ? qb - qa : qa - qb;
    return a.strategy < b.strategy ? -1 : a.strategy > b.strategy ? 1 : 0;
  });
}
