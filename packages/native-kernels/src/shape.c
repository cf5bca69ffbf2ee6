// Shape and indexing kernels of the addon. Transpose, Slice, SplitV, Unpack, Concat, Pack, PadV2
// and Tile all copy an n-d box of elements from one stride pattern to another, so they share one
// strided-copy engine (`copyStrided`): it drops size-1 dims, merges dims that stay contiguous in
// both source and destination, and then copies contiguous runs (memcpy), tiles a 2-D transpose
// through cache-sized blocks, or, failing both, walks the last dim with its strides. Beside it:
// gather of rows (GatherV2), its gradient (UnsortedSegmentSum), one-hot and a constant fill (PadV2).
//
// Elements are 4 bytes (float32/int32, moved as raw bits so NaN payloads survive) or 1 byte (bool).
#include "common.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#ifdef __AVX__
#include <immintrin.h>
#endif

// Rank of a box after JS has built it (Tile of a rank-4 tensor needs 8); 4 + 3·9 = 31 arguments
// stays under sy_args' 32.
#define MAX_DIMS 9
// Side of the square blocks of a 2-D transpose: 32×32 4-byte elements are 4 KB per side, so a
// block of the source and one of the destination sit in L1 together.
#define TILE 32
// Runs at least this long are copied with memcpy; shorter ones with an inlined loop.
#define RUN_MEMCPY_BYTES 64

// Dims in destination order; n = extent, ss/ds = source/destination stride in elements.
typedef struct {
  int rank;
  int64_t n[MAX_DIMS], ss[MAX_DIMS], ds[MAX_DIMS];
} Box;

// Drop size-1 dims, then merge dim i into its outer neighbour when both strides continue across
// them (ss[i-1] = ss[i]·n[i] and ds[i-1] = ds[i]·n[i]): an attention transpose [B, S, H, dk] →
// [B, H, S, dk] stays 4-d, a whole-row slice becomes one run.
static void simplify(Box *b) {
  int m = 0;
  for (int i = 0; i < b->rank; i++) {
    if (b->n[i] == 1) continue;
    if (m > 0 && b->ss[m - 1] == b->ss[i] * b->n[i] && b->ds[m - 1] == b->ds[i] * b->n[i]) {
      b->n[m - 1] *= b->n[i];
      b->ss[m - 1] = b->ss[i];
      b->ds[m - 1] = b->ds[i];
    } else {
      b->n[m] = b->n[i]; b->ss[m] = b->ss[i]; b->ds[m] = b->ds[i];
      m++;
    }
  }
  b->rank = m;
}

// count runs of `bytes` contiguous bytes, the k-th from s + k·sstep to d + k·dstep.
static void copy_runs(const uint8_t *restrict s, uint8_t *restrict d, int64_t count, int64_t sstep, int64_t dstep, int64_t bytes) {
  for (int64_t k = 0; k < count; k++) memcpy(d + k * dstep, s + k * sstep, (size_t)bytes);
}

// d[i·dQ + j] = s[i + j·sL] for i in [i0, i1), j in [j0, j1), element by element: one block of a
// 2-D transpose whose source is contiguous along i and destination along j.
#define DEFINE_TILE_BLOCK(name, T)                                                                  \
  static inline void name(const T *restrict s, T *restrict d, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t sL, int64_t dQ) { \
    for (int64_t i = i0; i < i1; i++) {                                                             \
      const T *sp = s + i;                                                                          \
      T *dp = d + i * dQ;                                                                           \
      for (int64_t j = j0; j < j1; j++) dp[j] = sp[j * sL];                                         \
    }                                                                                               \
  }
DEFINE_TILE_BLOCK(block_u32, uint32_t)
DEFINE_TILE_BLOCK(block_u8, uint8_t)

