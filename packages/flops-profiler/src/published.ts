// The SparTMoE study's published FLOPs (docs/routers.md §4, flops_comparison.ipynb @ e6a24b6):
// torch.profiler(with_flops=True) over one eval forward of google/switch-base-16 with labels,
// 128 source / 64 target tokens, freshly initialised routers, sparse dispatch. Values are
// as printed (3 significant figures).

export const PUBLISHED_SETUP = {
  model: 'switch-base-16',
  sourceLength: 128,
  targetLength: 64,
  source: 'jinhonglin-ryan/SparTMoE @ e6a24b6, flops_comparison.ipynb (docs/routers.md §4)',
} as const;

/** FLOPs for k = 1…16 with the linear router, softmax, top-k. */
export const PUBLISHED_LINEAR_TOPK = [
  4.23e10, 5.32e10, 6.40e10, 7.49e10, 8.58e10, 9.67e10, 1.08e11, 1.18e11,
  1.29e11, 1.40e11, 1.51e11, 1.62e11, 1.73e11, 1.84e11, 1.95e11, 2.05e11,
] as const;

/** FLOPs for k = 1…16 with the attention router, softmax, top-k. */
export const PUBLISHED_ATTENTION_TOPK = [
  4.37e10, 5.45e10, 6.54e10, 7.63e10, 8.71e10, 9.80e10, 1.09e11, 1.20e11,
  1.31e11, 1.42e11, 1.52e11, 1.63e11, 1.74e11, 1.85e11, 1.96e11, 2.07e11,
] as const;

/** Sparsemax runs: the printed value and the value hard-coded in the notebook's plot. */
export const PUBLISHED_SPARSEMAX = {
  linear: { printed: 4.45e10, plotted: 4.52e10 },
  attention: { printed: 4.65e10, plotted: 4.84e10 },
} as const;
