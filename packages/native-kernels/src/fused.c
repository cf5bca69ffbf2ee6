// Fused kernels that replace whole tfjs compositions of the train step: T5's RMSNorm
// and its gradient, sparse softmax cross-entropy over [N, V] logits and its gradient, one AdamW
// update per variable, and the per-tensor sum of squares / finiteness checks behind gradient
// clipping and the NaN guard. Each reads its operands once and writes fresh outputs (inputs may
// share heap buffers through zero-copy Identity, so nothing is updated in place).
//
// Dims: R rows, D row length (d_model), N tokens, V vocabulary.
#include "common.h"
#include "vmath.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Reductions are split over LANES independent accumulators so that gcc vectorises them without
// -ffast-math (which would let it reassociate, and break NaN/Inf semantics elsewhere). The lanes
// are combined in a fixed order, so results do not depend on the vector width.
#define LANES 16

// Rows of the cross-entropy handed to the OpenMP team only above this many logits.
#define PARALLEL_MIN_LOGITS (1 << 21)

// max_j row[j]; NaN compares false and is skipped here, but then reaches the sum of exp.
static float row_max(const float *restrict row, int64_t n) {
  float acc[LANES];
  for (int k = 0; k < LANES; k++) acc[k] = -INFINITY;
  int64_t j = 0;
  for (; j + LANES <= n; j += LANES)
    for (int k = 0; k < LANES; k++) acc[k] = row[j + k] > acc[k] ? row[j + k] : acc[k];
  float m = -INFINITY;
  for (int k = 0; k < LANES; k++) m = acc[k] > m ? acc[k] : m;
  for (; j < n; j++) m = row[j] > m ? row[j] : m;
  return m;
}

// Σ_j e^(row[j] − shift)
static float row_sum_exp(const float *restrict row, int64_t n, float shift) {
  float acc[LANES] = {0};
  int64_t j = 0;
  for (; j + LANES <= n; j += LANES)
    for (int k = 0; k < LANES; k++) acc[k] += sy_expf(row[j + k] - shift);
  float s = 0;
  for (int k = 0; k < LANES; k++) s += acc[k];
  for (; j < n; j++) s += sy_expf(row[j] - shift);
  return s;
}

// Σ_j a[j]·b[j] (b may be a), accumulated in double (for sums over whole gradients).
static double dot_f64(const float *restrict a, const float *restrict b, int64_t n) {
  double acc[LANES] = {0};
  int64_t j = 0;
  for (; j + LANES <= n; j += LANES)
    for (int k = 0; k < LANES; k++) acc[k] += (double)a[j + k] * (double)b[j + k];
  double s = 0;
  for (int k = 0; k < LANES; k++) s += acc[k];
  for (; j < n; j++) s += (double)a[j] * (double)b[j];
  return s;
}

// Σ_j a[j]·b[j] in float32: a d_model row is short, and float lanes halve the work of double ones.
static float dot_f32(const float *restrict a, const float *restrict b, int64_t n) {
  float acc[LANES] = {0};
  int64_t j = 0;
  for (; j + LANES <= n; j += LANES)
    for (int k = 0; k < LANES; k++) acc[k] += a[j + k] * b[j + k];
  float s = 0;
  for (int k = 0; k < LANES; k++) s += acc[k];
  for (; j < n; j++) s += a[j] * b[j];
  return s;
}

// 1/√(mean(x²) + eps) of one row, in float32 as T5LayerNorm computes it.
static float row_rstd(const float *restrict x, int64_t d, float eps) {
  return 1.0f / sqrtf(dot_f32(x, x, d) / (float)d + eps);
}

// rmsNorm(xOff, wOff, yOff, R, D, eps)
//   y[r, j] = (x[r, j] · rstd_r) · w[j], rstd_r = 1/√(mean_j x[r, j]² + eps). x, y [R, D]; w [D]
static napi_value RmsNorm(napi_env env, napi_callback_info info) {
  double a[6];
  if (!sy_args(env, info, "rmsNorm", 6, a)) return NULL;
  const int64_t R = (int64_t)a[3], D = (int64_t)a[4];
  const float eps = (float)a[5];
  if (R < 0 || D <= 0) { napi_throw_range_error(env, NULL, "rmsNorm: bad shape"); return NULL; }
  if (!sy_in_heap(env, "rmsNorm x", a[0], (double)(R * D * 4), 4) || !sy_in_heap(env, "rmsNorm weight", a[1], (double)(D * 4), 4) ||
      !sy_in_heap(env, "rmsNorm y", a[2], (double)(R * D * 4), 4)) return NULL;
  const float *restrict x = SY_F32(a[0]), *restrict w = SY_F32(a[1]);
  float *restrict y = SY_F32(a[2]);
  for (int64_t r = 0; r < R; r++) {
    const float *restrict xr = x + r * D;
    float *restrict yr = y + r * D;
    const float rstd = row_rstd(xr, D, eps);
    for (int64_t j = 0; j < D; j++) yr[j] = (xr[j] * rstd) * w[j];
  }
  return NULL;
}

