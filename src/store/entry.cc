#include "ss/store/entry.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <unordered_map>

#if defined(__SANITIZE_ADDRESS__)
#define SS_ENTRY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SS_ENTRY_ASAN 1
#endif
#endif

namespace ss {

#ifdef SS_ENTRY_ASAN
// Plain malloc for every entry, so ASan checks each block's bounds and
// lifetime instead of seeing one big mapping.
const size_t Entry::kSlabReserve = 0;
#else
const size_t Entry::kSlabReserve = Slab::kMaxReserve;
#endif

namespace {

// Deadlines the header's 40-bit code cannot hold (at or before 2020-01-01,
// or after 2054-11-03: only deliberate PEXPIREAT values, or a test's clock),
// by entry address.
std::unordered_map<const Entry*, int64_t>& FarDeadlines() {
  static auto* const far = new std::unordered_map<const Entry*, int64_t>();
  return *far;
}

size_t VarintSize(size_t v) {
  size_t n = 1;
  while (v >= 0x80) {  // at most 5 rounds: lengths are below 2^32
    v >>= 7;
    ++n;
  }
  return n;
}

uint8_t* WriteVarint(uint8_t* p, size_t v) {
  while (v >= 0x80) {  // bounded as in VarintSize
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

}  // namespace

// Bytes of the length fields after the header.
size_t Entry::LengthBytes(size_t key_len, size_t val_len) {
  return (key_len >= kLongKey ? VarintSize(key_len) : 0) + VarintSize(val_len);
}

const uint8_t* Entry::ReadVarint(const uint8_t* p, size_t* v) {
  size_t value = 0;
  // At most 5 bytes: lengths are below 2^32 (Create checks nothing else).
  for (unsigned shift = 0;; shift += 7) {
    const uint8_t b = *p++;
    value |= size_t{b & 0x7fu} << shift;
    if (b < 0x80) break;
  }
  *v = value;
  return p;
}

Entry* Entry::Create(std::string_view key, std::string_view value, ValueType type) {
  const size_t lengths = LengthBytes(key.size(), value.size());
  void* mem = EntrySlab().Allocate(sizeof(Entry) + lengths + key.size() + value.size());
  Entry* e = new (mem) Entry();
  uint8_t* p = reinterpret_cast<uint8_t*>(e) + sizeof(Entry);
  if (key.size() >= kLongKey) {
    e->shape_ = kLongKey;
    p = WriteVarint(p, key.size());
  } else {
    e->shape_ = static_cast<uint8_t>(key.size());
  }
  e->set_type(type);
  p = WriteVarint(p, value.size());
  if (!key.empty()) std::memcpy(p, key.data(), key.size());
  if (!value.empty()) std::memcpy(p + key.size(), value.data(), value.size());
  return e;
}

void Entry::Destroy(Entry* e) noexcept {
  if (e->far_deadline()) FarDeadlines().erase(e);
  e->~Entry();
  EntrySlab().Free(e);
}

bool Entry::FitsInPlace(size_t new_len) const {
  const Lengths l = Read();
  return sizeof(Entry) + LengthBytes(l.key_len, new_len) + l.key_len + new_len <=
         EntrySlab().UsableSize(this);
}

Entry* Entry::ResizeValue(Entry* e, size_t new_len, bool* moved) {
  const Lengths l = e->Read();
  const size_t need = sizeof(Entry) + LengthBytes(l.key_len, new_len) + l.key_len + new_len;
  Entry* n = e;
  Slab& slab = EntrySlab();
  if (need > slab.UsableSize(e)) {
    // A shrink always fits, so this is growth: 50% slack amortises APPENDs.
    const bool far = e->far_deadline();
    const int64_t far_deadline = far ? e->FarDeadline() : 0;
    try {
      n = static_cast<Entry*>(slab.Reallocate(e, need + need / 2));
    } catch (const std::bad_alloc&) {
      n = static_cast<Entry*>(slab.Reallocate(e, need));
    }
    if (far && n != e) {
      FarDeadlines().erase(e);
      FarDeadlines()[n] = far_deadline;
    }
  }
  *moved = (n != e);
  // Rewrite the value length; if its varint changed size, shift the key and
  // the kept part of the value to follow it.
  uint8_t* lengths = reinterpret_cast<uint8_t*>(n) + sizeof(Entry);
  uint8_t* val_len_at = lengths + (l.key_len >= kLongKey ? VarintSize(l.key_len) : 0);
  const size_t old_width = VarintSize(l.val_len);
  const size_t new_width = VarintSize(new_len);
  if (old_width != new_width) {
    std::memmove(val_len_at + new_width, val_len_at + old_width,
                 l.key_len + std::min(l.val_len, new_len));
  }
  WriteVarint(val_len_at, new_len);
  return n;
}

size_t Entry::AllocatedBytes() const { return EntrySlab().BlockBytes(this); }

int64_t Entry::FarDeadline() const {
  const auto it = FarDeadlines().find(this);
  return it != FarDeadlines().end() ? it->second : kNoDeadline;
}

void Entry::SetDeadlineSlow(int64_t ms) {
  const uint64_t code = static_cast<uint64_t>(ms) - static_cast<uint64_t>(kDeadlineBaseMs);
  const bool fits = ms == kNoDeadline || code - 1 < kFarDeadline - 1;
  if (fits) {
    if (far_deadline()) FarDeadlines().erase(this);
    set_deadline_code(ms == kNoDeadline ? 0 : code);
    return;
  }
  FarDeadlines()[this] = ms;
  set_deadline_code(kFarDeadline);
}

}  // namespace ss
