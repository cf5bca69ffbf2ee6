// "did you mean …?" for a mistyped name: the known names within a small edit distance.

/** Levenshtein distance (insert, delete, substitute; 1 each). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest known names (distance ≤ max(2, ⌊len/3⌋)), nearest first; empty when none is close. */
export function closestNames(name: string, known: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(name.length / 3));
  return known
    .map((k) => ({ k, d: editDistance(name, k) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || (x.k < y.k ? -1 : 1))
    .map((x) => x.k);
}

/** ` (did you mean "x"?)` or ''. */
export function didYouMean(name: string, known: readonly string[]): string {
  const near = closestNames(name, known);
  return near.length > 0 ? ` (did you mean ${near.slice(0, 3).map((k) => JSON.stringify(k)).join(' or ')}?)` : '';
}