// rmsNormGrad(dyOff, xOff, wOff, dxOff, dwOff, R, D, eps)
//   dx[r, k] = rstd·dy[r, k]·w[k] − x[r, k]·rstd³/D · Σ_j dy[r, j]·w[j]·x[r, j]   [R, D]
//   dw[j] = Σ_r dy[r, j]·(x[r, j]·rstd_r)                                            [D]
static napi_value RmsNormGrad(napi_env env, napi_callback_info info) {
  double a[8];
  if (!sy_args(env, info, "rmsNormGrad", 8, a)) return NULL;
  const int64_t R = (int64_t)a[5], D = (int64_t)a[6];
  const float eps = (float)a[7];
  if (R < 0 || D <= 0) { napi_throw_range_error(env, NULL, "rmsNormGrad: bad shape"); return NULL; }
  const double rowBytes = (double)(R * D * 4), wBytes = (double)(D * 4);
  if (!sy_in_heap(env, "rmsNormGrad dy", a[0], rowBytes, 4) || !sy_in_heap(env, "rmsNormGrad x", a[1], rowBytes, 4) ||
      !sy_in_heap(env, "rmsNormGrad weight", a[2], wBytes, 4) || !sy_in_heap(env, "rmsNormGrad dx", a[3], rowBytes, 4) ||
      !sy_in_heap(env, "rmsNormGrad dw", a[4], wBytes, 4)) return NULL;
  const float *restrict dy = SY_F32(a[0]), *restrict x = SY_F32(a[1]), *restrict w = SY_F32(a[2]);
  float *restrict dx = SY_F32(a[3]), *restrict dw = SY_F32(a[4]);
  // dw summed over rows in double: [D]
  double *restrict acc = calloc((size_t)D, sizeof(double));
  float *restrict gw = malloc((size_t)D * sizeof(float));
  if (!acc || !gw) { free(acc); free(gw); napi_throw_error(env, NULL, "rmsNormGrad: out of memory"); return NULL; }
  for (int64_t r = 0; r < R; r++) {
    const float *restrict xr = x + r * D, *restrict dyr = dy + r * D;
    float *restrict dxr = dx + r * D;
    const float rstd = row_rstd(xr, D, eps);
    for (int64_t j = 0; j < D; j++) gw[j] = dyr[j] * w[j];
    const float coef = rstd * rstd * rstd * dot_f32(gw, xr, D) / (float)D;
    for (int64_t j = 0; j < D; j++) {
      dxr[j] = rstd * gw[j] - xr[j] * coef;
      acc[j] += (double)(dyr[j] * (xr[j] * rstd));
    }
  }
  for (int64_t j = 0; j < D; j++) dw[j] = (float)acc[j];
  free(acc);
  free(gw);
  return NULL;
}

// Labels must index a column; checked before any work so a bad label throws cleanly.
static bool labels_in_range(napi_env env, const int32_t *lab, int64_t N, int64_t V) {
  for (int64_t n = 0; n < N; n++) {
    if (lab[n] < 0 || lab[n] >= V) {
      char msg[120];
      snprintf(msg, sizeof msg, "sparseCrossEntropy: label %d of row %lld is outside [0, %lld)", lab[n], (long long)n, (long long)V);
      napi_throw_range_error(env, NULL, msg);
      return false;
    }
  }
  return true;
}

