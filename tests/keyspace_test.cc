#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "ss/clock.h"
#include "ss/store/keyspace.h"
#include "ss/store/slab.h"

using ss::Entry;
using ss::Keyspace;
using ss::kNoDeadline;
using ss::ManualClock;

namespace {

class RecordingObserver : public ss::KeyspaceObserver {
 public:
  void OnKeyExpired(int db, std::string_view key) override {
    expired.push_back(std::to_string(db) + ":" + std::string(key));
  }
  void OnKeyWritten(int db, std::string_view key) override {
    written.push_back(std::to_string(db) + ":" + std::string(key));
  }
  void OnDatabaseChanged(int db) override { changed.push_back(db); }
  std::vector<std::string> expired;
  std::vector<std::string> written;
  std::vector<int> changed;
};

void ExpireAll(Keyspace& ks) {
  while (ks.ExpireStep(1u << 20)) {
  }
}

// Resident set size of this process, from /proc/self/statm.
size_t RssBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  REQUIRE(f != nullptr);
  unsigned long size = 0, resident = 0;
  const int got = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  REQUIRE(got == 2);
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif

}  // namespace

TEST_CASE("set, find, delete, overwrite") {
  ManualClock clock;
  Keyspace ks(clock, 16);
  CHECK(ks.Find(0, "k") == nullptr);
  Entry* e = ks.Set(0, "k", "v1");
  REQUIRE(e != nullptr);
  CHECK(ks.Find(0, "k")->value() == "v1");
  CHECK(ks.Find(1, "k") == nullptr);  // databases are separate
  ks.Set(0, "k", "v2");
  CHECK(ks.Find(0, "k")->value() == "v2");
  CHECK(ks.Size(0) == 1);
  CHECK(ks.Delete(0, "k"));
  CHECK_FALSE(ks.Delete(0, "k"));
  CHECK(ks.Size(0) == 0);
}

TEST_CASE("the observer hears every write, expiry and flush once") {
  ManualClock clock;
  Keyspace ks(clock, 2);
  RecordingObserver obs;
  ks.set_observer(&obs);
  ks.Set(0, "a", "1");                                   // create
  ks.Set(0, "a", "22");                                  // overwrite in place
  ks.Set(1, "b", std::string(200, 'x'));                 // create
  ks.Set(1, "b", "y");                                   // overwrite with a new block
  CHECK(ks.Insert(0, "a", "3", kNoDeadline, ss::ValueType::kString) == nullptr);  // refused
  ks.Insert(0, "c", "3", kNoDeadline, ss::ValueType::kString);
  ks.SetDeadline(0, ks.Find(0, "c"), clock.NowMs() + 10);
  Entry* e = ks.ResizeValue(0, ks.Find(0, "a"), 1);
  e->mutable_value()[0] = 'z';
  ks.ValueWritten(0, e);
  ks.Rename(0, "a", "d");
  CHECK_FALSE(ks.Delete(0, "nope"));
  CHECK(ks.Delete(0, "d"));
  CHECK(obs.written == std::vector<std::string>{"0:a", "0:a", "1:b", "1:b", "0:c", "0:c",
                                               "0:a", "0:a", "0:d", "0:d"});
  CHECK(obs.expired.empty());
  clock.AdvanceMs(11);
  CHECK(ks.Find(0, "c") == nullptr);
  CHECK(obs.expired == std::vector<std::string>{"0:c"});
  CHECK(obs.written.size() == 10);  // expiry is not also a write
  ks.Flush(1);
  CHECK(obs.changed == std::vector<int>{1});
}

TEST_CASE("Insert stores only over no live entry; an expired one is replaced") {
  ManualClock clock;
  Keyspace ks(clock, 16);
  const int64_t t0 = clock.NowMs();
  Entry* e = ks.Insert(0, "k", "v1", t0 + 10, ss::ValueType::kString);
  REQUIRE(e != nullptr);
  CHECK(ks.Insert(0, "k", "v2", kNoDeadline, ss::ValueType::kString) == nullptr);
  CHECK(ks.Find(0, "k")->value() == "v1");  // untouched
  CHECK(ks.Insert(0, "p", "v", t0 - 1, ss::ValueType::kString) == nullptr);  // already past
  CHECK(ks.Find(0, "p") == nullptr);
  clock.AdvanceMs(11);  // "k" expired but not yet reclaimed
  RecordingObserver obs;
  ks.set_observer(&obs);
  REQUIRE(ks.Insert(0, "k", "v3", kNoDeadline, ss::ValueType::kString) != nullptr);
  CHECK(ks.Find(0, "k")->value() == "v3");
  CHECK(ks.Size(0) == 1);
  CHECK(ks.Expires(0) == 0);
  CHECK(ks.expired_keys() == 1);
  CHECK(obs.expired == std::vector<std::string>{"0:k"});
  ks.set_observer(nullptr);
}

