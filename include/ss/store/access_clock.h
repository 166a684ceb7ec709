// The per-key access clock behind OBJECT IDLETIME: a 16-bit stamp in each
// entry header (Entry::access_stamp) and the arithmetic that writes and reads
// it. Redis keeps a 24-bit LRU clock of unix seconds per object; sessiond has
// 16 bits, so a stamp is 1 mode bit + 15 bits in one of two resolutions:
//
//   fine   (bit 15 clear): unix seconds mod 2^15 of the last access, 1 s
//          units (Redis's LRU_CLOCK_RESOLUTION); would wrap after 9.1 h.
//   coarse (bit 15 set):   unix seconds / 512 mod 2^15 of the last access;
//          wraps after 2^15 * 512 s = 194 days, as Redis's 24-bit clock does.
//
// Every access writes a fine stamp. Keyspace::AgeStep visits every entry at
// least once an hour and turns a fine stamp idle for kFineAgeLimitS (2^14 s,
// 4.55 h) or more into the coarse stamp of the same instant, so a fine stamp
// is read at most 2^14 s + 1 h after it was written, well before it wraps.
//
// Error bound of IdleSeconds, against the clock's whole seconds: exact below
// 2^14 s idle (and up to the aging visit, at most 1 h later); within 511 s
// once coarse; and an idle time of 194 days or more wraps (reads modulo 194
// days), as in Redis's estimateObjectIdleTime.
#pragma once

#include <cstdint>

namespace ss {

inline constexpr uint16_t kCoarseStampBit = 0x8000;
inline constexpr uint16_t kStampMask = 0x7fff;
// A coarse unit is 2^9 s = 512 s.
inline constexpr int kCoarseShift = 9;
// Fine stamps at least this idle are turned coarse by the aging step (half
// the fine wrap, so a whole aging pass fits in the other half with room).
inline constexpr int64_t kFineAgeLimitS = int64_t{1} << 14;

// The stamp of an access at now_ms (unix ms, not negative).
constexpr uint16_t FineStamp(int64_t now_ms) {
  return static_cast<uint16_t>((now_ms / 1000) & kStampMask);
}

// Seconds since the access `stamp` records, at now_ms. The 15-bit difference
// is taken modulo 2^15, which undoes one wrap of the stamp.
constexpr int64_t IdleSeconds(uint16_t stamp, int64_t now_ms) {
  const int64_t now_s = now_ms / 1000;
  if ((stamp & kCoarseStampBit) == 0) return (now_s - stamp) & kStampMask;
  return (((now_s >> kCoarseShift) - (stamp & kStampMask)) & kStampMask) << kCoarseShift;
}

// The stamp the aging step leaves: a fine stamp idle for kFineAgeLimitS or
// more becomes the coarse stamp of the same access; anything else is kept.
constexpr uint16_t AgedStamp(uint16_t stamp, int64_t now_ms) {
  if ((stamp & kCoarseStampBit) != 0) return stamp;
  const int64_t idle = IdleSeconds(stamp, now_ms);
  if (idle < kFineAgeLimitS) return stamp;
  const int64_t accessed_s = now_ms / 1000 - idle;
  return static_cast<uint16_t>(kCoarseStampBit | ((accessed_s >> kCoarseShift) & kStampMask));
}

}  // namespace ss
