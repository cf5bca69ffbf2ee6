// (being written) kernels of shape.c
#include "common.h"

void sy_init_shape(napi_env env, napi_value exports) {
  (void)env; (void)exports;
}
