// The majority-class baseline: the most frequent training label (ties → the lowest index),
// predicted for every example.

export function majorityClass(labels: ArrayLike<number>, classes: number): number {
  if (labels.length === 0) throw new Error('majorityClass: no labels');
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new Error(`majorityClass: label ${i} is ${y}, expected 0..${classes - 1}`);
    counts[y]! += 1;
  }
  let best = 0;
  for (let c = 1; c < classes; c++) if (counts[c]! > counts[best]!) best = c;
  return best;
}
