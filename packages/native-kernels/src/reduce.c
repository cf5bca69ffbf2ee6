// Reductions, softmax and cumulative sums on the WASM heap. JS canonicalises every tensor to
// [outer, n, inner] (n = the reduced or scanned extent, merged from adjacent axes), so one loop
// nest covers every contiguous axis set without a transpose (JS chains one call per group when
// kept axes split the reduced ones):
//   inner == 1: each output reduces one contiguous row of n (row sums of [N, V]);
//   inner  > 1: each output column accumulates n rows of `inner` (bias and norm-weight
//               gradients: [R, C] → [C]), vectorised across a block of columns.
// Semantics are the tfjs CPU backend's (the reference of the tests): float sums, means and
// products accumulate in float64 and round once; int32 results wrap like a JS number stored into
// an Int32Array; Max/Min propagate NaN; ArgMax/ArgMin take the first of equal values and skip
// NaN after the first element; an empty reduction gives the CPU backend's values (Sum/Mean/Any/
// All/ArgMax 0, Prod 1, float Max/Min NaN, int Max/Min 0).
#include "common.h"
#include "vmath.h"
#include <math.h>
#include <string.h>

enum { OP_SUM, OP_MEAN, OP_MAX, OP_MIN, OP_PROD, OP_ALL, OP_ANY, OP_ARGMAX, OP_ARGMIN, OP_COUNT };
enum { DT_F32, DT_I32, DT_BOOL, DT_COUNT };

// Columns per block of the inner > 1 loops: the accumulators (≤ 4 KB) stay in L1.
#define BLOCK 512
// Rows shorter than this reduce serially (a vector loop's set-up and horizontal reduction cost more).
#define SHORT 16

static const int in_size[DT_COUNT] = { 4, 4, 1 };

static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

