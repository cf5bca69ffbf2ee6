// Element-wise kernels on the WASM heap: binary ops with numpy broadcasting, unary ops, Cast,
// Select and AddN, for float32 (and int32/bool where training uses them). Each result equals
// the tfjs CPU backend's (which computes in double and rounds to float32) exactly or to within a
// few ulp, with the same NaN, ±Inf, ±0 and overflow behaviour; exp and log use range-reduced polynomials
// that gcc vectorises (libm's are scalar calls, ≈10× slower on [512, 8000] logits).
//
// Calls are cheap and allocation-free, since most are small: the JS side collapses shapes so
// that same-shape and scalar operands take `binary`, and every other broadcast takes
// `broadcast` with at most 4 collapsed dims whose innermost one is contiguous (or a scalar) in
// each operand. Loops are serial: parallel element-wise loops measured slower on 2 cores.
#include "common.h"
#include "vmath.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

// Operand dtypes, as the JS side numbers them.
enum { DT_F32 = 0, DT_I32 = 1, DT_BOOL = 2 };

// Binary ops; EQ..LE give bool, AND/OR take bool.
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN, B_SQDIFF, B_POW, B_EQ, B_NE, B_GT, B_GE, B_LT, B_LE, B_AND, B_OR, B_COUNT };

// Unary ops; ISFINITE/ISNAN/NOT and CAST_BOOL give bool, CAST_* convert to that dtype.
enum { U_EXP, U_LOG, U_SQRT, U_RSQRT, U_SQUARE, U_NEG, U_ABS, U_RELU, U_STEP, U_SIGMOID, U_TANH, U_SOFTPLUS,
       U_ISFINITE, U_ISNAN, U_NOT, U_RECIPROCAL, U_CAST_F32, U_CAST_I32, U_CAST_BOOL, U_COUNT };

// How the two operands of one contiguous run are read: both element by element, or one of
// them as a single value repeated over the run.
enum { M_SAME = 0, M_A_SCALAR = 1, M_B_SCALAR = 2 };

static int dtype_bytes(int dt) { return dt == DT_BOOL ? 1 : 4; }

// ---------------------------------------------------------------------------------------------
// Scalar definitions of each op, with the CPU backend's (JavaScript's) semantics.

// Math.max/min: NaN if either is NaN; max(+0, -0) = +0, min(+0, -0) = -0 (equal operands are
// merged bitwise, which only changes a ±0 pair).
static inline float max_f32(float a, float b) {
  float r = a > b ? a : b;
  r = a == b ? f32_of_bits(bits_of_f32(a) & bits_of_f32(b)) : r;
  return a != a ? a : r;
}
static inline float min_f32(float a, float b) {
  float r = a < b ? a : b;
  r = a == b ? f32_of_bits(bits_of_f32(a) | bits_of_f32(b)) : r;
  return a != a ? a : r;
}
// (a - b)² in double, then rounded, as the CPU backend computes it.
static inline float sqdiff_f32(float a, float b) { const double d = (double)a - (double)b; return (float)(d * d); }
// Math.pow differs from C's pow only where C returns 1: pow(1, NaN) and pow(±1, ±Inf) are NaN.
static inline float pow_f32(float a, float b) {
  if (b != b || (fabsf(a) == 1.0f && isinf(b))) return NAN;
  return (float)pow((double)a, (double)b);
}
// int32 arithmetic wraps modulo 2^32 (what storing the double result in an Int32Array does).
static inline int32_t add_i32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static inline int32_t sub_i32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
static inline int32_t mul_i32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a * (uint32_t)b); }
static inline int32_t max_i32(int32_t a, int32_t b) { return a > b ? a : b; }
static inline int32_t min_i32(int32_t a, int32_t b) { return a < b ? a : b; }

// ToInt32 (Int32Array.from on float32 values): truncate, NaN/±Inf → 0, wrap modulo 2^32.
static inline int32_t f32_to_i32(float x) {
  if (fabsf(x) < 2147483648.0f) return (int32_t)x;
  if (!(fabsf(x) < 9.22337204e18f)) return 0;           // NaN, ±Inf, or a multiple of 2^40
  return (int32_t)(uint32_t)(uint64_t)(int64_t)x;
}

