// (being written) kernels of elementwise.c
#include "common.h"

void sy_init_elementwise(napi_env env, napi_value exports) {
  (void)env; (void)exports;
}
