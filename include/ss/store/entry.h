// Entry: one key with its value and deadline, in a single heap block:
//   [header: wheel link, deadline, lengths][key bytes][value bytes]
// The Keyspace owns every Entry (creates and destroys it); the hash table
// stores borrowed pointers to it and the timing wheel links it intrusively
// through `link`, never freeing it. Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ss {

// Intrusive doubly linked list node. Wheel slots are circular lists with a
// sentinel WheelLink each, so an entry unlinks itself without knowing its slot.
struct WheelLink {
  WheelLink* next = nullptr;
  WheelLink* prev = nullptr;
  bool linked() const { return next != nullptr; }
};

enum class ValueType : uint8_t {
  kString = 0,
  // A string whose bytes are an encoded session record (src/session/): to
  // clients it is the JSON text the record renders to.
  kSession = 1,
};

// "No deadline". Stored deadlines are always positive unix milliseconds.
inline constexpr int64_t kNoDeadline = 0;

// Redis's largest key/value is proto-max-bulk-len (512 MB by default); the
// header keeps lengths in 30 (key) and 32 (value) bits, so sessiond caps a
// key at 1 GiB - 1 and a value at 4 GiB - 1.
inline constexpr size_t kMaxKeyLen = (size_t{1} << 30) - 1;
inline constexpr size_t kMaxValueLen = (size_t{1} << 32) - 1;

class Entry {
 public:
  // Allocates an entry holding copies of key and value, with no deadline.
  // REQUIRES: key.size() <= kMaxKeyLen, value.size() <= kMaxValueLen.
  static Entry* Create(std::string_view key, std::string_view value,
                       ValueType type = ValueType::kString);
  // Frees the block. REQUIRES: not linked in a wheel, not in a table.
  static void Destroy(Entry* e) noexcept;

  // Makes the value new_len bytes long, keeping the first min(old, new)
  // bytes (new bytes are uninitialised). Grows in place while the block has
  // room (malloc_usable_size), else reallocates with 50% slack so repeated
  // APPENDs are amortised O(1). Returns the entry's (possibly new) address;
  // *moved says whether it changed.
  // REQUIRES: if the block may move, the caller has unlinked it from the
  // wheel and will repoint its table slot and relink it.
  static Entry* ResizeValue(Entry* e, size_t new_len, bool* moved);

  // Bytes the block would need to hold a value of new_len without moving.
  bool FitsInPlace(size_t new_len) const;

  std::string_view key() const { return {data(), key_len()}; }
  std::string_view value() const { return {data() + key_len(), val_len_}; }
  char* mutable_value() { return data() + key_len(); }
  size_t value_size() const { return val_len_; }

  ValueType type() const { return static_cast<ValueType>(key_meta_ >> 30); }
  void set_type(ValueType t) {
    key_meta_ = (key_meta_ & kKeyLenMask) | (static_cast<uint32_t>(t) << 30);
  }

  int64_t deadline_ms() const { return deadline_ms_; }
  bool has_deadline() const { return deadline_ms_ != kNoDeadline; }
  // Only the Keyspace calls this, together with wheel (un)linking.
  void set_deadline_ms(int64_t ms) { deadline_ms_ = ms; }

  WheelLink& link() { return link_; }
  const WheelLink& link() const { return link_; }
  static Entry* FromLink(WheelLink* l) { return reinterpret_cast<Entry*>(l); }

  // What the allocator really reserved for this block (for used_memory).
  size_t AllocatedBytes() const;

 private:
  static constexpr uint32_t kKeyLenMask = (uint32_t{1} << 30) - 1;

  Entry() = default;
  size_t key_len() const { return key_meta_ & kKeyLenMask; }
  char* data() { return reinterpret_cast<char*>(this) + sizeof(Entry); }
  const char* data() const { return reinterpret_cast<const char*>(this) + sizeof(Entry); }

  WheelLink link_;               // must stay the first member (FromLink)
  int64_t deadline_ms_ = kNoDeadline;
  uint32_t key_meta_ = 0;        // low 30 bits key length, high 2 bits ValueType
  uint32_t val_len_ = 0;
};

static_assert(sizeof(Entry) == 32, "Entry header is 32 bytes");

}  // namespace ss
