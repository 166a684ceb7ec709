// The per-key access clock (store/access_clock.h) and how the Keyspace keeps
// it: stamps on create, write and touching lookups, none on Peek, kNoTouch or
// with touching off; carried by Rename, Move, SwapDatabases and value moves;
// fresh on Copy; turned coarse by AgeStep so idle times stay right for days.
// All on a ManualClock.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "ss/clock.h"
#include "ss/store/access_clock.h"
#include "ss/store/keyspace.h"

using ss::Access;
using ss::Entry;
using ss::Keyspace;
using ss::ManualClock;

namespace {

constexpr int64_t kT0 = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kDayS = 86'400;

int64_t Idle(Keyspace& ks, int db, std::string_view key) {
  const Entry* e = ks.Peek(db, key);
  REQUIRE(e != nullptr);
  return ks.IdleSeconds(e);
}

// Runs enough aging steps for a whole pass over every database.
void AgePass(Keyspace& ks) {
  for (int i = 0; i < 4; ++i) ks.AgeStep(1);
}

}  // namespace

TEST_CASE("stamp arithmetic: fine wraps are undone, coarse is within 511 s") {
  using ss::AgedStamp;
  using ss::FineStamp;
  using ss::IdleSeconds;
  const uint16_t s = FineStamp(kT0);
  CHECK((s & ss::kCoarseStampBit) == 0);
  CHECK(IdleSeconds(s, kT0) == 0);
  CHECK(IdleSeconds(s, kT0 + 999) == 0);
  CHECK(IdleSeconds(s, kT0 + 1000) == 1);
  // Across the 2^15 s wrap of the fine stamp (one wrap is undone).
  for (int64_t idle : {int64_t{1}, int64_t{16383}, int64_t{16384}, int64_t{32767}}) {
    CAPTURE(idle);
    CHECK(IdleSeconds(s, kT0 + idle * 1000) == idle);
  }
  CHECK(IdleSeconds(s, kT0 + 32768 * 1000) == 0);
  // Aging: kept below 2^14 s idle, coarse from there, idempotent after.
  CHECK(AgedStamp(s, kT0 + 16383 * 1000) == s);
  for (int64_t idle = ss::kFineAgeLimitS; idle < 32768; idle += 997) {
    CAPTURE(idle);
    const int64_t now = kT0 + idle * 1000;
    const uint16_t c = AgedStamp(s, now);
    CHECK((c & ss::kCoarseStampBit) != 0);
    CHECK(AgedStamp(c, now) == c);
    CHECK(IdleSeconds(c, now) > idle - 512);
    CHECK(IdleSeconds(c, now) < idle + 512);
    // It keeps counting for 194 days, within the same bound.
    const int64_t later = now + 100 * kDayS * 1000;
    CHECK(IdleSeconds(c, later) > idle + 100 * kDayS - 512);
    CHECK(IdleSeconds(c, later) < idle + 100 * kDayS + 512);
  }
}

