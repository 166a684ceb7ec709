// Entry header layout: the 40-bit deadline code and its side table, the type
// bit, the 7-bit key length with its long-key escape, and the 16-bit access
// stamp, each independent of the others and kept by ResizeValue's moves.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ss/store/entry.h"

using ss::Entry;
using ss::kNoDeadline;
using ss::ValueType;

namespace {

constexpr int64_t kBase = 1'577'836'800'000;  // 2020-01-01T00:00:00Z
constexpr int64_t kLastInline = kBase + (int64_t{1} << 40) - 2;

// Every deadline range: none, inline (both ends), the side table below the
// base (at it, before it, the epoch, negative) and above the last inline
// value (just past it, year 10889's old limit and past it, INT64_MAX).
const std::vector<int64_t> kDeadlines = {
    kNoDeadline,      kBase + 1,        kBase + 2,          1'700'000'000'123,
    kLastInline - 1,  kLastInline,      kBase,              kBase - 1,
    1,                -5,               kLastInline + 1,    (int64_t{1} << 48) - 1,
    int64_t{1} << 48, INT64_MAX,        INT64_MIN,
};

struct Header {
  int64_t deadline;
  ValueType type;
  uint16_t stamp;
  std::string key;
  std::string value;
};

Header Read(const Entry* e) {
  return {e->deadline_ms(), e->type(), e->access_stamp(), std::string(e->key()),
          std::string(e->value())};
}

void CheckSame(const Header& got, const Header& want) {
  CHECK(got.deadline == want.deadline);
  CHECK(got.type == want.type);
  CHECK(got.stamp == want.stamp);
  CHECK(got.key == want.key);
  CHECK(got.value == want.value);
}

}  // namespace

TEST_CASE("the header stays 16 bytes") { CHECK(sizeof(Entry) == 16); }

TEST_CASE("every deadline range round-trips, and back to none") {
  for (int64_t d : kDeadlines) {
    CAPTURE(d);
    Entry* e = Entry::Create("k", "v");
    CHECK(e->deadline_ms() == kNoDeadline);
    CHECK_FALSE(e->has_deadline());
    e->set_deadline_ms(d);
    CHECK(e->deadline_ms() == d);
    CHECK(e->has_deadline() == (d != kNoDeadline));
    // Every pair of ranges: in and out of the side table both ways.
    for (int64_t d2 : kDeadlines) {
      CAPTURE(d2);
      e->set_deadline_ms(d2);
      CHECK(e->deadline_ms() == d2);
      e->set_deadline_ms(d);
      CHECK(e->deadline_ms() == d);
    }
    e->set_deadline_ms(kNoDeadline);
    CHECK(e->deadline_ms() == kNoDeadline);
    CHECK_FALSE(e->has_deadline());
    Entry::Destroy(e);
  }
}

TEST_CASE("clock, type, key length and deadline bits are independent") {
  const std::vector<uint16_t> stamps = {0, 1, 0x7fff, 0x8000, 0xffff, 0x5a5a, 0xa5a5};
  const std::vector<size_t> key_lens = {0, 1, 126, 127, 128, 255, 256, 300, 20000};
  for (size_t key_len : key_lens) {
    for (ValueType type : {ValueType::kString, ValueType::kSession}) {
      const std::string key(key_len, 'k');
      const std::string value(key_len % 7 == 0 ? 200 : 5, 'v');
      Entry* e = Entry::Create(key, value, type);
      CAPTURE(key_len);
      Header want{kNoDeadline, type, 0, key, value};
      CheckSame(Read(e), want);
      for (uint16_t stamp : stamps) {
        for (int64_t d : kDeadlines) {
          CAPTURE(stamp);
          CAPTURE(d);
          e->set_access_stamp(stamp);
          e->set_deadline_ms(d);
          want.stamp = stamp;
          want.deadline = d;
          CheckSame(Read(e), want);
          const ValueType other =
              type == ValueType::kString ? ValueType::kSession : ValueType::kString;
          e->set_type(other);
          CHECK(e->type() == other);
          e->set_type(type);
          CheckSame(Read(e), want);
        }
      }
      e->set_deadline_ms(kNoDeadline);
      Entry::Destroy(e);
    }
  }
}

TEST_CASE("long keys of 126..300 bytes cost a varint only from 127") {
  const size_t lens[] = {126, 127, 128, 255, 256, 300};
  for (size_t len : lens) {
    CAPTURE(len);
    const std::string key(len, static_cast<char>('a' + len % 26));
    Entry* e = Entry::Create(key, "value", ValueType::kSession);
    CHECK(e->key() == key);
    CHECK(e->value() == "value");
    CHECK(e->type() == ValueType::kSession);
    // Header + (key length varint from 127 on) + 1-byte value length.
    const size_t need = 16 + (len >= 127 ? (len < 128 ? 1 : 2) : 0) + 1 + len + 5;
    CHECK(e->AllocatedBytes() >= need);
    CHECK(e->FitsInPlace(5));
    Entry::Destroy(e);
  }
}

TEST_CASE("ResizeValue keeps deadline (side table too), type and stamp when moving") {
  for (int64_t d : {kBase + 1000, kLastInline + 1, kBase - 1}) {
    CAPTURE(d);
    Entry* e = Entry::Create(std::string(130, 'k'), "v", ValueType::kSession);
    e->set_deadline_ms(d);
    e->set_access_stamp(0x8123);
    bool moved = false;
    // Grows until the block moves (bounded: a few doublings of 4 KiB).
    for (size_t len = 64; !moved && len < (size_t{1} << 22); len *= 2) {
      e = Entry::ResizeValue(e, len, &moved);
    }
    CHECK(moved);
    CHECK(e->deadline_ms() == d);
    CHECK(e->type() == ValueType::kSession);
    CHECK(e->access_stamp() == 0x8123);
    CHECK(e->key() == std::string(130, 'k'));
    CHECK(e->value()[0] == 'v');
    e->set_deadline_ms(kNoDeadline);
    Entry::Destroy(e);
  }
}
