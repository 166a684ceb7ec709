// Keyspace: the numbered databases (SELECT 0..N-1), each an EntryTable plus a
// TimingWheel for its deadlines, on an injected Clock. Owns every Entry.
//
// Expiry follows Redis: a key whose deadline is D is live while now <= D and
// gone once now > D. It is hidden lazily the moment its deadline passes (every
// lookup checks) and reclaimed actively by ExpireStep(), which the server runs
// every millisecond with a work budget.
//
// Each entry carries an access clock (store/access_clock.h) for OBJECT
// IDLETIME, as Redis's LRU clock: stamped when the entry is created or
// overwritten (Set, Insert, Copy) and when Find returns it, unless the lookup
// asks not to touch (Access::kNoTouch: Redis's LOOKUP_NOTOUCH) or touching is
// off for the running command (set_touch_on_find: CLIENT NO-TOUCH). Peek,
// Scan, ForEach and Random never touch; Rename, Move, SwapDatabases and value
// resizes keep the stamp. AgeStep keeps old stamps readable (see there).
//
// Entry pointers returned here are borrowed: valid until the next call that
// may change the same database (any non-const call). Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ss/clock.h"
#include "ss/store/access_clock.h"
#include "ss/store/entry.h"
#include "ss/store/table.h"
#include "ss/store/timing_wheel.h"

namespace ss {

// Told about every change to the keyspace, so later layers (WATCH, keyspace
// events) can react whatever command or timer made it.
// OnKeyWritten: key was created, overwritten, deleted, renamed (both names),
// given or cleared a deadline, or had its value edited in place (reported
// after the change). OnKeyExpired: key left because its deadline passed (at
// the deadline, or found past it). OnDatabaseChanged: every key of db may
// have changed at once (flush, swap).
class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;
  virtual void OnKeyWritten(int db, std::string_view key) { (void)db, (void)key; }
  virtual void OnKeyExpired(int db, std::string_view key) { (void)db, (void)key; }
  virtual void OnDatabaseChanged(int db) { (void)db; }
};

// Told about every entry whose key starts with a watched prefix as it enters
// and leaves a database, so a secondary index (the session index) stays
// exact whatever command changed the key. OnEntryAdded: the entry is in the
// table with its value written. OnEntryRemoved: it is about to leave (key and
// value still readable). A value rewritten in place is reported as a removal
// then an addition. OnDatabaseFlushed: every entry of db is gone at once.
// OnDatabasesSwapped: the entries of a and b traded places (SWAPDB); the
// entries themselves did not move.
class EntryIndex {
 public:
  enum class Removal { kDeleted, kExpired };
  virtual ~EntryIndex() = default;
  // key_hash is EntryTable::Hash(e->key()), which the keyspace has already
  // computed, for the index's own tables.
  virtual void OnEntryAdded(int db, Entry* e, uint64_t key_hash) = 0;
  virtual void OnEntryRemoved(int db, Entry* e, Removal why) = 0;
  virtual void OnDatabaseFlushed(int db) = 0;
  virtual void OnDatabasesSwapped(int a, int b) = 0;
};

// Whether a lookup counts as an access of the key (refreshes its clock).
enum class Access { kTouch, kNoTouch };

class Keyspace final : private ExpiryHandler {
 public:
  Keyspace(const Clock& clock, int databases);
  ~Keyspace() override;
  Keyspace(const Keyspace&) = delete;
  Keyspace& operator=(const Keyspace&) = delete;

  int databases() const { return static_cast<int>(dbs_.size()); }
  const Clock& clock() const { return clock_; }
  void set_observer(KeyspaceObserver* o) { observer_ = o; }
  // Reports entries under key prefix `prefix` to index (nullptr: none).
  void set_index(EntryIndex* index, std::string prefix) {
    index_ = index;
    index_prefix_ = std::move(prefix);
  }

  // The live entry for key, or nullptr. An entry found past its deadline is
  // deleted here (counted as expired). With kTouch (and touch_on_find()) the
  // entry's access clock is set to now. REQUIRES: 0 <= db < databases().
  Entry* Find(int db, std::string_view key, Access access = Access::kTouch);
  // Like Find but never deletes nor touches: for paths that must not write.
  const Entry* Peek(int db, std::string_view key) const;

