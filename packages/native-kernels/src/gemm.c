// Batched single-precision GEMM from the system OpenBLAS on the WASM heap, split over the
// addon's OpenMP team: whole matrices per thread when the batch is at least the team, otherwise
// the rows (or columns) of each product. OpenBLAS runs single-threaded inside each piece.
#include "common.h"
#include <cblas.h>
#include <omp.h>

// Below this many multiply-adds a product stays on one thread (waking the team costs more).
#define PARALLEL_MIN_MACS (1 << 18)

static void one_gemm(bool ta, bool tb, int M, int N, int K, const float *a, int lda, const float *b, int ldb, float *c, int ldc, float beta) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              M, N, K, 1.0f, a, lda > 0 ? lda : 1, b, ldb > 0 ? ldb : 1, beta, c, ldc);
}

// gemm(transA, transB, M, N, K, batch, aOff, aStride, bOff, bStride, cOff, beta)
//   For i < batch: C_i[M×N] = op(A_i)·op(B_i) + beta·C_i, with A_i at aOff + i·aStride (bytes;
//   stride 0 shares one matrix), matrices contiguous row-major: A is [M,K] ([K,M] if transA),
//   B is [K,N] ([N,K] if transB), C_i at cOff + i·M·N·4.
static napi_value Gemm(napi_env env, napi_callback_info info) {
  double v[12];
  if (!sy_args(env, info, "gemm", 12, v)) return NULL;
  const bool ta = v[0] != 0, tb = v[1] != 0;
  const int64_t M = (int64_t)v[2], N = (int64_t)v[3], K = (int64_t)v[4], batch = (int64_t)v[5];
  const int64_t aOff = (int64_t)v[6], aStride = (int64_t)v[7], bOff = (int64_t)v[8], bStride = (int64_t)v[9], cOff = (int64_t)v[10];
  const float beta = (float)v[11];
  if (M < 0 || N < 0 || K < 0 || batch < 0 || aStride < 0 || bStride < 0 || M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) {
    napi_throw_range_error(env, NULL, "gemm: negative or oversized dimension");
    return NULL;
  }
  if (M == 0 || N == 0 || batch == 0) return NULL;
  const int64_t aBytes = M * K * 4, bBytes = K * N * 4, cBytes = M * N * 4;
  if (!sy_in_heap(env, "gemm A", (double)aOff, (double)((batch - 1) * aStride + aBytes), 4)) return NULL;
  if (!sy_in_heap(env, "gemm B", (double)bOff, (double)((batch - 1) * bStride + bBytes), 4)) return NULL;
  if (!sy_in_heap(env, "gemm C", (double)cOff, (double)(batch * cBytes), 4)) return NULL;
  if (K == 0) {
    // op(A)·op(B) is all zeros: C = beta·C.
    float *c = SY_F32(cOff);
    for (int64_t i = 0; i < batch * M * N; i++) c[i] = beta == 0 ? 0.0f : beta * c[i];
    return NULL;
  }
  const int lda = (int)(ta ? M : K), ldb = (int)(tb ? K : N), ldc = (int)N;
  const int threads = sy_threads;
  const int64_t macs = batch * M * N * K;
  if (threads <= 1 || macs < PARALLEL_MIN_MACS) {
    for (int64_t i = 0; i < batch; i++)
      one_gemm(ta, tb, (int)M, (int)N, (int)K, SY_F32(aOff + i * aStride), lda, SY_F32(bOff + i * bStride), ldb, SY_F32(cOff + i * cBytes), ldc, beta);
  } else if (batch >= threads) {
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t i = 0; i < batch; i++)
      one_gemm(ta, tb, (int)M, (int)N, (int)K, SY_F32(aOff + i * aStride), lda, SY_F32(bOff + i * bStride), ldb, SY_F32(cOff + i * cBytes), ldc, beta);
  } else {
    // Few large products: each thread takes a block of C's rows (or of its columns when M is small).
    const bool byRows = M >= N || M >= 4 * threads;
    for (int64_t i = 0; i < batch; i++) {
      const float *a = SY_F32(aOff + i * aStride), *b = SY_F32(bOff + i * bStride);
      float *c = SY_F32(cOff + i * cBytes);
      #pragma omp parallel num_threads(threads)
      {
        const int t = omp_get_thread_num(), nt = omp_get_num_threads();
        const int64_t total = byRows ? M : N;
        const int64_t lo = total * t / nt, hi = total * (t + 1) / nt;
        if (hi > lo) {
          if (byRows) // rows lo..hi of op(A): row-major A [M,K] → a + lo·lda; transposed [K,M] → a + lo.
            one_gemm(ta, tb, (int)(hi - lo), (int)N, (int)K, ta ? a + lo : a + lo * lda, lda, b, ldb, c + lo * ldc, ldc, beta);
          else        // columns lo..hi of op(B): [K,N] → b + lo; transposed [N,K] → b + lo·ldb.
            one_gemm(ta, tb, (int)M, (int)(hi - lo), (int)K, a, lda, tb ? b + lo * ldb : b + lo, ldb, c + lo, ldc, beta);
        }
      }
    }
  }
  return NULL;
}

void sy_init_gemm(napi_env env, napi_value exports) {
  sy_define(env, exports, "gemm", Gemm);
}
