#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "ss/store/entry.h"
#include "ss/store/timing_wheel.h"

namespace ss {

// The wheel's private counters and invariant check, for tests only.
struct TimingWheelPeer {
  static bool Check(const TimingWheel& w) { return w.CheckInvariants(); }
  static uint64_t Work(const TimingWheel& w) { return w.stats_.work; }
  static uint64_t SlotVisits(const TimingWheel& w) { return w.stats_.slot_visits; }
};

namespace {

constexpr int64_t kT0 = 1'700'000'000'000;  // a realistic unix ms
constexpr int64_t kSecond = 1000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kYear = 365 * kDay;
constexpr size_t kHuge = std::numeric_limits<size_t>::max();

Entry* Make(std::string_view key, int64_t deadline_ms) {
  Entry* e = Entry::Create(key, "v");
  e->set_deadline_ms(deadline_ms);
  return e;
}

// Records each expiry (key, deadline, time) and destroys the entry.
struct Recorder : ExpiryHandler {
  struct Expiry {
    std::string key;
    int64_t deadline;
    int64_t at;
  };
  explicit Recorder(const int64_t* now) : now_(now) {}
  void OnExpired(Entry* e) override {
    CHECK_FALSE(e->link().linked());
    expired.push_back({std::string(e->key()), e->deadline_ms(), *now_});
    if (hook) hook(e);
    Entry::Destroy(e);
  }
  std::vector<std::string> Keys() const {
    std::vector<std::string> keys;
    for (const Expiry& x : expired) keys.push_back(x.key);
    return keys;
  }
  const int64_t* now_;
  std::vector<Expiry> expired;
  std::function<void(Entry*)> hook;  // runs before the entry is destroyed
};

// Unlinks and frees what is still scheduled (ASan must stay clean).
void Release(TimingWheel& w, std::vector<Entry*>& entries) {
  for (Entry* e : entries) {
    if (e->link().linked()) w.Unlink(e);
    Entry::Destroy(e);
  }
  entries.clear();
}

TEST_CASE("expires at exactly its deadline, for every level and the overflow") {
  const int64_t offsets[] = {0,          1,         2,           255,        256,
                             257,        1000,      16'383,      16'384,     1'000'000,
                             kDay + 7,   40 * kDay, 3 * kYear,   200 * kYear, 900 * kYear};
  for (int64_t offset : offsets) {
    CAPTURE(offset);
    int64_t now = kT0;
    TimingWheel w(now);
    Recorder r(&now);
    const int64_t deadline = kT0 + offset;
    w.Schedule(Make("k", deadline));
    CHECK(w.size() == 1);
    if (offset > 0) {
      // Half-way, then one ms before: nothing may expire and nothing is left due.
      now = kT0 + offset / 2;
      CHECK_FALSE(w.Advance(now, kHuge, r));
      now = deadline - 1;
      CHECK_FALSE(w.Advance(now, kHuge, r));
      CHECK(r.expired.empty());
      CHECK(w.size() == 1);
      CHECK(w.NextWorkMs() == deadline);
      CHECK(TimingWheelPeer::Check(w));
    }
    now = deadline;
    CHECK_FALSE(w.Advance(now, kHuge, r));
    REQUIRE(r.expired.size() == 1);
    CHECK(r.expired[0].at == deadline);
    CHECK(w.size() == 0);
    CHECK(w.NextWorkMs() == -1);
  }
}

TEST_CASE("driven only by NextWorkMs, every entry expires exactly on time, once") {
  std::mt19937_64 rng(42);
  int64_t now = kT0;
  TimingWheel w(now);
  Recorder r(&now);
  const int64_t ranges[] = {kSecond, 100 * kSecond, 48 * kHour, kYear, 50 * kYear, 2000 * kYear};
  constexpr int kPerRange = 2000;
  int n = 0;
  for (int64_t range : ranges) {
    std::uniform_int_distribution<int64_t> offset(1, range);
    for (int i = 0; i < kPerRange; ++i) w.Schedule(Make(std::to_string(n++), kT0 + offset(rng)));
  }
  CHECK(w.size() == static_cast<size_t>(n));
  CHECK(TimingWheelPeer::Check(w));
  int calls = 0;
  // Bounded: every wake-up either expires an entry or drains a coarse slot.
  for (int64_t t = w.NextWorkMs(); t != -1; t = w.NextWorkMs()) {
    REQUIRE(t > now);  // caught up: the next work is in the future (no spinning)
    now = t;
    CHECK_FALSE(w.Advance(now, kHuge, r));
    ++calls;
  }
  CHECK(TimingWheelPeer::Check(w));
  REQUIRE(r.expired.size() == static_cast<size_t>(n));
  std::vector<int> seen(static_cast<size_t>(n), 0);
  int64_t max_lag = 0;
  for (const Recorder::Expiry& x : r.expired) {
    ++seen[static_cast<size_t>(std::stoi(x.key))];
    max_lag = std::max(max_lag, std::abs(x.at - x.deadline));
  }
  CHECK(max_lag == 0);
  CHECK(std::count(seen.begin(), seen.end(), 1) == n);
  // A sparse entry can cost one wake-up per level it descends (plus the
  // overflow re-examination and its expiry), never more.
  CHECK(calls <= 8 * n);
  MESSAGE("wake-ups: " << calls << " for " << n << " entries");
}

// Model-based: random schedules, unlinks, TTL changes, past deadlines, random
// time steps and budgets, and a handler that schedules and unlinks others.
TEST_CASE("random operations against a model") {
  std::mt19937_64 rng(7);
  int64_t now = kT0;
  TimingWheel w(now);
  std::vector<Entry*> live;
  std::unordered_map<Entry*, size_t> index;
  auto add = [&](Entry* e) {
    index[e] = live.size();
    live.push_back(e);
    w.Schedule(e);
  };
  auto remove = [&](Entry* e) {
    size_t i = index.at(e);
    live[i] = live.back();
    index[live[i]] = i;
    live.pop_back();
    index.erase(e);
  };
  const int64_t ranges[] = {5, 300, 20 * kSecond, 2 * kHour, 30 * kDay, 20 * kYear};
  auto random_deadline = [&] {
    int64_t range = ranges[rng() % 6];
    // One in eight is already in the past (at most 50 ms).
    if (rng() % 8 == 0) return std::max<int64_t>(1, now - static_cast<int64_t>(rng() % 50));
    return now + 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(range));
  };
  int next_key = 0;
  auto pick = [&] { return live[rng() % live.size()]; };