#ifdef __AVX__
// One 8×8 block of 4-byte elements through registers: d[r·ds + c] = s[c·ss + r]. Lane shuffles
// only, so any bit pattern (NaN payloads, int32) is moved unchanged.
static inline void tr8x8(const uint32_t *s, int64_t ss, uint32_t *d, int64_t ds) {
  const float *f = (const float *)s;
  __m256 r0 = _mm256_loadu_ps(f), r1 = _mm256_loadu_ps(f + ss), r2 = _mm256_loadu_ps(f + 2 * ss), r3 = _mm256_loadu_ps(f + 3 * ss);
  __m256 r4 = _mm256_loadu_ps(f + 4 * ss), r5 = _mm256_loadu_ps(f + 5 * ss), r6 = _mm256_loadu_ps(f + 6 * ss), r7 = _mm256_loadu_ps(f + 7 * ss);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5), t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  r0 = _mm256_shuffle_ps(t0, t2, 0x44); r1 = _mm256_shuffle_ps(t0, t2, 0xEE); r2 = _mm256_shuffle_ps(t1, t3, 0x44); r3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  r4 = _mm256_shuffle_ps(t4, t6, 0x44); r5 = _mm256_shuffle_ps(t4, t6, 0xEE); r6 = _mm256_shuffle_ps(t5, t7, 0x44); r7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  float *o = (float *)d;
  _mm256_storeu_ps(o, _mm256_permute2f128_ps(r0, r4, 0x20));
  _mm256_storeu_ps(o + ds, _mm256_permute2f128_ps(r1, r5, 0x20));
  _mm256_storeu_ps(o + 2 * ds, _mm256_permute2f128_ps(r2, r6, 0x20));
  _mm256_storeu_ps(o + 3 * ds, _mm256_permute2f128_ps(r3, r7, 0x20));
  _mm256_storeu_ps(o + 4 * ds, _mm256_permute2f128_ps(r0, r4, 0x31));
  _mm256_storeu_ps(o + 5 * ds, _mm256_permute2f128_ps(r1, r5, 0x31));
  _mm256_storeu_ps(o + 6 * ds, _mm256_permute2f128_ps(r2, r6, 0x31));
  _mm256_storeu_ps(o + 7 * ds, _mm256_permute2f128_ps(r3, r7, 0x31));
}
#endif

// One TILE×TILE block of the 4-byte transpose: whole 8×8 blocks in registers (with AVX), the
// ragged right and bottom edges element by element.
static inline void tile_block_u32(const uint32_t *s, uint32_t *d, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t sL, int64_t dQ) {
#ifdef __AVX__
  const int64_t i8 = i0 + (i1 - i0) / 8 * 8, j8 = j0 + (j1 - j0) / 8 * 8;
  for (int64_t i = i0; i < i8; i += 8)
    for (int64_t j = j0; j < j8; j += 8) tr8x8(s + i + j * sL, sL, d + i * dQ + j, dQ);
  block_u32(s, d, i0, i8, j8, j1, sL, dQ);
  block_u32(s, d, i8, i1, j0, j1, sL, dQ);
#else
  block_u32(s, d, i0, i1, j0, j1, sL, dQ);
#endif
}

static inline void tile_block(int esz, const uint8_t *s, uint8_t *d, int64_t i0, int64_t Q, int64_t j0, int64_t L, int64_t sL, int64_t dQ) {
  const int64_t i1 = i0 + TILE < Q ? i0 + TILE : Q, j1 = j0 + TILE < L ? j0 + TILE : L;
  if (esz == 4) tile_block_u32((const uint32_t *)s, (uint32_t *)d, i0, i1, j0, j1, sL, dQ);
  else block_u8(s, d, i0, i1, j0, j1, sL, dQ);
}

// The Q×L transpose block by block. The inner sweep runs along the shorter side, so each sweep
// reads (or writes) one contiguous band: on cold [8000, 128] → [128, 8000] data this was 25%
// faster than a fixed order.
static void tile_plane(int esz, const uint8_t *s, uint8_t *d, int64_t Q, int64_t L, int64_t sL, int64_t dQ) {
  if (Q <= L) {
    for (int64_t j0 = 0; j0 < L; j0 += TILE)
      for (int64_t i0 = 0; i0 < Q; i0 += TILE) tile_block(esz, s, d, i0, Q, j0, L, sL, dQ);
  } else {
    for (int64_t i0 = 0; i0 < Q; i0 += TILE)
      for (int64_t j0 = 0; j0 < L; j0 += TILE) tile_block(esz, s, d, i0, Q, j0, L, sL, dQ);
  }
}

