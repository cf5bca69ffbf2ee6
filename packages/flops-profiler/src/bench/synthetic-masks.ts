// Dispatch masks and combine weights without a router: top-k of random logits, or a random
// support of a given size per token (what a sparse normaliser yields). Host arrays, [N, E]
// row-major; weights are a softmax over each token's chosen experts.
import type { Rng } from '@switchyard/tensor-engine';

export interface SyntheticRouting {
  /** 1 where token n is computed by expert e. [N·E] */
  mask: Float32Array;
  /** Combine weights, 0 off the mask. [N·E] */
  weights: Float32Array;
}

function fill(tokens: number, E: number, rng: Rng, chosen: (n: number, logits: Float64Array) => number[]): SyntheticRouting {
  const mask = new Float32Array(tokens * E);
  const weights = new Float32Array(tokens * E);
  const logits = new Float64Array(E);
  for (let n = 0; n < tokens; n++) {
    for (let e = 0; e < E; e++) logits[e] = rng.normal();
    const sel = chosen(n, logits);
    let z = 0;
    for (const e of sel) z += Math.exp(logits[e]!);
    for (const e of sel) { mask[n * E + e] = 1; weights[n * E + e] = Math.exp(logits[e]!) / z; }
  }
  return { mask, weights };
}

/** Top-k of N(0, 1) logits per token (ties impossible in practice; order by value then index). */
export function syntheticTopK(tokens: number, numExperts: number, k: number, rng: Rng): SyntheticRouting {
  if (!(k >= 0 && k <= numExperts && Number.isInteger(k))) throw new Error(`k must be an integer in [0, ${numExperts}], got ${k}`);
  return fill(tokens, numExperts, rng, (_, l) =>
    Array.from(l.keys()).sort((a, b) => l[b]! - l[a]! || a - b).slice(0, k));
}

/** Token n gets sizes[n] distinct experts chosen uniformly at random. */
export function syntheticSupport(sizes: ArrayLike<number>, numExperts: number, rng: Rng): SyntheticRouting {
  return fill(sizes.length, numExperts, rng, (n) => {
    const s = sizes[n]!;
    if (!(Number.isInteger(s) && s >= 0 && s <= numExperts)) throw new Error(`support size ${s} of token ${n} is not in [0, ${numExperts}]`);
    return Array.from(rng.permutation(numExperts).subarray(0, s));
  });
}