// A JS number stored into an Int32Array (ECMAScript ToInt32): truncate, wrap modulo 2^32.
static int32_t to_int32(double v) {
  if (!isfinite(v)) return 0;
  double m = fmod(trunc(v), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return (int32_t)(uint32_t)m;
}

// ---- Sum and Mean -------------------------------------------------------------------------

// Σ x[0..n) in float64. `omp simd` lets the compiler keep vector partial sums (reordering the
// float64 additions: a few float64 ulps, far below the float32 result's rounding); rows shorter
// than SHORT ([N, 8] router probabilities) add serially, cheaper than a vector loop's set-up.
static double sum_row_f32(const float *restrict x, int64_t n) {
  double s = 0;
  if (n < SHORT) {
    for (int64_t i = 0; i < n; i++) s += x[i];
    return s;
  }
  #pragma omp simd reduction(+:s)
  for (int64_t i = 0; i < n; i++) s += x[i];
  return s;
}

// Integer rows sum exactly in int64 (no rounding to mimic: the CPU's float64 sum is exact below
// 2^53); integer addition reassociates freely, so the compiler vectorises it unasked.
#define DEFINE_SUM_ROW_INT(NAME, T)                                                          \
  static int64_t NAME(const T *restrict x, int64_t n) {                                      \
    int64_t s = 0;                                                                           \
    for (int64_t i = 0; i < n; i++) s += x[i];                                               \
    return s;                                                                                \
  }
DEFINE_SUM_ROW_INT(sum_row_i32, int32_t)
DEFINE_SUM_ROW_INT(sum_row_u8, uint8_t)

// out[o, j] = (Σ_k x[o, k, j]) / div, accumulated in float64. x [outer, n, inner] → out [outer, inner]
static void sum_f32(const float *restrict x, int64_t outer, int64_t n, int64_t inner, double div, float *restrict out) {
  if (inner == 1) {
    for (int64_t o = 0; o < outer; o++) out[o] = (float)(sum_row_f32(x + o * n, n) / div);
    return;
  }
  double acc[BLOCK];
  for (int64_t o = 0; o < outer; o++) {
    const float *xo = x + o * n * inner;
    for (int64_t j0 = 0; j0 < inner; j0 += BLOCK) {
      const int64_t w = min64(BLOCK, inner - j0);
      for (int64_t j = 0; j < w; j++) acc[j] = 0;
      for (int64_t k = 0; k < n; k++) {
        const float *restrict r = xo + k * inner + j0;
        for (int64_t j = 0; j < w; j++) acc[j] += r[j];
      }
      float *restrict oj = out + o * inner + j0;
      for (int64_t j = 0; j < w; j++) oj[j] = (float)(acc[j] / div);
    }
  }
}

// Integer sums (int32 or bool input): exact int64, then either the wrapped int32 (Sum) or the
// float32 quotient (Mean of an int tensor, which the CPU backend computes in float).
#define DEFINE_SUM_INT(NAME, T, ROW)                                                                         \
  static void NAME(const T *restrict x, int64_t outer, int64_t n, int64_t inner, bool mean, void *out) {    \
    int32_t *restrict oi = (int32_t *)out;                                                                   \
    float *restrict of = (float *)out;                                                                       \
    if (inner == 1) {                                                                                        \
      for (int64_t o = 0; o < outer; o++) {                                                                  \
        const int64_t s = ROW(x + o * n, n);                                                                 \
        if (mean) of[o] = (float)((double)s / (double)n); else oi[o] = (int32_t)(uint32_t)s;                 \
      }                                                                                                      \
      return;                                                                                                \
    }                                                                                                        \
    int64_t acc[BLOCK];                                                                                      \
    for (int64_t o = 0; o < outer; o++) {                                                                    \
      const T *xo = x + o * n * inner;                                                                       \
      for (int64_t j0 = 0; j0 < inner; j0 += BLOCK) {                                                        \
        const int64_t w = min64(BLOCK, inner - j0);                                                          \
        for (int64_t j = 0; j < w; j++) acc[j] = 0;                                                          \
        for (int64_t k = 0; k < n; k++) {                                                                    \
          const T *restrict r = xo + k * inner + j0;                                                         \
          for (int64_t j = 0; j < w; j++) acc[j] += r[j];                                                    \
        }                                                                                                    \
        for (int64_t j = 0; j < w; j++) {                                                                    \
          if (mean) of[o * inner + j0 + j] = (float)((double)acc[j] / (double)n);                            \
          else oi[o * inner + j0 + j] = (int32_t)(uint32_t)acc[j];                                           \
        }                                                                                                    \
      }                                                                                                      \
    }                                                                                                        \
  }
DEFINE_SUM_INT(sum_i32, int32_t, sum_row_i32)
DEFINE_SUM_INT(sum_u8, uint8_t, sum_row_u8)

// ---- Max and Min ----------------------------------------------------------------------------

// One row's extreme in vector lanes (`omp simd` max/min reductions), serially below SHORT. The
// vector max/min drop NaN, so float rows count NaNs apart: one NaN makes the result NaN, the CPU
// backend's rule. (Which of −0 and +0 wins a tie may differ from the CPU's serial scan.)
#define DEFINE_EXTREME_ROW(NAME, T, SIMD, CMP, NAN_AWARE)                                           \
  static T NAME(const T *restrict r, int64_t n) {                                                  \
    T m = r[0];                                                                                    \
    int nan = 0;                                                                                   \
    if (n < SHORT) {                                                                               \
      for (int64_t i = 1; i < n; i++) { m = r[i] CMP m ? r[i] : m; if (NAN_AWARE) nan |= r[i] != r[i]; } \
    } else {                                                                                       \
      _Pragma(SIMD)                                                                                \
      for (int64_t i = 0; i < n; i++) { m = r[i] CMP m ? r[i] : m; if (NAN_AWARE) nan |= r[i] != r[i]; } \
    }                                                                                              \
    return NAN_AWARE && (nan || m != m) ? (T)NAN : m;                                              \
  }
#define SIMD_MAX "omp simd reduction(max:m) reduction(|:nan)"
#define SIMD_MIN "omp simd reduction(min:m) reduction(|:nan)"
DEFINE_EXTREME_ROW(max_row_f32, float, SIMD_MAX, >, 1)
DEFINE_EXTREME_ROW(min_row_f32, float, SIMD_MIN, <, 1)
DEFINE_EXTREME_ROW(max_row_i32, int32_t, SIMD_MAX, >, 0)
DEFINE_EXTREME_ROW(min_row_i32, int32_t, SIMD_MIN, <, 0)
DEFINE_EXTREME_ROW(max_row_u8, uint8_t, SIMD_MAX, >, 0)
DEFINE_EXTREME_ROW(min_row_u8, uint8_t, SIMD_MIN, <, 0)

// out [outer, inner] = extreme over n of x [outer, n, inner]: rows by ROW, columns by the
// sticky-NaN rule `BETTER(v, m)` (true when v replaces the running extreme m: a larger (smaller)
// value, or a NaN, which then stays because no comparison with it is true).
#define MAX_BETTER(v, m) ((v) > (m) || (v) != (v))
#define MIN_BETTER(v, m) ((v) < (m) || (v) != (v))
#define DEFINE_EXTREME(NAME, ROW, T, BETTER)                                                       \
  static void NAME(const T *restrict x, int64_t outer, int64_t n, int64_t inner, T *restrict out) { \
    if (inner == 1) {                                                                              \
      for (int64_t o = 0; o < outer; o++) out[o] = ROW(x + o * n, n);                              \
      return;                                                                                      \
    }                                                                                              \
    for (int64_t o = 0; o < outer; o++) {                                                          \
      const T *xo = x + o * n * inner;                                                             \
      T *restrict m = out + o * inner;                                                             \
      memcpy(m, xo, (size_t)inner * sizeof(T));                                                    \
      for (int64_t k = 1; k < n; k++) {                                                            \
        const T *restrict r = xo + k * inner;                                                      \
        for (int64_t j = 0; j < inner; j++) m[j] = BETTER(r[j], m[j]) ? r[j] : m[j];               \
      }                                                                                            \
    }                                                                                              \
  }
DEFINE_EXTREME(max_f32, max_row_f32, float, MAX_BETTER)
DEFINE_EXTREME(min_f32, min_row_f32, float, MIN_BETTER)
DEFINE_EXTREME(max_i32, max_row_i32, int32_t, MAX_BETTER)
DEFINE_EXTREME(min_i32, min_row_i32, int32_t, MIN_BETTER)
DEFINE_EXTREME(max_u8, max_row_u8, uint8_t, MAX_BETTER)
DEFINE_EXTREME(min_u8, min_row_u8, uint8_t, MIN_BETTER)

// ---- Prod -------------------------------------------------------------------------------------

// Products in float64 in the CPU backend's serial order, so overflow to ±Inf (and Inf·0 = NaN)
// happens exactly where it happens there. Not a hot kernel: no reordering for speed.
#define DEFINE_PROD(NAME, T)                                                                       \
  /* acc[j] = Π_k xo[k·inner + j] for j < w */                                                     \
  static void NAME(const T *restrict xo, int64_t n, int64_t inner, int64_t w, double *restrict acc) { \
    for (int64_t j = 0; j < w; j++) acc[j] = 1;                                                    \
    for (int64_t k = 0; k < n; k++) {                                                              \
      const T *restrict r = xo + k * inner;                                                        \
      for (int64_t j = 0; j < w; j++) acc[j] *= r[j];                                              \
    }                                                                                              \
  }
DEFINE_PROD(prod_block_f32, float)
DEFINE_PROD(prod_block_i32, int32_t)
DEFINE_PROD(prod_block_u8, uint8_t)

static void prod_any(int dtype, const void *x, int64_t outer, int64_t n, int64_t inner, void *out) {
  double acc[BLOCK];
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t j0 = 0; j0 < inner; j0 += BLOCK) {
      const int64_t w = min64(BLOCK, inner - j0), at = o * n * inner + j0;
      if (dtype == DT_F32) prod_block_f32((const float *)x + at, n, inner, w, acc);
      else if (dtype == DT_I32) prod_block_i32((const int32_t *)x + at, n, inner, w, acc);
      else prod_block_u8((const uint8_t *)x + at, n, inner, w, acc);
      if (dtype == DT_F32) for (int64_t j = 0; j < w; j++) ((float *)out)[o * inner + j0 + j] = (float)acc[j];
      else for (int64_t j = 0; j < w; j++) ((int32_t *)out)[o * inner + j0 + j] = to_int32(acc[j]);
    }
  }
}