// The last two dims (or the last one when rank 1) element by element with any strides (0 too).
#define DEFINE_STRIDED(name, T)                                                                     \
  static void name(const T *restrict s, T *restrict d, int64_t A, int64_t sa, int64_t da, int64_t L, int64_t sl, int64_t dl) { \
    for (int64_t a = 0; a < A; a++) {                                                               \
      const T *sp = s + a * sa;                                                                     \
      T *dp = d + a * da;                                                                           \
      for (int64_t j = 0; j < L; j++) dp[j * dl] = sp[j * sl];                                      \
    }                                                                                               \
  }
DEFINE_STRIDED(strided_u32, uint32_t)
DEFINE_STRIDED(strided_u8, uint8_t)

enum Leaf { RUNS, TILE2D, STRIDED };

// Copy the (simplified) box: the innermost one or two dims are the leaf, an odometer walks the rest.
static void run_box(const Box *b, int esz, const uint8_t *src, uint8_t *dst) {
  const int r = b->rank;
  if (r == 0) { memcpy(dst, src, (size_t)esz); return; }
  const int last = r - 1;
  enum Leaf leaf;
  int q = -1; // the other leaf dim
  if (b->ss[last] == 1 && b->ds[last] == 1) {
    leaf = RUNS;
    q = last - 1;
  } else {
    if (b->ds[last] == 1)
      for (int j = last - 1; j >= 0; j--) if (b->ss[j] == 1) { q = j; break; }
    if (q >= 0) leaf = TILE2D;
    else { leaf = STRIDED; q = last - 1; }
  }
  // Leaf extents: dim q (1 if absent) and the last dim.
  const int64_t Q = q >= 0 ? b->n[q] : 1, sq = q >= 0 ? b->ss[q] : 0, dq = q >= 0 ? b->ds[q] : 0;
  const int64_t L = b->n[last], sl = b->ss[last], dl = b->ds[last];
  int od[MAX_DIMS], c = 0;
  int64_t total = 1;
  for (int j = 0; j < last; j++) if (j != q) { od[c++] = j; total *= b->n[j]; }
  int64_t idx[MAX_DIMS] = {0};
  const uint8_t *s = src;
  uint8_t *d = dst;
  for (int64_t t = 0; t < total; t++) {
    switch (leaf) {
      case RUNS:
        if (Q == 1) memcpy(d, s, (size_t)(L * esz));
        else if (L * esz >= RUN_MEMCPY_BYTES) copy_runs(s, d, Q, sq * esz, dq * esz, L * esz);
        // Short runs: an inlined loop beats a memcpy call per run.
        else if (esz == 4) strided_u32((const uint32_t *)s, (uint32_t *)d, Q, sq, dq, L, 1, 1);
        else strided_u8(s, d, Q, sq, dq, L, 1, 1);
        break;
      case TILE2D:
        tile_plane(esz, s, d, Q, L, sl, dq);
        break;
      case STRIDED:
        if (esz == 4) strided_u32((const uint32_t *)s, (uint32_t *)d, Q, sq, dq, L, sl, dl);
        else strided_u8(s, d, Q, sq, dq, L, sl, dl);
        break;
    }
    for (int k = c - 1; k >= 0; k--) {
      const int j = od[k];
      s += b->ss[j] * esz;
      d += b->ds[j] * esz;
      if (++idx[k] < b->n[j]) break;
      s -= b->ss[j] * b->n[j] * esz;
      d -= b->ds[j] * b->n[j] * esz;
      idx[k] = 0;
    }
  }
}

