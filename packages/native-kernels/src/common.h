// Shared by every kernel file of the addon: the WASM heap the kernels work on, argument parsing
// and bounds checks. Kernels address tensors by BYTE offsets into that one heap (tfjs-backend-wasm
// keeps every tensor there), so nothing is copied between JS and C.
#ifndef SWITCHYARD_COMMON_H
#define SWITCHYARD_COMMON_H
#include <node_api.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// The heap: base pointer and length in bytes, set by setHeap(Uint8Array over the WASM memory).
// JS calls setHeap again whenever the memory grows (the old buffer is detached then).
extern uint8_t *sy_heap;
extern int64_t sy_heap_len;
// Threads of the addon's own OpenMP team (OpenBLAS itself is held at 1 thread).
extern int sy_threads;

#define SY_CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "switchyard-native: N-API call failed: " #call); return NULL; } } while (0)

// Parse exactly n numeric (or boolean: 1/0) arguments into out[] (doubles carry every int32 and
// offset exactly).
// On failure a TypeError is pending and false is returned: the caller returns NULL.
bool sy_args(napi_env env, napi_callback_info info, const char *name, size_t n, double *out);

// True when [off, off+bytes) lies inside the heap and off is aligned to `align`; otherwise throws
// a RangeError naming the kernel and returns false.
bool sy_in_heap(napi_env env, const char *name, double off, double bytes, int align);

#define SY_F32(off) ((float *)(sy_heap + (int64_t)(off)))
#define SY_I32(off) ((int32_t *)(sy_heap + (int64_t)(off)))
#define SY_U8(off) ((uint8_t *)(sy_heap + (int64_t)(off)))

// Each kernel file adds its functions to the exports object.
void sy_define(napi_env env, napi_value exports, const char *name, napi_callback cb);
void sy_init_gemm(napi_env env, napi_value exports);
void sy_init_elementwise(napi_env env, napi_value exports);
void sy_init_reduce(napi_env env, napi_value exports);
void sy_init_shape(napi_env env, napi_value exports);
void sy_init_fused(napi_env env, napi_value exports);

#endif
