// Explicit, seeded, serialisable randomness without tensors. Every random draw in Switchyard
// (init, jitter, noise, sampling, data order) comes from a generator passed in by the caller, so a
// fixed seed gives identical results and a checkpoint can store the generator state for bit-exact
// resume. Generator: xoshiro128** (Blackman & Vigna), seeded through splitmix32. The tensor engine's
// `Rng` (packages/tensor-engine/src/rng.ts) is this stream plus tensor-valued draws.
export interface RngState { s: [number, number, number, number]; spare: number | null }

function splitmix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Hash a string label to 32 bits (FNV-1a), for deriving independent streams. */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

export class SeededStream {
  protected s: Uint32Array;
  protected spare: number | null = null;

  constructor(seed: number | RngState) {
    this.s = new Uint32Array(4);
    if (typeof seed === 'number') {
      if (!Number.isInteger(seed)) throw new Error(`Rng seed must be an integer, got ${seed}`);
      const sm = splitmix32(seed);
      for (let i = 0; i < 4; i++) this.s[i] = sm();
    } else {
      this.s.set(seed.s);
      this.spare = seed.spare;
    }
  }

  /** An independent generator derived from this one's seed state and a label (does not advance this one). */
  fork(label: string): this {
    const sm = splitmix32((this.s[0]! ^ hashLabel(label) ^ Math.imul(this.s[3]!, 0x27d4eb2d)) >>> 0);
    const r = new (this.constructor as new (seed: number) => this)(0); // same class as this one
    for (let i = 0; i < 4; i++) r.s[i] = (sm() ^ this.s[i]!) >>> 0;
    return r;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!; s[3]! ^= s[1]!; s[1]! ^= s[2]!; s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number { return this.nextU32() / 4294967296; }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0) || !Number.isInteger(n)) throw new Error(`Rng.int needs a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, the second value cached). */
  normal(): number {
    if (this.spare !== null) { const v = this.spare; this.spare = null; return v; }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) { const j = this.int(i + 1); const t = p[i]!; p[i] = p[j]!; p[j] = t; }
    return p;
  }

  uniformArray(size: number, lo = 0, hi = 1): Float32Array {
    const a = new Float32Array(size);
    for (let i = 0; i < size; i++) a[i] = lo + (hi - lo) * this.uniform();
    return a;
  }

  normalArray(size: number, mean = 0, std = 1): Float32Array {
    const a = new Float32Array(size);
    for (let i = 0; i < size; i++) a[i] = mean + std * this.normal();
    return a;
  }

  state(): RngState { return { s: [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!], spare: this.spare }; }
}

function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }
