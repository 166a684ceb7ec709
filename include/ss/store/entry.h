// Entry: one key with its value, deadline and access clock, in a single slab
// block:
//   [16-byte header][lengths][key bytes][value bytes]
// The header, by byte offset:
//    0..7   wheel links: two 32-bit handles
//    8..12  deadline: a 40-bit code (low 32 bits, then high 8), see below
//   13      bit 7: ValueType; bits 0..6: key length 0..126, or kLongKey
//           (127): a longer key whose length follows as a varint
//   14..15  access stamp (store/access_clock.h): OBJECT IDLETIME's clock
// Then the value length as a varint (one byte below 128, two below 16384).
// A 13-byte key with a 100-byte value is 130 bytes.
//
// Deadline code: 0 = no deadline; 1 .. 2^40 - 2 = kDeadlineBaseMs + code
// (2020-01-01T00:00:00.001Z .. 2054-11-03T19:53:47.774Z); 2^40 - 1 = the
// deadline is elsewhere, in a side table (entry.cc): any deadline outside that
// range (at or before the base, or later than 2054), a rare PEXPIREAT value.
//
// The Keyspace owns every Entry (creates and destroys it); the hash table
// stores borrowed handles to it and the timing wheel links it intrusively
// through `link`, never freeing it. Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ss/store/slab.h"

namespace ss {

// Intrusive doubly linked list node. Wheel slots are circular lists with a
// sentinel WheelLink each, so an entry unlinks itself without knowing its slot.
// Links are handles (Entry::HandleOf, or the wheel's own names for its
// sentinels, at Slab::kForeignHandleBase and above); 0 = not linked.
struct WheelLink {
  uint32_t next = 0;
  uint32_t prev = 0;
  bool linked() const { return next != 0; }
};

enum class ValueType : uint8_t {
  kString = 0,
  // A string whose bytes are an encoded session record (src/session/): to
  // clients it is the JSON text the record renders to.
  kSession = 1,
};

// "No deadline". Stored deadlines are always positive unix milliseconds.
inline constexpr int64_t kNoDeadline = 0;

// Redis's largest key/value is proto-max-bulk-len (512 MB by default);
// sessiond caps a key at 1 GiB - 1 and a value at 4 GiB - 1.
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
  // bytes (new bytes are uninitialised). Stays in place while the block has
  // room (its slab class, or malloc_usable_size), else moves to a block
  // with 50% slack so repeated APPENDs are amortised O(1). Returns the
  // entry's (possibly new) address; *moved says whether it changed. Even in
  // place the value may start at a new offset (its length field can grow a
  // byte): re-read mutable_value() afterwards.
  // REQUIRES: if the block may move, the caller has unlinked it from the
  // wheel and will repoint its table slot and relink it.
  static Entry* ResizeValue(Entry* e, size_t new_len, bool* moved);

  // Whether the block can hold a value of new_len without moving.
  bool FitsInPlace(size_t new_len) const;

  std::string_view key() const {
    const Lengths l = Read();
    return {reinterpret_cast<const char*>(l.key), l.key_len};
  }
  std::string_view value() const {
    const Lengths l = Read();
    return {reinterpret_cast<const char*>(l.key + l.key_len), l.val_len};
  }
  char* mutable_value() {
    const Lengths l = Read();
    return reinterpret_cast<char*>(const_cast<uint8_t*>(l.key + l.key_len));
  }
  size_t value_size() const { return Read().val_len; }

  ValueType type() const { return static_cast<ValueType>(shape_ >> kTypeShift); }
  void set_type(ValueType t) {
    shape_ = static_cast<uint8_t>((shape_ & kKeyLenMask) | (static_cast<uint8_t>(t) << kTypeShift));
  }

  int64_t deadline_ms() const {
    const uint64_t code = deadline_code();
    if (code == 0) return kNoDeadline;
    return code != kFarDeadline ? kDeadlineBaseMs + static_cast<int64_t>(code) : FarDeadline();
  }
  bool has_deadline() const { return deadline_lo_ != 0 || deadline_hi_ != 0; }
  // Only the Keyspace calls this, together with wheel (un)linking.
  void set_deadline_ms(int64_t ms) {
    // Unsigned: a deadline before the base wraps to a huge code.
    const uint64_t code = static_cast<uint64_t>(ms) - static_cast<uint64_t>(kDeadlineBaseMs);
    // A high byte of 0xff may be the side-table sentinel: the slow path
    // checks (and, for a 2054 deadline, merely stores it).
    if (code - 1 < kFarDeadline - 1 && deadline_hi_ != kFarDeadline >> 32) [[likely]] {
      set_deadline_code(code);
    } else {
      SetDeadlineSlow(ms);  // none, the side table, or leaving it
    }
  }

