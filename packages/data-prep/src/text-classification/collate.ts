// Left-padding collation for a last-token classification head: every sequence is right-aligned
// so its last token sits at position T−1 of its row.
//   ids  [B, T]: padId, ..., padId, x_1, ..., x_n
//   mask [B, T]: 0 at padding, 1 at real tokens
// T is the longest sequence, or a fixed `length` (a longer sequence is an error: truncate when
// encoding, see encodeWords' maxWords). Row-major Int32Arrays.

export interface LeftPaddedBatch {
  /** [B, T] */
  ids: Int32Array;
  /** [B, T] */
  mask: Int32Array;
  /** [B] real tokens per row. */
  lengths: Int32Array;
  batch: number;
  length: number;
}

export function leftPadBatch(sequences: readonly ArrayLike<number>[], padId: number, length?: number): LeftPaddedBatch {
  const B = sequences.length;
  if (B === 0) throw new Error('leftPadBatch: no sequences');
  let longest = 0;
  sequences.forEach((s, b) => {
    if (s.length === 0) throw new Error(`leftPadBatch: sequence ${b} is empty (a last-token head needs at least one token)`);
    longest = Math.max(longest, s.length);
  });
  const T = length ?? longest;
  if (!Number.isInteger(T) || T < 1) throw new Error(`leftPadBatch: length must be a positive integer, got ${T}`);
  if (longest > T) throw new Error(`leftPadBatch: sequence ${sequences.findIndex((s) => s.length > T)} has ${longest} tokens, more than length ${T}`);
  const ids = new Int32Array(B * T).fill(padId);
  const mask = new Int32Array(B * T);
  const lengths = new Int32Array(B);
  sequences.forEach((s, b) => {
    const off = b * T + (T - s.length);
    for (let t = 0; t < s.length; t++) { ids[off + t] = s[t]!; mask[off + t] = 1; }
    lengths[b] = s.length;
  });
  return { ids, mask, lengths, batch: B, length: T };
}