// ---- All and Any (bool) ---------------------------------------------------------------------

static void all_any_u8(const uint8_t *restrict x, int64_t outer, int64_t n, int64_t inner, bool any, uint8_t *restrict out) {
  if (inner == 1) {
    for (int64_t o = 0; o < outer; o++) {
      const uint8_t *restrict r = x + o * n;
      uint8_t a = 1, y = 0;
      for (int64_t i = 0; i < n; i++) { a &= r[i] != 0; y |= r[i] != 0; }
      out[o] = any ? y : a;
    }
    return;
  }
  for (int64_t o = 0; o < outer; o++) {
    const uint8_t *xo = x + o * n * inner;
    uint8_t *restrict m = out + o * inner;
    for (int64_t j = 0; j < inner; j++) m[j] = xo[j] != 0;
    for (int64_t k = 1; k < n; k++) {
      const uint8_t *restrict r = xo + k * inner;
      if (any) for (int64_t j = 0; j < inner; j++) m[j] |= r[j] != 0;
      else for (int64_t j = 0; j < inner; j++) m[j] &= r[j] != 0;
    }
  }
}

// ---- ArgMax and ArgMin ----------------------------------------------------------------------

// Strict comparison against the running best, which starts at element 0: ties keep the first
// index, and a NaN never wins (nor is beaten when it is element 0), as on the CPU backend.
#define DEFINE_ARG(NAME, T, OP)                                                                     \
  static void NAME(const T *restrict x, int64_t outer, int64_t n, int64_t inner, int32_t *restrict out) { \
    if (inner == 1) {                                                                               \
      for (int64_t o = 0; o < outer; o++) {                                                         \
        const T *restrict r = x + o * n;                                                            \
        T best = r[0];                                                                              \
        int32_t at = 0;                                                                             \
        for (int64_t i = 1; i < n; i++) if (r[i] OP best) { best = r[i]; at = (int32_t)i; }         \
        out[o] = at;                                                                                \
      }                                                                                             \
      return;                                                                                       \
    }                                                                                               \
    T best[BLOCK];                                                                                  \
    for (int64_t o = 0; o < outer; o++) {                                                           \
      const T *xo = x + o * n * inner;                                                              \
      for (int64_t j0 = 0; j0 < inner; j0 += BLOCK) {                                               \
        const int64_t w = min64(BLOCK, inner - j0);                                                 \
        int32_t *restrict at = out + o * inner + j0;                                                \
        for (int64_t j = 0; j < w; j++) { best[j] = xo[j0 + j]; at[j] = 0; }                        \
        for (int64_t k = 1; k < n; k++) {                                                           \
          const T *restrict r = xo + k * inner + j0;                                                \
          for (int64_t j = 0; j < w; j++) {                                                         \
            const bool win = r[j] OP best[j];                                                       \
            best[j] = win ? r[j] : best[j];                                                         \
            at[j] = win ? (int32_t)k : at[j];                                                       \
          }                                                                                         \
        }                                                                                           \
      }                                                                                             \
    }                                                                                               \
  }
DEFINE_ARG(argmax_f32, float, >)
DEFINE_ARG(argmin_f32, float, <)
DEFINE_ARG(argmax_i32, int32_t, >)
DEFINE_ARG(argmin_i32, int32_t, <)
DEFINE_ARG(argmax_u8, uint8_t, >)
DEFINE_ARG(argmin_u8, uint8_t, <)

// ---- reduce(op, dtype, outer, n, inner, xOff, outOff) -----------------------------------------

// Bytes per output element of `op` on `dtype` (0: the combination is not a kernel here).
static int out_size(int op, int dtype) {
  switch (op) {
    case OP_SUM: case OP_PROD: case OP_MEAN: case OP_ARGMAX: case OP_ARGMIN: return 4; // int32 or float32
    case OP_MAX: case OP_MIN: return in_size[dtype];
    case OP_ALL: case OP_ANY: return dtype == DT_BOOL ? 1 : 0;
    default: return 0;
  }
}

// Output of a reduction over nothing (n == 0), as the CPU backend leaves it.
static void fill_empty(int op, int dtype, int64_t count, void *out) {
  if (op == OP_ALL || op == OP_ANY || ((op == OP_MAX || op == OP_MIN) && dtype == DT_BOOL)) { memset(out, 0, (size_t)count); return; }
  const bool isFloat = op == OP_MEAN || ((op == OP_SUM || op == OP_PROD || op == OP_MAX || op == OP_MIN) && dtype == DT_F32);
  if (isFloat) {
    const float v = op == OP_PROD ? 1.0f : (op == OP_MAX || op == OP_MIN) ? NAN : 0.0f;
    for (int64_t i = 0; i < count; i++) ((float *)out)[i] = v;
  } else {
    const int32_t v = op == OP_PROD ? 1 : 0;
    for (int64_t i = 0; i < count; i++) ((int32_t *)out)[i] = v;
  }
}

static bool valid_extent(double v) { return v >= 0 && v == floor(v) && v < 9007199254740992.0; }

//   x [outer, n, inner] (dtype 0 float32, 1 int32, 2 bool) at byte xOff; out [outer, inner] at
//   outOff: float32 for Mean and float Sum/Prod/Max/Min, int32 for ArgMax/ArgMin and int Sum/Prod,
//   the input's dtype for Max/Min, bool for All/Any (bool input only).
static napi_value Reduce(napi_env env, napi_callback_info info) {
  double v[7];
  if (!sy_args(env, info, "reduce", 7, v)) return NULL;
  const int op = (int)v[0], dtype = (int)v[1];
  if (!(v[0] >= 0 && v[0] < OP_COUNT && v[0] == op && v[1] >= 0 && v[1] < DT_COUNT && v[1] == dtype) || out_size(op, dtype) == 0) {
    napi_throw_range_error(env, NULL, "reduce: unknown op or dtype, or a combination it does not support");
    return NULL;
  }
  if (!valid_extent(v[2]) || !valid_extent(v[3]) || !valid_extent(v[4])) {
    napi_throw_range_error(env, NULL, "reduce: extents must be non-negative integers");
    return NULL;
  }
  const int64_t outer = (int64_t)v[2], n = (int64_t)v[3], inner = (int64_t)v[4];
  const int osz = out_size(op, dtype), isz = in_size[dtype];
  if (outer * inner == 0) return NULL;
  if (!sy_in_heap(env, "reduce out", v[6], (double)osz * v[2] * v[4], osz)) return NULL;
  void *out = sy_heap + (int64_t)v[6];
  if (n == 0) { fill_empty(op, dtype, outer * inner, out); return NULL; }
  if (!sy_in_heap(env, "reduce x", v[5], (double)isz * v[2] * v[3] * v[4], isz)) return NULL;
  const void *x = sy_heap + (int64_t)v[5];
  switch (op) {
    case OP_SUM: case OP_MEAN:
      if (dtype == DT_F32) sum_f32((const float *)x, outer, n, inner, op == OP_MEAN ? (double)n : 1.0, (float *)out);
      else if (dtype == DT_I32) sum_i32((const int32_t *)x, outer, n, inner, op == OP_MEAN, out);
      else sum_u8((const uint8_t *)x, outer, n, inner, op == OP_MEAN, out);
      break;
    case OP_MAX:
      if (dtype == DT_F32) max_f32((const float *)x, outer, n, inner, (float *)out);
      else if (dtype == DT_I32) max_i32((const int32_t *)x, outer, n, inner, (int32_t *)out);
      else max_u8((const uint8_t *)x, outer, n, inner, (uint8_t *)out);
      break;
    case OP_MIN:
      if (dtype == DT_F32) min_f32((const float *)x, outer, n, inner, (float *)out);
      else if (dtype == DT_I32) min_i32((const int32_t *)x, outer, n, inner, (int32_t *)out);
      else min_u8((const uint8_t *)x, outer, n, inner, (uint8_t *)out);
      break;
    case OP_PROD: prod_any(dtype, x, outer, n, inner, out); break;
    case OP_ALL: case OP_ANY: all_any_u8((const uint8_t *)x, outer, n, inner, op == OP_ANY, (uint8_t *)out); break;
    case OP_ARGMAX:
      if (dtype == DT_F32) argmax_f32((const float *)x, outer, n, inner, (int32_t *)out);
      else if (dtype == DT_I32) argmax_i32((const int32_t *)x, outer, n, inner, (int32_t *)out);
      else argmax_u8((const uint8_t *)x, outer, n, inner, (int32_t *)out);
      break;
    case OP_ARGMIN:
      if (dtype == DT_F32) argmin_f32((const float *)x, outer, n, inner, (int32_t *)out);
      else if (dtype == DT_I32) argmin_i32((const int32_t *)x, outer, n, inner, (int32_t *)out);
      else argmin_u8((const uint8_t *)x, outer, n, inner, (int32_t *)out);
      break;
  }
  return NULL;
}

// ---- Softmax ----------------------------------------------------------------------------------

// Short rows ([N, 8] router logits) are grouped into chunks of about this many elements, so
// that their exponentials run as one long vector loop while the chunk stays in L1.
#define CHUNK 4096

// y = e^(x − max) / Σ e^(x − max) per row of x [rows, c]. A NaN in a row makes the row NaN
// (through the sum), so do a +Inf (Inf − Inf) and a row of −Inf, as on the CPU backend.
static void softmax_rows(const float *restrict x, int64_t rows, int64_t c, float *restrict y) {
  if (c >= 4 * SHORT) {
    // Long rows: max, then e^ and its float64 sum in one pass, then the scaling.
    for (int64_t r = 0; r < rows; r++) {
      const float *restrict xr = x + r * c;
      float *restrict yr = y + r * c;
      const float m = max_row_f32(xr, c);
      double s = 0;
      #pragma omp simd reduction(+:s)
      for (int64_t i = 0; i < c; i++) { const float e = sy_expf(xr[i] - m); yr[i] = e; s += e; }
      const float inv = (float)(1.0 / s);
      for (int64_t i = 0; i < c; i++) yr[i] *= inv;
    }
    return;
  }
  // Short rows, chunk by chunk: (1) each row minus its max, (2) e^ of the whole chunk in place,
  // (3) each row times 1 / its float64 sum.
  const int64_t per = CHUNK / c;
  for (int64_t r0 = 0; r0 < rows; r0 += per) {
    const int64_t nr = min64(per, rows - r0);
    const float *xc = x + r0 * c;
    float *yc = y + r0 * c;
    for (int64_t r = 0; r < nr; r++) {
      const float *restrict xr = xc + r * c;
      float *restrict yr = yc + r * c;
      float m = xr[0];
      for (int64_t i = 1; i < c; i++) m = xr[i] > m ? xr[i] : m;
      for (int64_t i = 0; i < c; i++) yr[i] = xr[i] - m;
    }
    float *restrict e = yc;
    for (int64_t i = 0; i < nr * c; i++) e[i] = sy_expf(e[i]);
    for (int64_t r = 0; r < nr; r++) {
      float *restrict yr = yc + r * c;
      double s = 0;
      for (int64_t i = 0; i < c; i++) s += yr[i];
      const float inv = (float)(1.0 / s);
      for (int64_t i = 0; i < c; i++) yr[i] *= inv;
    }
  }
}

// softmax(rows, cols, xOff, outOff): x, out [rows, cols] float32, softmax over each row.
static napi_value Softmax(napi_env env, napi_callback_info info) {
  double v[4];
  if (!sy_args(env, info, "softmax", 4, v)) return NULL;
  if (!valid_extent(v[0]) || !valid_extent(v[1])) { napi_throw_range_error(env, NULL, "softmax: extents must be non-negative integers"); return NULL; }
  const int64_t rows = (int64_t)v[0], cols = (int64_t)v[1];
  if (rows * cols == 0) return NULL;
  if (!sy_in_heap(env, "softmax x", v[2], 4 * v[0] * v[1], 4) || !sy_in_heap(env, "softmax out", v[3], 4 * v[0] * v[1], 4)) return NULL;
  const float *x = SY_F32(v[2]);
  float *y = SY_F32(v[3]);
  softmax_rows(x, rows, cols, y);
  return NULL;
}

