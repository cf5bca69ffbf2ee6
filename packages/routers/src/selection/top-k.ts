// Host-side discrete choices. Routing decisions are constants for autograd (docs/routers.md §0),
// so they are made on plain arrays and only the combine weights stay differentiable.
// Tie policy (§0): order by value descending, then by expert index ascending.

/** Per row, the indices of the k largest values (value desc, index asc). scores [N, E] → [N, k]. */
export function topKIndices(scores: ArrayLike<number>, n: number, e: number, k: number): Int32Array {
  if (k < 1 || k > e) throw new Error(`top-k needs 1 <= k <= E (k=${k}, E=${e})`);
  const out = new Int32Array(n * k);
  const order = new Array<number>(e);
  for (let t = 0; t < n; t++) {
    const base = t * e;
    for (let j = 0; j < e; j++) order[j] = j;
    order.sort((a, b) => {
      const d = scores[base + b]! - scores[base + a]!;
      return d !== 0 && !Number.isNaN(d) ? d : a - b;
    });
    for (let r = 0; r < k; r++) out[t * k + r] = order[r]!;
  }
  return out;
}

/** 0/1 mask [N, E] with ones at `choices` [N, k]. */
export function choicesToMask(choices: Int32Array, n: number, e: number, k: number): Float32Array {
  const m = new Float32Array(n * e);
  for (let t = 0; t < n; t++) for (let r = 0; r < k; r++) m[t * e + choices[t * k + r]!] = 1;
  return m;
}

/** 0/1 mask of the positive entries (support of a sparse normaliser). */
export function supportMask(values: ArrayLike<number>): Float32Array {
  const m = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) m[i] = values[i]! > 0 ? 1 : 0;
  return m;
}

/** Python's round(): half to even. */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