  // The access stamp (store/access_clock.h); the Keyspace writes it.
  uint16_t access_stamp() const { return access_; }
  void set_access_stamp(uint16_t stamp) { access_ = stamp; }

  WheelLink& link() { return link_; }
  const WheelLink& link() const { return link_; }
  static Entry* FromLink(WheelLink* l) { return reinterpret_cast<Entry*>(l); }

  // The entry's 32-bit name (see slab.h), stable until it moves or dies.
  static uint32_t HandleOf(const Entry* e) { return EntrySlab().HandleOf(e); }
  // The entry a handle names (for a freed entry: its old address, until the
  // handle is reused by a later Create).
  static Entry* FromHandle(uint32_t h) { return static_cast<Entry*>(EntrySlab().FromHandle(h)); }

  // What the allocator really reserved for this block (for used_memory).
  size_t AllocatedBytes() const;

  // Pages that freed entries emptied, queued for release (slab.h), and the
  // bounded release step; it returns how many stay queued.
  static size_t EmptyPages() { return EntrySlab().empty_pages(); }
  static size_t ReleaseEmptyPages(size_t max_pages) { return EntrySlab().ReleaseEmptyPages(max_pages); }

 private:
  // Deadline codes count ms from 2020-01-01T00:00:00Z. A deadline the
  // 40-bit code cannot hold is coded as kFarDeadline and kept in a side table
  // (entry.cc), so the deadline needs 5 header bytes, not 8.
  static constexpr int64_t kDeadlineBaseMs = 1'577'836'800'000;
  static constexpr uint64_t kFarDeadline = (uint64_t{1} << 40) - 1;
  // shape_: the type in bit 7, the key length (or kLongKey) in bits 0..6.
  static constexpr int kTypeShift = 7;
  static constexpr uint8_t kKeyLenMask = 0x7f;
  static constexpr uint8_t kLongKey = 127;

  struct Lengths {
    const uint8_t* key;  // first key byte; the value follows the key
    size_t key_len;
    size_t val_len;
  };

  // The process's entry slab (plain malloc under AddressSanitizer). Never
  // destroyed: entries may still be freed during static destruction.
  static Slab& EntrySlab() {
    static Slab* const slab = new Slab(kSlabReserve);
    return *slab;
  }
  static const size_t kSlabReserve;

  Entry() = default;
  const uint8_t* lengths() const { return reinterpret_cast<const uint8_t*>(this) + sizeof(Entry); }
  Lengths Read() const {
    const uint8_t* p = lengths();
    size_t key_len = shape_ & kKeyLenMask;
    if (key_len == kLongKey) [[unlikely]] p = ReadVarint(p, &key_len);
    size_t val_len = *p;
    if (val_len < 0x80) [[likely]] {
      ++p;
    } else if (p[1] < 0x80) {
      // Two bytes: values of 128 bytes to 16 KB (session records).
      val_len = (val_len & 0x7f) | (size_t{p[1]} << 7);
      p += 2;
    } else {
      p = ReadVarint(p, &val_len);
    }
    return {p, key_len, val_len};
  }
  static const uint8_t* ReadVarint(const uint8_t* p, size_t* v);
  // Bytes of the length fields after the header.
  static size_t LengthBytes(size_t key_len, size_t val_len);
  uint64_t deadline_code() const { return (uint64_t{deadline_hi_} << 32) | deadline_lo_; }
  void set_deadline_code(uint64_t code) {
    deadline_lo_ = static_cast<uint32_t>(code);
    deadline_hi_ = static_cast<uint8_t>(code >> 32);
  }
  bool far_deadline() const {
    return deadline_hi_ == (kFarDeadline >> 32) &&
           deadline_lo_ == static_cast<uint32_t>(kFarDeadline);
  }
  int64_t FarDeadline() const;
  void SetDeadlineSlow(int64_t ms);

  WheelLink link_;               // must stay the first member (FromLink)
  uint32_t deadline_lo_ = 0;     // deadline code: low 32 bits
  uint8_t deadline_hi_ = 0;      // and high 8; 0 = kNoDeadline
  uint8_t shape_ = 0;            // ValueType << kTypeShift | key length or kLongKey
  uint16_t access_ = 0;          // access stamp: one aligned 2-byte store per touch
};

static_assert(sizeof(Entry) == 16, "Entry header is 16 bytes");
static_assert(static_cast<uint8_t>(ValueType::kSession) <= 1, "the type has one header bit");
static_assert(alignof(Entry) <= Slab::kGranule, "slab blocks are 4-byte aligned");

}  // namespace ss
