// numpy's legacy global generator (`np.random.seed(s)` / `RandomState(s)`), reduced to what
// rouge_score's bootstrap draws: MT19937 seeded by Matsumoto–Nishimura `init_genrand(s)`
// (numpy's `_legacy_seeding` for an integer seed), the tempered 32-bit output, and
// `randint(0, n)` / `choice(n, size)`, which legacy numpy implements by masked rejection
// sampling (`rk_interval`, `buffered_bounded_masked_uint32`): draw 32 bits, AND with the
// smallest 2^k-1 mask covering n-1, retry while the result exceeds n-1.
// Reproducing this stream lets the bootstrap intervals match rouge_score + numpy 1.24 bit for bit.

const N = 624;
const M = 397;
// Constants as int32 bit patterns: the state lives in an Int32Array so V8 keeps every
// operation on small integers (a Uint32Array yields heap numbers above 2^31, ~10x slower).
const UPPER_MASK = 0x80000000 | 0;
const LOWER_MASK = 0x7fffffff;
const MATRIX_A = 0x9908b0df | 0;
const TEMPER_B = 0x9d2c5680 | 0;
const TEMPER_C = 0xefc60000 | 0;

export class LegacyMt19937 {
  private readonly mt = new Int32Array(N);
  private index = N;

  /** `np.random.seed(seed)`; numpy accepts integers in [0, 2^32 - 1]. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    }
    this.mt[0] = seed | 0;
    for (let i = 1; i < N; i++) {
      const prev = this.mt[i - 1]! ^ (this.mt[i - 1]! >>> 30);
      // 1812433253 * prev + i (mod 2^32); Math.imul keeps the low 32 bits exactly.
      this.mt[i] = (Math.imul(1812433253, prev) + i) | 0;
    }
    this.index = N;
  }

  private twist(): void {
    const mt = this.mt;
    let k = 0;
    // Split at N-M and N-1 instead of `% N` in the inner loop (same recurrence, faster).
    for (; k < N - M; k++) {
      const y = (mt[k]! & UPPER_MASK) | (mt[k + 1]! & LOWER_MASK);
      mt[k] = mt[k + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; k < N - 1; k++) {
      const y = (mt[k]! & UPPER_MASK) | (mt[k + 1]! & LOWER_MASK);
      mt[k] = mt[k + M - N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.index = 0;
  }

  /** genrand_int32: the next tempered 32-bit output. */
  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & TEMPER_B;
    y ^= (y << 15) & TEMPER_C;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random_sample()`: 53-bit double in [0, 1) from two outputs (genrand_res53). */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, max] by masked rejection (legacy numpy `rk_interval`); max < 2^32. */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1; mask |= mask >>> 2; mask |= mask >>> 4; mask |= mask >>> 8; mask |= mask >>> 16;
    mask >>>= 0;
    if (max === 0xffffffff) return this.nextUint32();
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0; while (v > max);
    return v;
  }

  /** `np.random.choice(n, size)` with replacement and no weights = `randint(0, n, size)`. */
  choice(n: number, size: number): Int32Array {
    const out = new Int32Array(size);
    this.fillChoice(out, n);
    return out;
  }

  /**
   * Fill `out` with `choice(n, out.length)` draws, the same stream as repeated `interval(n-1)`;
   * inlined because the bootstrap draws 4 types × 1000 resamples × n examples.
   */
  fillChoice(out: Int32Array, n: number): void {
    if (!Number.isInteger(n) || n <= 0 || n > 0x7fffffff) throw new Error(`choice: population must be a positive integer, got ${n}`);
    const max = n - 1;
    if (max === 0) { out.fill(0); return; }
    let mask = max;
    mask |= mask >>> 1; mask |= mask >>> 2; mask |= mask >>> 4; mask |= mask >>> 8; mask |= mask >>> 16;
    const mt = this.mt;
    let pos = this.index;
    for (let i = 0; i < out.length; i++) {
      let v: number;
      do {
        if (pos >= N) { this.twist(); pos = 0; }
        let y = mt[pos++]!;
        y ^= y >>> 11;
        y ^= (y << 7) & TEMPER_B;
        y ^= (y << 15) & TEMPER_C;
        y ^= y >>> 18;
        v = y & mask; // mask < 2^31, so the result is a non-negative int32
      } while (v > max);
      out[i] = v;
    }
    this.index = pos;
  }
}