  // Whether Find(kTouch) touches. The dispatcher turns it off while a
  // CLIENT NO-TOUCH client's command runs (Redis 7.2's rule).
  void set_touch_on_find(bool on) { touch_on_find_ = on; }
  bool touch_on_find() const { return touch_on_find_; }
  // Sets e's access clock to now whatever touch_on_find says (TOUCH).
  void Touch(Entry* e) { Stamp(e, clock_.CoarseNowMs()); }
  // Seconds since e was last accessed (OBJECT IDLETIME), within the error
  // bound of store/access_clock.h.
  int64_t IdleSeconds(const Entry* e) const {
    return ss::IdleSeconds(e->access_stamp(), clock_.CoarseNowMs());
  }

  // Stores key = value as a string, replacing any previous entry (whatever
  // its type). deadline: kNoDeadline for none; keep_ttl keeps the old entry's
  // deadline instead. Returns the new entry, or nullptr when the deadline has
  // already passed (the key is then simply gone, as it would expire at once).
  // A previous entry already past its deadline is expired first (counted,
  // observed as expired), just as Find would have done.
  Entry* Set(int db, std::string_view key, std::string_view value,
             int64_t deadline_ms = kNoDeadline, bool keep_ttl = false,
             ValueType type = ValueType::kString);
  // Stores key = value only if key holds no live entry (one probe, for
  // callers that would otherwise Find then Set). nullptr, changing nothing,
  // if it does or if the deadline has already passed.
  Entry* Insert(int db, std::string_view key, std::string_view value, int64_t deadline_ms,
                ValueType type) {
    return Insert(db, key, EntryTable::Hash(key), value, deadline_ms, type);
  }
  // The same with the key's EntryTable::Hash() already computed.
  Entry* Insert(int db, std::string_view key, uint64_t hash, std::string_view value,
                int64_t deadline_ms, ValueType type);
  // Starts loading the table slot where a probe for this key hash begins.
  void Prefetch(int db, uint64_t hash) const { dbs_[static_cast<size_t>(db)]->table.Prefetch(hash); }
  // Removes the key if live. True if it existed.
  bool Delete(int db, std::string_view key);
  // Sets (or, with kNoDeadline, clears) the entry's deadline. A deadline
  // that has already passed deletes the entry (e is then dangling).
  void SetDeadline(int db, Entry* e, int64_t deadline_ms);
  // Resizes e's value (see Entry::ResizeValue), keeping table and wheel
  // consistent. Returns the entry's possibly new address. The caller then
  // writes the new bytes and calls ValueWritten (the index re-reads them).
  Entry* ResizeValue(int db, Entry* e, size_t new_len);
  void ValueWritten(int db, Entry* e);
  // Moves the entry at `from` to `to` (replacing anything at `to`), keeping
  // its value and deadline. REQUIRES: from is live.
  void Rename(int db, std::string_view from, std::string_view to);

  // Moves the live entry `key` of db to dst_db under the same name, keeping
  // value, type and deadline (the block itself moves; no copy). False,
  // changing nothing, if key is not live in db or is already live in dst_db.
  // REQUIRES: db != dst_db.
  bool Move(int db, std::string_view key, int dst_db);
  // Copies the live entry `from` of src_db to `to` in dst_db with its value,
  // type and deadline. nullptr, changing nothing, if `from` is not live, or
  // if `to` is live and !replace. Returns the new entry.
  // REQUIRES: src_db != dst_db or from != to.
  Entry* Copy(int src_db, std::string_view from, int dst_db, std::string_view to, bool replace);
  // Swaps the contents of databases a and b (SWAPDB), with their deadlines;
  // O(1) whatever their size. The index and the observer hear of both.
  void SwapDatabases(int a, int b);

  size_t Size(int db) const;
  size_t Expires(int db) const;
  void Flush(int db);
  void FlushAll();

  // SCAN over one database (see EntryTable::Scan); expired entries are
  // skipped, not reported.
  uint64_t Scan(int db, uint64_t cursor, size_t count,
                const std::function<void(const Entry*)>& fn) const;
  void ForEach(int db, const std::function<void(const Entry*)>& fn) const;
  // A random live key (RANDOMKEY), or nullptr when the database is empty.
  Entry* Random(int db);

