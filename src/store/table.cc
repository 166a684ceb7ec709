// EntryTable implementation. Read table.h first.
//
// Slot word (8 bytes, 0 = empty):
//   bits  0..42  entry address >> 4 (malloc blocks are 16-byte aligned and
//                user-space addresses are below 2^47, checked on insert)
//   bits 43..50  probe distance from the home bucket, saturated at 255
//   bits 51..63  13-bit tag: the low hash bits, which the home bucket (top
//                bits) never uses, so most mismatches skip the entry's line
//
// A stored distance of 255 means "255 or more": the true value is then
// recomputed from the key's hash. That only happens with pathological key
// sets (hundreds of keys sharing a home bucket), and keeps them correct
// rather than aborting; the table also grows early when it sees one, as
// long as that cannot balloon memory (see MaybeStartResize).
//
// Resizing drains old_ into main_ one whole probe cluster at a time, walking
// old_ from an empty slot. Because a cluster is moved entirely or not at all,
// the undrained part of old_ is always a valid Robin Hood table on its own,
// so lookups simply try both arrays.
#include "ss/store/table.h"

#include <sys/mman.h>

#include <random>

#define XXH_INLINE_ALL  // XXH3 inlined into Hash: short keys dominate
#include <xxhash.h>

#include <algorithm>
#include <cassert>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace ss {
namespace {

constexpr unsigned kPtrBits = 43;
constexpr unsigned kDistBits = 8;
constexpr unsigned kTagBits = 13;
static_assert(kPtrBits + kDistBits + kTagBits == 64);
constexpr uint64_t kPtrMask = (uint64_t{1} << kPtrBits) - 1;
constexpr uint64_t kDistField = ((uint64_t{1} << kDistBits) - 1) << kPtrBits;
constexpr uint64_t kTagMask = (uint64_t{1} << kTagBits) - 1;
constexpr size_t kDistSaturated = (size_t{1} << kDistBits) - 1;
constexpr size_t kNpos = std::numeric_limits<size_t>::max();  // "no slot"

// 16 slots = 128 bytes: an empty database costs two cache lines.
constexpr unsigned kInitialBits = 4;
// Largest array whose positions still fit below the tag bits of a hash.
constexpr unsigned kMaxBits = 64 - kTagBits;

// Per Find/Insert/Remove: enough that a resize always finishes before
// inserts can fill main_ (each op moves >= 2 clusters, and old_ holds fewer
// clusters than entries), small enough to keep one command's cost flat.
constexpr size_t kClustersPerOp = 2;
// Empty old_ slots skipped per cluster of budget: reading them is one
// sequential load each, so this caps a call at a few cache lines of them.
constexpr size_t kEmptyVisitsPerCluster = 64;
// Random() probes this many random slots before walking to the next entry,
// so that it is fair whenever the table is not nearly empty.
constexpr int kRandomProbes = 8;

size_t DistOf(uint64_t word) { return (word >> kPtrBits) & kDistSaturated; }
Entry* EntryOf(uint64_t word) { return reinterpret_cast<Entry*>((word & kPtrMask) << 4); }

uint64_t EncodeEntry(const Entry* e) {
  const uintptr_t p = reinterpret_cast<uintptr_t>(e);
  if ((p & 15) != 0 || (p >> (kPtrBits + 4)) != 0) [[unlikely]] {
    std::fprintf(stderr,
                 "sessiond: fatal: entry address %p cannot be stored in a table slot "
                 "(needs 16-byte alignment and an address below 2^47)\n",
                 static_cast<const void*>(e));
    std::abort();
  }
  return p >> 4;
}

// splitmix64's finaliser: turns one caller-supplied random word into a
// sequence of independent-looking ones.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

// One slot array, allocated as a 64-byte header followed by the slots, so the
// slots start on a cache line.
struct EntryTable::Slots {
  static constexpr size_t kHeaderBytes = 64;

  size_t mask;          // capacity - 1
  unsigned bits;        // log2(capacity)
  unsigned shift;       // 64 - bits: hash >> shift is the home bucket
  size_t used;          // occupied slots
  size_t grow_at;       // grow once size exceeds this (load ~0.85)
  size_t shrink_below;  // shrink once size drops below this (load ~0.1)
  bool crowded;         // some stored probe distance saturated

  // Large arrays come straight from mmap: the kernel hands out zeroed pages
  // lazily, so starting a resize costs no memset of megabytes, and the
  // allocation cannot make glibc consolidate its fastbins (a pause of
  // ~100 ms after a million small frees). Small ones use the allocator.
  static constexpr size_t kMmapBytes = 256 * 1024;

  static Slots* Create(unsigned bits) {
    const size_t capacity = size_t{1} << bits;
    const size_t bytes = kHeaderBytes + capacity * sizeof(uint64_t);
    void* mem = nullptr;
    if (bytes >= kMmapBytes) {
      mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (mem == MAP_FAILED) throw std::bad_alloc();
    } else {
      mem = std::aligned_alloc(64, bytes);
      if (mem == nullptr) throw std::bad_alloc();
      std::memset(mem, 0, bytes);
    }
    Slots* s = new (mem) Slots();
    s->mask = capacity - 1;
    s->bits = bits;
    s->shift = 64 - bits;
    s->used = 0;
    s->grow_at = capacity - capacity / 8 - capacity / 40;  // 0.85
    s->shrink_below = bits > kInitialBits ? capacity / 10 : 0;
    s->crowded = false;
    return s;
  }
  static void Free(Slots* s) {
    if (s == nullptr) return;
    const size_t bytes = s->bytes();
    s->~Slots();
    if (bytes >= kMmapBytes) {
      munmap(s, bytes);
    } else {
      std::free(s);
    }
  }

  size_t capacity() const { return mask + 1; }
  size_t bytes() const { return kHeaderBytes + capacity() * sizeof(uint64_t); }
  uint64_t* words() { return reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(this) + kHeaderBytes); }
  const uint64_t* words() const {
    return reinterpret_cast<const uint64_t*>(reinterpret_cast<const char*>(this) + kHeaderBytes);
  }

  size_t Home(uint64_t hash) const { return hash >> shift; }

  // Probe distance of the entry `word` stored at pos, resolving saturation.
  size_t TrueDist(size_t pos, uint64_t word) const {
    const size_t d = DistOf(word);
    if (d < kDistSaturated) return d;
    return (pos - Home(EntryTable::Hash(EntryOf(word)->key()))) & mask;
  }

  uint64_t WithDist(uint64_t word_without_dist, size_t dist) {
    if (dist >= kDistSaturated) crowded = true;
    return word_without_dist | (uint64_t{std::min(dist, kDistSaturated)} << kPtrBits);
  }

  // Position of the entry with this key, or npos. Bounded: the walk ends at an
  // empty slot or at a resident closer to its home than the key would be
  // (Robin Hood order), and the array is never full (load <= 0.85).
  size_t FindPos(std::string_view key, uint64_t hash) const {
    const uint64_t* w = words();
    const uint64_t tag = hash & kTagMask;
    size_t pos = Home(hash);
    for (size_t dist = 0;; ++dist) {
      const uint64_t word = w[pos];
      if (word == 0) return kNpos;
      const size_t stored = DistOf(word);
      if (stored < dist && (stored < kDistSaturated || TrueDist(pos, word) < dist)) return kNpos;
      // Tag and distance in one compare: equal distance means same home.
      if ((word >> kPtrBits) == ((tag << kDistBits) | std::min(dist, kDistSaturated)) &&
          EntryOf(word)->key() == key) {
        return pos;
      }
      pos = (pos + 1) & mask;
    }
  }

  // Position of the slot whose entry address is `target`, found along the
  // probe run of `hash`, or npos; never dereferences `target`. Bounded like
  // FindPos.
  size_t FindAddress(const Entry* target, uint64_t hash) const {
    const uint64_t* w = words();
    size_t pos = Home(hash);
    for (size_t dist = 0;; ++dist) {
      const uint64_t word = w[pos];
      if (word == 0) return kNpos;
      if (EntryOf(word) == target) return pos;
      const size_t stored = DistOf(word);
      if (stored < dist && (stored < kDistSaturated || TrueDist(pos, word) < dist)) return kNpos;
      pos = (pos + 1) & mask;
    }
  }

  // Robin Hood insertion. REQUIRES: used < capacity (the load limit ensures
  // it), so the walk, which ends at the first empty slot, is bounded.
  void Place(uint64_t hash, Entry* e) {
    uint64_t* w = words();
    uint64_t carry = EncodeEntry(e) | ((hash & kTagMask) << (kPtrBits + kDistBits));
    size_t pos = Home(hash);
    for (size_t dist = 0;; ++dist) {
      const uint64_t word = w[pos];
      if (word == 0) {
        w[pos] = WithDist(carry, dist);
        ++used;
        return;
      }
      size_t resident = DistOf(word);
      if (resident == kDistSaturated && dist > kDistSaturated) resident = TrueDist(pos, word);
      if (resident < dist) {  // the resident is richer: it moves on instead
        w[pos] = WithDist(carry, dist);
        carry = word & ~kDistField;
        dist = resident;
      }
      pos = (pos + 1) & mask;
    }
  }

  // Backward-shift deletion: pulls the rest of the cluster one slot closer to
  // home, so no tombstones are needed. Bounded by the next empty slot.
  void EraseAt(size_t pos) {
    uint64_t* w = words();
    for (;;) {
      const size_t next = (pos + 1) & mask;
      const uint64_t word = w[next];
      if (word == 0 || DistOf(word) == 0) {
        w[pos] = 0;
        break;
      }
      w[pos] = WithDist(word & ~kDistField, TrueDist(next, word) - 1);
      pos = next;
    }
    --used;
  }

  // Calls fn on each entry whose hash is in [lo, hi]. Entries homed in the
  // buckets covering that range lie from the first such bucket onwards,
  // sorted by home, so the walk stops at the first empty slot or later home
  // after the last bucket: bounded by the range plus one probe run.
  void ScanRange(uint64_t lo, uint64_t hi, const std::function<void(Entry*)>& fn) const {
    const uint64_t* w = words();
    const size_t first = Home(lo);
    const size_t last = Home(hi);
    const uint64_t low_bits = (uint64_t{1} << shift) - 1;
    const bool first_partial = (uint64_t{first} << shift) < lo;
    const bool last_partial = ((uint64_t{last} << shift) | low_bits) > hi;
    // p counts positions without wrapping, so homes compare as plain numbers.
    for (size_t p = first;; ++p) {
      const size_t pos = p & mask;
      const uint64_t word = w[pos];
      if (word == 0) {
        if (p >= last) break;
        continue;
      }
      const size_t dist = TrueDist(pos, word);
      if (dist > p - first) continue;  // homed before the range
      const size_t home = p - dist;
      if (home > last) break;
      Entry* e = EntryOf(word);
      if ((home == first && first_partial) || (home == last && last_partial)) {
        const uint64_t h = EntryTable::Hash(e->key());
        if (h < lo || h > hi) continue;
      }
      fn(e);
    }
  }

  void ForEach(const std::function<void(Entry*)>& fn) const {
    const uint64_t* w = words();
    for (size_t i = 0; i <= mask; ++i) {
      if (w[i] != 0) fn(EntryOf(w[i]));
    }
  }
};

EntryTable::EntryTable() : main_(Slots::Create(kInitialBits)) {}

EntryTable::~EntryTable() {
  Slots::Free(old_);
  Slots::Free(main_);
}

namespace {

// A random seed per process, so nobody can precompute keys that collide in
// this process's table (slowing lookups). Cursors never outlive the process,
// so SCAN is unaffected.
uint64_t ProcessSeed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

const uint64_t kHashSeed = ProcessSeed();

}  // namespace

uint64_t EntryTable::Hash(std::string_view key) {
  return XXH3_64bits_withSeed(key.data(), key.size(), kHashSeed);
}

