#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ss/store/entry.h"
#include "ss/store/table.h"

namespace ss {
namespace {

// Slot arrays are a 64-byte header plus 8 bytes a slot (see table.cc).
size_t Capacity(const EntryTable& t) { return (t.MemoryBytes() - 64) / 8; }

void DestroyAll(EntryTable& t) {
  t.Clear([](Entry* e) { Entry::Destroy(e); });
}

std::string Key(uint64_t i) { return "key:" + std::to_string(i); }

// Inserts a fresh entry for key. REQUIRES: key absent.
Entry* Add(EntryTable& t, const std::string& key, std::string_view value = "v") {
  Entry* e = Entry::Create(key, value);
  t.Insert(e);
  return e;
}

// Every entry a full scan reports, with its number of reports.
std::unordered_map<Entry*, int> FullScan(const EntryTable& t, size_t count) {
  std::unordered_map<Entry*, int> seen;
  uint64_t cursor = 0;
  do {
    cursor = t.Scan(cursor, count, [&](Entry* e) { ++seen[e]; });
  } while (cursor != 0);
  return seen;
}

// Keys sharing the top `bits` bits of their hash: one home bucket in every
// table of up to 2^bits slots, to drive probe distances past 255.
std::vector<std::string> CollidingKeys(size_t n, unsigned bits) {
  std::vector<std::string> keys;
  const uint64_t target = EntryTable::Hash("anchor") >> (64 - bits);
  for (uint64_t i = 0; keys.size() < n; ++i) {
    std::string k = "c:" + std::to_string(i);
    if ((EntryTable::Hash(k) >> (64 - bits)) == target) keys.push_back(std::move(k));
  }
  return keys;
}

TEST_CASE("empty table") {
  EntryTable t;
  CHECK(t.size() == 0);
  CHECK(t.Find("x") == nullptr);
  CHECK(t.Remove("x") == nullptr);
  CHECK(t.Random(12345) == nullptr);
  CHECK(t.Scan(0, 10, [](Entry*) { FAIL("reported an entry of an empty table"); }) == 0);
  CHECK(t.Scan(uint64_t{1} << 63, 10, [](Entry*) {}) == 0);
  CHECK_FALSE(t.rehashing());
  CHECK(Capacity(t) == 16);
  CHECK_FALSE(t.RehashStep(10));
}

TEST_CASE("hash is seeded XXH3 of the key bytes, stable and content-based") {
  CHECK(EntryTable::Hash("abc") == EntryTable::Hash(std::string("abc")));
  CHECK(EntryTable::Hash("abc") != EntryTable::Hash("abd"));
  CHECK(EntryTable::Hash(std::string_view("a\0b", 3)) != EntryTable::Hash(std::string_view("a\0c", 3)));
  // Seeded per process: not XXH3_64bits("") with the default seed (a
  // published test vector), so colliding keys cannot be precomputed.
  CHECK(EntryTable::Hash("") != 0x2D06800538D394C2ULL);
}

TEST_CASE("random inserts and removes match std::unordered_map through grows and shrinks") {
  EntryTable t;
  std::unordered_map<std::string, Entry*> model;
  std::mt19937_64 rng(42);
  size_t grows = 0, shrinks = 0, last_cap = Capacity(t);
  auto track = [&] {
    if (t.rehashing()) return;
    const size_t cap = Capacity(t);
    if (cap > last_cap) ++grows;
    if (cap < last_cap) ++shrinks;
    last_cap = cap;
  };
  // Phases alternate between mostly inserting and mostly removing, so the
  // table grows to ~80k entries and drains to a few thousand, twice.
  const int kPhases = 4;
  const int kOpsPerPhase = 250000;
  for (int phase = 0; phase < kPhases; ++phase) {
    const bool filling = phase % 2 == 0;
    for (int i = 0; i < kOpsPerPhase; ++i) {
      const uint64_t r = rng();
      const std::string key = Key(r % 100000);
      const bool insert = (r >> 32) % 100 < (filling ? 80u : 2u);
      auto it = model.find(key);
      Entry* found = t.Find(key);
      REQUIRE(found == (it == model.end() ? nullptr : it->second));
      if (insert && it == model.end()) {
        model[key] = Add(t, key);
      } else if (!insert && it != model.end()) {
        Entry* removed = t.Remove(key);
        REQUIRE(removed == it->second);
        Entry::Destroy(removed);
        model.erase(it);
      }
      REQUIRE(t.size() == model.size());
      track();
    }
    // Everything in the model is found, and absent keys are not.
    for (const auto& [k, e] : model) REQUIRE(t.Find(k) == e);
    for (int i = 0; i < 1000; ++i) CHECK(t.Find("absent:" + std::to_string(i)) == nullptr);
  }
  MESSAGE("grows=", grows, " shrinks=", shrinks, " final size=", t.size());
  CHECK(grows >= 8);
  CHECK(shrinks >= 2);
  // Draining to empty shrinks back to the initial capacity.
  for (auto& [k, e] : model) {
    REQUIRE(t.Remove(k) == e);
    Entry::Destroy(e);
  }
  while (t.RehashStep(1000)) {
  }
  CHECK(t.size() == 0);
  CHECK(Capacity(t) == 16);
  DestroyAll(t);
}

TEST_CASE("finds, removes, inserts and replaces during an in-progress resize") {
  EntryTable t;
  std::vector<Entry*> entries;
  // Fill until a grow starts, well past the initial size so it lasts.
  for (uint64_t i = 0; i < 5000 || !t.rehashing(); ++i) entries.push_back(Add(t, Key(i)));
  REQUIRE(t.rehashing());
  const size_t cap_before = Capacity(t);

  size_t checked_while_rehashing = 0;
  for (size_t i = 0; i < entries.size() && t.rehashing(); ++i) {
    REQUIRE(t.Find(entries[i]->key()) == entries[i]);
    CHECK(t.Find("nope:" + std::to_string(i)) == nullptr);
    ++checked_while_rehashing;
  }
  MESSAGE("finds checked mid-resize: ", checked_while_rehashing);
  CHECK(checked_while_rehashing > 100);

  // Start another resize (drain, then grow again) and mutate during it.
  while (t.RehashStep(100)) {
  }
  size_t n = entries.size();
  while (!t.rehashing()) entries.push_back(Add(t, Key(n++)));
  CHECK(Capacity(t) > cap_before);
  size_t removed_mid = 0, replaced_mid = 0;
  for (size_t i = 0; i < entries.size(); i += 3) {
    const bool mid = t.rehashing();
    if (i % 2 == 0) {
      REQUIRE(t.Remove(entries[i]->key()) == entries[i]);
      Entry::Destroy(entries[i]);
      entries[i] = nullptr;
      removed_mid += mid;
    } else {
      // Reallocate: the old address is freed before Replace, as in APPEND.
      Entry* fresh = Entry::Create(entries[i]->key(), "new value");
      Entry* stale = entries[i];
      Entry::Destroy(stale);
      t.Replace(stale, fresh);
      entries[i] = fresh;
      replaced_mid += mid;
    }
  }
  CHECK(removed_mid > 10);
  CHECK(replaced_mid > 10);
  for (Entry* e : entries) {
    if (e != nullptr) REQUIRE(t.Find(e->key()) == e);
  }
  // RehashStep finishes the job on its own.
  size_t steps = 0;
  while (t.RehashStep(8)) ++steps;
  CHECK_FALSE(t.rehashing());
  for (Entry* e : entries) {
    if (e != nullptr) REQUIRE(t.Find(e->key()) == e);
  }
  DestroyAll(t);
}

TEST_CASE("Replace repoints the slot without touching the old address") {
  EntryTable t;
  for (int i = 0; i < 100; ++i) Add(t, Key(i));
  Entry* a = t.Find(Key(7));
  REQUIRE(a != nullptr);
  Entry* b = Entry::Create(Key(7), "bigger value");
  Entry::Destroy(a);  // ASan flags any read through a
  t.Replace(a, b);
  CHECK(t.Find(Key(7)) == b);
  CHECK(t.Find(Key(7))->value() == "bigger value");
  CHECK(t.size() == 100);
  CHECK(t.Remove(Key(7)) == b);
  Entry::Destroy(b);
  DestroyAll(t);
}

TEST_CASE("binary and empty keys") {
  EntryTable t;
  const std::vector<std::string> keys = {
      std::string(),
      std::string("\0", 1),
      std::string("\0\0", 2),
      std::string("a\0b", 3),
      std::string("a\0c", 3),
      std::string("a"),
      std::string("\xff\xfe\x00\x01", 4),
      std::string(1000, '\0'),
      std::string(1000, 'x'),
  };
  for (const auto& k : keys) Add(t, k, k);
  CHECK(t.size() == keys.size());
  for (const auto& k : keys) {
    Entry* e = t.Find(k);
    REQUIRE(e != nullptr);
    CHECK(e->key() == k);
    CHECK(e->value() == k);
  }
  CHECK(t.Find(std::string("a\0", 2)) == nullptr);
  CHECK(t.Find(std::string("\0\0\0", 3)) == nullptr);
  Entry* empty = t.Remove("");
  REQUIRE(empty != nullptr);
  CHECK(empty->key().empty());
  Entry::Destroy(empty);
  CHECK(t.Find("") == nullptr);
  CHECK(t.Find(std::string("\0", 1)) != nullptr);
  DestroyAll(t);
}

TEST_CASE("full scan of a static table reports every key exactly once") {
  EntryTable t;
  std::vector<Entry*> entries;
  for (int i = 0; i < 50000; ++i) entries.push_back(Add(t, Key(i)));
  while (t.RehashStep(1000)) {
  }
  for (size_t count : {size_t{0}, size_t{1}, size_t{10}, size_t{1000}, size_t{1} << 40}) {
    auto seen = FullScan(t, count);
    CHECK(seen.size() == entries.size());
    for (Entry* e : entries) REQUIRE(seen[e] == 1);
  }
  // A small COUNT takes many calls; a huge one, a single call.
  size_t calls = 0;
  uint64_t cursor = 0;
  do {
    cursor = t.Scan(cursor, 10, [](Entry*) {});
    ++calls;
  } while (cursor != 0);
  CHECK(calls == Capacity(t) / 10 + 1);
  CHECK(t.Scan(0, size_t{1} << 40, [](Entry*) {}) == 0);
  DestroyAll(t);
}

TEST_CASE("scan ranges are exact for any cursor, during grows and shrinks") {
  std::mt19937_64 rng(7);
  EntryTable t;
  std::vector<Entry*> entries;
  auto check_ranges = [&](const char* when) {
    INFO(when);
    for (int i = 0; i < 200; ++i) {
      const uint64_t cursor = rng();
      std::unordered_set<Entry*> got;
      const uint64_t next = t.Scan(cursor, 1 + rng() % 64, [&](Entry* e) {
        CHECK(got.insert(e).second);
      });
      CHECK((next == 0 || next > cursor));
      for (Entry* e : entries) {
        const uint64_t h = EntryTable::Hash(e->key());
        const bool in_range = h >= cursor && (next == 0 || h < next);
        REQUIRE(got.count(e) == (in_range ? 1u : 0u));
      }
    }
  };
  for (uint64_t i = 0; !t.rehashing() || i < 3000; ++i) entries.push_back(Add(t, Key(i)));
  check_ranges("growing");
  while (t.RehashStep(1000)) {
  }
  check_ranges("static");
  // Remove until a shrink starts, then check mid-shrink.
  while (!t.rehashing()) {
    Entry* e = entries.back();
    entries.pop_back();
    REQUIRE(t.Remove(e->key()) == e);
    Entry::Destroy(e);
  }
  check_ranges("shrinking");
  {
    const size_t n = entries.size();
    auto seen = FullScan(t, 3);
    CHECK(seen.size() == n);
  }
  DestroyAll(t);
}

TEST_CASE("scan with COUNT 10 survives grows and shrinks between calls") {
  EntryTable t;
  std::vector<Entry*> stable;
  for (int i = 0; i < 20000; ++i) stable.push_back(Add(t, "stable:" + std::to_string(i)));
  std::vector<Entry*> churn;
  uint64_t next_churn = 0;
  bool filling = true;
  size_t grows = 0, shrinks = 0, last_cap = Capacity(t), calls = 0, mid_resize_calls = 0;
  std::unordered_map<Entry*, int> seen;
  uint64_t cursor = 0;
  do {
    cursor = t.Scan(cursor, 10, [&](Entry* e) {
      if (e->key().substr(0, 7) == "stable:") ++seen[e];
    });
    ++calls;
    mid_resize_calls += t.rehashing();
    // Churn between calls: swing between ~20k and ~320k entries, so the
    // table keeps growing to 512k slots and shrinking back.
    for (int i = 0; i < 300; ++i) {
      if (filling) {
        churn.push_back(Add(t, "churn:" + std::to_string(next_churn++)));
        if (churn.size() >= 300000) filling = false;
      } else {
        Entry* e = churn.back();
        churn.pop_back();
        REQUIRE(t.Remove(e->key()) == e);
        Entry::Destroy(e);
        if (churn.empty()) filling = true;
      }
    }
    if (!t.rehashing()) {
      const size_t cap = Capacity(t);
      grows += cap > last_cap;
      shrinks += cap < last_cap;
      last_cap = cap;
    }
  } while (cursor != 0);
  size_t missing = 0, duplicates = 0;
  for (Entry* e : stable) {
    const int n = seen[e];
    missing += n == 0;
    duplicates += n > 1 ? static_cast<size_t>(n - 1) : 0;
  }
  MESSAGE("scan calls=", calls, " (", mid_resize_calls, " mid-resize) grows=", grows,
          " shrinks=", shrinks, " missing=", missing, " duplicates=", duplicates);
  CHECK(grows >= 3);
  CHECK(shrinks >= 2);
  CHECK(mid_resize_calls > 100);
  CHECK(missing == 0);
  CHECK(duplicates == 0);
  for (Entry* e : churn) Entry::Destroy(t.Remove(e->key()));
  DestroyAll(t);
}

TEST_CASE("pathological keys sharing one home bucket stay correct") {
  // 400 keys share the top 12 hash bits: probe distances pass 255 in every
  // table up to 4096 slots, exercising the saturated-distance paths.
  const auto colliding = CollidingKeys(400, 12);
  EntryTable t;
  std::unordered_map<std::string, Entry*> model;
  for (int i = 0; i < 300; ++i) model[Key(i)] = Add(t, Key(i));
  for (const auto& k : colliding) model[k] = Add(t, k);
  for (const auto& [k, e] : model) REQUIRE(t.Find(k) == e);
  CHECK(t.Find("c:absent") == nullptr);
  // Memory stays bounded: the early grows stop at load 1/8.
  while (t.RehashStep(1000)) {
  }
  MESSAGE("capacity with 700 entries, 400 colliding: ", Capacity(t));
  CHECK(Capacity(t) <= 8192);
  {
    auto seen = FullScan(t, 7);
    CHECK(seen.size() == model.size());
    for (const auto& [k, e] : model) REQUIRE(seen[e] == 1);
  }
  // Replace deep in the run, then remove every other colliding key
  // (backward shifts through saturated distances).
  for (size_t i = 0; i < colliding.size(); ++i) {
    Entry*& slot = model[colliding[i]];
    if (i % 2 == 0) {
      REQUIRE(t.Remove(colliding[i]) == slot);
      Entry::Destroy(slot);
      model.erase(colliding[i]);
    } else {
      Entry* fresh = Entry::Create(colliding[i], "replaced");
      Entry::Destroy(slot);
      t.Replace(slot, fresh);
      slot = fresh;
    }
  }
  for (const auto& [k, e] : model) REQUIRE(t.Find(k) == e);
  CHECK(t.size() == model.size());
  for (size_t i = 0; i < colliding.size(); i += 2) CHECK(t.Find(colliding[i]) == nullptr);
  {
    auto seen = FullScan(t, 1);
    CHECK(seen.size() == model.size());
  }
  DestroyAll(t);
}

TEST_CASE("Random returns members and covers the table") {
  EntryTable t;
  std::mt19937_64 rng(3);
  Entry* only = Add(t, "only");
  for (int i = 0; i < 100; ++i) CHECK(t.Random(rng()) == only);
  REQUIRE(t.Remove("only") == only);
  Entry::Destroy(only);
  CHECK(t.Random(rng()) == nullptr);

  std::unordered_set<Entry*> members;
  for (int i = 0; i < 1000; ++i) members.insert(Add(t, Key(i)));
  std::unordered_map<Entry*, int> hits;
  for (int i = 0; i < 20000; ++i) {
    Entry* e = t.Random(rng());
    REQUIRE(members.count(e) == 1);
    ++hits[e];
  }
  MESSAGE("distinct of 1000 after 20000 draws: ", hits.size());
  CHECK(hits.size() >= 990);

  // Mid-resize (Random is const, so the resize stays where it is): both
  // arrays hold entries, and draws must reach the ones in each.
  for (int i = 1000; !t.rehashing(); ++i) members.insert(Add(t, Key(i)));
  std::unordered_set<Entry*> drawn;
  for (int i = 0; i < 30000; ++i) {
    Entry* e = t.Random(rng());
    REQUIRE(members.count(e) == 1);
    drawn.insert(e);
  }
  MESSAGE("mid-resize: distinct of ", members.size(), " after 30000 draws: ", drawn.size());
  CHECK(drawn.size() >= members.size() * 9 / 10);
  DestroyAll(t);
}

TEST_CASE("ForEach visits each entry once, also mid-resize") {
  EntryTable t;
  std::unordered_set<Entry*> members;
  for (int i = 0; !t.rehashing() || i < 1000; ++i) members.insert(Add(t, Key(i)));
  std::unordered_map<Entry*, int> seen;
  t.ForEach([&](Entry* e) { ++seen[e]; });
  CHECK(seen.size() == members.size());
  for (Entry* e : members) CHECK(seen[e] == 1);
  DestroyAll(t);
}

TEST_CASE("Clear hands back every entry and resets to the initial size") {
  EntryTable t;
  std::unordered_set<Entry*> members;
  for (int i = 0; i < 10000; ++i) members.insert(Add(t, Key(i)));
  CHECK(t.MemoryBytes() > 64 + 16 * 8);
  size_t cleared = 0;
  t.Clear([&](Entry* e) {
    CHECK(members.erase(e) == 1);
    Entry::Destroy(e);
    ++cleared;
  });
  CHECK(cleared == 10000);
  CHECK(members.empty());
  CHECK(t.size() == 0);
  CHECK_FALSE(t.rehashing());
  CHECK(t.MemoryBytes() == 64 + 16 * 8);
  CHECK(t.Find(Key(1)) == nullptr);
  // Still usable.
  Entry* e = Add(t, "after");
  CHECK(t.Find("after") == e);
  DestroyAll(t);
}

TEST_CASE("capacities are not only powers of two and the load stays between 0.7 and 0.9") {
  EntryTable t;
  std::vector<Entry*> entries;
  size_t not_pow2 = 0, checked = 0;
  double lowest = 1, highest = 0;
  for (uint64_t i = 0; i < 300000; ++i) {
    entries.push_back(Add(t, Key(i)));
    if (t.rehashing() || t.size() < 1000) continue;
    const size_t cap = Capacity(t);
    const double load = static_cast<double>(t.size()) / static_cast<double>(cap);
    lowest = std::min(lowest, load);
    highest = std::max(highest, load);
    not_pow2 += (cap & (cap - 1)) != 0;
    ++checked;
  }
  MESSAGE("load while growing: ", lowest, " .. ", highest);
  CHECK(checked > 100000);
  CHECK(not_pow2 > 0);
  CHECK(highest <= 0.901);  // grow_at is capacity - capacity / 10, rounded down
  CHECK(lowest >= 0.7);
  // Slot bytes per key once the last resize is done: under 12 (a
  // power-of-two table at load ~0.5 would use about 16).
  while (t.RehashStep(1000)) {
  }
  CHECK(static_cast<double>(t.MemoryBytes()) / static_cast<double>(t.size()) < 12.0);
  DestroyAll(t);
}

TEST_CASE("Replace after Entry::ResizeValue moved an entry, small or large") {
  EntryTable t;
  for (int i = 0; i < 1000; ++i) Add(t, Key(i));
  // A small entry grows out of its block: new address, new handle.
  Entry* small = t.Find(Key(3));
  REQUIRE(small != nullptr);
  bool moved = false;
  Entry* grown = Entry::ResizeValue(small, 1000, &moved);
  REQUIRE(moved);
  t.Replace(small, grown);
  CHECK(t.Find(Key(3)) == grown);
  // A large (malloc) entry grows: it may move, but keeps its handle, so the
  // slot already names it and Replace must accept that.
  Entry* big = Add(t, "big", std::string(5000, 'b'));
  const uint32_t handle = Entry::HandleOf(big);
  Entry* bigger = Entry::ResizeValue(big, 500000, &moved);
  std::memset(bigger->mutable_value() + 5000, 'c', 500000 - 5000);
  if (moved) t.Replace(big, bigger);
  CHECK(Entry::HandleOf(bigger) == handle);
  REQUIRE(t.Find("big") == bigger);
  CHECK(bigger->value().substr(0, 5000) == std::string(5000, 'b'));
  CHECK(bigger->value().substr(5000) == std::string(500000 - 5000, 'c'));
  CHECK(t.size() == 1001);
  DestroyAll(t);
}

TEST_CASE("entry layout: lengths, long keys and far deadlines") {
  // The value length is a varint after the 16-byte header: crossing 128
  // bytes widens it by one byte, in place when the block has room.
  Entry* e = Entry::Create("key", std::string(127, 'x'));
  CHECK(e->value() == std::string(127, 'x'));
  bool moved = true;
  if (e->FitsInPlace(128)) {
    Entry* same = Entry::ResizeValue(e, 128, &moved);
    CHECK_FALSE(moved);
    CHECK(same == e);
  } else {
    e = Entry::ResizeValue(e, 128, &moved);
  }
  e->mutable_value()[127] = 'y';
  CHECK(e->key() == "key");
  CHECK(e->value() == std::string(127, 'x') + "y");
  // Shrinking narrows it again and keeps the prefix.
  e = Entry::ResizeValue(e, 5, &moved);
  CHECK_FALSE(moved);
  CHECK(e->key() == "key");
  CHECK(e->value() == "xxxxx");
  e->set_deadline_ms(1'700'000'000'000);
  CHECK(e->deadline_ms() == 1'700'000'000'000);
  e->set_deadline_ms(kNoDeadline);
  CHECK_FALSE(e->has_deadline());
  Entry::Destroy(e);

  // Keys of 255 bytes and more keep their length outside the header.
  for (size_t n : {size_t{254}, size_t{255}, size_t{256}, size_t{100000}}) {
    const std::string key(n, 'k');
    Entry* k = Entry::Create(key, "value", ValueType::kSession);
    CHECK(k->key() == key);
    CHECK(k->value() == "value");
    CHECK(k->type() == ValueType::kSession);
    Entry::Destroy(k);
  }

  // Deadlines beyond 48 bits (year 10889) still read back exactly, also
  // after the entry moves, and switching back to a near one works.
  const int64_t far = (int64_t{1} << 60) + 12345;
  Entry* f = Entry::Create("far", "v");
  f->set_deadline_ms(far);
  CHECK(f->has_deadline());
  CHECK(f->deadline_ms() == far);
  f = Entry::ResizeValue(f, 10000, &moved);
  CHECK(moved);
  CHECK(f->deadline_ms() == far);
  Entry* other = Entry::Create("other", "v");
  other->set_deadline_ms(far + 1);
  CHECK(f->deadline_ms() == far);
  CHECK(other->deadline_ms() == far + 1);
  f->set_deadline_ms(1'700'000'000'000);
  CHECK(f->deadline_ms() == 1'700'000'000'000);
  f->set_deadline_ms(far);
  CHECK(f->deadline_ms() == far);
  Entry::Destroy(f);
  Entry::Destroy(other);
}

// Micro-benchmark: SS_TABLE_BENCH=1 ./table_test -tc='*benchmark*'
TEST_CASE("benchmark (only with SS_TABLE_BENCH=1)") {
  const char* env = std::getenv("SS_TABLE_BENCH");
  if (env == nullptr || std::strcmp(env, "1") != 0) return;
  // Thread CPU time, not wall time: the build machines are shared.
  struct Clock {
    static double now() {
      timespec ts{};
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
    }
  };
  constexpr size_t kN = 1000000;
  std::vector<Entry*> entries;
  entries.reserve(kN);
  for (size_t i = 0; i < kN; ++i) entries.push_back(Entry::Create("session:" + std::to_string(i * 7919), "v"));
  std::vector<std::string> keys;
  for (Entry* e : entries) keys.emplace_back(e->key());
  std::mt19937_64 rng(1);
  std::vector<size_t> order(kN);
  for (size_t i = 0; i < kN; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);

  EntryTable t;
  auto start = Clock::now();
  for (Entry* e : entries) t.Insert(e);
  const double insert_ns = (Clock::now() - start) / kN;
  while (t.RehashStep(1 << 20)) {
  }
  size_t found = 0;
  start = Clock::now();
  for (size_t i : order) found += t.Find(keys[i]) != nullptr;
  const double find_ns = (Clock::now() - start) / kN;
  CHECK(found == kN);
  size_t missed = 0;
  std::vector<std::string> absent;
  for (size_t i = 0; i < kN; ++i) absent.push_back("absent:" + std::to_string(i));
  start = Clock::now();
  for (const auto& k : absent) missed += t.Find(k) == nullptr;
  const double miss_ns = (Clock::now() - start) / kN;
  CHECK(missed == kN);
  std::printf("EntryTable 1M keys: insert %.1f ns/op, find hit %.1f ns/op, find miss %.1f ns/op, %.1f slot bytes/key\n",
              insert_ns, find_ns, miss_ns, static_cast<double>(t.MemoryBytes()) / kN);
  // Baseline on the same keys, to read the numbers above on a noisy machine.
  std::unordered_map<std::string_view, Entry*> baseline;
  start = Clock::now();
  for (Entry* e : entries) baseline.emplace(e->key(), e);
  const double base_insert_ns = (Clock::now() - start) / kN;
  found = 0;
  start = Clock::now();
  for (size_t i : order) found += baseline.find(keys[i]) != baseline.end();
  const double base_find_ns = (Clock::now() - start) / kN;
  CHECK(found == kN);
  std::printf("std::unordered_map baseline: insert %.1f ns/op, find hit %.1f ns/op\n", base_insert_ns,
              base_find_ns);
  DestroyAll(t);
}

}  // namespace
}  // namespace ss
