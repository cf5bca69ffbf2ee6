// N-API binding: single-precision GEMM from the system BLAS (Debian libopenblas-dev) on a
// Float32Array that is usually the tfjs WASM heap itself, so operands are never copied.
// Operands are addressed by element offsets into that one array; everything is row-major.
#include <node_api.h>
#include <cblas.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "switchyard-native: N-API call failed: " #call); return NULL; } } while (0)

static bool get_i64(napi_env env, napi_value v, int64_t *out) {
  return napi_get_value_int64(env, v, out) == napi_ok;
}

// sgemm(heap, transA, transB, M, N, K, aOff, lda, bOff, ldb, cOff, ldc, beta)
//   C[M×N] = op(A)·op(B) + beta·C, op(A) is M×K, op(B) is K×N.
static napi_value Sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 13) { napi_throw_type_error(env, NULL, "sgemm expects 13 arguments"); return NULL; }
  bool is_ta = false;
  CHECK(napi_is_typedarray(env, argv[0], &is_ta));
  if (!is_ta) { napi_throw_type_error(env, NULL, "sgemm: heap must be a Float32Array"); return NULL; }
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL));
  if (type != napi_float32_array) { napi_throw_type_error(env, NULL, "sgemm: heap must be a Float32Array"); return NULL; }
  bool ta = false, tb = false;
  CHECK(napi_get_value_bool(env, argv[1], &ta));
  CHECK(napi_get_value_bool(env, argv[2], &tb));
  int64_t v[10];
  for (int i = 0; i < 9; i++) {
    if (!get_i64(env, argv[3 + i], &v[i])) { napi_throw_type_error(env, NULL, "sgemm: sizes and offsets must be numbers"); return NULL; }
  }
  double beta = 0;
  CHECK(napi_get_value_double(env, argv[12], &beta));
  const int64_t M = v[0], N = v[1], K = v[2], aOff = v[3], lda = v[4], bOff = v[5], ldb = v[6], cOff = v[7], ldc = v[8];
  if (M < 0 || N < 0 || K < 0 || aOff < 0 || bOff < 0 || cOff < 0) { napi_throw_range_error(env, NULL, "sgemm: negative size or offset"); return NULL; }
  // Bounds: the last element each operand touches must lie inside the array.
  const int64_t aRows = ta ? K : M, aCols = ta ? M : K, bRows = tb ? N : K, bCols = tb ? K : N;
  const int64_t n = (int64_t)length;
  if ((aRows > 0 && aCols > 0 && (lda < aCols || aOff + (aRows - 1) * lda + aCols > n)) ||
      (bRows > 0 && bCols > 0 && (ldb < bCols || bOff + (bRows - 1) * ldb + bCols > n)) ||
      (M > 0 && N > 0 && (ldc < N || cOff + (M - 1) * ldc + N > n))) {
    napi_throw_range_error(env, NULL, "sgemm: operand outside the array");
    return NULL;
  }
  if (M == 0 || N == 0) return NULL;
  float *heap = (float *)data;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              (int)M, (int)N, (int)K, 1.0f, heap + aOff, (int)(lda > 0 ? lda : 1), heap + bOff, (int)(ldb > 0 ? ldb : 1),
              (float)beta, heap + cOff, (int)ldc);
  return NULL;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int64_t n = 1;
  if (argc < 1 || !get_i64(env, argv[0], &n) || n < 1) { napi_throw_type_error(env, NULL, "setThreads expects a positive integer"); return NULL; }
  openblas_set_num_threads((int)n);
  return NULL;
}

static napi_value GetThreads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &out));
  return out;
}

static napi_value Config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  const char *cfg = openblas_get_config();
  CHECK(napi_create_string_utf8(env, cfg ? cfg : "", NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "sgemm", NULL, Sgemm, NULL, NULL, NULL, napi_default, NULL },
    { "setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_default, NULL },
    { "getThreads", NULL, GetThreads, NULL, NULL, NULL, napi_default, NULL },
    { "config", NULL, Config, NULL, NULL, NULL, napi_default, NULL },
  };
  CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