Entry* EntryTable::Find(std::string_view key) {
  if (old_ != nullptr) MigrateSome(kClustersPerOp);
  const uint64_t hash = Hash(key);
  size_t pos = main_->FindPos(key, hash);
  if (pos != kNpos) return EntryOf(main_->words()[pos]);
  if (old_ != nullptr) {
    pos = old_->FindPos(key, hash);
    if (pos != kNpos) return EntryOf(old_->words()[pos]);
  }
  return nullptr;
}

void EntryTable::Insert(Entry* e) {
  if (old_ != nullptr) MigrateSome(kClustersPerOp);
  if (size_ + 1 > main_->grow_at) {
    // Mid-resize this means inserts outran migration: the per-op budget
    // rules that out during a grow and makes it rare after a shrink.
    // Finishing first keeps one resize at a time (an O(n) pause then).
    if (old_ != nullptr) MigrateSome(std::numeric_limits<size_t>::max());
    // Finishing may itself have started this grow.
    if (old_ == nullptr) StartResize(main_->bits + 1);
  }
  main_->Place(Hash(e->key()), e);
  ++size_;
  if (main_->crowded) MaybeStartResize();
}

Entry* EntryTable::Remove(std::string_view key) {
  if (old_ != nullptr) MigrateSome(kClustersPerOp);
  const uint64_t hash = Hash(key);
  size_t pos = main_->FindPos(key, hash);
  if (pos != kNpos) {
    Entry* e = EntryOf(main_->words()[pos]);
    main_->EraseAt(pos);
    --size_;
    MaybeStartResize();
    return e;
  }
  if (old_ != nullptr && (pos = old_->FindPos(key, hash)) != kNpos) {
    Entry* e = EntryOf(old_->words()[pos]);
    old_->EraseAt(pos);
    --size_;
    FinishResizeIfDrained();
    return e;
  }
  return nullptr;
}

void EntryTable::Replace(const Entry* old_ptr, Entry* new_ptr) {
  // No migration here: moving a cluster rehashes its keys, and old_ptr's
  // key may already be freed.
  const uint64_t encoded = EncodeEntry(new_ptr);
  const uint64_t hash = Hash(new_ptr->key());
  for (Slots* s : {main_, old_}) {
    if (s == nullptr) continue;
    const size_t pos = s->FindAddress(old_ptr, hash);
    if (pos != kNpos) {
      uint64_t& word = s->words()[pos];
      word = (word & ~kPtrMask) | encoded;
      return;
    }
  }
  std::fprintf(stderr, "sessiond: fatal: EntryTable::Replace: entry %p is not in the table\n",
               static_cast<const void*>(old_ptr));
  std::abort();
}

uint64_t EntryTable::Scan(uint64_t cursor, size_t count,
                          const std::function<void(Entry*)>& fn) const {
  if (size_ == 0) return 0;
  // Buckets of main_ cover hash space evenly, so stopping on one of its
  // boundaries makes `count` buckets about `count` slots of work.
  const size_t first = main_->Home(cursor);
  const size_t buckets = std::min(std::max<size_t>(count, 1), main_->capacity() - first);
  const size_t end = first + buckets;
  const uint64_t next = end == main_->capacity() ? 0 : uint64_t{end} << main_->shift;
  const uint64_t last = next - 1;  // wraps to the top of hash space for next == 0
  main_->ScanRange(cursor, last, fn);
  if (old_ != nullptr) old_->ScanRange(cursor, last, fn);
  return next;
}

void EntryTable::ForEach(const std::function<void(Entry*)>& fn) const {
  main_->ForEach(fn);
  if (old_ != nullptr) old_->ForEach(fn);
}

Entry* EntryTable::Random(uint64_t random_bits) const {
  if (size_ == 0) return nullptr;
  uint64_t x = Mix(random_bits);
  // Pick the array in proportion to its entries, so a resize does not bias.
  const Slots* s = (old_ != nullptr && x % size_ < old_->used) ? old_ : main_;
  const uint64_t* w = s->words();
  for (int i = 0; i < kRandomProbes; ++i) {
    x = Mix(x);
    if (w[x & s->mask] != 0) return EntryOf(w[x & s->mask]);
  }
  // Sparse table: take the next entry after a random slot. Bounded: s holds
  // at least one entry (old_ is freed when it empties; else main_ has some).
  for (size_t pos = x & s->mask;; pos = (pos + 1) & s->mask) {
    if (w[pos] != 0) return EntryOf(w[pos]);
  }
}