static bool elem_size_ok(napi_env env, const char *name, double esz) {
  if (esz == 4 || esz == 1) return true;
  char msg[120];
  snprintf(msg, sizeof msg, "%s: element size must be 1 or 4 bytes, got %g", name, esz);
  napi_throw_range_error(env, NULL, msg);
  return false;
}

// copyStrided(esz, rank, srcOff, dstOff, n0, ss0, ds0, n1, ss1, ds1, …)
//   For every index (i0, …) < (n0, …): dst[Σ ik·dsk] = src[Σ ik·ssk], strides in elements of esz
//   bytes (1 or 4), offsets in bytes; strides ≥ 0 (0 repeats a source element, as Tile needs).
static napi_value CopyStrided(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  SY_CHECK(napi_get_cb_info(env, info, &argc, NULL, NULL, NULL));
  if (argc < 4 || (argc - 4) % 3 != 0 || (argc - 4) / 3 > MAX_DIMS) {
    napi_throw_type_error(env, NULL, "copyStrided expects esz, rank, srcOff, dstOff and rank ≤ 9 triples (n, srcStride, dstStride)");
    return NULL;
  }
  double v[4 + 3 * MAX_DIMS];
  if (!sy_args(env, info, "copyStrided", argc, v)) return NULL;
  if (!elem_size_ok(env, "copyStrided", v[0])) return NULL;
  const int esz = (int)v[0];
  Box b;
  b.rank = (int)((argc - 4) / 3);
  if (v[1] != b.rank) { napi_throw_type_error(env, NULL, "copyStrided: rank does not match the number of triples"); return NULL; }
  // Highest element index touched on each side (every n ≥ 1 here; an empty box copies nothing).
  double sMax = 0, dMax = 0;
  for (int i = 0; i < b.rank; i++) {
    const double n = v[4 + 3 * i], ss = v[5 + 3 * i], ds = v[6 + 3 * i];
    if (!(n >= 0 && ss >= 0 && ds >= 0 && n == (int64_t)n && ss == (int64_t)ss && ds == (int64_t)ds)) {
      napi_throw_range_error(env, NULL, "copyStrided: extents and strides must be non-negative integers");
      return NULL;
    }
    if (n == 0) return NULL;
    b.n[i] = (int64_t)n; b.ss[i] = (int64_t)ss; b.ds[i] = (int64_t)ds;
    sMax += (n - 1) * ss;
    dMax += (n - 1) * ds;
  }
  if (!sy_in_heap(env, "copyStrided source", v[2], (sMax + 1) * esz, esz)) return NULL;
  if (!sy_in_heap(env, "copyStrided destination", v[3], (dMax + 1) * esz, esz)) return NULL;
  simplify(&b);
  run_box(&b, esz, SY_U8(v[2]), SY_U8(v[3]));
  return NULL;
}