TEST_CASE("idle time grows with the clock; creation and writes reset it") {
  ManualClock clock(kT0);
  Keyspace ks(clock, 2);
  ks.Set(0, "k", "v");
  CHECK(Idle(ks, 0, "k") == 0);
  clock.AdvanceMs(2'200);
  CHECK(Idle(ks, 0, "k") == 2);
  clock.AdvanceMs(10'000);
  CHECK(Idle(ks, 0, "k") == 12);
  ks.Set(0, "k", "w");  // in place
  CHECK(Idle(ks, 0, "k") == 0);
  clock.AdvanceMs(5'000);
  ks.Set(0, "k", std::string(500, 'w'));  // a new block
  CHECK(Idle(ks, 0, "k") == 0);
  clock.AdvanceMs(5'000);
  CHECK(ks.Insert(0, "k", "x", ss::kNoDeadline, ss::ValueType::kString) == nullptr);
  CHECK(Idle(ks, 0, "k") == 5);
  ks.Insert(0, "n", "x", kT0 + kHourMs, ss::ValueType::kString);
  CHECK(Idle(ks, 0, "n") == 0);
}

TEST_CASE("Find touches; Peek, kNoTouch and touching off do not; Touch always does") {
  ManualClock clock(kT0);
  Keyspace ks(clock, 1);
  ks.Set(0, "k", "v");
  ks.Set(0, "d", "v", kT0 + kHourMs);
  clock.AdvanceMs(7'000);
  ks.Peek(0, "k");
  REQUIRE(ks.Find(0, "k", Access::kNoTouch) != nullptr);
  REQUIRE(ks.Find(0, "d", Access::kNoTouch) != nullptr);
  ks.Scan(0, 0, 100, [](const Entry*) {});
  ks.ForEach(0, [](const Entry*) {});
  ks.Random(0);
  CHECK(Idle(ks, 0, "k") == 7);
  CHECK(Idle(ks, 0, "d") == 7);
  ks.set_touch_on_find(false);
  REQUIRE(ks.Find(0, "k") != nullptr);
  CHECK(Idle(ks, 0, "k") == 7);
  ks.Touch(ks.Find(0, "k"));
  CHECK(Idle(ks, 0, "k") == 0);
  ks.set_touch_on_find(true);
  REQUIRE(ks.Find(0, "d") != nullptr);
  CHECK(Idle(ks, 0, "d") == 0);
  // Deadlines and in-place edits by themselves leave it.
  clock.AdvanceMs(3'000);
  ks.SetDeadline(0, ks.Find(0, "k", Access::kNoTouch), kT0 + kHourMs);
  Entry* e = ks.ResizeValue(0, ks.Find(0, "k", Access::kNoTouch), 4000);
  ks.ValueWritten(0, e);
  CHECK(Idle(ks, 0, "k") == 3);
}

TEST_CASE("Rename, Move, SwapDatabases keep the clock; Copy starts a fresh one") {
  ManualClock clock(kT0);
  Keyspace ks(clock, 3);
  ks.Set(0, "a", "v");
  ks.Set(0, "s", std::string(300, 's'), kT0 + kHourMs);
  clock.AdvanceMs(9'000);
  ks.Rename(0, "a", "b");
  CHECK(Idle(ks, 0, "b") == 9);
  ks.Rename(0, "s", "t");
  CHECK(Idle(ks, 0, "t") == 9);
  CHECK(ks.Move(0, "b", 1));
  CHECK(Idle(ks, 1, "b") == 9);
  ks.SwapDatabases(1, 2);
  CHECK(Idle(ks, 2, "b") == 9);
  REQUIRE(ks.Copy(2, "b", 0, "c", false) != nullptr);
  CHECK(Idle(ks, 0, "c") == 0);
  CHECK(Idle(ks, 2, "b") == 9);
}

TEST_CASE("table growth and rehashing keep every stamp") {
  ManualClock clock(kT0);
  Keyspace ks(clock, 1);
  ks.Set(0, "old", "v");
  clock.AdvanceMs(4'000);
  for (int i = 0; i < 5000; ++i) ks.Set(0, "k" + std::to_string(i), "v");
  clock.AdvanceMs(1'000);
  while (ks.RehashStep(1)) {
  }
  CHECK(Idle(ks, 0, "old") == 5);
  CHECK(Idle(ks, 0, "k0") == 1);
  CHECK(Idle(ks, 0, "k4999") == 1);
}

TEST_CASE("AgeStep turns fine stamps coarse after 2^14 s; idle stays right for 100 days") {
  ManualClock clock(kT0 + 123'456);
  Keyspace ks(clock, 2);
  for (int i = 0; i < 300; ++i) ks.Set(i % 2, "k" + std::to_string(i), "v");
  const Entry* e = ks.Peek(0, "k0");
  REQUIRE(e != nullptr);
  // Below 2^14 s the aging pass leaves the fine stamp.
  clock.AdvanceMs((ss::kFineAgeLimitS - 1) * 1000);
  AgePass(ks);
  CHECK((e->access_stamp() & ss::kCoarseStampBit) == 0);
  CHECK(Idle(ks, 0, "k0") == ss::kFineAgeLimitS - 1);
  clock.AdvanceMs(1000);
  AgePass(ks);
  CHECK((e->access_stamp() & ss::kCoarseStampBit) != 0);
  ks.ForEach(1, [](const Entry* x) { CHECK((x->access_stamp() & ss::kCoarseStampBit) != 0); });
  // A touch makes it fine again.
  ks.Find(1, "k1");
  CHECK((ks.Peek(1, "k1")->access_stamp() & ss::kCoarseStampBit) == 0);

  // 100 days in half-hour steps, a whole aging pass each (the server's
  // cron does one per 30 minutes).
  const int64_t start_s = (kT0 + 123'456) / 1000;
  for (int step = 0; step < 100 * 48; ++step) {
    clock.AdvanceMs(kHourMs / 2);
    AgePass(ks);
  }
  const int64_t k0_idle = clock.NowMs() / 1000 - start_s;
  CHECK(k0_idle > 100 * kDayS);
  CHECK(Idle(ks, 0, "k0") > k0_idle - 512);
  CHECK(Idle(ks, 0, "k0") < k0_idle + 512);
  const int64_t k1_idle = k0_idle - ss::kFineAgeLimitS;
  CHECK(Idle(ks, 1, "k1") > k1_idle - 512);
  CHECK(Idle(ks, 1, "k1") < k1_idle + 512);
}

TEST_CASE("a small aging budget still covers a large table within its steps") {
  ManualClock clock(kT0);
  Keyspace ks(clock, 1);
  for (int i = 0; i < 20'000; ++i) ks.Set(0, "k" + std::to_string(i), "v");
  clock.AdvanceMs(ss::kFineAgeLimitS * 1000);
  constexpr size_t kSteps = 50;
  for (size_t i = 0; i < kSteps; ++i) ks.AgeStep(kSteps);
  size_t fine = 0;
  ks.ForEach(0, [&](const Entry* x) { fine += (x->access_stamp() & ss::kCoarseStampBit) == 0; });
  CHECK(fine == 0);
}

TEST_CASE("SystemClock's coarse time moves only on Refresh, and a keyspace stamps with it") {
  const ss::SystemClock clock;
  const int64_t coarse = clock.CoarseNowMs();
  // Bounded: the real clock passes coarse + 3 ms within a few milliseconds.
  while (clock.NowMs() < coarse + 3) {
  }
  CHECK(clock.CoarseNowMs() == coarse);
  clock.Refresh();
  CHECK(clock.CoarseNowMs() >= coarse + 3);
  CHECK(clock.CoarseNowMs() <= clock.NowMs());
  // A coarse time two hours behind makes a fresh key look 2 h idle once
  // refreshed: so the keyspace really stamps with CoarseNowMs.
  struct LaggingClock final : ss::Clock {
    int64_t now = 1'800'000'000'000;
    int64_t coarse = 1'800'000'000'000 - 7'200'000;
    int64_t NowMs() const override { return now; }
    int64_t NowUs() const override { return now * 1000; }
    int64_t CoarseNowMs() const override { return coarse; }
  } lagging;
  ss::Keyspace ks(lagging, 1);
  ks.Set(0, "k", "v", ss::kNoDeadline, false);
  lagging.coarse = lagging.now;
  CHECK(ks.IdleSeconds(ks.Peek(0, "k")) == 7200);
}