// 1/(1 + e^-x), written through e = e^-|x| ≤ 1 so that it never overflows: for x < 0 it is
// e/(1 + e), which stays accurate down to the subnormal results the CPU backend gives.
static inline float sigmoid_f32(float x) {
  const float e = sy_expf(-fabsf(x)), r = 1.0f / (1.0f + e);
  return x < 0.0f ? e * r : r;
}
// tf.nn.softplus as the CPU backend writes it (thresholds at log(float eps) + 2), in double.
static inline float softplus_f32(float x) {
  const double t = -13.942385152878742, xd = x;          // Math.log(2^-23) + 2
  if (xd < t) return (float)exp(xd);
  if (xd > -t) return x;
  return (float)log1p(exp(xd));
}

// ---------------------------------------------------------------------------------------------
// One contiguous run of a binary op: out[i] = F(a[i·sa], b[i·sb]) where at most one of a, b
// is a repeated scalar. One function per (op, dtype) with restrict parameters, so gcc
// vectorises each loop without runtime alias checks (tfjs outputs never alias inputs).

typedef void (*run_fn)(const void *a, const void *b, void *o, int64_t n, int mode);

#define DEF_RUN(NAME, TA, TO, F) \
  static void NAME(const void *restrict a, const void *restrict b, void *restrict o, int64_t n, int mode) { \
    const TA *restrict A = (const TA *)a, *restrict B = (const TA *)b; TO *restrict O = (TO *)o; \
    if (mode == M_SAME) { for (int64_t i = 0; i < n; i++) O[i] = F(A[i], B[i]); } \
    else if (mode == M_A_SCALAR) { const TA x = A[0]; for (int64_t i = 0; i < n; i++) O[i] = F(x, B[i]); } \
    else { const TA y = B[0]; for (int64_t i = 0; i < n; i++) O[i] = F(A[i], y); } \
  }

#define OP_ADD(x, y) ((x) + (y))
#define OP_SUB(x, y) ((x) - (y))
#define OP_MUL(x, y) ((x) * (y))
#define OP_DIV(x, y) ((x) / (y))
#define OP_EQ(x, y) ((uint8_t)((x) == (y)))
#define OP_NE(x, y) ((uint8_t)((x) != (y)))
#define OP_GT(x, y) ((uint8_t)((x) > (y)))
#define OP_GE(x, y) ((uint8_t)((x) >= (y)))
#define OP_LT(x, y) ((uint8_t)((x) < (y)))
#define OP_LE(x, y) ((uint8_t)((x) <= (y)))
#define OP_AND(x, y) ((uint8_t)(((x) != 0) & ((y) != 0)))
#define OP_OR(x, y) ((uint8_t)(((x) != 0) | ((y) != 0)))