// The bits of `value` as an element of kind 0 float32, 1 int32, 2 bool/uint8 (1 byte, in the low
// byte), converted as an Int32Array/Uint8Array store converts it (JS ToInt32: NaN and ±Inf → 0,
// truncation, modulo 2^32; the low byte of that for uint8).
static uint32_t element_bits(int kind, double value) {
  if (kind == 0) {
    const float f = (float)value;
    uint32_t b;
    memcpy(&b, &f, 4);
    return b;
  }
  if (!isfinite(value)) return 0;
  double m = fmod(trunc(value), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  const uint32_t u = (uint32_t)m;
  return kind == 1 ? u : (u & 0xff);
}

// count elements of esz bytes (4 or 1) set to `bits`.
static void fill_bits(uint8_t *d, int64_t count, int esz, uint32_t bits) {
  if (esz == 1 || bits == 0) { memset(d, (int)(bits & 0xff), (size_t)(count * esz)); return; }
  uint32_t *restrict o = (uint32_t *)d;
  for (int64_t i = 0; i < count; i++) o[i] = bits;
}

static bool kind_ok(napi_env env, const char *name, double kind) {
  if (kind == 0 || kind == 1 || kind == 2) return true;
  char msg[120];
  snprintf(msg, sizeof msg, "%s: kind must be 0 (float32), 1 (int32) or 2 (bool), got %g", name, kind);
  napi_throw_range_error(env, NULL, msg);
  return false;
}

// fillValue(kind, off, count, value): count elements of kind 0 float32 / 1 int32 / 2 bool at
// byte off (PadV2's border).
static napi_value FillValue(napi_env env, napi_callback_info info) {
  double v[4];
  if (!sy_args(env, info, "fillValue", 4, v)) return NULL;
  if (!kind_ok(env, "fillValue", v[0])) return NULL;
  const int kind = (int)v[0], esz = kind == 2 ? 1 : 4;
  if (!(v[2] >= 0)) { napi_throw_range_error(env, NULL, "fillValue: negative count"); return NULL; }
  if (!sy_in_heap(env, "fillValue output", v[1], v[2] * esz, esz)) return NULL;
  fill_bits(SY_U8(v[1]), (int64_t)v[2], esz, element_bits(kind, v[3]));
  return NULL;
}

// gather(esz, outer, dim, inner, xOff, idxOff, count, outOff)
//   x [outer, dim, inner], indices [count] int32 → out [outer, count, inner]. Every index must be
//   in [0, dim): otherwise nothing is written and an Error is thrown with GatherV2's message.
static napi_value Gather(napi_env env, napi_callback_info info) {
  double v[8];
  if (!sy_args(env, info, "gather", 8, v)) return NULL;
  if (!elem_size_ok(env, "gather", v[0])) return NULL;
  const int esz = (int)v[0];
  const int64_t outer = (int64_t)v[1], dim = (int64_t)v[2], inner = (int64_t)v[3], count = (int64_t)v[6];
  if (outer < 0 || dim < 0 || inner < 0 || count < 0) { napi_throw_range_error(env, NULL, "gather: negative dimension"); return NULL; }
  if (!sy_in_heap(env, "gather x", v[4], (double)outer * dim * inner * esz, esz)) return NULL;
  if (!sy_in_heap(env, "gather indices", v[5], (double)count * 4, 4)) return NULL;
  if (!sy_in_heap(env, "gather output", v[7], (double)outer * count * inner * esz, esz)) return NULL;
  const int32_t *restrict ix = SY_I32(v[5]);
  for (int64_t i = 0; i < count; i++) {
    if (ix[i] < 0 || ix[i] >= dim) {
      char msg[160];
      snprintf(msg, sizeof msg, "GatherV2: the index value %d is not in [0, %lld]", ix[i], (long long)(dim - 1));
      napi_throw_error(env, NULL, msg);
      return NULL;
    }
  }
  const uint8_t *x = SY_U8(v[4]);
  uint8_t *out = SY_U8(v[7]);
  const int64_t row = inner * esz;
  for (int64_t o = 0; o < outer; o++) {
    const uint8_t *xs = x + o * dim * row;
    uint8_t *d = out + o * count * row;
    if (inner == 1 && esz == 4) {
      // Scalar rows ([N] tables indexed by token): a plain indexed load.
      const uint32_t *restrict xs4 = (const uint32_t *)xs;
      uint32_t *restrict d4 = (uint32_t *)d;
      for (int64_t i = 0; i < count; i++) d4[i] = xs4[ix[i]];
    } else {
      for (int64_t i = 0; i < count; i++) memcpy(d + i * row, xs + ix[i] * row, (size_t)row);
    }
  }
  return NULL;
}

// unsortedSegmentSum(isInt, n, inner, xOff, idsOff, numSegments, outOff)
//   x [n, inner] float32 (int32 if isInt), ids [n] int32 → out [numSegments, inner] (zeroed
//   here): out[ids[i]] += x[i] in order of i, rows with ids outside [0, numSegments) dropped as TF
//   does. One pass over x.
static napi_value UnsortedSegmentSum(napi_env env, napi_callback_info info) {
  double v[7];
  if (!sy_args(env, info, "unsortedSegmentSum", 7, v)) return NULL;
  const bool isInt = v[0] != 0;
  const int64_t n = (int64_t)v[1], inner = (int64_t)v[2], segs = (int64_t)v[5];
  if (n < 0 || inner < 0 || segs < 0) { napi_throw_range_error(env, NULL, "unsortedSegmentSum: negative dimension"); return NULL; }
  if (!sy_in_heap(env, "unsortedSegmentSum x", v[3], (double)n * inner * 4, 4)) return NULL;
  if (!sy_in_heap(env, "unsortedSegmentSum segmentIds", v[4], (double)n * 4, 4)) return NULL;
  if (!sy_in_heap(env, "unsortedSegmentSum output", v[6], (double)segs * inner * 4, 4)) return NULL;
  const int32_t *restrict ids = SY_I32(v[4]);
  memset(SY_U8(v[6]), 0, (size_t)(segs * inner * 4));
  if (isInt) {
    const int32_t *x = SY_I32(v[3]);
    int32_t *out = SY_I32(v[6]);
    for (int64_t i = 0; i < n; i++) {
      const int64_t s = ids[i];
      if (s < 0 || s >= segs) continue;
      const int32_t *restrict xr = x + i * inner;
      int32_t *restrict orow = out + s * inner;
      // Wrapping int32 addition, as Int32Array does in the JS kernel.
      for (int64_t j = 0; j < inner; j++) orow[j] = (int32_t)((uint32_t)orow[j] + (uint32_t)xr[j]);
    }
  } else {
    const float *x = SY_F32(v[3]);
    float *out = SY_F32(v[6]);
    for (int64_t i = 0; i < n; i++) {
      const int64_t s = ids[i];
      if (s < 0 || s >= segs) continue;
      const float *restrict xr = x + i * inner;
      float *restrict orow = out + s * inner;
      for (int64_t j = 0; j < inner; j++) orow[j] += xr[j];
    }
  }
  return NULL;
}

// oneHot(kind, n, depth, idxOff, outOff, onValue, offValue)
//   indices [n] int32 → out [n, depth] of kind 0 float32 / 1 int32 / 2 bool: offValue everywhere,
//   onValue at (i, indices[i]) when 0 ≤ indices[i] < depth (a row of offValue otherwise).
static napi_value OneHot(napi_env env, napi_callback_info info) {
  double v[7];
  if (!sy_args(env, info, "oneHot", 7, v)) return NULL;
  if (!kind_ok(env, "oneHot", v[0])) return NULL;
  const int kind = (int)v[0], esz = kind == 2 ? 1 : 4;
  const int64_t n = (int64_t)v[1], depth = (int64_t)v[2];
  if (n < 0 || depth < 0) { napi_throw_range_error(env, NULL, "oneHot: negative dimension"); return NULL; }
  if (!sy_in_heap(env, "oneHot indices", v[3], (double)n * 4, 4)) return NULL;
  if (!sy_in_heap(env, "oneHot output", v[4], (double)n * depth * esz, esz)) return NULL;
  const int32_t *ix = SY_I32(v[3]);
  uint8_t *out = SY_U8(v[4]);
  const uint32_t on = element_bits(kind, v[5]);
  fill_bits(out, n * depth, esz, element_bits(kind, v[6]));
  for (int64_t i = 0; i < n; i++) {
    const int64_t c = ix[i];
    if (c < 0 || c >= depth) continue;
    memcpy(out + (i * depth + c) * esz, &on, (size_t)esz); // little-endian: the low byte for bool
  }
  return NULL;
}

void sy_init_shape(napi_env env, napi_value exports) {
  sy_define(env, exports, "copyStrided", CopyStrided);
  sy_define(env, exports, "fillValue", FillValue);
  sy_define(env, exports, "gather", Gather);
  sy_define(env, exports, "unsortedSegmentSum", UnsortedSegmentSum);
  sy_define(env, exports, "oneHot", OneHot);
}
