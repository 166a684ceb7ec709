#include "ss/session/session_store.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <utility>

#include "ss/session/pyjson.h"

namespace ss::session {
namespace {

constexpr int64_t kUsPerMs = 1000;
constexpr int64_t kUsPerS = 1000000;

// The keyspace deadline of a record: live while now_ms <= expires_us / 1000.
int64_t DeadlineMs(int64_t expires_us) { return expires_us / kUsPerMs; }

uint64_t KeyHash(const Entry* e) { return EntryTable::Hash(e->key()); }

// A user list's value is an array of Entry pointers (read with memcpy).
size_t ListSize(const Entry* list) { return list->value_size() / sizeof(Entry*); }
Entry* ListAt(const Entry* list, size_t i) {
  Entry* e;
  std::memcpy(&e, list->value().data() + i * sizeof(Entry*), sizeof e);
  return e;
}

}  // namespace

SessionStore::Sandbox::~Sandbox() {
  users.Clear([](Entry* list) { Entry::Destroy(list); });
}

void SessionStore::AddToUser(Sandbox& sb, std::string_view user, uint64_t hash, Entry* e) {
  // Hashed once for the probe and the insert or replace that follows.
  Entry* list = sb.users.Find(user, hash);
  if (list == nullptr) {
    list = Entry::Create(user, std::string_view(reinterpret_cast<const char*>(&e), sizeof e));
    sb.users.Insert(list, hash);
    return;
  }
  // Appended, unordered: keeping it sorted would hash every other session's
  // key (a cache miss each) on the allocation path; LIST sorts when it pages.
  const size_t n = ListSize(list);
  bool moved = false;
  Entry* grown = Entry::ResizeValue(list, (n + 1) * sizeof(Entry*), &moved);
  if (moved) sb.users.Replace(list, grown, hash);
  std::memcpy(grown->mutable_value() + n * sizeof(Entry*), &e, sizeof e);
}

void SessionStore::RemoveFromUser(Sandbox& sb, std::string_view user, const Entry* e) {
  const uint64_t hash = EntryTable::Hash(user);
  Entry* list = sb.users.Find(user, hash);
  if (list == nullptr) return;
  const size_t n = ListSize(list);
  size_t at = 0;
  while (at < n && ListAt(list, at) != e) ++at;
  if (at == n) return;
  if (n == 1) {
    sb.users.Remove(user);
    Entry::Destroy(list);
    return;
  }
  char* v = list->mutable_value();
  std::memmove(v + at * sizeof(Entry*), v + (at + 1) * sizeof(Entry*), (n - at - 1) * sizeof(Entry*));
  bool moved = false;
  Entry* shrunk = Entry::ResizeValue(list, (n - 1) * sizeof(Entry*), &moved);
  if (moved) sb.users.Replace(list, shrunk, hash);
}

void SandboxStats::Add(const SandboxStats& o) {
  allocated += o.allocated;
  validated += o.validated;
  validate_failed += o.validate_failed;
  updated += o.updated;
  extended += o.extended;
  deleted += o.deleted;
  revoked += o.revoked;
  expired += o.expired;
  csrf_issued += o.csrf_issued;
  csrf_rejected += o.csrf_rejected;
}

SessionStore::SessionStore(Keyspace& ks, std::string prefix)
    : ks_(ks), prefix_(std::move(prefix)), dbs_(static_cast<size_t>(ks.databases())) {
  ks_.set_index(this, prefix_);
}

SessionStore::~SessionStore() { ks_.set_index(nullptr, {}); }

bool SessionStore::Describe(Entry* e, Session* out) const {
  std::string_view key = e->key();
  if (!key.starts_with(prefix_)) return false;
  out->entry = e;
  out->id = key.substr(prefix_.size());
  if (e->type() == ValueType::kSession) {
    out->binary = true;
    out->owned.reset();
    return DecodeRecord(e->value(), &out->fields);
  }
  if (e->type() != ValueType::kString) return false;
  out->binary = false;
  out->owned = ParseChukRecord(e->value());
  if (!out->owned || out->owned->session_id != out->id) return false;
  const ChukRecord& r = *out->owned;
  SessionFields& f = out->fields;
  f.sandbox = r.sandbox_id;
  f.has_user = r.has_user;
  f.user = r.user_id;
  f.status = r.status;
  f.idle_s = 0;
  f.created_us = r.created_us;
  f.expires_us = r.expires_us;
  f.last_accessed_us = r.last_accessed_us;
  const int64_t ttl = (r.expires_us - r.created_us) / kUsPerS;
  f.ttl_s = static_cast<uint32_t>(std::clamp<int64_t>(ttl, 0, std::numeric_limits<uint32_t>::max()));
  f.metadata_py = r.metadata_py;
  // Sandbox names and ids beyond our limits cannot be encoded as records.
  return !f.sandbox.empty() && f.sandbox.size() <= kMaxSandboxLen && f.user.size() <= 0xFFFF &&
         f.status.size() <= 0xFF;
}

bool SessionStore::Lookup(int db, std::string_view sandbox, std::string_view id, Session* out) {
  if (id.empty()) return false;
  Entry* e = ks_.Find(db, KeyOf(id));
  if (e == nullptr || !Describe(e, out)) return false;
  // A chuk record past its own expires_at is expired whatever its key's TTL
  // (chuk-sessions' is_expired). A binary record lives by its key's deadline,
  // which EXPIRE/PERSIST may have moved (the command layer keeps the
  // record's expires_at in step).
  if (!out->binary && ks_.IsPast(DeadlineMs(out->fields.expires_us))) return false;
  return out->fields.sandbox == sandbox;
}

SessionStore::Sandbox* SessionStore::FindSandbox(int db, std::string_view sandbox) const {
  const SandboxMap& m = dbs_[static_cast<size_t>(db)];
  auto it = m.find(sandbox);
  return it == m.end() ? nullptr : it->second.get();
}

SessionStore::Sandbox& SessionStore::GetSandbox(int db, std::string_view sandbox) {
  SandboxMap& m = dbs_[static_cast<size_t>(db)];
  auto it = m.find(sandbox);
  if (it == m.end()) it = m.emplace(std::string(sandbox), std::make_unique<Sandbox>()).first;
  return *it->second;
}

SandboxStats& SessionStore::Counters(int db, std::string_view sandbox) {
  return GetSandbox(db, sandbox).stats;
}

SandboxStats* SessionStore::FindCounters(int db, std::string_view sandbox) {
  Sandbox* sb = FindSandbox(db, sandbox);
  return sb == nullptr ? nullptr : &sb->stats;
}

Entry* SessionStore::Rewrite(int db, Session& s, const SessionFields& f, int64_t deadline_ms) {
  std::string bytes;
  EncodeRecord(f, &bytes);
  std::string key(s.entry->key());
  Entry* e = ks_.Set(db, key, bytes, deadline_ms, false, ValueType::kSession);
  s.entry = e;
  s.binary = true;
  return e;
}

void SessionStore::Touch(int db, Session& s) {
  const int64_t now = NowUs();
  SessionFields f = s.fields;
  f.last_accessed_us = now;
  if (f.idle_s > 0) {
    const int64_t cap = f.created_us + int64_t{f.ttl_s} * kUsPerS;
    f.expires_us = std::min(now + int64_t{f.idle_s} * kUsPerS, cap);
  }
  if (!s.binary) {
    // chuk records have no idle timeout: the key keeps its deadline.
    Rewrite(db, s, f, s.entry->deadline_ms());
    DecodeRecord(s.entry->value(), &s.fields);
    return;
  }
  char* rec = s.entry->mutable_value();
  StoreLastAccessed(rec, now);
  s.fields.last_accessed_us = now;
  if (f.expires_us != s.fields.expires_us) {
    StoreExpires(rec, f.expires_us);
    s.fields.expires_us = f.expires_us;
    ks_.SetDeadline(db, s.entry, DeadlineMs(f.expires_us));
  }
}

Result<std::string_view> SessionStore::Allocate(int db, const AllocateRequest& req) {
  if (req.has_id) {
    Session s;
    Entry* e = ks_.Find(db, KeyOf(req.id));
    if (e != nullptr && Describe(e, &s)) {
      if (s.binary || !ks_.IsPast(DeadlineMs(s.fields.expires_us))) {
        if (s.fields.sandbox != req.sandbox) {
          return Error{ErrorCode::kInvalidArgument, "session id already in use"};
        }
        Touch(db, s);
        return req.id;
      }
      // A chuk record past its own expires_at while its key lives on is
      // expired (as in Lookup): replaced below like a missing session.
      // (Touching it would rewrite it with a past deadline.)
    } else if (e != nullptr) {
      // A plain value under the key is not a session: refuse to clobber it.
      return Error{ErrorCode::kInvalidArgument, "session id already in use"};
    }
  }
  // The new entry lands in up to three tables at slots that are cache
  // misses in a big store, and an existing user's list is a fourth. Their
  // loads start as early as each address is known, so that generating the
  // id and encoding the record overlap them: the user's slot first, then
  // (once that slot has arrived) the user's list, and the key's two slots.
  Sandbox& sb = GetSandbox(db, req.sandbox);
  if (req.has_user) {
    adding_user_hash_ = EntryTable::Hash(req.user);
    sb.users.Prefetch(adding_user_hash_);
  }
  // The record and the key are built in buffers kept across calls (they
  // keep their capacity), so a steady stream of ALLOCATEs allocates only
  // the entry and the returned id.
  std::string& key = key_scratch_;
  key.assign(prefix_);
  if (req.has_id) {
    key.append(req.id);
  } else {
    AppendSessionId(req.format, &key);
  }
  uint64_t hash = EntryTable::Hash(key);
  ks_.Prefetch(db, hash);
  sb.sessions.Prefetch(hash);
  if (req.has_user) sb.users.PrefetchEntry(adding_user_hash_);
  const int64_t now = NowUs();
  SessionFields f;
  f.sandbox = req.sandbox;
  f.has_user = req.has_user;
  f.user = req.user;
  f.status = "active";
  f.idle_s = static_cast<uint32_t>(req.idle_s);
  f.ttl_s = static_cast<uint32_t>(req.ttl_s);
  f.created_us = now;
  f.last_accessed_us = now;
  const int64_t cap = now + req.ttl_s * kUsPerS;
  f.expires_us = req.idle_s > 0 ? std::min(now + req.idle_s * kUsPerS, cap) : cap;
  f.metadata_py = req.metadata_py;
  std::string& bytes = record_scratch_;
  EncodeRecord(f, &bytes);
  adding_fields_ = &f;
  adding_to_ = &sb;
  if (req.has_id) {
    // Free or expired here (checked above): Set replaces an expired record.
    ks_.Set(db, key, bytes, DeadlineMs(f.expires_us), false, ValueType::kSession);
  } else {
    // A generated id has >= 122 random bits: a collision with a live key
    // never happens in practice, but Insert refuses one rather than
    // overwrite, at no extra probe.
    while (ks_.Insert(db, key, hash, bytes, DeadlineMs(f.expires_us), ValueType::kSession) == nullptr) {
      key.assign(prefix_);
      AppendSessionId(req.format, &key);
      hash = EntryTable::Hash(key);
    }
  }
  adding_fields_ = nullptr;
  adding_to_ = nullptr;
  ++sb.stats.allocated;
  return std::string_view(key).substr(prefix_.size());
}

bool SessionStore::Validate(int db, std::string_view sandbox, std::string_view id) {
  Session s;
  if (!Lookup(db, sandbox, id, &s)) {
    // Only a sandbox that exists counts failures: unknown names must not
    // make the server keep state (any client could send endless names).
    if (Sandbox* sb = FindSandbox(db, sandbox)) ++sb->stats.validate_failed;
    return false;
  }
  Touch(db, s);
  ++GetSandbox(db, sandbox).stats.validated;
  return true;
}

Result<bool> SessionStore::Update(int db, std::string_view sandbox, std::string_view id,
                                  std::string_view patch, bool replace, size_t max_meta) {
  std::string merged;
  Session s;
  const bool found = Lookup(db, sandbox, id, &s);
  Status st = replace || !found ? NormalizeObject(patch, &merged)
                                : MergeObjects(s.fields.metadata_py, patch, &merged);
  if (!st) return st.error();
  if (merged.size() > max_meta) {
    return Error{ErrorCode::kInvalidArgument, "custom metadata exceeds session-max-meta"};
  }
  if (!found) return false;
  SessionFields f = s.fields;
  f.metadata_py = merged;
  f.last_accessed_us = NowUs();
  Rewrite(db, s, f, s.entry->deadline_ms());
  ++GetSandbox(db, sandbox).stats.updated;
  return true;
}

std::optional<int64_t> SessionStore::Extend(int db, std::string_view sandbox, std::string_view id,
                                            int64_t seconds) {
  Session s;
  if (!Lookup(db, sandbox, id, &s)) return std::nullopt;
  SessionFields f = s.fields;
  f.expires_us = s.fields.expires_us + seconds * kUsPerS;
  f.ttl_s = static_cast<uint32_t>(
      std::min<int64_t>(int64_t{f.ttl_s} + seconds, std::numeric_limits<uint32_t>::max()));
  f.last_accessed_us = NowUs();
  Rewrite(db, s, f, DeadlineMs(f.expires_us));
  ++GetSandbox(db, sandbox).stats.extended;
  return DeadlineMs(f.expires_us) - ks_.clock().NowMs();
}

bool SessionStore::Delete(int db, std::string_view sandbox, std::string_view id) {
  Session s;
  if (!Lookup(db, sandbox, id, &s)) return false;
  ks_.Delete(db, s.entry->key());
  ++GetSandbox(db, sandbox).stats.deleted;
  return true;
}

size_t SessionStore::Revoke(int db, std::string_view sandbox, std::string_view user,
                            std::vector<std::string>* deleted_keys) {
  Sandbox* sb = FindSandbox(db, sandbox);
  if (sb == nullptr) return 0;
  const Entry* list = sb->users.Find(user);
  if (list == nullptr) return 0;
  std::vector<std::string> keys;
  keys.reserve(ListSize(list));
  for (size_t i = 0; i < ListSize(list); ++i) keys.emplace_back(ListAt(list, i)->key());
  size_t n = 0;
  for (const std::string& k : keys) {
    if (!ks_.Delete(db, k)) continue;  // expired ones are not counted
    ++n;
    if (deleted_keys != nullptr) deleted_keys->push_back(k);
  }
  sb->stats.revoked += n;
  return n;
}

uint64_t SessionStore::List(int db, std::string_view sandbox, const std::string_view* user,
                            uint64_t cursor, size_t count,
                            const std::function<void(std::string_view)>& fn) {
  Sandbox* sb = FindSandbox(db, sandbox);
  if (sb == nullptr) return 0;
  auto report = [&](const Entry* e) {
    if (!ks_.IsPast(e->deadline_ms())) fn(e->key().substr(prefix_.size()));
  };
  if (user == nullptr) {
    // The table's Scan bounds work by buckets, not results; a sparse table
    // would answer mostly empty pages, so scan on until about `count` ids
    // are found, within a bounded amount of work.
    size_t found = 0;
    auto counted = [&](Entry* e) {
      if (!ks_.IsPast(e->deadline_ms())) {
        fn(e->key().substr(prefix_.size()));
        ++found;
      }
    };
    size_t budget = count * 16 + 64;
    do {
      cursor = sb->sessions.Scan(cursor, count, counted);
      budget -= std::min(budget, count);
    } while (cursor != 0 && found < count && budget > 0);
    return cursor;
  }
  const Entry* list = sb->users.Find(*user);
  if (list == nullptr) return 0;
  // Paged in key-hash order: the cursor is the hash to resume from, so
  // sessions added or removed meanwhile never make a present one skipped.
  const size_t n = ListSize(list);
  std::vector<std::pair<uint64_t, Entry*>> by_hash(n);
  for (size_t i = 0; i < n; ++i) by_hash[i] = {KeyHash(ListAt(list, i)), ListAt(list, i)};
  std::sort(by_hash.begin(), by_hash.end());
  size_t pos = static_cast<size_t>(
      std::lower_bound(by_hash.begin(), by_hash.end(), std::pair<uint64_t, Entry*>{cursor, nullptr}) -
      by_hash.begin());
  for (size_t taken = 0; pos < n && taken < std::max<size_t>(count, 1); ++pos, ++taken) {
    report(by_hash[pos].second);
  }
  // Same-hash neighbours go together so the next page cannot start mid-run.
  while (pos < n && pos > 0 && by_hash[pos].first == by_hash[pos - 1].first) {
    report(by_hash[pos++].second);
  }
  return pos == n ? 0 : by_hash[pos].first;
}

size_t SessionStore::Cleanup(int db, const std::string_view* sandbox) {
  std::vector<std::string> due;
  auto collect = [&](Sandbox& sb) {
    sb.sessions.ForEach([&](Entry* e) {
      if (ks_.IsPast(e->deadline_ms())) due.emplace_back(e->key());
    });
  };
  if (sandbox != nullptr) {
    if (Sandbox* sb = FindSandbox(db, *sandbox)) collect(*sb);
  } else {
    for (auto& [name, sb] : dbs_[static_cast<size_t>(db)]) collect(*sb);
  }
  // Find() reclaims an entry past its deadline (counted as expired).
  for (const std::string& k : due) ks_.Find(db, k);
  return due.size();
}

SessionStore::Totals SessionStore::StatsOf(int db, const std::string_view* sandbox) const {
  Totals t;
  auto add = [&](const Sandbox& sb) {
    t.active_sessions += sb.sessions.size();
    t.users += sb.users.size();
    t.stats.Add(sb.stats);
  };
  if (sandbox != nullptr) {
    if (const Sandbox* sb = FindSandbox(db, *sandbox)) add(*sb);
  } else {
    for (const auto& [name, sb] : dbs_[static_cast<size_t>(db)]) add(*sb);
  }
  return t;
}

void SessionStore::OnEntryAdded(int db, Entry* e, uint64_t key_hash) {
  if (adding_fields_ != nullptr) {  // Allocate's own insert: nothing to decode
    adding_to_->sessions.Insert(e, key_hash);
    if (adding_fields_->has_user) AddToUser(*adding_to_, adding_fields_->user, adding_user_hash_, e);
    return;
  }
  Session s;
  if (!Describe(e, &s)) return;
  Sandbox& sb = GetSandbox(db, s.fields.sandbox);
  sb.sessions.Insert(e, key_hash);
  if (s.fields.has_user) AddToUser(sb, s.fields.user, e);
}

void SessionStore::OnEntryRemoved(int db, Entry* e, Removal why) {
  Session s;
  if (!Describe(e, &s)) return;
  Sandbox* sb = FindSandbox(db, s.fields.sandbox);
  if (sb == nullptr) return;
  Entry* removed = sb->sessions.Remove(e->key());
  if (removed == nullptr) return;
  assert(removed == e);
  if (why == Removal::kExpired) ++sb->stats.expired;
  if (s.fields.has_user) RemoveFromUser(*sb, s.fields.user, e);
}

// The sandboxes (sessions, user lists and counters) follow their entries.
void SessionStore::OnDatabasesSwapped(int a, int b) {
  std::swap(dbs_[static_cast<size_t>(a)], dbs_[static_cast<size_t>(b)]);
}

void SessionStore::OnDatabaseFlushed(int db) {
  for (auto& [name, sb] : dbs_[static_cast<size_t>(db)]) {
    sb->sessions.Clear([](Entry*) {});
    sb->users.Clear([](Entry* list) { Entry::Destroy(list); });
  }
}

}  // namespace ss::session
