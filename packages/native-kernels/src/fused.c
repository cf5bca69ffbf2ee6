// (being written) kernels of fused.c
#include "common.h"

void sy_init_fused(napi_env env, napi_value exports) {
  (void)env; (void)exports;
}
