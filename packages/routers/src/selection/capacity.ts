// Tokens-choose dispatch with expert capacity (docs/routers.md §2.4):
//   order = positions, or BPR (descending priority, i.e. max gate); rank-1 choices of every token
//   first, then rank-2, …; a (token, expert) pair is kept while the expert's fill in this group
//   is below C, else dropped.
import { roundHalfEven } from './top-k.js';

export type PriorityOrder = 'position' | 'bpr';

export interface DispatchPlan {
  /** Pairs chosen before capacity. [N, E] 0/1 */
  selected: Float32Array;
  /** Pairs kept after capacity. [N, E] 0/1 */
  dispatch: Float32Array;
}

export interface CapacityOptions {
  /** Per expert per group; null = unlimited. */
  capacity: number | null;
  /** Tokens per group; N must be a multiple. */
  groupSize: number;
  order: PriorityOrder;
  /** BPR priority per token [N] (higher first). Required for 'bpr'. */
  priority?: ArrayLike<number>;
}

export function tokensChooseDispatch(
  choices: Int32Array, n: number, e: number, k: number, opts: CapacityOptions,
): DispatchPlan {
  const selected = new Float32Array(n * e);
  const dispatch = new Float32Array(n * e);
  for (let t = 0; t < n; t++) for (let r = 0; r < k; r++) selected[t * e + choices[t * k + r]!] = 1;
  if (opts.capacity === null) { dispatch.set(selected); return { selected, dispatch }; }
  const g = opts.groupSize;
  if (g <= 0 || n % g !== 0) throw new Error(`N=${n} is not a multiple of groupSize=${g}`);
  const cap = opts.capacity;
  const fill = new Int32Array(e);
  const order = new Array<number>(g);
  for (let start = 0; start < n; start += g) {
    for (let i = 0; i < g; i++) order[i] = start + i;
    if (opts.order === 'bpr') {
      const pr = opts.priority;
      if (!pr) throw new Error('BPR needs a priority per token');
      order.sort((a, b) => { const d = pr[b]! - pr[a]!; return d !== 0 ? d : a - b; });
    }
    fill.fill(0);
    for (let r = 0; r < k; r++) {
      for (const t of order) {
        const ex = choices[t * k + r]!;
        if (fill[ex]! < cap) { dispatch[t * e + ex] = 1; fill[ex]! += 1; }
      }
    }
  }
  return { selected, dispatch };
}

/** Row maxima of [N, E], the BPR priority. */
export function rowMax(values: ArrayLike<number>, n: number, e: number): Float32Array {
  const out = new Float32Array(n);
  for (let t = 0; t < n; t++) {
    let m = -Infinity;
    for (let j = 0; j < e; j++) m = Math.max(m, values[t * e + j]!);
    out[t] = m;
  }
  return out;
}

/** flaxformer: max(round(cf·T_g/E), 4) (half-to-even as Python). */
export function capacityFlaxformer(capacityFactor: number, groupSize: number, e: number, minCapacity = 4): number {
  return Math.max(roundHalfEven((capacityFactor * groupSize) / e), minCapacity);
}

/** vmoe: ceil(cf·S·K/E), rounded up to a multiple of 4. */
export function capacityVmoe(capacityFactor: number, groupSize: number, k: number, e: number): number {
  const c = Math.ceil((capacityFactor * groupSize * k) / e);
  return Math.ceil(c / 4) * 4;
}

/** Switch paper: ⌈(tokens/E)·capacity_factor⌉. */
export function capacitySwitchPaper(capacityFactor: number, groupSize: number, e: number): number {
  return Math.ceil((groupSize / e) * capacityFactor);
}