// sparseCrossEntropy(logitsOff, labelsOff, scaleOff, statsOff, lossOff, N, V)
//   stats[n] = (max_n, Σ_j e^(l[n, j] − max_n))                                       [N, 2]
//   loss = Σ_n scale_n·(log Σ_j e^(l[n, j] − max_n) − (l[n, label_n] − max_n))          []
// (log-sum-exp minus the picked logit, each relative to the row max: no cancellation when the
// logits are large). The sum over rows runs in double, in row order, whatever the team size.
static napi_value SparseCrossEntropy(napi_env env, napi_callback_info info) {
  double a[7];
  if (!sy_args(env, info, "sparseCrossEntropy", 7, a)) return NULL;
  const int64_t N = (int64_t)a[5], V = (int64_t)a[6];
  if (N <= 0 || V <= 0) { napi_throw_range_error(env, NULL, "sparseCrossEntropy: empty logits"); return NULL; }
  if (!sy_in_heap(env, "sparseCrossEntropy logits", a[0], (double)(N * V * 4), 4) || !sy_in_heap(env, "sparseCrossEntropy labels", a[1], (double)(N * 4), 4) ||
      !sy_in_heap(env, "sparseCrossEntropy scale", a[2], (double)(N * 4), 4) || !sy_in_heap(env, "sparseCrossEntropy stats", a[3], (double)(N * 8), 4) ||
      !sy_in_heap(env, "sparseCrossEntropy loss", a[4], 4, 4)) return NULL;
  const float *restrict l = SY_F32(a[0]), *restrict scale = SY_F32(a[2]);
  const int32_t *restrict lab = SY_I32(a[1]);
  float *restrict stats = SY_F32(a[3]);
  if (!labels_in_range(env, lab, N, V)) return NULL;
  const int threads = sy_threads;
  #pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && N * V >= PARALLEL_MIN_LOGITS)
  for (int64_t n = 0; n < N; n++) {
    const float *restrict row = l + n * V;
    const float m = row_max(row, V);
    stats[2 * n] = m;
    stats[2 * n + 1] = row_sum_exp(row, V, m);
  }
  double loss = 0;
  for (int64_t n = 0; n < N; n++) {
    const float m = stats[2 * n];
    loss += (double)scale[n] * (log((double)stats[2 * n + 1]) - (double)(l[n * V + lab[n]] - m));
  }
  *SY_F32(a[4]) = (float)loss;
  return NULL;
}

// sparseCrossEntropyGrad(dyOff, logitsOff, labelsOff, scaleOff, statsOff, outOff, N, V)
//   out[n, j] = e^(l[n, j] − max_n)·(w_n / sum_n) − [j = label_n]·w_n, w_n = scale_n·dy   [N, V]
// i.e. (softmax − onehot)·w in one pass, from the forward's row stats.
static napi_value SparseCrossEntropyGrad(napi_env env, napi_callback_info info) {
  double a[8];
  if (!sy_args(env, info, "sparseCrossEntropyGrad", 8, a)) return NULL;
  const int64_t N = (int64_t)a[6], V = (int64_t)a[7];
  if (N <= 0 || V <= 0) { napi_throw_range_error(env, NULL, "sparseCrossEntropyGrad: empty logits"); return NULL; }
  if (!sy_in_heap(env, "sparseCrossEntropyGrad dy", a[0], 4, 4) || !sy_in_heap(env, "sparseCrossEntropyGrad logits", a[1], (double)(N * V * 4), 4) ||
      !sy_in_heap(env, "sparseCrossEntropyGrad labels", a[2], (double)(N * 4), 4) || !sy_in_heap(env, "sparseCrossEntropyGrad scale", a[3], (double)(N * 4), 4) ||
      !sy_in_heap(env, "sparseCrossEntropyGrad stats", a[4], (double)(N * 8), 4) || !sy_in_heap(env, "sparseCrossEntropyGrad out", a[5], (double)(N * V * 4), 4)) return NULL;
  const float dy = *SY_F32(a[0]);
  const float *restrict l = SY_F32(a[1]), *restrict scale = SY_F32(a[3]), *restrict stats = SY_F32(a[4]);
  const int32_t *restrict lab = SY_I32(a[2]);
  float *restrict out = SY_F32(a[5]);
  if (!labels_in_range(env, lab, N, V)) return NULL;
  const int threads = sy_threads;
  #pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && N * V >= PARALLEL_MIN_LOGITS)
  for (int64_t n = 0; n < N; n++) {
    const float *restrict row = l + n * V;
    float *restrict o = out + n * V;
    const float m = stats[2 * n], w = scale[n] * dy, c = w / stats[2 * n + 1];
    for (int64_t j = 0; j < V; j++) o[j] = sy_expf(row[j] - m) * c;
    o[lab[n]] -= w;
  }
  return NULL;
}

