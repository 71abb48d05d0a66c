// Sixteen bytes compared at once, for the Parser stage's hot loops (JSON strings, CSV fields,
// UTF-8 validation).
//
// Swift's SIMD types compile these comparisons to a loop over the lanes, and it has no way to
// turn a vector comparison into a bit mask (x86's `pmovmskb`); these few static inline
// functions do both, and Swift inlines them. x86_64 always has SSE2; elsewhere the portable
// loops give the same masks.
#ifndef CBYTESCAN_H
#define CBYTESCAN_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// Bit i is set when byte i of the 16 bytes at `bytes` (any alignment) is `a` or `b`.
static inline uint32_t cbytescan_either16(const void *bytes, uint8_t a, uint8_t b) {
#if defined(__SSE2__)
  __m128i v = _mm_loadu_si128((const __m128i *)bytes);
  __m128i matches = _mm_or_si128(
      _mm_cmpeq_epi8(v, _mm_set1_epi8((char)a)), _mm_cmpeq_epi8(v, _mm_set1_epi8((char)b)));
  return (uint32_t)_mm_movemask_epi8(matches);
#else
  const uint8_t *p = (const uint8_t *)bytes;
  uint32_t mask = 0;
  for (int i = 0; i < 16; i++) mask |= (uint32_t)(p[i] == a || p[i] == b) << i;
  return mask;
#endif
}

/// Two masks of the 16 bytes at `bytes` (any alignment) from one load: bit i of the low half
/// is set when byte i is `a`, bit i of the high half when it is `b`.
static inline uint64_t cbytescan_pair16(const void *bytes, uint8_t a, uint8_t b) {
#if defined(__SSE2__)
  __m128i v = _mm_loadu_si128((const __m128i *)bytes);
  uint32_t as = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)a)));
  uint32_t bs = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)b)));
  return (uint64_t)as | (uint64_t)bs << 32;
#else
  const uint8_t *p = (const uint8_t *)bytes;
  uint64_t masks = 0;
  for (int i = 0; i < 16; i++) masks |= (uint64_t)(p[i] == a) << i | (uint64_t)(p[i] == b) << (32 + i);
  return masks;
#endif
}

/// Whether the 64 bytes at `bytes` (any alignment) are all ASCII (below 0x80).
static inline int cbytescan_ascii64(const void *bytes) {
#if defined(__SSE2__)
  const __m128i *p = (const __m128i *)bytes;
  __m128i any = _mm_or_si128(
      _mm_or_si128(_mm_loadu_si128(p), _mm_loadu_si128(p + 1)),
      _mm_or_si128(_mm_loadu_si128(p + 2), _mm_loadu_si128(p + 3)));
  return _mm_movemask_epi8(any) == 0;
#else
  const uint8_t *p = (const uint8_t *)bytes;
  uint8_t any = 0;
  for (int i = 0; i < 64; i++) any |= p[i];
  return any < 0x80;
#endif
}

#endif
