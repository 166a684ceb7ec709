// EntryTable: the key -> Entry* index of one database. Open addressing with
// Robin Hood linear probing over XXH3 hashes, home bucket = the top 32 bits
// of the hash scaled to the capacity, so every probe run is sorted by hash
// whatever the capacity. Capacities need not be powers of two, which keeps
// the load between 0.72 and 0.9 while growing. A slot is 8 bytes: the
// entry's 32-bit handle and the top 32 bits of its hash. Grows and shrinks
// incrementally: a resize allocates the new slot array and then moves whole
// probe clusters a few at a time on each operation (and from RehashStep), so
// no single command pays for the whole table.
//
// SCAN cursors are positions in hash space, not slot numbers: a call returns
// every entry whose hash lies in [cursor, next). A resize changes slot
// numbers but not hashes, so an entry present for a whole scan is returned
// exactly once, whatever resizing happened in between.
//
// Owns only its slot arrays: entries are borrowed (the Keyspace owns them),
// named by handle (Entry::HandleOf).
// Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "ss/store/entry.h"

namespace ss {

class EntryTable {
 public:
  // How far a full table grows. kCompact (1.25x) keeps the load between
  // 0.72 and 0.9, about 10 bytes of slot per entry, and moves each entry
  // about five times as a table grows from empty; kFast (2x) moves each
  // about twice, for ~4 more bytes per entry on average (load 0.45-0.9).
  enum class Growth { kCompact, kFast };

  explicit EntryTable(Growth growth = Growth::kCompact);
  ~EntryTable();
  EntryTable(const EntryTable&) = delete;
  EntryTable& operator=(const EntryTable&) = delete;

  static uint64_t Hash(std::string_view key);

  // The entry with this key, or nullptr.
  Entry* Find(std::string_view key) { return Find(key, Hash(key)); }
  // The same with the key's Hash() already computed: a caller that probes
  // and then inserts or replaces under one key hashes it once.
  Entry* Find(std::string_view key, uint64_t hash);
  // Starts loading the cache line where a probe for this hash begins, for a
  // caller that has other work to do before its Find or Insert.
  void Prefetch(uint64_t hash) const;
  // Once that line has arrived: starts loading the entry a Find for this
  // hash would compare first (the first slot with the same 32 hash bits
  // within a few of the home slot), if any.
  void PrefetchEntry(uint64_t hash) const;
  // Adds e. REQUIRES: no entry with e->key() is present.
  void Insert(Entry* e) { Insert(e, Hash(e->key())); }
  // REQUIRES also: hash == Hash(e->key()).
  void Insert(Entry* e, uint64_t hash);
  // Takes the entry with this key out of the table and returns it (the
  // caller owns it again), or nullptr if absent.
  Entry* Remove(std::string_view key);
  // Points the slot that holds old_ptr at new_ptr (same key) after the entry
  // was reallocated. REQUIRES: old_ptr is in the table; old_ptr may already be
  // freed, only its address and new_ptr's key are used.
  void Replace(const Entry* old_ptr, Entry* new_ptr) { Replace(old_ptr, new_ptr, Hash(new_ptr->key())); }
  // REQUIRES also: hash == Hash(new_ptr->key()).
  void Replace(const Entry* old_ptr, Entry* new_ptr, uint64_t hash);

  size_t size() const { return size_; }

  // Calls fn for every entry whose hash is in [cursor, next) and returns
  // next; 0 when the whole hash space is covered. Looks at about `count`
  // slots (at least one home bucket), so a call's work is bounded.
  uint64_t Scan(uint64_t cursor, size_t count, const std::function<void(Entry*)>& fn) const;
  // Calls fn for every entry. fn must not change the table.
  void ForEach(const std::function<void(Entry*)>& fn) const;
  // A pseudo-random entry chosen with `random_bits`, or nullptr if empty.
  Entry* Random(uint64_t random_bits) const;

  // Takes every entry out of the table, calling fn on each (the caller
  // destroys them), and shrinks to the initial size.
  void Clear(const std::function<void(Entry*)>& fn);

  // Does up to `clusters` units of pending resize work; true if more remains.
  bool RehashStep(size_t clusters);
  bool rehashing() const;
  // Home buckets of the array inserts go to: a Scan of `count` buckets
  // covers count/buckets() of hash space.
  size_t buckets() const;
  // Bytes held by the slot arrays.
  size_t MemoryBytes() const;

 private:
  struct Slots;  // one slot array; see table.cc
  Slots* main_ = nullptr;    // where inserts go
  Slots* old_ = nullptr;     // being drained into main_ during a resize
  size_t size_ = 0;          // entries in main_ and old_ together
  Growth growth_;
  size_t migrate_pos_ = 0;   // next old_ slot to drain
  size_t migrate_left_ = 0;  // old_ slots not yet drained

  // Starts a grow or shrink if the load calls for one and none is running.
  void MaybeStartResize();
  // Allocates a main_ of `capacity` slots and makes the current one old_.
  void StartResize(size_t capacity);
  // Moves up to `clusters` whole probe clusters from old_ to main_.
  void MigrateSome(size_t clusters);
  // Frees old_ once it holds no entries.
  void FinishResizeIfDrained();
};

}  // namespace ss
