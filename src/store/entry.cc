#include "ss/store/entry.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "ss/store/slab.h"

#if defined(__SANITIZE_ADDRESS__)
#define SS_ENTRY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SS_ENTRY_ASAN 1
#endif
#endif

namespace ss {
namespace {

#ifdef SS_ENTRY_ASAN
// Plain malloc for every entry, so ASan checks each block's bounds and
// lifetime instead of seeing one big mapping.
constexpr size_t kEntryReserve = 0;
#else
constexpr size_t kEntryReserve = Slab::kDefaultReserve;
#endif

// The process's one entry slab. Never destroyed: entries may still be freed
// during static destruction (a Keyspace held by a static object).
Slab& EntrySlab() {
  static Slab* const slab = new Slab(kEntryReserve);
  return *slab;
}

}  // namespace

Entry* Entry::Create(std::string_view key, std::string_view value, ValueType type) {
  void* mem = EntrySlab().Allocate(sizeof(Entry) + key.size() + value.size());
  Entry* e = new (mem) Entry();
  e->key_meta_ = static_cast<uint32_t>(key.size()) | (static_cast<uint32_t>(type) << 30);
  e->val_len_ = static_cast<uint32_t>(value.size());
  if (!key.empty()) std::memcpy(e->data(), key.data(), key.size());
  if (!value.empty()) std::memcpy(e->data() + key.size(), value.data(), value.size());
  return e;
}

void Entry::Destroy(Entry* e) noexcept {
  e->~Entry();
  EntrySlab().Free(e);
}

bool Entry::FitsInPlace(size_t new_len) const {
  return sizeof(Entry) + key_len() + new_len <= AllocatedBytes();
}

Entry* Entry::ResizeValue(Entry* e, size_t new_len, bool* moved) {
  *moved = false;
  if (e->FitsInPlace(new_len)) {
    e->val_len_ = static_cast<uint32_t>(new_len);
    return e;
  }
  // A shrink always fits, so this is growth: 50% slack amortises APPENDs.
  const size_t need = sizeof(Entry) + e->key_len() + new_len;
  const size_t want = need + need / 2;
  Slab& slab = EntrySlab();
  void* mem = nullptr;
  if (!slab.Owns(e) && Slab::ClassSize(want) == 0) {
    // malloc to malloc: realloc may grow in place (or mremap a huge block).
    mem = std::realloc(e, want);
    if (mem == nullptr) mem = std::realloc(e, need);
    if (mem == nullptr) throw std::bad_alloc();
  } else {
    // A slab block never grows in place: a new block and one copy.
    try {
      mem = slab.Allocate(want);
    } catch (const std::bad_alloc&) {
      mem = slab.Allocate(need);
    }
    std::memcpy(mem, static_cast<const void*>(e), sizeof(Entry) + e->key_len() + e->val_len_);
    slab.Free(e);
  }
  Entry* n = static_cast<Entry*>(mem);
  n->val_len_ = static_cast<uint32_t>(new_len);
  *moved = (n != e);
  return n;
}

size_t Entry::AllocatedBytes() const { return EntrySlab().UsableSize(this); }

}  // namespace ss