#define DEF_COMPARE(SUFFIX, TA) \
  DEF_RUN(eq_##SUFFIX, TA, uint8_t, OP_EQ) DEF_RUN(ne_##SUFFIX, TA, uint8_t, OP_NE) \
  DEF_RUN(gt_##SUFFIX, TA, uint8_t, OP_GT) DEF_RUN(ge_##SUFFIX, TA, uint8_t, OP_GE) \
  DEF_RUN(lt_##SUFFIX, TA, uint8_t, OP_LT) DEF_RUN(le_##SUFFIX, TA, uint8_t, OP_LE)

DEF_RUN(add_f32_run, float, float, OP_ADD)
DEF_RUN(sub_f32_run, float, float, OP_SUB)
DEF_RUN(mul_f32_run, float, float, OP_MUL)
DEF_RUN(div_f32_run, float, float, OP_DIV)
DEF_RUN(max_f32_run, float, float, max_f32)
DEF_RUN(min_f32_run, float, float, min_f32)
DEF_RUN(sqdiff_f32_run, float, float, sqdiff_f32)
DEF_RUN(pow_f32_run, float, float, pow_f32)
DEF_COMPARE(f32, float)
DEF_RUN(add_i32_run, int32_t, int32_t, add_i32)
DEF_RUN(sub_i32_run, int32_t, int32_t, sub_i32)
DEF_RUN(mul_i32_run, int32_t, int32_t, mul_i32)
DEF_RUN(max_i32_run, int32_t, int32_t, max_i32)
DEF_RUN(min_i32_run, int32_t, int32_t, min_i32)
DEF_COMPARE(i32, int32_t)
DEF_RUN(and_b_run, uint8_t, uint8_t, OP_AND)
DEF_RUN(or_b_run, uint8_t, uint8_t, OP_OR)
DEF_COMPARE(b, uint8_t)

// [op][dtype]; NULL where there is no native loop (the JS side falls back to tfjs there).
static const run_fn RUNS[B_COUNT][3] = {
  [B_ADD] = { add_f32_run, add_i32_run, NULL },
  [B_SUB] = { sub_f32_run, sub_i32_run, NULL },
  [B_MUL] = { mul_f32_run, mul_i32_run, NULL },
  [B_DIV] = { div_f32_run, NULL, NULL },
  [B_MAX] = { max_f32_run, max_i32_run, NULL },
  [B_MIN] = { min_f32_run, min_i32_run, NULL },
  [B_SQDIFF] = { sqdiff_f32_run, NULL, NULL },
  [B_POW] = { pow_f32_run, NULL, NULL },
  [B_EQ] = { eq_f32, eq_i32, eq_b },
  [B_NE] = { ne_f32, ne_i32, ne_b },
  [B_GT] = { gt_f32, gt_i32, gt_b },
  [B_GE] = { ge_f32, ge_i32, ge_b },
  [B_LT] = { lt_f32, lt_i32, lt_b },
  [B_LE] = { le_f32, le_i32, le_b },
  [B_AND] = { NULL, NULL, and_b_run },
  [B_OR] = { NULL, NULL, or_b_run },
};

static run_fn binary_fn(int op, int dt) {
  return op >= 0 && op < B_COUNT && dt >= 0 && dt < 3 ? RUNS[op][dt] : NULL;
}

static int binary_out_bytes(int op, int dt) { return op >= B_EQ ? 1 : dtype_bytes(dt); }

static bool parse_op_dtype(napi_env env, const char *name, double op, double dt, bool ok) {
  if (!ok || op != (int)op || dt != (int)dt) {
    char msg[120];
    snprintf(msg, sizeof msg, "%s: unsupported op %.0f for dtype %.0f", name, op, dt);
    napi_throw_range_error(env, NULL, msg);
    return false;
  }
  return true;
}

// binary(op, dtype, aOff, bOff, outOff, n, mode)
//   out[i] = op(a[i], b[i]) for i < n; mode 1 reads a as one scalar, mode 2 reads b as one.
static napi_value Binary(napi_env env, napi_callback_info info) {
  double v[7];
  if (!sy_args(env, info, "binary", 7, v)) return NULL;
  const int op = (int)v[0], dt = (int)v[1], mode = (int)v[6];
  const run_fn run = binary_fn(op, dt);
  if (!parse_op_dtype(env, "binary", v[0], v[1], run != NULL)) return NULL;
  const double n = v[5], eb = dtype_bytes(dt);
  if (!(n >= 0 && n == (int64_t)n) || !(mode == M_SAME || mode == M_A_SCALAR || mode == M_B_SCALAR)) {
    napi_throw_range_error(env, NULL, "binary: bad length or mode");
    return NULL;
  }
  if (n == 0) return NULL;
  if (!sy_in_heap(env, "binary a", v[2], mode == M_A_SCALAR ? eb : n * eb, (int)eb)) return NULL;
  if (!sy_in_heap(env, "binary b", v[3], mode == M_B_SCALAR ? eb : n * eb, (int)eb)) return NULL;
  const int ob = binary_out_bytes(op, dt);
  if (!sy_in_heap(env, "binary out", v[4], n * ob, ob)) return NULL;
  run(sy_heap + (int64_t)v[2], sy_heap + (int64_t)v[3], sy_heap + (int64_t)v[4], (int64_t)n, mode);
  return NULL;
}

// broadcast(op, dtype, aOff, bOff, outOff, d0, d1, d2, d3, sa0, sa1, sa2, sa3, sb0, sb1, sb2, sb3)
//   Output [d0, d1, d2, d3] row-major; a[i0..i3] is at aOff + Σ i_k·sa_k elements (0 where a is
//   broadcast), b likewise. The innermost strides must be 1 or 0 (0: that operand repeats one
//   value along the run), not both 0.
static napi_value Broadcast(napi_env env, napi_callback_info info) {
  double v[17];
  if (!sy_args(env, info, "broadcast", 17, v)) return NULL;
  const int op = (int)v[0], dt = (int)v[1];
  const run_fn run = binary_fn(op, dt);
  if (!parse_op_dtype(env, "broadcast", v[0], v[1], run != NULL)) return NULL;
  int64_t d[4], sa[4], sb[4];
  double lastA = 0, lastB = 0, total = 1; // largest element index read in a and b, output size
  for (int k = 0; k < 4; k++) {
    if (!(v[5 + k] >= 0 && v[9 + k] >= 0 && v[13 + k] >= 0)) { napi_throw_range_error(env, NULL, "broadcast: negative dim or stride"); return NULL; }
    d[k] = (int64_t)v[5 + k]; sa[k] = (int64_t)v[9 + k]; sb[k] = (int64_t)v[13 + k];
    total *= v[5 + k];
    if (d[k] > 0) { lastA += (double)(d[k] - 1) * v[9 + k]; lastB += (double)(d[k] - 1) * v[13 + k]; }
  }
  if (total == 0) return NULL;
  if (sa[3] > 1 || sb[3] > 1 || (sa[3] == 0 && sb[3] == 0 && d[3] > 1)) { napi_throw_range_error(env, NULL, "broadcast: innermost strides must be 0 or 1"); return NULL; }
  const int eb = dtype_bytes(dt), ob = binary_out_bytes(op, dt);
  if (!sy_in_heap(env, "broadcast a", v[2], (lastA + 1) * eb, eb)) return NULL;
  if (!sy_in_heap(env, "broadcast b", v[3], (lastB + 1) * eb, eb)) return NULL;
  if (!sy_in_heap(env, "broadcast out", v[4], total * ob, ob)) return NULL;
  const int mode = sa[3] == 0 ? M_A_SCALAR : (sb[3] == 0 ? M_B_SCALAR : M_SAME);
  const uint8_t *a = sy_heap + (int64_t)v[2], *b = sy_heap + (int64_t)v[3];
  uint8_t *o = sy_heap + (int64_t)v[4];
  int64_t row = 0;
  for (int64_t i0 = 0; i0 < d[0]; i0++)
    for (int64_t i1 = 0; i1 < d[1]; i1++)
      for (int64_t i2 = 0; i2 < d[2]; i2++, row++) {
        const int64_t ea = i0 * sa[0] + i1 * sa[1] + i2 * sa[2], eb2 = i0 * sb[0] + i1 * sb[1] + i2 * sb[2];
        run(a + ea * eb, b + eb2 * eb, o + row * d[3] * ob, d[3], mode);
      }
  return NULL;
}

// ---------------------------------------------------------------------------------------------
// Unary ops.

typedef void (*unary_fn)(const void *x, void *o, int64_t n, float alpha);

#define DEF_UNARY(NAME, TX, TO, F) \
  static void NAME(const void *restrict x, void *restrict o, int64_t n, float alpha) { \
    const TX *restrict X = (const TX *)x; TO *restrict O = (TO *)o; \
    (void)alpha; \
    for (int64_t i = 0; i < n; i++) O[i] = F(X[i], alpha); \
  }

// Each takes (x, alpha); only Step reads alpha (its value for x ≤ 0).
#define U_EXP_F(x, al) sy_expf(x)
#define U_LOG_F(x, al) sy_logf(x)
#define U_SQRT_F(x, al) sqrtf(x)
#define U_RSQRT_F(x, al) ((float)(1.0 / sqrt((double)(x))))
#define U_SQUARE_F(x, al) ((x) * (x))
#define U_NEG_F(x, al) (-(x))
#define U_ABS_F(x, al) fabsf(x)
#define U_RELU_F(x, al) (!((x) <= 0.0f) ? (x) : 0.0f)  // NaN stays NaN, -0 becomes +0 (Math.max(0, x))
#define U_STEP_F(x, al) ((x) != (x) ? (x) : ((x) > 0.0f ? 1.0f : (al)))
#define U_SIGMOID_F(x, al) sigmoid_f32(x)
#define U_TANH_F(x, al) ((float)tanh((double)(x)))
#define U_SOFTPLUS_F(x, al) softplus_f32(x)
#define U_ISFINITE_F(x, al) ((uint8_t)((bits_of_f32(x) & 0x7f800000u) != 0x7f800000u))
#define U_ISNAN_F(x, al) ((uint8_t)((x) != (x)))
#define U_RECIPROCAL_F(x, al) (1.0f / (x))
#define U_TO_I32_F(x, al) f32_to_i32(x)
#define U_NONZERO(x, al) ((uint8_t)((x) != 0))
#define U_NOT_B(x, al) ((uint8_t)((x) == 0))
#define U_NEG_I(x, al) ((int32_t)(0u - (uint32_t)(x)))
#define U_RELU_I(x, al) ((x) > 0 ? (x) : 0)
#define U_TO_F32(x, al) ((float)(x))
#define U_TO_I32(x, al) ((int32_t)(x))

DEF_UNARY(exp_f32, float, float, U_EXP_F)
DEF_UNARY(log_f32, float, float, U_LOG_F)
DEF_UNARY(sqrt_f32, float, float, U_SQRT_F)
DEF_UNARY(rsqrt_f32, float, float, U_RSQRT_F)
DEF_UNARY(square_f32, float, float, U_SQUARE_F)
DEF_UNARY(neg_f32, float, float, U_NEG_F)
DEF_UNARY(abs_f32, float, float, U_ABS_F)
DEF_UNARY(relu_f32, float, float, U_RELU_F)
DEF_UNARY(step_f32, float, float, U_STEP_F)
DEF_UNARY(sigmoid_f32_run, float, float, U_SIGMOID_F)
DEF_UNARY(tanh_f32, float, float, U_TANH_F)
DEF_UNARY(softplus_f32_run, float, float, U_SOFTPLUS_F)
DEF_UNARY(isfinite_f32, float, uint8_t, U_ISFINITE_F)
DEF_UNARY(isnan_f32, float, uint8_t, U_ISNAN_F)
DEF_UNARY(reciprocal_f32, float, float, U_RECIPROCAL_F)
DEF_UNARY(f32_to_i32_run, float, int32_t, U_TO_I32_F)
DEF_UNARY(f32_to_bool, float, uint8_t, U_NONZERO)
DEF_UNARY(neg_i32, int32_t, int32_t, U_NEG_I)
DEF_UNARY(relu_i32, int32_t, int32_t, U_RELU_I)
DEF_UNARY(i32_to_f32, int32_t, float, U_TO_F32)
DEF_UNARY(i32_to_bool, int32_t, uint8_t, U_NONZERO)
DEF_UNARY(not_bool, uint8_t, uint8_t, U_NOT_B)
DEF_UNARY(bool_to_f32, uint8_t, float, U_TO_F32)
DEF_UNARY(bool_to_i32, uint8_t, int32_t, U_TO_I32)

// [op][input dtype]; NULL where there is no native loop (a Cast to the same dtype is no copy:
// the JS side shares the input's buffer, as the CPU backend does).
static const unary_fn UNARIES[U_COUNT][3] = {
  [U_EXP] = { exp_f32, NULL, NULL },
  [U_LOG] = { log_f32, NULL, NULL },
  [U_SQRT] = { sqrt_f32, NULL, NULL },
  [U_RSQRT] = { rsqrt_f32, NULL, NULL },
  [U_SQUARE] = { square_f32, NULL, NULL },
  [U_NEG] = { neg_f32, neg_i32, NULL },
  [U_ABS] = { abs_f32, NULL, NULL },
  [U_RELU] = { relu_f32, relu_i32, NULL },
  [U_STEP] = { step_f32, NULL, NULL },
  [U_SIGMOID] = { sigmoid_f32_run, NULL, NULL },
  [U_TANH] = { tanh_f32, NULL, NULL },
  [U_SOFTPLUS] = { softplus_f32_run, NULL, NULL },
  [U_ISFINITE] = { isfinite_f32, NULL, NULL },
  [U_ISNAN] = { isnan_f32, NULL, NULL },
  [U_NOT] = { NULL, NULL, not_bool },
  [U_RECIPROCAL] = { reciprocal_f32, NULL, NULL },
  [U_CAST_F32] = { NULL, i32_to_f32, bool_to_f32 },
  [U_CAST_I32] = { f32_to_i32_run, NULL, bool_to_i32 },
  [U_CAST_BOOL] = { f32_to_bool, i32_to_bool, NULL },
};

static int unary_out_bytes(int op, int dt) {
  switch (op) {
    case U_ISFINITE: case U_ISNAN: case U_NOT: case U_CAST_BOOL: return 1;
    case U_CAST_F32: case U_CAST_I32: return 4;
    default: return dtype_bytes(dt);
  }
}

// unary(op, dtype, xOff, outOff, n, alpha): out[i] = op(x[i]); alpha is Step's value for x ≤ 0.
static napi_value Unary(napi_env env, napi_callback_info info) {
  double v[6];
  if (!sy_args(env, info, "unary", 6, v)) return NULL;
  const int op = (int)v[0], dt = (int)v[1];
  const unary_fn run = op >= 0 && op < U_COUNT && dt >= 0 && dt < 3 ? UNARIES[op][dt] : NULL;
  if (!parse_op_dtype(env, "unary", v[0], v[1], run != NULL)) return NULL;
  const double n = v[4];
  if (!(n >= 0 && n == (int64_t)n)) { napi_throw_range_error(env, NULL, "unary: bad length"); return NULL; }
  if (n == 0) return NULL;
  const int xb = dtype_bytes(dt), ob = unary_out_bytes(op, dt);
  if (!sy_in_heap(env, "unary x", v[2], n * xb, xb)) return NULL;
  if (!sy_in_heap(env, "unary out", v[3], n * ob, ob)) return NULL;
  run(sy_heap + (int64_t)v[2], sy_heap + (int64_t)v[3], (int64_t)n, (float)v[5]);
  return NULL;
}

// ---------------------------------------------------------------------------------------------
// Select and AddN.

#define DEF_SELECT(NAME, T) \
  static void NAME(const uint8_t *restrict c, const T *restrict t, const T *restrict e, T *restrict o, int64_t n) { \
    for (int64_t i = 0; i < n; i++) o[i] = c[i] ? t[i] : e[i]; \
  }
DEF_SELECT(select_32, uint32_t)
DEF_SELECT(select_8, uint8_t)

// select(dtype, condOff, tOff, eOff, outOff, n): out[i] = cond[i] ? t[i] : e[i] (cond is bool).
static napi_value Select(napi_env env, napi_callback_info info) {
  double v[6];
  if (!sy_args(env, info, "select", 6, v)) return NULL;
  const int dt = (int)v[0];
  if (!parse_op_dtype(env, "select", 0, v[0], dt == DT_F32 || dt == DT_I32 || dt == DT_BOOL)) return NULL;
  const double n = v[5];
  if (!(n >= 0 && n == (int64_t)n)) { napi_throw_range_error(env, NULL, "select: bad length"); return NULL; }
  if (n == 0) return NULL;
  const int eb = dtype_bytes(dt);
  if (!sy_in_heap(env, "select condition", v[1], n, 1) || !sy_in_heap(env, "select t", v[2], n * eb, eb) ||
      !sy_in_heap(env, "select e", v[3], n * eb, eb) || !sy_in_heap(env, "select out", v[4], n * eb, eb)) return NULL;
  if (eb == 4) select_32(SY_U8(v[1]), (const uint32_t *)SY_U8(v[2]), (const uint32_t *)SY_U8(v[3]), (uint32_t *)SY_U8(v[4]), (int64_t)n);
  else select_8(SY_U8(v[1]), SY_U8(v[2]), SY_U8(v[3]), SY_U8(v[4]), (int64_t)n);
  return NULL;
}

// out = (acc ? out : 0) + a + b + c + d, the first `count` inputs only (the others alias a and
// are not read), added left to right as the CPU backend does: bit-identical, -0 inputs included.
static void addn_f32(float *restrict o, const float *restrict a, const float *restrict b, const float *restrict c,
                     const float *restrict d, int count, bool acc, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    float s = (acc ? o[i] : 0.0f) + a[i];
    if (count > 1) s += b[i];
    if (count > 2) s += c[i];
    if (count > 3) s += d[i];
    o[i] = s;
  }
}
// int32 sums wrap modulo 2^32.
static void addn_i32(int32_t *restrict o, const int32_t *restrict a, const int32_t *restrict b, const int32_t *restrict c,
                     const int32_t *restrict d, int count, bool acc, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    uint32_t s = (acc ? (uint32_t)o[i] : 0u) + (uint32_t)a[i];
    if (count > 1) s += (uint32_t)b[i];
    if (count > 2) s += (uint32_t)c[i];
    if (count > 3) s += (uint32_t)d[i];
    o[i] = (int32_t)s;
  }
}

// addN(dtype, outOff, n, accumulate, count, x0, x1, x2, x3)
//   out = (accumulate ? out : 0) + x0 + … + x_{count-1} for 1 ≤ count ≤ 4; the JS side chains
//   calls (accumulate = 1) for longer lists.
static napi_value AddN(napi_env env, napi_callback_info info) {
  double v[9];
  if (!sy_args(env, info, "addN", 9, v)) return NULL;
  const int dt = (int)v[0], count = (int)v[4];
  const bool acc = v[3] != 0;
  if (!parse_op_dtype(env, "addN", 0, v[0], dt == DT_F32 || dt == DT_I32)) return NULL;
  const double n = v[2];
  if (!(n >= 0 && n == (int64_t)n) || !(count >= 1 && count <= 4)) { napi_throw_range_error(env, NULL, "addN: bad length or count"); return NULL; }
  if (n == 0) return NULL;
  if (!sy_in_heap(env, "addN out", v[1], n * 4, 4)) return NULL;
  double x[4];
  for (int j = 0; j < 4; j++) {
    x[j] = v[5 + (j < count ? j : 0)];
    if (j < count && !sy_in_heap(env, "addN input", x[j], n * 4, 4)) return NULL;
  }
  if (dt == DT_F32) addn_f32(SY_F32(v[1]), SY_F32(x[0]), SY_F32(x[1]), SY_F32(x[2]), SY_F32(x[3]), count, acc, (int64_t)n);
  else addn_i32(SY_I32(v[1]), SY_I32(x[0]), SY_I32(x[1]), SY_I32(x[2]), SY_I32(x[3]), count, acc, (int64_t)n);
  return NULL;
}

void sy_init_elementwise(napi_env env, napi_value exports) {
  sy_define(env, exports, "binary", Binary);
  sy_define(env, exports, "broadcast", Broadcast);
  sy_define(env, exports, "unary", Unary);
  sy_define(env, exports, "select", Select);
  sy_define(env, exports, "addN", AddN);
}