TEST_CASE("Set over an entry past its deadline expires it first, as a lookup would") {
  ManualClock clock;
  Keyspace ks(clock, 1);
  const int64_t t0 = clock.NowMs();
  ks.Set(0, "k", "v1", t0 + 10);
  ks.Set(0, "big", std::string(300, 'x'), t0 + 10);
  clock.AdvanceMs(11);  // both expired, not yet reclaimed
  RecordingObserver obs;
  ks.set_observer(&obs);
  // keep_ttl keeps nothing from an expired entry: the new one has no TTL.
  REQUIRE(ks.Set(0, "k", "v2", kNoDeadline, true) != nullptr);
  REQUIRE(ks.Set(0, "big", "small", kNoDeadline) != nullptr);
  CHECK(ks.Find(0, "k")->value() == "v2");
  CHECK(ks.Find(0, "k")->deadline_ms() == kNoDeadline);
  CHECK(ks.Find(0, "big")->value() == "small");
  CHECK(ks.expired_keys() == 2);
  CHECK(obs.expired == std::vector<std::string>{"0:k", "0:big"});
  CHECK(ks.Expires(0) == 0);
  // A live entry overwritten is not expired.
  ks.Set(0, "k", "v3", kNoDeadline);
  CHECK(ks.expired_keys() == 2);
  ks.set_observer(nullptr);
}

TEST_CASE("a key lives through its deadline millisecond and is gone after it") {
  ManualClock clock(1'000'000);
  Keyspace ks(clock, 1);
  RecordingObserver obs;
  ks.set_observer(&obs);
  ks.Set(0, "k", "v", 1'000'100);
  CHECK(ks.Expires(0) == 1);
  clock.SetMs(1'000'100);
  ExpireAll(ks);
  CHECK(ks.Find(0, "k") != nullptr);  // now == deadline: still live (Redis rule)
  clock.SetMs(1'000'101);
  CHECK(ks.Peek(0, "k") == nullptr);  // hidden at once, even before reclaiming
  ExpireAll(ks);
  CHECK(ks.Size(0) == 0);
  CHECK(ks.Expires(0) == 0);
  CHECK(ks.expired_keys() == 1);
  REQUIRE(obs.expired.size() == 1);
  CHECK(obs.expired[0] == "0:k");
}

