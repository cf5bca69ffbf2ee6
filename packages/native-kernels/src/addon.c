// N-API entry of @switchyard/native-kernels: the heap, the thread count, and every kernel file's
// functions on one exports object (see common.h for the calling convention).
#include "common.h"
#include <stdio.h>
#include <cblas.h>
#include <omp.h>

uint8_t *sy_heap = NULL;
int64_t sy_heap_len = 0;
int sy_threads = 1;

bool sy_args(napi_env env, napi_callback_info info, const char *name, size_t n, double *out) {
  napi_value argv[32];
  size_t argc = 32;
  if (n > 32 || napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != n) {
    char msg[160];
    snprintf(msg, sizeof msg, "%s expects %zu arguments, got %zu", name, n, argc);
    napi_throw_type_error(env, NULL, msg);
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    bool flag;
    if (napi_get_value_double(env, argv[i], &out[i]) == napi_ok) continue;
    if (napi_get_value_bool(env, argv[i], &flag) == napi_ok) { out[i] = flag ? 1 : 0; continue; }
    {
      char msg[160];
      snprintf(msg, sizeof msg, "%s: argument %zu must be a number", name, i);
      napi_throw_type_error(env, NULL, msg);
      return false;
    }
  }
  return true;
}

bool sy_in_heap(napi_env env, const char *name, double off, double bytes, int align) {
  if (sy_heap == NULL) { napi_throw_error(env, NULL, "switchyard-native: setHeap was not called"); return false; }
  if (!(off >= 0 && bytes >= 0 && off + bytes <= (double)sy_heap_len) || ((int64_t)off % align) != 0) {
    char msg[200];
    snprintf(msg, sizeof msg, "%s: operand [%.0f, +%.0f) outside the heap of %lld bytes or misaligned", name, off, bytes, (long long)sy_heap_len);
    napi_throw_range_error(env, NULL, msg);
    return false;
  }
  return true;
}

void sy_define(napi_env env, napi_value exports, const char *name, napi_callback cb) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, NULL, &fn) == napi_ok) napi_set_named_property(env, exports, name, fn);
}

// setHeap(u8: Uint8Array over the whole WASM memory)
static napi_value SetHeap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  SY_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool is_ta = false;
  if (argc == 1) SY_CHECK(napi_is_typedarray(env, argv[0], &is_ta));
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (is_ta) SY_CHECK(napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL));
  if (!is_ta || type != napi_uint8_array) { napi_throw_type_error(env, NULL, "setHeap expects a Uint8Array"); return NULL; }
  sy_heap = (uint8_t *)data;
  sy_heap_len = (int64_t)length;
  return NULL;
}

// setThreads(n): the addon's OpenMP team; OpenBLAS stays at 1 thread (its own workers cost more
// to wake than small GEMMs save), the team splits batches and rows instead.
static napi_value SetThreads(napi_env env, napi_callback_info info) {
  double n;
  if (!sy_args(env, info, "setThreads", 1, &n)) return NULL;
  if (!(n >= 1 && n <= 256 && n == (int)n)) { napi_throw_range_error(env, NULL, "setThreads expects an integer in [1, 256]"); return NULL; }
  sy_threads = (int)n;
  omp_set_num_threads(sy_threads);
  openblas_set_num_threads(1);
  return NULL;
}

static napi_value GetThreads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  SY_CHECK(napi_create_int32(env, sy_threads, &out));
  return out;
}

static napi_value BlasThreads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  SY_CHECK(napi_create_int32(env, openblas_get_num_threads(), &out));
  return out;
}

static napi_value Config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  const char *cfg = openblas_get_config();
  SY_CHECK(napi_create_string_utf8(env, cfg ? cfg : "", NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value Init(napi_env env, napi_value exports) {
  openblas_set_num_threads(1);
  omp_set_num_threads(1);
  sy_define(env, exports, "setHeap", SetHeap);
  sy_define(env, exports, "setThreads", SetThreads);
  sy_define(env, exports, "getThreads", GetThreads);
  sy_define(env, exports, "blasThreads", BlasThreads);
  sy_define(env, exports, "config", Config);
  sy_init_gemm(env, exports);
  sy_init_elementwise(env, exports);
  sy_init_reduce(env, exports);
  sy_init_shape(env, exports);
  sy_init_fused(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
