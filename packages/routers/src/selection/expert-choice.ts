// Expert Choice selection (Zhou et al. 2022, arXiv 2202.09368): in each group every expert
// takes the C tokens with the largest score for it (score desc, token index asc).

/** scores [N, E] → dispatch mask [N, E] 0/1. */
export function expertsChooseDispatch(
  scores: ArrayLike<number>, n: number, e: number, capacity: number, groupSize: number,
): Float32Array {
  if (groupSize <= 0 || n % groupSize !== 0) throw new Error(`N=${n} is not a multiple of groupSize=${groupSize}`);
  const c = Math.min(capacity, groupSize);
  const mask = new Float32Array(n * e);
  const order = new Array<number>(groupSize);
  for (let start = 0; start < n; start += groupSize) {
    for (let ex = 0; ex < e; ex++) {
      for (let i = 0; i < groupSize; i++) order[i] = start + i;
      order.sort((a, b) => { const d = scores[b * e + ex]! - scores[a * e + ex]!; return d !== 0 ? d : a - b; });
      for (let i = 0; i < c; i++) mask[order[i]! * e + ex] = 1;
    }
  }
  return mask;
}
