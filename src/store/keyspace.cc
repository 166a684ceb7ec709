#include "ss/store/keyspace.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <utility>

namespace ss {

Keyspace::Keyspace(const Clock& clock, int databases) : clock_(clock) {
  dbs_.reserve(static_cast<size_t>(databases));
  for (int i = 0; i < databases; ++i) {
    dbs_.push_back(std::make_unique<Database>(clock_.NowMs()));
  }
}

Keyspace::~Keyspace() {
  // Going away is not a change anyone follows: the observer and the index
  // may already be gone (they are usually declared after the keyspace).
  observer_ = nullptr;
  index_ = nullptr;
  FlushAll();
}

void Keyspace::Link(Database& d, Entry* e) {
  if (e->has_deadline()) d.wheel.Schedule(e);
}

void Keyspace::Unlink(Database& d, Entry* e) {
  if (e->link().linked()) d.wheel.Unlink(e);
}

void Keyspace::Destroy(Entry* e) {
  entry_bytes_ -= e->AllocatedBytes();
  Entry::Destroy(e);
}

void Keyspace::DeleteEntry(int db, Entry* e, EntryIndex::Removal why) {
  Database& d = *dbs_[static_cast<size_t>(db)];
  Removed(db, e, why);
  Unlink(d, e);
  Entry* removed = d.table.Remove(e->key());
  assert(removed == e);
  (void)removed;
  Destroy(e);
}

Entry* Keyspace::Find(int db, std::string_view key, Access access) {
  Database& d = *dbs_[static_cast<size_t>(db)];
  Entry* e = d.table.Find(key);
  if (e == nullptr) return nullptr;
  const int64_t deadline_ms = e->deadline_ms();
  const bool touch = access == Access::kTouch && touch_on_find_;
  if (deadline_ms != kNoDeadline && clock_.NowMs() > deadline_ms) {
    ExpireNow(db, e);
    return nullptr;
  }
  // The access clock needs no fresh clock read (Clock::CoarseNowMs).
  if (touch) Stamp(e, clock_.CoarseNowMs());
  return e;
}

void Keyspace::ExpireNow(int db, Entry* e) {
  // Lazy expiry: the wheel has not reached it yet, but it must not be seen.
  ++expired_keys_;
  if (observer_ != nullptr) {
    std::string k(e->key());
    DeleteEntry(db, e, EntryIndex::Removal::kExpired);
    observer_->OnKeyExpired(db, k);
  } else {
    DeleteEntry(db, e, EntryIndex::Removal::kExpired);
  }
}

Entry* Keyspace::Add(int db, std::string_view key, std::string_view value, int64_t deadline_ms,
                     ValueType type, uint64_t hash) {
  Database& d = *dbs_[static_cast<size_t>(db)];
  Entry* e = Entry::Create(key, value, type);
  entry_bytes_ += e->AllocatedBytes();
  if (deadline_ms != kNoDeadline) e->set_deadline_ms(deadline_ms);
  Stamp(e, clock_.CoarseNowMs());
  d.table.Insert(e, hash);
  Link(d, e);
  Added(db, e, hash);
  return e;
}

const Entry* Keyspace::Peek(int db, std::string_view key) const {
  Entry* e = dbs_[static_cast<size_t>(db)]->table.Find(key);
  if (e == nullptr || IsPast(e->deadline_ms())) return nullptr;
  return e;
}

Entry* Keyspace::Set(int db, std::string_view key, std::string_view value,
                     int64_t deadline_ms, bool keep_ttl, ValueType type) {
  Database& d = *dbs_[static_cast<size_t>(db)];
  // Overwriting a live string whose block has room: reuse it in place (no
  // free, malloc or second probe). The common session-refresh case. A much
  // smaller value gets a new block, so a big one's memory is not kept.
  // The key is hashed once for the probe, the insert and the index.
  const uint64_t hash = EntryTable::Hash(key);
  Entry* cur = d.table.Find(key, hash);
  if (cur != nullptr && cur->FitsInPlace(value.size()) &&
      value.size() >= cur->value_size() / 2 && !IsPast(cur->deadline_ms())) {
    if (keep_ttl) deadline_ms = cur->deadline_ms();
    if (IsPast(deadline_ms)) {
      DeleteEntry(db, cur);
      Written(db, key);
      return nullptr;
    }
    Removed(db, cur, EntryIndex::Removal::kDeleted);
    bool moved = false;
    cur = Entry::ResizeValue(cur, value.size(), &moved);
    if (!value.empty()) std::memcpy(cur->mutable_value(), value.data(), value.size());
    cur->set_type(type);
    // A new value, as Redis's new object: a fresh access clock.
    Stamp(cur, clock_.CoarseNowMs());
    if (deadline_ms != cur->deadline_ms()) {
      Unlink(d, cur);
      cur->set_deadline_ms(deadline_ms);
      Link(d, cur);
    }
    Added(db, cur, hash);
    Written(db, key);
    return cur;
  }
  if (cur != nullptr && IsPast(cur->deadline_ms())) {
    // Found past its deadline: expired first (counted, observed), as a
    // lookup would have done, so callers need no lookup of their own.
    ExpireNow(db, cur);
  } else if (cur != nullptr) {
    if (keep_ttl) deadline_ms = cur->deadline_ms();
    DeleteEntry(db, cur, EntryIndex::Removal::kDeleted);
  }
  Entry* e = IsPast(deadline_ms) ? nullptr : Add(db, key, value, deadline_ms, type, hash);
  Written(db, key);
  return e;
}

Entry* Keyspace::Insert(int db, std::string_view key, uint64_t hash, std::string_view value,
                        int64_t deadline_ms, ValueType type) {
  Database& d = *dbs_[static_cast<size_t>(db)];
  if (Entry* cur = d.table.Find(key, hash); cur != nullptr) {
    if (!IsPast(cur->deadline_ms())) return nullptr;
    ExpireNow(db, cur);
  }
  if (IsPast(deadline_ms)) return nullptr;
  Entry* e = Add(db, key, value, deadline_ms, type, hash);
  Written(db, key);
  return e;
}

bool Keyspace::Delete(int db, std::string_view key) {
  Entry* e = Find(db, key, Access::kNoTouch);
  if (e == nullptr) return false;
  DeleteEntry(db, e);
  Written(db, key);
  return true;
}

void Keyspace::SetDeadline(int db, Entry* e, int64_t deadline_ms) {
  Database& d = *dbs_[static_cast<size_t>(db)];
  if (IsPast(deadline_ms)) {
    std::string key(observer_ != nullptr ? e->key() : std::string_view());
    DeleteEntry(db, e);
    Written(db, key);
    return;
  }
  Unlink(d, e);
  e->set_deadline_ms(deadline_ms);
  Link(d, e);
  Written(db, e->key());
}

Entry* Keyspace::ResizeValue(int db, Entry* e, size_t new_len) {
  Database& d = *dbs_[static_cast<size_t>(db)];
  Removed(db, e, EntryIndex::Removal::kDeleted);
  if (e->FitsInPlace(new_len)) {
    bool moved = false;
    Entry* same = Entry::ResizeValue(e, new_len, &moved);
    assert(!moved);
    return same;
  }
  bool linked = e->link().linked();
  if (linked) d.wheel.Unlink(e);
  size_t before = e->AllocatedBytes();
  bool moved = false;
  Entry* n = Entry::ResizeValue(e, new_len, &moved);
  entry_bytes_ += n->AllocatedBytes();
  entry_bytes_ -= before;
  if (moved) d.table.Replace(e, n);
  if (linked) d.wheel.Schedule(n);
  return n;
}

void Keyspace::ValueWritten(int db, Entry* e) {
  Added(db, e);
  Written(db, e->key());
}

void Keyspace::Rename(int db, std::string_view from, std::string_view to) {
  Database& d = *dbs_[static_cast<size_t>(db)];
  Entry* src = Find(db, from, Access::kNoTouch);
  assert(src != nullptr);
  if (from == to) return;
  Entry* n = Entry::Create(to, src->value(), src->type());
  entry_bytes_ += n->AllocatedBytes();
  n->set_deadline_ms(src->deadline_ms());
  // Redis moves the object itself: its access clock goes with it.
  n->set_access_stamp(src->access_stamp());
  DeleteEntry(db, src);
  if (Entry* old = d.table.Find(to); old != nullptr) {
    DeleteEntry(db, old, IsPast(old->deadline_ms()) ? EntryIndex::Removal::kExpired
                                                     : EntryIndex::Removal::kDeleted);
  }
  d.table.Insert(n);
  Link(d, n);
  Added(db, n);
  Written(db, from);
  Written(db, to);
}

bool Keyspace::Move(int db, std::string_view key, int dst_db) {
  assert(db != dst_db);
  Entry* e = Find(db, key, Access::kNoTouch);
  if (e == nullptr || Find(dst_db, key, Access::kNoTouch) != nullptr) return false;
  Database& from = *dbs_[static_cast<size_t>(db)];
  Database& to = *dbs_[static_cast<size_t>(dst_db)];
  Removed(db, e, EntryIndex::Removal::kDeleted);
  Unlink(from, e);
  Entry* removed = from.table.Remove(e->key());
  assert(removed == e);
  (void)removed;
  to.table.Insert(e);
  Link(to, e);
  Added(dst_db, e);
  Written(db, e->key());
  Written(dst_db, e->key());
  return true;
}

Entry* Keyspace::Copy(int src_db, std::string_view from, int dst_db, std::string_view to,
                      bool replace) {
  assert(src_db != dst_db || from != to);
  Entry* src = Find(src_db, from, Access::kNoTouch);
  if (src == nullptr) return nullptr;
  Database& d = *dbs_[static_cast<size_t>(dst_db)];
  // Create before deleting the target: src may not be looked up again.
  Entry* n = Entry::Create(to, src->value(), src->type());
  entry_bytes_ += n->AllocatedBytes();
  n->set_deadline_ms(src->deadline_ms());
  // A copy is a new object in Redis: a fresh access clock.
  Stamp(n, clock_.CoarseNowMs());
  if (Entry* old = Find(dst_db, to, Access::kNoTouch); old != nullptr) {
    if (!replace) {
      Destroy(n);
      return nullptr;
    }
    DeleteEntry(dst_db, old);
  }
  d.table.Insert(n);
  Link(d, n);
  Added(dst_db, n);
  Written(dst_db, to);
  return n;
}

void Keyspace::SwapDatabases(int a, int b) {
  if (a == b) return;
  std::swap(dbs_[static_cast<size_t>(a)], dbs_[static_cast<size_t>(b)]);
  if (index_ != nullptr) index_->OnDatabasesSwapped(a, b);
  if (observer_ != nullptr) {
    observer_->OnDatabaseChanged(a);
    observer_->OnDatabaseChanged(b);
  }
}

size_t Keyspace::Size(int db) const { return dbs_[static_cast<size_t>(db)]->table.size(); }

size_t Keyspace::Expires(int db) const { return dbs_[static_cast<size_t>(db)]->wheel.size(); }

void Keyspace::Flush(int db) {
  Database& d = *dbs_[static_cast<size_t>(db)];
  if (index_ != nullptr) index_->OnDatabaseFlushed(db);
  d.table.Clear([&](Entry* e) {
    Unlink(d, e);
    Destroy(e);
  });
  if (observer_ != nullptr) observer_->OnDatabaseChanged(db);
}

void Keyspace::FlushAll() {
  for (int i = 0; i < databases(); ++i) Flush(i);
}

uint64_t Keyspace::Scan(int db, uint64_t cursor, size_t count,
                        const std::function<void(const Entry*)>& fn) const {
  return dbs_[static_cast<size_t>(db)]->table.Scan(cursor, count, [&](Entry* e) {
    if (!IsPast(e->deadline_ms())) fn(e);
  });
}

void Keyspace::ForEach(int db, const std::function<void(const Entry*)>& fn) const {
  dbs_[static_cast<size_t>(db)]->table.ForEach([&](Entry* e) {
    if (!IsPast(e->deadline_ms())) fn(e);
  });
}

Entry* Keyspace::Random(int db) {
  Database& d = *dbs_[static_cast<size_t>(db)];
  // Expired entries found here are deleted and another draw is made; bounded
  // so a database full of just-expired keys cannot stall the loop (Redis's
  // dbRandomKey bounds its retries the same way).
  for (int tries = 0; tries < 100; ++tries) {
    uint64_t bits = static_cast<uint64_t>(clock_.NowUs()) * 0x9E3779B97F4A7C15ULL +
                    rng_state_++ * 0xBF58476D1CE4E5B9ULL;
    Entry* e = d.table.Random(bits);
    if (e == nullptr) return nullptr;
    if (!IsPast(e->deadline_ms())) return e;
    Find(db, std::string(e->key()));  // deletes it as expired
  }
  return nullptr;
}

void Keyspace::OnExpired(Entry* e) {
  assert(expiring_db_ >= 0);
  Database& d = *dbs_[static_cast<size_t>(expiring_db_)];
  Removed(expiring_db_, e, EntryIndex::Removal::kExpired);
  Entry* removed = d.table.Remove(e->key());
  assert(removed == e);
  (void)removed;
  ++expired_keys_;
  if (observer_ != nullptr) observer_->OnKeyExpired(expiring_db_, e->key());
  Destroy(e);
}

void Keyspace::PrefetchExpiring(const Entry* e) {
  // The key is hashed again in OnExpired: keeping this hash for it would
  // need the pointer it belongs to, which may be freed and reused meanwhile.
  assert(expiring_db_ >= 0);
  dbs_[static_cast<size_t>(expiring_db_)]->table.Prefetch(EntryTable::Hash(e->key()));
}

bool Keyspace::ExpireStep(size_t budget) {
  // Redis semantics: a key with deadline D is live at D and gone at D+1, so
  // the wheel is advanced to now-1 (it expires deadlines <= its argument).
  int64_t until = clock_.NowMs() - 1;
  bool more = false;
  // Each database with deadlines gets the budget; the starting database
  // rotates so that, when the caller stops early, none is always last.
  size_t n = dbs_.size();
  for (size_t i = 0; i < n; ++i) {
    size_t idx = (next_expire_db_ + i) % n;
    Database& d = *dbs_[idx];
    if (d.wheel.size() == 0) continue;
    expiring_db_ = static_cast<int>(idx);
    bool left = d.wheel.Advance(until, budget, *this);
    expiring_db_ = -1;
    more = more || left;
  }
  next_expire_db_ = (next_expire_db_ + 1) % n;
  return more;
}

int64_t Keyspace::NextExpiryWorkMs() const {
  int64_t best = -1;
  for (const auto& d : dbs_) {
    int64_t t = d->wheel.NextWorkMs();
    if (t < 0) continue;
    // The wheel reports the deadline itself; the key goes one ms later.
    t += 1;
    if (best < 0 || t < best) best = t;
  }
  return best;
}

bool Keyspace::ReleaseMemoryStep(size_t pages) { return Entry::ReleaseEmptyPages(pages) > 0; }

bool Keyspace::HasMemoryToRelease() const { return Entry::EmptyPages() > 0; }

bool Keyspace::RehashStep(size_t clusters) {
  bool more = false;
  for (auto& d : dbs_) more = d->table.RehashStep(clusters) || more;
  return more;
}

void Keyspace::AgeStep(size_t steps_per_pass) {
  // Scan's count is in home buckets of the table's current array, each an
  // equal share of hash space, so buckets/steps_per_pass (rounded up) per
  // step completes a pass in at most steps_per_pass steps, whatever resizes
  // happen meanwhile. The work per step is that share of the table, so no
  // single call is long; the floor keeps small tables moving.
  constexpr size_t kMinBuckets = 8;
  const int64_t now_ms = clock_.NowMs();
  const size_t steps = steps_per_pass > 0 ? steps_per_pass : 1;
  for (auto& d : dbs_) {
    if (d->table.size() == 0) continue;
    const size_t count = std::max(kMinBuckets, (d->table.buckets() + steps - 1) / steps);
    d->aging_cursor = d->table.Scan(d->aging_cursor, count, [now_ms](Entry* e) {
      const uint16_t aged = AgedStamp(e->access_stamp(), now_ms);
      if (aged != e->access_stamp()) e->set_access_stamp(aged);
    });
  }
}

size_t Keyspace::used_memory() const {
  size_t total = entry_bytes_;
  for (const auto& d : dbs_) total += d->table.MemoryBytes() + d->wheel.MemoryBytes();
  return total;
}

}  // namespace ss