TEST_CASE("lazy expiry on lookup deletes and counts") {
  ManualClock clock(5'000);
  Keyspace ks(clock, 1);
  ks.Set(0, "k", "v", 5'010);
  clock.AdvanceMs(11);
  CHECK(ks.Find(0, "k") == nullptr);
  CHECK(ks.Size(0) == 0);
  CHECK(ks.expired_keys() == 1);
  CHECK_FALSE(ks.ExpireStep(100));  // nothing left for the wheel
}

TEST_CASE("set with a past deadline stores nothing; keep_ttl keeps the deadline") {
  ManualClock clock(10'000);
  Keyspace ks(clock, 1);
  ks.Set(0, "k", "old");
  CHECK(ks.Set(0, "k", "v", 9'000) == nullptr);
  CHECK(ks.Find(0, "k") == nullptr);
  ks.Set(0, "t", "v", 20'000);
  Entry* e = ks.Set(0, "t", "v2", kNoDeadline, /*keep_ttl=*/true);
  REQUIRE(e != nullptr);
  CHECK(e->deadline_ms() == 20'000);
  CHECK(ks.Expires(0) == 1);
  e = ks.Set(0, "t", "v3");
  CHECK_FALSE(e->has_deadline());
  CHECK(ks.Expires(0) == 0);
}

TEST_CASE("SetDeadline moves, clears, and a past deadline deletes") {
  ManualClock clock(10'000);
  Keyspace ks(clock, 1);
  Entry* e = ks.Set(0, "k", "v", 11'000);
  ks.SetDeadline(0, e, 30'000);
  clock.SetMs(12'000);
  ExpireAll(ks);
  e = ks.Find(0, "k");
  REQUIRE(e != nullptr);
  ks.SetDeadline(0, e, kNoDeadline);
  CHECK(ks.Expires(0) == 0);
  clock.SetMs(40'000);
  ExpireAll(ks);
  e = ks.Find(0, "k");
  REQUIRE(e != nullptr);
  ks.SetDeadline(0, e, 39'000);
  CHECK(ks.Size(0) == 0);
}

TEST_CASE("growing a value keeps table and wheel consistent") {
  ManualClock clock(10'000);
  Keyspace ks(clock, 1);
  Entry* e = ks.Set(0, "k", "a", 20'000);
  std::string expect = "a";
  for (int i = 0; i < 2000; ++i) {
    size_t old = e->value_size();
    e = ks.ResizeValue(0, e, old + 7);
    std::memcpy(e->mutable_value() + old, "bcdefgh", 7);
    expect += "bcdefgh";
  }
  CHECK(ks.Find(0, "k")->value() == expect);
  CHECK(ks.Expires(0) == 1);
  clock.SetMs(20'001);
  ExpireAll(ks);
  CHECK(ks.Size(0) == 0);
}

TEST_CASE("rename keeps value and deadline and replaces the target") {
  ManualClock clock(10'000);
  Keyspace ks(clock, 1);
  ks.Set(0, "a", "va", 50'000);
  ks.Set(0, "b", "vb", 60'000);
  ks.Rename(0, "a", "b");
  CHECK(ks.Find(0, "a") == nullptr);
  Entry* b = ks.Find(0, "b");
  REQUIRE(b != nullptr);
  CHECK(b->value() == "va");
  CHECK(b->deadline_ms() == 50'000);
  CHECK(ks.Size(0) == 1);
  CHECK(ks.Expires(0) == 1);
}

TEST_CASE("flush, scan, random and memory accounting") {
  ManualClock clock(10'000);
  Keyspace ks(clock, 2);
  size_t empty = ks.used_memory();
  for (int i = 0; i < 1000; ++i) ks.Set(0, "key:" + std::to_string(i), "value", i % 2 ? 20'000 : 0);
  CHECK(ks.used_memory() > empty + 1000 * 40);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = ks.Scan(0, cursor, 10, [&](const Entry* e) { seen.insert(std::string(e->key())); });
    ++calls;
  } while (cursor != 0 && calls < 100000);
  CHECK(seen.size() == 1000);
  Entry* r = ks.Random(0);
  REQUIRE(r != nullptr);
  CHECK(std::string(r->key()).rfind("key:", 0) == 0);
  CHECK(ks.Random(1) == nullptr);
  ks.Set(1, "other", "x");
  ks.Flush(0);
  CHECK(ks.Size(0) == 0);
  CHECK(ks.Expires(0) == 0);
  CHECK(ks.Size(1) == 1);
  ks.FlushAll();
  CHECK(ks.Size(1) == 0);
}

TEST_CASE("active expiry reclaims a burst with bounded steps") {
  ManualClock clock(100'000);
  Keyspace ks(clock, 1);
  for (int i = 0; i < 20000; ++i) ks.Set(0, "k" + std::to_string(i), "v", 101'000 + i % 1000);
  CHECK(ks.NextExpiryWorkMs() > 0);
  clock.SetMs(103'000);
  int steps = 0;
  while (ks.ExpireStep(512)) ++steps;
  CHECK(steps >= 20000 / 512 - 1);  // the budget really bounds each step
  CHECK(ks.Size(0) == 0);
  CHECK(ks.expired_keys() == 20000);
  CHECK(ks.NextExpiryWorkMs() == -1);
}

TEST_CASE("overwriting in place keeps the block and updates value and deadline") {
  ManualClock clock(10'000);
  Keyspace ks(clock, 1);
  Entry* a = ks.Set(0, "k", std::string(100, 'a'), 20'000);
  size_t mem = ks.used_memory();
  Entry* b = ks.Set(0, "k", std::string(90, 'b'), 30'000);
  CHECK(a == b);  // same block reused
  CHECK(b->value() == std::string(90, 'b'));
  CHECK(b->deadline_ms() == 30'000);
  CHECK(ks.used_memory() == mem);
  Entry* c = ks.Set(0, "k", "c");  // no deadline now
  CHECK_FALSE(c->has_deadline());
  CHECK(ks.Expires(0) == 0);
  Entry* d = ks.Set(0, "k", "d", 40'000);
  CHECK(ks.Expires(0) == 1);
  ks.Set(0, "k", "e", kNoDeadline, /*keep_ttl=*/true);
  CHECK(ks.Find(0, "k")->deadline_ms() == 40'000);
  CHECK(ks.Find(0, "k") == d);
  CHECK(ks.Set(0, "k", "f", 5'000) == nullptr);  // past deadline: deleted
  CHECK(ks.Size(0) == 0);
  CHECK(ks.Expires(0) == 0);
  ks.Set(0, "k", "small");
  Entry* big = ks.Set(0, "k", std::string(5000, 'x'));  // does not fit: new block
  CHECK(big->value().size() == 5000);
  CHECK(ks.Size(0) == 1);
}

TEST_CASE("used_memory counts each entry's block exactly: 132 bytes for a session") {
  ManualClock clock(10'000);
  Keyspace ks(clock, 1);
  const size_t empty = ks.used_memory();
  Entry* e = ks.Set(0, "sess:00000001", std::string(100, 'v'), 3'610'000);
  REQUIRE(e != nullptr);
  // 16-byte header + 1-byte value length + 13 + 100 = 130, a 132-byte class
  // (under ASan entries are plain malloc blocks of whatever size malloc gives).
  if (!kAsan) CHECK(e->AllocatedBytes() == 132);
  CHECK(ks.used_memory() == empty + e->AllocatedBytes());
  ks.Delete(0, "sess:00000001");
  CHECK(ks.used_memory() == empty);
}

TEST_CASE("mass expiry and flush give the memory back to the kernel") {
  // Present-day times: deadlines before 2020 would live in the entries'
  // side table (entry.h), whose hash map keeps its buckets.
  constexpr int64_t kT0 = 1'700'000'000'000;
  ManualClock clock(kT0 + 100'000);
  Keyspace ks(clock, 1);
  constexpr int kKeys = 200000;
  const size_t used0 = ks.used_memory();
  const size_t rss0 = RssBytes();
  for (int i = 0; i < kKeys; ++i) {
    ks.Set(0, "sess:" + std::to_string(i), std::string(100, 'v'), kT0 + 200'000 + i % 1000);
  }
  const size_t rss1 = RssBytes();
  const size_t grown = rss1 > rss0 ? rss1 - rss0 : 0;
  MESSAGE("RSS grew by ", grown / kKeys, " bytes/key");
  CHECK(grown > size_t{kKeys} * 100);
  clock.SetMs(kT0 + 201'001);
  ExpireAll(ks);
  while (ks.RehashStep(1u << 20)) {
  }
  CHECK(ks.Size(0) == 0);
  CHECK(ks.used_memory() == used0);
  // Emptied slab pages are queued, still resident, and go back to the kernel
  // in bounded steps (ASan builds use malloc, which keeps what it likes).
  auto release_all = [&ks] {
    bool more = true;
    while (more) {
      const size_t before = Entry::EmptyPages();
      more = ks.ReleaseMemoryStep(4);
      REQUIRE(Entry::EmptyPages() + 4 >= before);  // at most 4 pages a step
      REQUIRE(Entry::EmptyPages() < before);
    }
  };
  if (!kAsan) {
    CHECK(ks.HasMemoryToRelease());
    MESSAGE(Entry::EmptyPages(), " pages queued");
    CHECK(Entry::EmptyPages() > size_t{kKeys} * 132 / ss::Slab::kPageBytes * 9 / 10);
    CHECK(RssBytes() > rss0 + grown / 2);
    release_all();
  }
  CHECK_FALSE(ks.HasMemoryToRelease());
  const size_t rss2 = RssBytes();
  MESSAGE("RSS after expiry: ", (rss2 > rss0 ? rss2 - rss0 : 0) / 1024, " KiB above the start");
  if (!kAsan) CHECK(rss2 < rss0 + grown / 10);

  for (int i = 0; i < kKeys; ++i) ks.Set(0, "k:" + std::to_string(i), std::string(100, 'v'));
  CHECK(RssBytes() > rss0 + grown / 2);
  ks.FlushAll();
  CHECK(ks.used_memory() == used0);
  if (!kAsan) release_all();
  if (!kAsan) CHECK(RssBytes() < rss0 + grown / 10);
}

TEST_CASE("resizing across the value-length byte boundary keeps bytes, table and wheel") {
  ManualClock clock(10'000);
  Keyspace ks(clock, 1);
  Entry* e = ks.Set(0, "k", std::string(127, 'a'), 20'000);
  // 127 -> 128 bytes: the length field widens by one byte (in place when the
  // block has room, which it does for this size).
  e = ks.ResizeValue(0, e, 128);
  e->mutable_value()[127] = 'b';
  CHECK(ks.Find(0, "k") == e);
  CHECK(e->value() == std::string(127, 'a') + "b");
  // Shrink back below 128, then grow far past the small blocks.
  e = ks.ResizeValue(0, e, 100);
  CHECK(ks.Find(0, "k")->value() == std::string(100, 'a'));
  e = ks.ResizeValue(0, e, 70000);
  std::memset(e->mutable_value() + 100, 'c', 70000 - 100);
  e = ks.Find(0, "k");
  REQUIRE(e != nullptr);
  CHECK(e->value().substr(0, 100) == std::string(100, 'a'));
  CHECK(e->value().substr(100) == std::string(70000 - 100, 'c'));
  CHECK(e->deadline_ms() == 20'000);
  // Still linked in the wheel under its (possibly new) handle.
  clock.SetMs(20'001);
  ExpireAll(ks);
  CHECK(ks.Size(0) == 0);
  CHECK(ks.expired_keys() == 1);
}

TEST_CASE("far deadlines and long keys survive rename and overwrite") {
  ManualClock clock(10'000);
  Keyspace ks(clock, 1);
  const int64_t far = int64_t{1} << 55;  // beyond the header's 48 bits
  const std::string long_key(300, 'L');
  ks.Set(0, long_key, "v", far);
  CHECK(ks.Find(0, long_key)->deadline_ms() == far);
  ks.Rename(0, long_key, "short");
  CHECK(ks.Find(0, "short")->deadline_ms() == far);
  CHECK(ks.Expires(0) == 1);
  ks.Set(0, "short", "v2", kNoDeadline, /*keep_ttl=*/true);
  CHECK(ks.Find(0, "short")->deadline_ms() == far);
  ks.Rename(0, "short", long_key);
  Entry* e = ks.Find(0, long_key);
  REQUIRE(e != nullptr);
  CHECK(e->key() == long_key);
  CHECK(e->value() == "v2");
  ks.SetDeadline(0, e, 30'000);
  CHECK(ks.Find(0, long_key)->deadline_ms() == 30'000);
  clock.SetMs(30'001);
  ExpireAll(ks);
  CHECK(ks.Size(0) == 0);
}

namespace {

// Records what an EntryIndex hears, as "<event> <db> <key>" lines.
class RecordingIndex : public ss::EntryIndex {
 public:
  void OnEntryAdded(int db, Entry* e, uint64_t key_hash) override {
    // A wrong precomputed hash shows up in every expected event list.
    const bool hash_ok = key_hash == ss::EntryTable::Hash(e->key());
    events.push_back(std::string(hash_ok ? "add " : "add(bad hash) ") + std::to_string(db) + " " +
                     std::string(e->key()));
  }
  void OnEntryRemoved(int db, Entry* e, Removal why) override {
    events.push_back(std::string(why == Removal::kExpired ? "expire " : "remove ") +
                     std::to_string(db) + " " + std::string(e->key()));
  }
  void OnDatabaseFlushed(int db) override { events.push_back("flush " + std::to_string(db)); }
  void OnDatabasesSwapped(int a, int b) override {
    events.push_back("swap " + std::to_string(a) + " " + std::to_string(b));
  }
  std::vector<std::string> events;
};

}  // namespace

TEST_CASE("Move relinks the entry into the other database, deadline and index included") {
  ManualClock clock(10'000);
  RecordingObserver obs;
  RecordingIndex index;
  Keyspace ks(clock, 3);
  ks.set_observer(&obs);
  ks.set_index(&index, "s:");
  ks.Set(0, "s:a", "va", 20'000);
  ks.Set(0, "plain", "vp");
  const size_t memory = ks.used_memory();
  index.events.clear();
  obs.written.clear();

  CHECK(ks.Move(0, "s:a", 1));
  CHECK(ks.Find(0, "s:a") == nullptr);
  Entry* moved = ks.Find(1, "s:a");
  REQUIRE(moved != nullptr);
  CHECK(moved->value() == "va");
  CHECK(moved->deadline_ms() == 20'000);
  CHECK(ks.Expires(0) == 0);
  CHECK(ks.Expires(1) == 1);
  CHECK(ks.used_memory() == memory);
  CHECK(index.events == std::vector<std::string>{"remove 0 s:a", "add 1 s:a"});
  CHECK(obs.written == std::vector<std::string>{"0:s:a", "1:s:a"});

  // Missing source, or a live key of that name in the target: nothing moves.
  CHECK_FALSE(ks.Move(0, "nokey", 1));
  ks.Set(2, "plain", "other");
  CHECK_FALSE(ks.Move(0, "plain", 2));
  CHECK(ks.Find(0, "plain")->value() == "vp");
  // An expired target does not block the move.
  ks.Set(2, "plain2", "old", 10'001);
  ks.Set(0, "plain2", "new");
  clock.AdvanceMs(2);
  CHECK(ks.Move(0, "plain2", 2));
  CHECK(ks.Find(2, "plain2")->value() == "new");

  // The moved deadline fires in the new database.
  clock.SetMs(20'001);
  ExpireAll(ks);
  CHECK(ks.Size(1) == 0);
  CHECK(obs.expired.back() == "1:s:a");
  CHECK(index.events.back() == "expire 1 s:a");
}

TEST_CASE("Copy duplicates value, type and deadline; REPLACE or not") {
  ManualClock clock(10'000);
  RecordingObserver obs;
  RecordingIndex index;
  Keyspace ks(clock, 2);
  ks.set_observer(&obs);
  ks.set_index(&index, "s:");
  ks.Set(0, "s:a", "record", 50'000, false, ss::ValueType::kSession);
  ks.Set(0, "b", "vb");
  index.events.clear();
  obs.written.clear();

  Entry* c = ks.Copy(0, "s:a", 1, "s:a", false);
  REQUIRE(c != nullptr);
  CHECK(c->value() == "record");
  CHECK(c->type() == ss::ValueType::kSession);
  CHECK(c->deadline_ms() == 50'000);
  CHECK(ks.Find(0, "s:a") != nullptr);
  CHECK(index.events == std::vector<std::string>{"add 1 s:a"});
  CHECK(obs.written == std::vector<std::string>{"1:s:a"});

  const size_t memory = ks.used_memory();
  CHECK(ks.Copy(0, "b", 1, "s:a", false) == nullptr);  // target exists
  CHECK(ks.used_memory() == memory);
  CHECK(ks.Copy(0, "nokey", 1, "x", true) == nullptr);
  index.events.clear();
  Entry* r = ks.Copy(0, "b", 1, "s:a", true);
  REQUIRE(r != nullptr);
  CHECK(r->value() == "vb");
  CHECK(r->type() == ss::ValueType::kString);
  CHECK(r->deadline_ms() == kNoDeadline);
  CHECK(ks.Expires(1) == 0);
  CHECK(index.events == std::vector<std::string>{"remove 1 s:a", "add 1 s:a"});
  // Same database, another name.
  REQUIRE(ks.Copy(0, "b", 0, "b2", false) != nullptr);
  CHECK(ks.Find(0, "b2")->value() == "vb");
  CHECK(ks.Size(0) == 3);
}

TEST_CASE("SwapDatabases trades contents and deadlines and tells index and observer") {
  ManualClock clock(10'000);
  RecordingObserver obs;
  RecordingIndex index;
  Keyspace ks(clock, 3);
  ks.set_observer(&obs);
  ks.set_index(&index, "s:");
  ks.Set(0, "a", "in0", 15'000);
  ks.Set(2, "b", "in2");
  ks.Set(2, "c", "in2", 16'000);
  index.events.clear();

  ks.SwapDatabases(0, 2);
  CHECK(ks.Size(0) == 2);
  CHECK(ks.Size(2) == 1);
  CHECK(ks.Expires(0) == 1);
  CHECK(ks.Find(2, "a")->value() == "in0");
  CHECK(ks.Find(0, "b")->value() == "in2");
  CHECK(index.events == std::vector<std::string>{"swap 0 2"});
  CHECK(obs.changed == std::vector<int>{0, 2});

  ks.SwapDatabases(1, 1);  // no-op, heard by nobody
  CHECK(obs.changed.size() == 2);

  // Deadlines fire in the database the entry now lives in.
  clock.SetMs(16'001);
  ExpireAll(ks);
  CHECK(ks.Size(2) == 0);
  CHECK(ks.Size(0) == 1);
  std::set<std::string> expired(obs.expired.begin(), obs.expired.end());
  CHECK(expired == std::set<std::string>{"2:a", "0:c"});
}