  // Active expiry: reclaims entries whose deadlines have passed, doing at
  // most `budget` units of wheel work over all databases. Returns true if
  // due work remains (call again without waiting).
  bool ExpireStep(size_t budget);
  // When ExpireStep next has work (unix ms), or -1 if no key has a deadline.
  int64_t NextExpiryWorkMs() const;
  // Spends up to `clusters` units on pending table resizes; true if more.
  bool RehashStep(size_t clusters);
  // Gives up to `pages` of the entry slab's emptied pages back to the kernel
  // (store/slab.h); true if more are queued. Freeing entries (expiry, DEL,
  // FLUSHALL) only queues them, so the caller runs this in bounded steps.
  bool ReleaseMemoryStep(size_t pages);
  bool HasMemoryToRelease() const;
  // Access-clock aging: visits about 1/steps_per_pass of every database (at
  // least a few slots each), turning fine stamps idle for kFineAgeLimitS or
  // more coarse (store/access_clock.h). A caller that runs it steps_per_pass
  // times within an hour visits every entry at least once an hour, which is
  // what keeps fine stamps from being read after they wrap.
  void AgeStep(size_t steps_per_pass);

  // Accounting for INFO.
  uint64_t expired_keys() const { return expired_keys_; }
  void ResetStats() { expired_keys_ = 0; }
  size_t used_memory() const;

  // Whether a deadline means "already gone" at this instant.
  bool IsPast(int64_t deadline_ms) const {
    return deadline_ms != kNoDeadline && clock_.NowMs() > deadline_ms;
  }

 private:
  struct Database {
    explicit Database(int64_t now_ms) : wheel(now_ms) {}
    EntryTable table;
    TimingWheel wheel;
    uint64_t aging_cursor = 0;  // AgeStep's position (a Scan cursor)
  };

  static void Stamp(Entry* e, int64_t now_ms) {
    const uint16_t stamp = FineStamp(now_ms);
    // Most touches find the stamp already current: skip the store.
    if (e->access_stamp() != stamp) e->set_access_stamp(stamp);
  }

  void OnExpired(Entry* e) override;
  void PrefetchExpiring(const Entry* e) override;
  void Link(Database& d, Entry* e);
  void Unlink(Database& d, Entry* e);
  void Destroy(Entry* e);
  void DeleteEntry(int db, Entry* e, EntryIndex::Removal why = EntryIndex::Removal::kDeleted);
  // Deletes e, found past its deadline, as expired (counted, observed).
  void ExpireNow(int db, Entry* e);
  // Creates, stores and links a new entry. REQUIRES: key is absent, and
  // hash == EntryTable::Hash(key).
  Entry* Add(int db, std::string_view key, std::string_view value, int64_t deadline_ms,
             ValueType type, uint64_t hash);
  bool Indexed(const Entry* e) const {
    return index_ != nullptr && e->key().starts_with(index_prefix_);
  }
  void Added(int db, Entry* e) {
    if (Indexed(e)) index_->OnEntryAdded(db, e, EntryTable::Hash(e->key()));
  }
  void Added(int db, Entry* e, uint64_t hash) {
    if (Indexed(e)) index_->OnEntryAdded(db, e, hash);
  }
  void Removed(int db, Entry* e, EntryIndex::Removal why) {
    if (Indexed(e)) index_->OnEntryRemoved(db, e, why);
  }
  void Written(int db, std::string_view key) {
    if (observer_ != nullptr) observer_->OnKeyWritten(db, key);
  }

  const Clock& clock_;
  std::vector<std::unique_ptr<Database>> dbs_;
  KeyspaceObserver* observer_ = nullptr;
  EntryIndex* index_ = nullptr;
  std::string index_prefix_;
  bool touch_on_find_ = true;
  int expiring_db_ = -1;  // database whose wheel is calling OnExpired
  size_t next_expire_db_ = 0;
  uint64_t rng_state_ = 1;
  uint64_t expired_keys_ = 0;
  size_t entry_bytes_ = 0;  // sum of Entry::AllocatedBytes()
};

}  // namespace ss
