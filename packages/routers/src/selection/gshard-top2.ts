// TK-D selection (GShard top-2, torchscale `top2gating`, docs/routers.md §2.1): 1st = argmax p;
// 2nd = argmax over the other experts of h + Gumbel noise in training (policy "sampling"),
// of p at inference. Returns choices [N, 2] (rank 1, rank 2).
import type { Rng } from '@switchyard/tensor-engine';
import { topKIndices } from './top-k.js';

export function gshardTop2Choices(
  probs: ArrayLike<number>, logits: ArrayLike<number>, n: number, e: number, training: boolean, rng: Rng,
): Int32Array {
  const first = topKIndices(probs, n, e, 1);
  const second = new Float32Array(n * e);
  if (training) {
    // Gumbel(0, 1) = −log(−log U); U kept inside (0, 1) so the noise stays finite.
    const u = rng.uniformArray(n * e, 1e-10, 1 - 1e-7);
    for (let i = 0; i < second.length; i++) second[i] = logits[i]! - Math.log(-Math.log(u[i]!));
  } else second.set(probs);
  for (let t = 0; t < n; t++) second[t * e + first[t]!] = -Infinity;
  const sec = topKIndices(second, n, e, 1);
  const out = new Int32Array(n * 2);
  for (let t = 0; t < n; t++) { out[2 * t] = first[t]!; out[2 * t + 1] = sec[t]!; }
  return out;
}
