// Float32 exp and log shared by the kernel files: branch-free and call-free, so the loops that
// use them vectorise (libm's expf/logf do not), and accurate to the CPU backend's double-then-
// float results. One definition, so every kernel (Exp, Softmax, the fused cross-entropy) rounds
// the same way.
#ifndef SWITCHYARD_VMATH_H
#define SWITCHYARD_VMATH_H
#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float f32_of_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t bits_of_f32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

// ---------------------------------------------------------------------------------------------
// exp and log in float32, vectorisable (no calls, no branches). Both were checked against
// (float)exp((double)x) / (float)log((double)x) over every float32 (2^32 inputs): ≤ 1 ulp apart
// on normal results, special values identical.

// e^x = 2^k · e^r with k = round(x / ln2) and |r| ≤ ln2/2; e^r by its Taylor polynomial of
// degree 7 (truncation < 0.2 ulp on that interval). 2^k is applied as two powers of two
// (k1 + k2 = k, each a normal float) so results that overflow or are subnormal round once,
// like the double-then-float result of the CPU backend: x ≥ 88.7228394 → +Inf, x ≤ -103.98 → 0.
static inline float sy_expf(float x) {
  const float xc = x < -104.0f ? -104.0f : (x > 89.0f ? 89.0f : x);
  const float shifter = 12582912.0f; // 1.5·2^23: adding it rounds to an integer
  const float kf = (xc * 1.44269504088896341f + shifter) - shifter;
  float r = fmaf(kf, -0.693145751953125f, xc);          // ln2 split: hi has 12 bits, so kf·hi is exact
  r = fmaf(kf, -1.42860682030941723e-6f, r);
  float p = 1.98412698412698413e-4f;                    // 1/7!
  p = fmaf(p, r, 1.38888888888888889e-3f);
  p = fmaf(p, r, 8.33333333333333333e-3f);
  p = fmaf(p, r, 4.16666666666666667e-2f);
  p = fmaf(p, r, 1.66666666666666667e-1f);
  p = fmaf(p, r, 0.5f);
  p = fmaf(p, r, 1.0f);
  p = fmaf(p, r, 1.0f);
  const int32_t k = (int32_t)kf, k1 = k >> 1, k2 = k - k1; // k ∈ [-150, 128]
  const float s1 = f32_of_bits((uint32_t)(k1 + 127) << 23), s2 = f32_of_bits((uint32_t)(k2 + 127) << 23);
  const float y = (p * s1) * s2;
  return x != x ? x : y;
}

// log x = e·ln2 + log(1+f) with x = (1+f)·2^e, 1+f ∈ [√½, √2). With s = f/(2+f) (|s| ≤ 0.1716),
// log(1+f) = 2·atanh(s) = f - f²/2 + s·(f²/2 + R(s²)), R by the atanh series to s^10 (truncation
// < 0.1 ulp); f is exact, so only the small correction terms round. Subnormal x are scaled by
// 2^23 first. x < 0 → NaN, ±0 → -Inf, +Inf → +Inf, NaN → NaN.
static inline float sy_logf(float x) {
  const bool sub = x < 1.17549435e-38f;                 // subnormal, zero or negative
  const float xs = sub ? x * 8388608.0f : x;
  const int32_t ix = (int32_t)bits_of_f32(xs) - 0x3f3504f3; // relative to √½
  const int32_t e = (ix >> 23) - (sub ? 23 : 0);
  const float f = f32_of_bits((uint32_t)(ix & 0x007fffff) + 0x3f3504f3) - 1.0f;
  const float s = f / (2.0f + f), z = s * s, hfsq = 0.5f * f * f;
  float r = 2.0f / 11.0f;
  r = fmaf(r, z, 2.0f / 9.0f);
  r = fmaf(r, z, 2.0f / 7.0f);
  r = fmaf(r, z, 2.0f / 5.0f);
  r = fmaf(r, z, 2.0f / 3.0f);
  r *= z;
  const float ef = (float)e;
  float y = fmaf(ef, 0.693145751953125f, f - (hfsq - fmaf(s, hfsq + r, ef * 1.42860682030941723e-6f)));
  y = x == 0.0f ? -INFINITY : y;
  y = x < 0.0f ? NAN : y;
  y = x == INFINITY ? x : y;
  return x != x ? x : y;
}

#endif