// One AdamW update in exactly the float32 operations (and order) of the tfjs composition in
// runtime's adamwStep: no fused multiply-adds, so fused and composed steps agree bit for bit.
__attribute__((optimize("fp-contract=off")))
static void adamw_loop(int64_t n, const float *restrict p, const float *restrict g, const float *restrict m, const float *restrict v,
                       float *restrict pOut, float *restrict mOut, float *restrict vOut,
                       float beta1, float c1, float beta2, float c2, float bc2Sqrt, float eps, float decay, float stepSize) {
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float m1 = m[i] * beta1 + gi * c1;
    const float v1 = v[i] * beta2 + (gi * gi) * c2;
    const float denom = sqrtf(v1) / bc2Sqrt + eps;
    mOut[i] = m1;
    vOut[i] = v1;
    pOut[i] = p[i] * decay - (m1 / denom) * stepSize;
  }
}

// adamw(pOff, gOff, mOff, vOff, pOutOff, mOutOff, vOutOff, n, beta1, c1, beta2, c2, bc2Sqrt, eps, decay, stepSize)
//   m' = m·β1 + g·c1 ; v' = v·β2 + g²·c2 ; p' = p·decay − (m' / (√v' / bc2Sqrt + eps))·stepSize
// where the caller folds the gradient scale into c1 = (1−β1)·s and c2 = (1−β2)·s², and decay is
// 1 − lr·wd (p·1 is exactly p, so no decay needs no branch).
static napi_value AdamW(napi_env env, napi_callback_info info) {
  double a[16];
  if (!sy_args(env, info, "adamw", 16, a)) return NULL;
  const int64_t n = (int64_t)a[7];
  if (n <= 0) { napi_throw_range_error(env, NULL, "adamw: empty tensors"); return NULL; }
  const double bytes = (double)(n * 4);
  static const char *names[7] = {"adamw param", "adamw grad", "adamw m", "adamw v", "adamw param out", "adamw m out", "adamw v out"};
  for (int i = 0; i < 7; i++) if (!sy_in_heap(env, names[i], a[i], bytes, 4)) return NULL;
  adamw_loop(n, SY_F32(a[0]), SY_F32(a[1]), SY_F32(a[2]), SY_F32(a[3]), SY_F32(a[4]), SY_F32(a[5]), SY_F32(a[6]),
             (float)a[8], (float)a[9], (float)a[10], (float)a[11], (float)a[12], (float)a[13], (float)a[14], (float)a[15]);
  return NULL;
}

// sumSquares(off, n) → Σ x² over n float32 values, in double (a NaN or Inf element gives NaN/Inf).
static napi_value SumSquares(napi_env env, napi_callback_info info) {
  double a[2];
  if (!sy_args(env, info, "sumSquares", 2, a)) return NULL;
  const int64_t n = (int64_t)a[1];
  if (n < 0) { napi_throw_range_error(env, NULL, "sumSquares: negative size"); return NULL; }
  if (!sy_in_heap(env, "sumSquares x", a[0], (double)(n * 4), 4)) return NULL;
  const float *x = SY_F32(a[0]);
  napi_value out;
  SY_CHECK(napi_create_double(env, n ? dot_f64(x, x, n) : 0.0, &out));
  return out;
}

// allFinite(off, n) → true when none of n float32 values is NaN or ±Inf. A value is non-finite
// when its exponent bits are all ones; adding one exponent step then carries into the sign bit.
static napi_value AllFinite(napi_env env, napi_callback_info info) {
  double a[2];
  if (!sy_args(env, info, "allFinite", 2, a)) return NULL;
  const int64_t n = (int64_t)a[1];
  if (n < 0) { napi_throw_range_error(env, NULL, "allFinite: negative size"); return NULL; }
  if (!sy_in_heap(env, "allFinite x", a[0], (double)(n * 4), 4)) return NULL;
  const uint32_t *restrict bits = (const uint32_t *)SY_I32(a[0]);
  uint32_t acc = 0;
  for (int64_t i = 0; i < n; i++) acc |= (bits[i] & 0x7f800000u) + 0x00800000u;
  napi_value out;
  SY_CHECK(napi_get_boolean(env, (acc & 0x80000000u) == 0, &out));
  return out;
}

void sy_init_fused(napi_env env, napi_value exports) {
  sy_define(env, exports, "rmsNorm", RmsNorm);
  sy_define(env, exports, "rmsNormGrad", RmsNormGrad);
  sy_define(env, exports, "sparseCrossEntropy", SparseCrossEntropy);
  sy_define(env, exports, "sparseCrossEntropyGrad", SparseCrossEntropyGrad);
  sy_define(env, exports, "adamw", AdamW);
  sy_define(env, exports, "sumSquares", SumSquares);
  sy_define(env, exports, "allFinite", AllFinite);
}