  uint64_t expired = 0;
  int early = 0;
  struct Chaos : ExpiryHandler {
    std::function<void(Entry*)> fn;
    void OnExpired(Entry* e) override { fn(e); }
  } handler;
  handler.fn = [&](Entry* e) {
    if (e->deadline_ms() > now || index.count(e) == 0) ++early;
    remove(e);
    ++expired;
    // The handler touches other entries a third of the time.
    uint64_t dice = rng() % 6;
    if (dice == 0 && !live.empty()) {
      Entry* other = pick();
      w.Unlink(other);
      remove(other);
      Entry::Destroy(other);
    } else if (dice == 1) {
      add(Make(std::to_string(next_key++), random_deadline()));
    } else if (dice == 2 && !live.empty()) {
      Entry* other = pick();
      w.Unlink(other);
      other->set_deadline_ms(random_deadline());
      w.Schedule(other);
    }
    Entry::Destroy(e);
  };

  int late = 0, over_budget = 0, stopped_early = 0, bad_next = 0, bad_invariants = 0;
  int advances = 0;
  // Bounded: a fixed number of random operations.
  for (int step = 0; step < 60'000; ++step) {
    uint64_t op = rng() % 10;
    if (op < 4 || live.size() < 10) {
      add(Make(std::to_string(next_key++), random_deadline()));
    } else if (op == 4) {
      Entry* e = pick();
      w.Unlink(e);
      remove(e);
      Entry::Destroy(e);
    } else if (op == 5) {
      Entry* e = pick();
      w.Unlink(e);
      e->set_deadline_ms(random_deadline());
      w.Schedule(e);
    } else {
      static const int64_t steps[] = {0, 1, 3, 100, 5000, 3 * kHour};
      now += steps[rng() % 6];
      size_t budget = rng() % 3 == 0 ? kHuge : 1 + rng() % 64;
      uint64_t work_before = TimingWheelPeer::Work(w);
      bool more = w.Advance(now, budget, handler);
      ++advances;
      uint64_t work = TimingWheelPeer::Work(w) - work_before;
      if (work > budget) ++over_budget;
      if (more && work != budget) ++stopped_early;
      if (!more) {
        int64_t min_deadline = std::numeric_limits<int64_t>::max();
        for (Entry* e : live) min_deadline = std::min(min_deadline, e->deadline_ms());
        if (min_deadline <= now) ++late;
        int64_t next = w.NextWorkMs();
        if (live.empty() ? next != -1 : (next <= now || next > min_deadline)) ++bad_next;
      }
    }
    if (w.size() != live.size()) FAIL("size mismatch at step " << step);
    if (step % 16 == 0 && !TimingWheelPeer::Check(w)) ++bad_invariants;
  }
  CHECK(early == 0);
  CHECK(late == 0);
  CHECK(over_budget == 0);
  CHECK(stopped_early == 0);
  CHECK(bad_next == 0);
  CHECK(bad_invariants == 0);
  CHECK(expired > 10'000);
  MESSAGE("advances: " << advances << ", expired: " << expired << ", live at end: " << live.size());
  Release(w, live);
  CHECK(w.size() == 0);
}

TEST_CASE("unlink, reschedule and a TTL change") {
  int64_t now = kT0;
  TimingWheel w(now);
  Recorder r(&now);
  Entry* a = Make("a", kT0 + 100);
  Entry* b = Make("b", kT0 + 50'000);
  w.Schedule(a);
  w.Schedule(b);
  CHECK(w.size() == 2);
  CHECK(a->link().linked());
  w.Unlink(a);
  CHECK_FALSE(a->link().linked());
  CHECK(w.size() == 1);
  // A later TTL for a, an earlier one for b.
  a->set_deadline_ms(kT0 + 20'000);
  w.Schedule(a);
  w.Unlink(b);
  b->set_deadline_ms(kT0 + 300);
  w.Schedule(b);
  CHECK(TimingWheelPeer::Check(w));
  now = kT0 + 299;
  CHECK_FALSE(w.Advance(now, kHuge, r));
  CHECK(r.expired.empty());
  now = kT0 + 300;
  w.Advance(now, kHuge, r);
  CHECK(r.Keys() == std::vector<std::string>{"b"});
  now = kT0 + 19'999;
  w.Advance(now, kHuge, r);
  CHECK(r.expired.size() == 1);
  now = kT0 + 20'000;
  w.Advance(now, kHuge, r);
  REQUIRE(r.expired.size() == 2);
  CHECK(r.expired[1].key == "a");
  CHECK(r.expired[1].at == kT0 + 20'000);
  CHECK(w.NextWorkMs() == -1);
  CHECK(w.MemoryBytes() >= (256 + 6 * 128) * sizeof(WheelLink));
}

TEST_CASE("handler schedules and unlinks others during OnExpired") {
  int64_t now = kT0;
  TimingWheel w(now);
  Recorder r(&now);
  const int64_t d = kT0 + 1000;
  Entry* a = Make("a", d);
  Entry* b = Make("b", d);  // same slot, right after a
  Entry* c = Make("c", d + 500);
  w.Schedule(a);
  w.Schedule(b);
  w.Schedule(c);
  std::vector<Entry*> spare;
  r.hook = [&](Entry* e) {
    if (e->key() != "a") return;
    w.Unlink(b);
    w.Unlink(c);
    spare = {b, c};
    w.Schedule(Make("x", d));       // into the slot being expired
    w.Schedule(Make("y", d - 5));   // already past
    w.Schedule(Make("z", d + 10));  // future
  };
  now = d;
  CHECK_FALSE(w.Advance(now, kHuge, r));
  CHECK(r.Keys() == std::vector<std::string>{"a", "x", "y"});
  CHECK(w.size() == 1);
  now = d + 10;
  CHECK_FALSE(w.Advance(now, kHuge, r));
  CHECK(r.Keys() == std::vector<std::string>{"a", "x", "y", "z"});
  CHECK(w.size() == 0);
  for (Entry* e : spare) Entry::Destroy(e);
}

TEST_CASE("handler unlinks entries of a coarse slot while it is being drained") {
  // After a long jump, a level-2 slot is overdue and its drain expires its
  // entries directly; each expiry unlinks the next entry of the same slot.
  int64_t now = kT0;
  TimingWheel w(now);
  Recorder r(&now);
  std::vector<Entry*> entries;
  for (int i = 0; i < 100; ++i) {
    entries.push_back(Make(std::to_string(i), kT0 + 60'000 + i));
    w.Schedule(entries.back());
  }
  std::vector<Entry*> unlinked;
  r.hook = [&](Entry* e) {
    size_t i = static_cast<size_t>(std::stoi(std::string(e->key())));
    if (i + 1 < entries.size() && entries[i + 1]->link().linked()) {
      w.Unlink(entries[i + 1]);
      unlinked.push_back(entries[i + 1]);
    }
  };
  now = kT0 + 120'000;
  CHECK_FALSE(w.Advance(now, kHuge, r));
  CHECK(r.expired.size() == 50);
  CHECK(unlinked.size() == 50);
  CHECK(w.size() == 0);
  CHECK(TimingWheelPeer::Check(w));
  for (Entry* e : unlinked) Entry::Destroy(e);
}

TEST_CASE("budget is respected and work resumes where it stopped") {
  int64_t now = kT0;
  TimingWheel w(now);
  Recorder r(&now);
  const int64_t d = kT0 + 500;
  for (int i = 0; i < 1000; ++i) w.Schedule(Make(std::to_string(i), d));
  // Cascade work is budgeted too: 1000 entries at d + 30 s sit in a coarse level.
  for (int i = 0; i < 1000; ++i) w.Schedule(Make("c" + std::to_string(i), d + 30'000 + i));
  now = d;
  int calls = 0;
  bool more = true;
  // Bounded: each call expires 100 of the 1000 due entries.
  while (more) {
    uint64_t before = TimingWheelPeer::Work(w);
    size_t expired_before = r.expired.size();
    more = w.Advance(now, 100, r);
    CHECK(TimingWheelPeer::Work(w) - before <= 100);
    CHECK(r.expired.size() - expired_before <= 100);
    if (more) CHECK(w.NextWorkMs() <= now);
    ++calls;
    REQUIRE(calls < 100);
  }
  CHECK(calls == 10);
  CHECK(r.expired.size() == 1000);
  // Budget 7 per ms through the cascades: never more, and still on time.
  uint64_t max_work = 0;
  int64_t max_lag = 0;
  // Bounded: 31 simulated seconds, one call per ms.
  for (now = d + 1; now <= d + 31'000; ++now) {
    uint64_t before = TimingWheelPeer::Work(w);
    w.Advance(now, 7, r);
    max_work = std::max(max_work, TimingWheelPeer::Work(w) - before);
  }
  for (const Recorder::Expiry& x : r.expired) max_lag = std::max(max_lag, x.at - x.deadline);
  CHECK(r.expired.size() == 2000);
  CHECK(max_work == 7);
  CHECK(max_lag == 0);
}

// Expiries over one simulated run, with per-call work and lag statistics.
struct LagHandler : ExpiryHandler {
  explicit LagHandler(const int64_t* now) : now_(now) {}
  void OnExpired(Entry* e) override {
    int64_t lag = *now_ - e->deadline_ms();
    if (lag < 0) ++early;
    size_t bucket = static_cast<size_t>(std::clamp<int64_t>(lag, 0, 999));
    ++lag_histogram[bucket];
    ++expired;
    Entry::Destroy(e);
  }
  int64_t Percentile(double p) const {
    auto want = static_cast<uint64_t>(p * static_cast<double>(expired));
    uint64_t seen = 0;
    // Bounded by the histogram's 1000 buckets.
    for (size_t i = 0; i < lag_histogram.size(); ++i) {
      seen += lag_histogram[i];
      if (seen > want || seen == expired) return static_cast<int64_t>(i);
    }
    return 999;
  }
  const int64_t* now_;
  std::vector<uint64_t> lag_histogram = std::vector<uint64_t>(1000);
  uint64_t expired = 0;
  uint64_t early = 0;
};

void RunMillionInOneSecond(int64_t lead_ms) {
  constexpr int kEntries = 1'000'000;
  constexpr size_t kBudget = 4096;
  const int64_t t = kT0 + lead_ms;
  int64_t now = kT0;
  TimingWheel w(now);
  LagHandler h(&now);
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int64_t> spread(0, 999);
  for (int i = 0; i < kEntries; ++i) w.Schedule(Make("", t + spread(rng)));
  REQUIRE(w.size() == kEntries);
  uint64_t max_work = 0;
  // Bounded: one call per simulated ms until 100 ms past the last deadline.
  for (now = kT0 + 1; now <= t + 1100; ++now) {
    uint64_t before = TimingWheelPeer::Work(w);
    w.Advance(now, kBudget, h);
    max_work = std::max(max_work, TimingWheelPeer::Work(w) - before);
  }
  int64_t max_lag = h.Percentile(1.0);
  MESSAGE("lead " << lead_ms << " ms: lag p50 " << h.Percentile(0.5) << " ms, p99 "
                  << h.Percentile(0.99) << " ms, max " << max_lag << " ms; max work per call "
                  << max_work);
  CHECK(h.expired == kEntries);
  CHECK(h.early == 0);
  CHECK(max_lag <= 5);
  CHECK(max_work <= kBudget);
  CHECK(w.size() == 0);
}

TEST_CASE("1M deadlines in one second, scheduled 10 s ahead, expire within 5 ms") {
  RunMillionInOneSecond(10'000);
}

TEST_CASE("1M deadlines in one second, scheduled 100 s ahead, expire within 5 ms") {
  RunMillionInOneSecond(100'000);
}

TEST_CASE("an idle jump of 10 hours skips empty slots") {
  int64_t now = kT0;
  TimingWheel w(now);
  Recorder r(&now);
  std::vector<int64_t> deadlines = {kT0 + 5, kT0 + 7 * kHour, kT0 + 10 * kHour,
                                    kT0 + 10 * kHour + 1, kT0 + 11 * kHour};
  for (size_t i = 0; i < deadlines.size(); ++i) w.Schedule(Make(std::to_string(i), deadlines[i]));
  uint64_t visits_before = TimingWheelPeer::SlotVisits(w);
  now = kT0 + 10 * kHour;
  CHECK_FALSE(w.Advance(now, kHuge, r));
  uint64_t visits = TimingWheelPeer::SlotVisits(w) - visits_before;
  MESSAGE("slot visits for a 10 h jump: " << visits);
  CHECK(visits < 100);  // 36 million ms were not walked
  CHECK(r.Keys() == std::vector<std::string>{"0", "1", "2"});
  CHECK(w.NextWorkMs() > now);
  CHECK(TimingWheelPeer::Check(w));

  // An empty wheel jumping ten years costs a handful of scans too.
  TimingWheel empty(kT0);
  empty.Advance(kT0 + 10 * kYear, kHuge, r);
  CHECK(TimingWheelPeer::SlotVisits(empty) < 20);
  CHECK(empty.NextWorkMs() == -1);

  now = kT0 + 11 * kHour;
  CHECK_FALSE(w.Advance(now, kHuge, r));
  CHECK(r.expired.size() == 5);
}

TEST_CASE("deadlines in the past expire on the next Advance") {
  int64_t now = kT0 + 100;
  TimingWheel w(kT0);
  Recorder r(&now);
  CHECK_FALSE(w.Advance(now, kHuge, r));
  w.Schedule(Make("a", kT0 + 50));
  w.Schedule(Make("b", kT0 + 100));  // == wheel time
  w.Schedule(Make("c", 1));          // the first ms of the epoch
  w.Schedule(Make("d", kT0 + 101));  // future: stays
  CHECK(w.NextWorkMs() <= now);
  CHECK(TimingWheelPeer::Check(w));
  // A wall clock stepped back counts as the wheel's own time.
  CHECK_FALSE(w.Advance(now - 30, kHuge, r));
  CHECK(r.Keys() == std::vector<std::string>{"a", "b", "c"});
  CHECK(w.size() == 1);
  CHECK(w.NextWorkMs() == kT0 + 101);
  now = kT0 + 101;
  CHECK_FALSE(w.Advance(now, kHuge, r));
  CHECK(r.expired.size() == 4);
}

TEST_CASE("the far future: overflow and the largest deadline") {
  int64_t now = kT0;
  TimingWheel w(now);
  Recorder r(&now);
  Entry* far = Make("far", std::numeric_limits<int64_t>::max());
  Entry* old = Make("old", kT0 + 700 * kYear);
  w.Schedule(far);
  w.Schedule(old);
  CHECK(TimingWheelPeer::Check(w));
  // Bounded: NextWorkMs-driven wake-ups over 700 years, a few per coarse slot.
  int calls = 0;
  while (r.expired.empty() && calls < 100'000) {
    int64_t t = w.NextWorkMs();
    REQUIRE(t > now);
    now = t;
    w.Advance(now, kHuge, r);
    ++calls;
  }
  REQUIRE(r.expired.size() == 1);
  CHECK(r.expired[0].key == "old");
  CHECK(r.expired[0].at == kT0 + 700 * kYear);
  MESSAGE("wake-ups over 700 years: " << calls);
  CHECK(w.size() == 1);
  w.Unlink(far);
  Entry::Destroy(far);
  CHECK(w.NextWorkMs() == -1);
}

}  // namespace
}  // namespace ss
