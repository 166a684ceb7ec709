// EntryTable implementation. Read table.h first.
//
// Slot word (8 bytes, 0 = empty):
//   bits  0..31  the entry's handle (Entry::HandleOf; never 0)
//   bits 32..63  h32, the top 32 bits of the key's hash
// The home bucket is floor(h32 * capacity / 2^32): any capacity works (not
// only powers of two), and buckets stay ordered by hash. A resident's probe
// distance is computed from its h32, and h32 is compared before an entry is
// touched (a false match costs one key compare, about 1 in 4 billion), so
// probing, Robin Hood displacement and resizing never read an entry.
//
// Capacities are multiples of 8 slots. Arrays grow by 1.25x at load 0.9 and
// shrink below load 0.1, so a growing table sits between load 0.72 and 0.9:
// about 10 bytes of slots per key. Small growth steps are cheap because a
// resize moves slot words only, in hash order through both arrays.
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
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace ss {
namespace {

constexpr size_t kNpos = std::numeric_limits<size_t>::max();  // "no slot"

// 16 slots = 128 bytes: an empty database costs two cache lines.
constexpr size_t kInitialCapacity = 16;
// Homes are (h32 * capacity) >> 32 in 64-bit arithmetic; 2^31 slots (16 GiB)
// keep every intermediate below 2^64, beyond any table of 32-bit handles.
constexpr size_t kMaxCapacity = size_t{1} << 31;
// Slot counts are multiples of this: whole cache lines, and the array bytes
// (64-byte header + 8 per slot) stay a multiple of aligned_alloc's 64.
constexpr size_t kCapacityStep = 8;

// Per Find/Insert/Remove: enough that a resize always finishes before
// inserts can fill main_, small enough to keep one command's cost flat.
// old_ holds fewer clusters than entries and than empty slots (each cluster
// ends at one). A grow starts at load 0.9, so old_ has at most 0.1 * cap
// clusters, and main_ takes 0.225 * cap inserts before its own limit; a
// shrink starts at load 0.1 with at most 0.1 * cap clusters, and main_ (load
// 0.4 of 0.25 * cap slots) takes 0.125 * cap inserts. One cluster per op
// covers both.
constexpr size_t kClustersPerOp = 1;
// Empty old_ slots skipped per cluster of budget: reading them is one
// sequential load each, so this caps a call at a few cache lines of them.
constexpr size_t kEmptyVisitsPerCluster = 64;
// Random() probes this many random slots before walking to the next entry,
// so that it is fair whenever the table is not nearly empty.
constexpr int kRandomProbes = 8;

uint32_t HandleOf(uint64_t word) { return static_cast<uint32_t>(word); }
uint32_t H32Of(uint64_t word) { return static_cast<uint32_t>(word >> 32); }
Entry* EntryOf(uint64_t word) { return Entry::FromHandle(HandleOf(word)); }
uint32_t H32(uint64_t hash) { return static_cast<uint32_t>(hash >> 32); }
uint64_t Word(uint32_t h32, const Entry* e) {
  return (uint64_t{h32} << 32) | Entry::HandleOf(e);
}

size_t RoundUpCapacity(size_t slots) {
  return std::max(kInitialCapacity, (slots + kCapacityStep - 1) / kCapacityStep * kCapacityStep);
}

// The array a grow moves to: 1.25x, so a grow at load 0.9 lands at 0.72 (or
// 2x, landing at 0.45).
size_t GrownCapacity(size_t capacity, EntryTable::Growth growth) {
  return RoundUpCapacity(growth == EntryTable::Growth::kFast ? 2 * capacity : capacity + capacity / 4);
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

  size_t cap;           // slots (a multiple of kCapacityStep, <= kMaxCapacity)
  size_t used;          // occupied slots
  size_t grow_at;       // grow once size exceeds this (load 0.9)
  size_t shrink_below;  // shrink once size drops below this (load 0.1)

  // Large arrays come straight from mmap: the kernel hands out zeroed pages
  // lazily, so starting a resize costs no memset of megabytes, and the
  // allocation cannot make glibc consolidate its fastbins (a pause of
  // ~100 ms after a million small frees). Small ones use the allocator.
  static constexpr size_t kMmapBytes = 256 * 1024;
  static constexpr size_t kHugePageBytes = size_t{2} << 20;

  static Slots* Create(size_t capacity) {
    const size_t bytes = kHeaderBytes + capacity * sizeof(uint64_t);
    void* mem = nullptr;
    if (bytes >= kMmapBytes) {
      mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (mem == MAP_FAILED) throw std::bad_alloc();
      // Probes land anywhere in the array: with 4 KB pages nearly every one
      // is also a TLB miss once the array outgrows the TLB's reach. Huge
      // pages (where the kernel's THP mode is "madvise", as Debian's is)
      // cover it with a few entries. Advisory: a refusal changes nothing.
      if (bytes >= kHugePageBytes) madvise(mem, bytes, MADV_HUGEPAGE);
    } else {
      mem = std::aligned_alloc(64, bytes);
      if (mem == nullptr) throw std::bad_alloc();
      std::memset(mem, 0, bytes);
    }
    Slots* s = new (mem) Slots();
    s->cap = capacity;
    s->used = 0;
    s->grow_at = capacity - capacity / 10;
    s->shrink_below = capacity > kInitialCapacity ? capacity / 10 : 0;
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

  size_t capacity() const { return cap; }
  size_t bytes() const { return kHeaderBytes + capacity() * sizeof(uint64_t); }
  uint64_t* words() { return reinterpret_cast<uint64_t*>(reinterpret_cast<char*>(this) + kHeaderBytes); }
  const uint64_t* words() const {
    return reinterpret_cast<const uint64_t*>(reinterpret_cast<const char*>(this) + kHeaderBytes);
  }

  size_t Home(uint32_t h32) const { return static_cast<size_t>((uint64_t{h32} * cap) >> 32); }
  size_t Next(size_t pos) const { return pos + 1 == cap ? 0 : pos + 1; }
  // The first 64-bit hash whose home is bucket b: its h32 is the least x
  // with x * cap >= b * 2^32. For b == cap that is 2^64, which wraps to 0
  // ("end of hash space").
  uint64_t BucketStart(size_t b) const {
    const uint64_t x = ((uint64_t{b} << 32) + cap - 1) / cap;  // <= 2^32: no overflow
    return x << 32;
  }

  // Probe distance of the resident `word` at pos.
  size_t DistAt(size_t pos, uint64_t word) const {
    const size_t home = Home(H32Of(word));
    return pos >= home ? pos - home : pos + cap - home;
  }

  // Position of the slot whose h32 matches and whose entry satisfies
  // match(handle), or npos. Bounded: the walk ends at an empty slot or at a
  // resident closer to its home than the key would be (Robin Hood order),
  // and the array is never full (load <= 0.9).
  template <typename Match>
  size_t FindWhere(uint32_t h32, Match match) const {
    const uint64_t* w = words();
    size_t pos = Home(h32);
    for (size_t dist = 0;; ++dist) {
      const uint64_t word = w[pos];
      if (word == 0) return kNpos;
      if (H32Of(word) == h32) {
        if (match(HandleOf(word))) return pos;
      } else if (DistAt(pos, word) < dist) {
        return kNpos;
      }
      pos = Next(pos);
    }
  }

  size_t FindPos(std::string_view key, uint64_t hash) const {
    return FindWhere(H32(hash), [&](uint32_t h) { return Entry::FromHandle(h)->key() == key; });
  }

  // Robin Hood insertion. REQUIRES: used < capacity (the load limit ensures
  // it), so both walks, which end at an empty slot, are bounded.
  //
  // A probe cluster is sorted by home bucket. The newcomer goes before the
  // first resident whose home lies after its own, and that resident and the
  // rest of its cluster each move one slot on: still in home order, still
  // with no gap between any entry and its home. That is what swapping the
  // carried word slot by slot would give (up to the order of entries with
  // the same home, which is free), but the second walk only looks for the
  // empty slot and the move is one memmove, rather than a distance
  // computation and a swap per slot of what is often a long run.
  void Place(uint64_t word) {
    uint64_t* w = words();
    size_t pos = Home(H32Of(word));
    for (size_t dist = 0;; ++dist) {
      const uint64_t resident = w[pos];
      if (resident == 0) {
        w[pos] = word;
        ++used;
        return;
      }
      if (DistAt(pos, resident) < dist) break;  // the resident is richer
      pos = Next(pos);
    }
    size_t end = pos;
    while (w[end] != 0) end = Next(end);
    if (end > pos) {
      std::memmove(w + pos + 1, w + pos, (end - pos) * sizeof(uint64_t));
    } else {  // the run wraps past the last slot
      std::memmove(w + 1, w, end * sizeof(uint64_t));
      w[0] = w[cap - 1];
      std::memmove(w + pos + 1, w + pos, (cap - 1 - pos) * sizeof(uint64_t));
    }
    w[pos] = word;
    ++used;
  }

  // Backward-shift deletion: pulls the rest of the cluster one slot closer to
  // home, so no tombstones are needed. Bounded by the next empty slot.
  void EraseAt(size_t pos) {
    uint64_t* w = words();
    for (;;) {
      const size_t next = Next(pos);
      const uint64_t word = w[next];
      if (word == 0 || DistAt(next, word) == 0) {
        w[pos] = 0;
        break;
      }
      w[pos] = word;
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
    const size_t first = Home(H32(lo));
    const size_t last = Home(H32(hi));
    const bool first_partial = BucketStart(first) < lo;
    const bool last_partial = BucketStart(last + 1) - 1 > hi;  // wraps for the last bucket
    // p counts positions without wrapping, so homes compare as plain numbers.
    // Below 2 * cap: the walk ends within one probe run after `last`.
    for (size_t p = first;; ++p) {
      const size_t pos = p < cap ? p : p - cap;
      const uint64_t word = w[pos];
      if (word == 0) {
        if (p >= last) break;
        continue;
      }
      const size_t dist = DistAt(pos, word);
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
    for (size_t i = 0; i < cap; ++i) {
      if (w[i] != 0) fn(EntryOf(w[i]));
    }
  }
};

EntryTable::EntryTable(Growth growth) : main_(Slots::Create(kInitialCapacity)), growth_(growth) {}

void EntryTable::Prefetch(uint64_t hash) const {
  __builtin_prefetch(main_->words() + main_->Home(H32(hash)), 1);
}

void EntryTable::PrefetchEntry(uint64_t hash) const {
  // A hint: mid-resize the entry may sit in old_ instead, and a long probe
  // run is cut short; either way Find still finds it.
  constexpr int kSlotsLooked = 4;
  const uint32_t h32 = H32(hash);
  const uint64_t* w = main_->words();
  size_t pos = main_->Home(h32);
  for (int i = 0; i < kSlotsLooked; ++i, pos = main_->Next(pos)) {
    const uint64_t word = w[pos];
    if (word == 0) return;
    if (H32Of(word) == h32) {
      __builtin_prefetch(EntryOf(word), 1);
      return;
    }
  }
}

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

Entry* EntryTable::Find(std::string_view key, uint64_t hash) {
  if (old_ != nullptr) MigrateSome(kClustersPerOp);
  size_t pos = main_->FindPos(key, hash);
  if (pos != kNpos) return EntryOf(main_->words()[pos]);
  if (old_ != nullptr) {
    pos = old_->FindPos(key, hash);
    if (pos != kNpos) return EntryOf(old_->words()[pos]);
  }
  return nullptr;
}

void EntryTable::Insert(Entry* e, uint64_t hash) {
  if (old_ != nullptr) MigrateSome(kClustersPerOp);
  if (size_ + 1 > main_->grow_at) {
    // Mid-resize this means inserts outran migration: the per-op budget
    // rules that out during a grow and makes it rare after a shrink.
    // Finishing first keeps one resize at a time (an O(n) pause then).
    if (old_ != nullptr) MigrateSome(std::numeric_limits<size_t>::max());
    // Finishing may itself have started this grow.
    if (old_ == nullptr) StartResize(std::min(kMaxCapacity, GrownCapacity(main_->capacity(), growth_)));
  }
  main_->Place(Word(H32(hash), e));
  ++size_;
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

void EntryTable::Replace(const Entry* old_ptr, Entry* new_ptr, uint64_t hash) {
  // The slot is found by address, never reading old_ptr (it may be freed):
  // a freed entry's handle still names its old address (slab.h), and an
  // entry that moved between malloc blocks kept its handle, so the slot may
  // already name new_ptr. No migration here: the array must not change
  // between finding the slot and writing it.
  const uint32_t h32 = H32(hash);
  const auto named = [&](uint32_t h) {
    const Entry* p = Entry::FromHandle(h);
    return p == old_ptr || p == new_ptr;
  };
  for (Slots* s : {main_, old_}) {
    if (s == nullptr) continue;
    const size_t pos = s->FindWhere(h32, named);
    if (pos != kNpos) {
      s->words()[pos] = Word(h32, new_ptr);
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
  const size_t first = main_->Home(H32(cursor));
  const size_t buckets = std::min(std::max<size_t>(count, 1), main_->capacity() - first);
  const size_t end = first + buckets;
  const uint64_t next = main_->BucketStart(end);  // 0 when end is the last bucket
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
    const size_t pos = s->Home(H32(x));
    if (w[pos] != 0) return EntryOf(w[pos]);
  }
  // Sparse table: take the next entry after a random slot. Bounded: s holds
  // at least one entry (old_ is freed when it empties; else main_ has some).
  for (size_t pos = s->Home(H32(x));; pos = s->Next(pos)) {
    if (w[pos] != 0) return EntryOf(w[pos]);
  }
}

void EntryTable::Clear(const std::function<void(Entry*)>& fn) {
  // fn may free each entry: only slot words are read after calling it.
  ForEach(fn);
  Slots::Free(old_);
  old_ = nullptr;
  Slots* fresh = Slots::Create(kInitialCapacity);
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

size_t EntryTable::buckets() const { return main_->capacity(); }

size_t EntryTable::MemoryBytes() const {
  return main_->bytes() + (old_ != nullptr ? old_->bytes() : 0);
}

void EntryTable::MaybeStartResize() {
  if (old_ != nullptr) return;  // one resize at a time
  const size_t capacity = main_->capacity();
  if (size_ > main_->grow_at && capacity < kMaxCapacity) {
    StartResize(std::min(kMaxCapacity, GrownCapacity(capacity, growth_)));
  } else if (size_ < main_->shrink_below) {
    // Land at load 0.4: far from both thresholds. (shrink_below is at most
    // capacity / 10, so this is always at least a 4x shrink.)
    StartResize(RoundUpCapacity(size_ + size_ + size_ / 2));
  }
}

void EntryTable::StartResize(size_t capacity) {
  Slots* fresh = Slots::Create(capacity);
  old_ = main_;
  main_ = fresh;
  // Drain from an empty slot so no cluster is cut in two. One exists within
  // a probe run of slot 0 because the load is below 1.
  const uint64_t* w = old_->words();
  size_t pos = 0;
  while (w[pos] != 0) pos = old_->Next(pos);
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
      migrate_pos_ = old_->Next(migrate_pos_);
      --migrate_left_;
      --empty_budget;
      continue;
    }
    // A whole cluster, up to the next empty slot (possibly across the end
    // of the array): what stays behind remains a valid Robin Hood table.
    // Slot words move as they are; old_ is in hash order, so main_ is
    // written nearly sequentially.
    while (w[migrate_pos_] != 0) {
      main_->Place(w[migrate_pos_]);
      w[migrate_pos_] = 0;
      --old_->used;
      migrate_pos_ = old_->Next(migrate_pos_);
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
