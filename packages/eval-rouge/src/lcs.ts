// Longest common subsequence as rouge_score computes it (`_lcs_table`, `_backtrack_norec`).
// Tokens are compared as small integers (see token-ids.ts) so the table is a flat Int32Array.
// The table has (rows+1)*(cols+1) cells: 2,500 x 2,500 tokens is 25 MB, which the `long`
// golden cases need; callers with longer texts pay quadratic memory as rouge_score does.

/** LCS length of `a` and `b` with O(min) memory (two rows). */
export function lcsLength(a: Int32Array, b: Int32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  const [outer, inner] = a.length >= b.length ? [a, b] : [b, a];
  let prev = new Int32Array(inner.length + 1);
  let cur = new Int32Array(inner.length + 1);
  for (let i = 0; i < outer.length; i++) {
    const x = outer[i]!;
    for (let j = 1; j <= inner.length; j++) {
      if (x === inner[j - 1]) cur[j] = prev[j - 1]! + 1;
      else {
        const up = prev[j]!;
        const left = cur[j - 1]!;
        cur[j] = up > left ? up : left;
      }
    }
    const t = prev; prev = cur; cur = t;
  }
  return prev[inner.length]!;
}

/**
 * Positions in `ref` of one LCS with `can`, recovered by rouge_score's backtrack from the
 * bottom-right cell: equal tokens → diagonal; else move left if T[i][j-1] > T[i-1][j], else up.
 * Which LCS is chosen matters for ROUGE-Lsum's union, so the tie rule is reproduced exactly.
 */
export function lcsRefIndices(ref: Int32Array, can: Int32Array): number[] {
  const rows = ref.length;
  const cols = can.length;
  if (rows === 0 || cols === 0) return [];
  const w = cols + 1;
  const t = new Int32Array((rows + 1) * w); // [rows+1, cols+1]
  for (let i = 1; i <= rows; i++) {
    const x = ref[i - 1]!;
    const row = i * w;
    const up = row - w;
    for (let j = 1; j <= cols; j++) {
      if (x === can[j - 1]) t[row + j] = t[up + j - 1]! + 1;
      else {
        const a = t[up + j]!;
        const b = t[row + j - 1]!;
        t[row + j] = a > b ? a : b;
      }
    }
  }
  const picked: number[] = [];
  let i = rows;
  let j = cols;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      picked.push(i - 1);
      i--; j--;
    } else if (t[i * w + j - 1]! > t[(i - 1) * w + j]!) j--;
    else i--;
  }
  return picked.reverse();
}
