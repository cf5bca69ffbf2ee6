// (being written) kernels of reduce.c
#include "common.h"

void sy_init_reduce(napi_env env, napi_value exports) {
  (void)env; (void)exports;
}