// ---- Cumsum -----------------------------------------------------------------------------------

// Running sums along n of x [outer, n, inner]; exclusive shifts by one (first output 0),
// reverse runs from the end. Float sums round to float32 at every step and int sums wrap, as the
// CPU backend's Float32Array/Int32Array accumulator does.
#define DEFINE_CUMSUM(NAME, T, ACC, OUT)                                                              \
  static void NAME(const T *restrict x, int64_t outer, int64_t n, int64_t inner, bool exclusive, bool reverse, OUT *restrict y) { \
    for (int64_t o = 0; o < outer; o++) {                                                             \
      const T *xo = x + o * n * inner;                                                                \
      OUT *yo = y + o * n * inner;                                                                    \
      for (int64_t s = 0; s < n; s++) {                                                               \
        const int64_t k = reverse ? n - 1 - s : s, prev = reverse ? k + 1 : k - 1;                    \
        OUT *restrict yk = yo + k * inner;                                                            \
        if (s == 0) {                                                                                 \
          for (int64_t j = 0; j < inner; j++) yk[j] = exclusive ? 0 : (OUT)xo[k * inner + j];         \
          continue;                                                                                   \
        }                                                                                             \
        const OUT *restrict yp = yo + prev * inner;                                                   \
        const T *restrict xs = xo + (exclusive ? prev : k) * inner;                                   \
        for (int64_t j = 0; j < inner; j++) yk[j] = (OUT)((ACC)yp[j] + (ACC)xs[j]);                   \
      }                                                                                               \
    }                                                                                                 \
  }
DEFINE_CUMSUM(cumsum_f32, float, float, float)
DEFINE_CUMSUM(cumsum_i32, int32_t, uint32_t, int32_t)
DEFINE_CUMSUM(cumsum_u8, uint8_t, uint32_t, int32_t)

// cumsum(dtype, outer, n, inner, exclusive, reverse, xOff, outOff): x [outer, n, inner] of dtype
// (0 float32, 1 int32, 2 bool), out the same shape, float32 for float input and int32 otherwise.
static napi_value Cumsum(napi_env env, napi_callback_info info) {
  double v[8];
  if (!sy_args(env, info, "cumsum", 8, v)) return NULL;
  const int dtype = (int)v[0];
  if (!(v[0] >= 0 && v[0] < DT_COUNT && v[0] == dtype)) { napi_throw_range_error(env, NULL, "cumsum: unknown dtype"); return NULL; }
  if (!valid_extent(v[1]) || !valid_extent(v[2]) || !valid_extent(v[3])) { napi_throw_range_error(env, NULL, "cumsum: extents must be non-negative integers"); return NULL; }
  const int64_t outer = (int64_t)v[1], n = (int64_t)v[2], inner = (int64_t)v[3];
  const double count = v[1] * v[2] * v[3];
  if (count == 0) return NULL;
  const int isz = in_size[dtype];
  if (!sy_in_heap(env, "cumsum x", v[6], isz * count, isz) || !sy_in_heap(env, "cumsum out", v[7], 4 * count, 4)) return NULL;
  const bool exclusive = v[4] != 0, reverse = v[5] != 0;
  const void *x = sy_heap + (int64_t)v[6];
  if (dtype == DT_F32) cumsum_f32((const float *)x, outer, n, inner, exclusive, reverse, SY_F32(v[7]));
  else if (dtype == DT_I32) cumsum_i32((const int32_t *)x, outer, n, inner, exclusive, reverse, SY_I32(v[7]));
  else cumsum_u8((const uint8_t *)x, outer, n, inner, exclusive, reverse, SY_I32(v[7]));
  return NULL;
}

void sy_init_reduce(napi_env env, napi_value exports) {
  sy_define(env, exports, "reduce", Reduce);
  sy_define(env, exports, "softmax", Softmax);
  sy_define(env, exports, "cumsum", Cumsum);
}