void EntryTable::Clear(const std::function<void(Entry*)>& fn) {
  // fn may free each entry: only slot words are read after calling it.
  ForEach(fn);
  Slots::Free(old_);
  old_ = nullptr;
  Slots* fresh = Slots::Create(kInitialBits);
  Slots::Free(main_);
  main_ = fresh;
  size_ = 0;
  migrate_pos_ = 0;
  migrate_left_ = 0;
}

bool EntryTable::RehashStep(size_t clusters) {
  if (old_ != nullptr) MigrateSome(clusters);
  return old_ != nullptr;
}

bool EntryTable::rehashing() const { return old_ != nullptr; }

size_t EntryTable::MemoryBytes() const {
  return main_->bytes() + (old_ != nullptr ? old_->bytes() : 0);
}

void EntryTable::MaybeStartResize() {
  if (old_ != nullptr) return;  // one resize at a time
  const size_t capacity = main_->capacity();
  if (size_ > main_->grow_at ||
      // Saturated distances cost a rehash per probe: grow, but only while the
      // result stays above the shrink threshold (load >= 1/8), so colliding
      // keys cannot make the table grow without bound.
      (main_->crowded && size_ >= capacity / 4 && main_->bits < kMaxBits)) {
    StartResize(main_->bits + 1);
  } else if (size_ < main_->shrink_below) {
    // Land at a load in (0.25, 0.5]: far from both thresholds. (shrink_below
    // is at most capacity / 10, so this is always at least a 4x shrink.)
    const unsigned wanted = size_ <= 1 ? 0 : static_cast<unsigned>(std::bit_width(size_ * 2 - 1));
    StartResize(std::max(kInitialBits, wanted));
  }
}

void EntryTable::StartResize(unsigned bits) {
  Slots* fresh = Slots::Create(bits);
  old_ = main_;
  main_ = fresh;
  // Drain from an empty slot so no cluster is cut in two. One exists within
  // a probe run of slot 0 because the load is below 1.
  const uint64_t* w = old_->words();
  size_t pos = 0;
  while (w[pos] != 0) pos = (pos + 1) & old_->mask;
  migrate_pos_ = pos;
  migrate_left_ = old_->capacity();
  FinishResizeIfDrained();
}

void EntryTable::MigrateSome(size_t clusters) {
  uint64_t* w = old_->words();
  size_t empty_budget = clusters > std::numeric_limits<size_t>::max() / kEmptyVisitsPerCluster
                            ? std::numeric_limits<size_t>::max()
                            : clusters * kEmptyVisitsPerCluster;
  // Bounded by `clusters` clusters plus `empty_budget` empty slots.
  while (clusters > 0 && empty_budget > 0 && migrate_left_ > 0) {
    if (w[migrate_pos_] == 0) {
      migrate_pos_ = (migrate_pos_ + 1) & old_->mask;
      --migrate_left_;
      --empty_budget;
      continue;
    }
    // A whole cluster, up to the next empty slot (possibly across the end
    // of the array): what stays behind remains a valid Robin Hood table.
    while (w[migrate_pos_] != 0) {
      Entry* e = EntryOf(w[migrate_pos_]);
      w[migrate_pos_] = 0;
      --old_->used;
      main_->Place(Hash(e->key()), e);
      migrate_pos_ = (migrate_pos_ + 1) & old_->mask;
      --migrate_left_;
    }
    --clusters;
  }
  assert(migrate_left_ > 0 || old_->used == 0);
  FinishResizeIfDrained();
}

void EntryTable::FinishResizeIfDrained() {
  if (old_->used != 0) return;
  Slots::Free(old_);
  old_ = nullptr;
  migrate_pos_ = 0;
  migrate_left_ = 0;
  MaybeStartResize();
}

}  // namespace ss
