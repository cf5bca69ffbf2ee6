// Out-of-sample cross-entropy on the host, in float64: mean_n −log softmax(z_n)[y_n]
// = mean_n (logsumexp(z_n) − z_n[y_n]), from logits [N, C] in row-major order. Also the argmax
// predictions (ties → the lowest class index).

export function crossEntropyFromLogits(logits: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number {
  const n = labels.length;
  if (logits.length !== n * numClasses) throw new Error(`crossEntropyFromLogits: ${logits.length} logits for ${n} labels × ${numClasses} classes`);
  if (n === 0) throw new Error('crossEntropyFromLogits: no examples');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= numClasses) throw new Error(`crossEntropyFromLogits: label ${i} is ${y}; expected 0..${numClasses - 1}`);
    let m = -Infinity;
    for (let c = 0; c < numClasses; c++) m = Math.max(m, logits[i * numClasses + c]!);
    let z = 0;
    for (let c = 0; c < numClasses; c++) z += Math.exp(logits[i * numClasses + c]! - m);
    sum += m + Math.log(z) - logits[i * numClasses + y]!;
  }
  return sum / n;
}

export function argmaxRows(values: ArrayLike<number>, n: number, numClasses: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (values[i * numClasses + c]! > values[i * numClasses + best]!) best = c;
    out[i] = best;
  }
  return out;
}
