#include "ss/store/entry.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace ss {

Entry* Entry::Create(std::string_view key, std::string_view value, ValueType type) {
  void* mem = std::malloc(sizeof(Entry) + key.size() + value.size());
  if (mem == nullptr) throw std::bad_alloc();
  Entry* e = new (mem) Entry();
  e->key_meta_ = static_cast<uint32_t>(key.size()) | (static_cast<uint32_t>(type) << 30);
  e->val_len_ = static_cast<uint32_t>(value.size());
  if (!key.empty()) std::memcpy(e->data(), key.data(), key.size());
  if (!value.empty()) std::memcpy(e->data() + key.size(), value.data(), value.size());
  return e;
}

void Entry::Destroy(Entry* e) noexcept {
  e->~Entry();
  std::free(e);
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
  size_t need = sizeof(Entry) + e->key_len() + new_len;
  // Growth gets 50% slack (amortised APPEND); a shrink that does not fit is
  // impossible, so this is always growth.
  size_t want = need + need / 2;
  void* mem = std::realloc(e, want);
  if (mem == nullptr) {
    mem = std::realloc(e, need);
    if (mem == nullptr) throw std::bad_alloc();
  }
  Entry* n = static_cast<Entry*>(mem);
  n->val_len_ = static_cast<uint32_t>(new_len);
  *moved = (n != e);
  return n;
}

size_t Entry::AllocatedBytes() const {
  return malloc_usable_size(const_cast<Entry*>(this));
}

}  // namespace ss
