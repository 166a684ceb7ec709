// String command family and argument parsers. Every expected reply below was
// taken byte for byte from a real Redis 7.0.15 (see the strings task notes).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cmd_harness.h"
#include "ss/cmd/args.h"

namespace ss {
namespace {

using test::CmdHarness;
using namespace std::string_view_literals;

constexpr std::string_view kOk = "+OK\r\n";
constexpr std::string_view kNull = "$-1\r\n";
constexpr std::string_view kNull3 = "_\r\n";
constexpr std::string_view kEmpty = "$0\r\n\r\n";
constexpr std::string_view kSyntax = "-ERR syntax error\r\n";
constexpr std::string_view kNotInt = "-ERR value is not an integer or out of range\r\n";
constexpr std::string_view kNotFloat = "-ERR value is not a valid float\r\n";
constexpr std::string_view kNanInf = "-ERR increment would produce NaN or Infinity\r\n";
constexpr std::string_view kOverflow = "-ERR increment or decrement would overflow\r\n";
constexpr std::string_view kTooLong =
    "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";
constexpr std::string_view kOffsetRange = "-ERR offset is out of range\r\n";

std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
std::string Int(int64_t v) { return ":" + std::to_string(v) + "\r\n"; }
std::string InvalidExpire(std::string_view cmd) {
  return "-ERR invalid expire time in '" + std::string(cmd) + "' command\r\n";
}

// Deadline of key in db 0: -2 if missing, -1 if none (TTL's convention).
int64_t Deadline(CmdHarness& h, std::string_view key) {
  const Entry* e = h.state().keyspace.Find(0, key);
  if (e == nullptr) return -2;
  return e->has_deadline() ? e->deadline_ms() : -1;
}

// No test here makes a key of a non-string type: strings and session records
// (which read as strings) are the only types, and the entry header keeps one
// bit for the type (store/entry.h), so no other value can be set even by
// hand. The WRONGTYPE paths get their tests with the first such type.

TEST_CASE("GET and SET basics") {
  CmdHarness h;
  CHECK(h.Run({"GET", "k"}) == kNull);
  CHECK(h.Run({"SET", "k", "v"}) == kOk);
  CHECK(h.Run({"GET", "k"}) == Bulk("v"));
  CHECK(h.Run({"SET", "k", "other"}) == kOk);
  CHECK(h.Run({"GET", "k"}) == Bulk("other"));
  CHECK(h.Run({"SET", "", ""}) == kOk);
  CHECK(h.Run({"GET", ""}) == kEmpty);
  const std::string_view binary("a\0b\r\nc", 6);
  CHECK(h.Run({"SET", "bin", binary}) == kOk);
  CHECK(h.Run({"GET", "bin"}) == Bulk(binary));


  h.client().protocol = 3;
  CHECK(h.Run({"GET", "missing"}) == kNull3);
  CHECK(h.Run({"GET", "k"}) == Bulk("other"));
}

TEST_CASE("SET option syntax") {
  CmdHarness h;
  for (auto args : {std::vector<std::string_view>{"SET", "k", "v", "EX"},
                    {"SET", "k", "v", "EX", "10", "PX", "10"},
                    {"SET", "k", "v", "EX", "10", "EXAT", "10"},
                    {"SET", "k", "v", "PXAT", "10", "PX", "10"},
                    {"SET", "k", "v", "NX", "XX"},
                    {"SET", "k", "v", "XX", "NX"},
                    {"SET", "k", "v", "KEEPTTL", "EX", "10"},
                    {"SET", "k", "v", "EX", "10", "KEEPTTL"},
                    {"SET", "k", "v", "PERSIST"},
                    {"SET", "k", "v", "foo"},
                    {"SET", "k", "v", "EX", "0", "foo"},
                    {"SET", "k", "v", "EX", "abc", "NX", "XX"},
                    {"SET", "k", "v", "NXX"}}) {
    CAPTURE(args.size());
    CHECK(h.Run(args) == kSyntax);
  }
  CHECK(h.Run({"GET", "k"}) == kNull);

  // Options are case-insensitive, may repeat, and the last EX wins.
  CHECK(h.Run({"SET", "k", "v", "nX", "Nx"}) == kOk);
  CHECK(h.Run({"SET", "k", "v", "ex", "10", "Ex", "20"}) == kOk);
  CHECK(Deadline(h, "k") == h.clock().NowMs() + 20000);
  CHECK(h.Run({"SET", "k2", "v", "keepttl", "keepttl", "get", "get", "xx", "xx"}) == kNull);
  // Redis reads options as C strings: bytes after a NUL are ignored.
  CHECK(h.Run({"SET", "k", "v", "NX\0junk"sv}) == kNull);
  CHECK(h.Run({"SET", "k", "v", "EX\0"sv, "100"}) == kOk);
  CHECK(Deadline(h, "k") == h.clock().NowMs() + 100000);
}

TEST_CASE("SET expire values") {
  CmdHarness h;
  CHECK(h.Run({"SET", "k", "v", "EX", "abc"}) == kNotInt);
  CHECK(h.Run({"SET", "k", "v", "EX", ""}) == kNotInt);
  CHECK(h.Run({"SET", "k", "v", "PX", "+1"}) == kNotInt);
  for (auto args : {std::vector<std::string_view>{"SET", "k", "v", "EX", "0"},
                    {"SET", "k", "v", "EX", "-1"},
                    {"SET", "k", "v", "PX", "0"},
                    {"SET", "k", "v", "EXAT", "0"},
                    {"SET", "k", "v", "PXAT", "-5"},
                    // ms fits but now + ms overflows.
                    {"SET", "k", "v", "EX", "9223372036854775"},
                    {"SET", "k", "v", "PX", "9223372036854775807"},
                    {"SET", "k", "v", "PX", "9223372036854775806"},
                    // seconds * 1000 overflows.
                    {"SET", "k", "v", "EX", "9223372036854776"},
                    {"SET", "k", "v", "EXAT", "9223372036854776"}}) {
    CAPTURE(args[4]);
    CHECK(h.Run(args) == InvalidExpire("set"));
  }
  CHECK(h.Run({"GET", "k"}) == kNull);
  CHECK(h.Run({"SET", "k", "v", "EXAT", "9223372036854775"}) == kOk);
  CHECK(Deadline(h, "k") == 9223372036854775000);
  CHECK(h.Run({"SET", "k", "v", "PXAT", "9223372036854775807"}) == kOk);
  CHECK(Deadline(h, "k") == INT64_MAX);
}

TEST_CASE("SET expiry follows the clock") {
  CmdHarness h;
  const int64_t t0 = h.clock().NowMs();
  CHECK(h.Run({"SET", "k", "v", "EX", "10"}) == kOk);
  CHECK(Deadline(h, "k") == t0 + 10000);
  h.clock().AdvanceMs(10000);
  CHECK(h.Run({"GET", "k"}) == Bulk("v"));
  h.clock().AdvanceMs(1);
  CHECK(h.Run({"GET", "k"}) == kNull);

  CHECK(h.Run({"SET", "p", "v", "PX", "1500"}) == kOk);
  h.clock().AdvanceMs(1500);
  CHECK(h.Run({"GET", "p"}) == Bulk("v"));
  h.clock().AdvanceMs(1);
  h.ExpireAll();
  CHECK(h.state().keyspace.Size(0) == 0);

  const int64_t now = h.clock().NowMs();
  CHECK(h.Run({"SET", "a", "v", "EXAT", std::to_string(now / 1000 + 5)}) == kOk);
  CHECK(Deadline(h, "a") == (now / 1000 + 5) * 1000);
  CHECK(h.Run({"SET", "b", "v", "PXAT", std::to_string(now + 100)}) == kOk);
  CHECK(Deadline(h, "b") == now + 100);
  // A deadline equal to now is still live (gone only once now > deadline).
  CHECK(h.Run({"SET", "c", "v", "PXAT", std::to_string(now)}) == kOk);
  CHECK(h.Run({"GET", "c"}) == Bulk("v"));

  // Absolute times in the past: accepted, and the key is gone at once.
  CHECK(h.Run({"SET", "a", "v", "EXAT", "1"}) == kOk);
  CHECK(h.Run({"GET", "a"}) == kNull);
  CHECK(h.Run({"SET", "b", "new", "PXAT", "1", "GET"}) == Bulk("v"));
  CHECK(h.Run({"GET", "b"}) == kNull);
}

TEST_CASE("SET discards the TTL unless KEEPTTL") {
  CmdHarness h;
  const int64_t t0 = h.clock().NowMs();
  CHECK(h.Run({"SETEX", "k", "100", "v"}) == kOk);
  CHECK(h.Run({"SET", "k", "v2"}) == kOk);
  CHECK(Deadline(h, "k") == -1);
  CHECK(h.Run({"SETEX", "k", "100", "v"}) == kOk);
  CHECK(h.Run({"SET", "k", "v2", "KEEPTTL"}) == kOk);
  CHECK(Deadline(h, "k") == t0 + 100000);
  CHECK(h.Run({"GET", "k"}) == Bulk("v2"));
  CHECK(h.Run({"SET", "fresh", "v", "KEEPTTL"}) == kOk);
  CHECK(Deadline(h, "fresh") == -1);
  // KEEPTTL keeps it through time: the key still goes at the old deadline.
  h.clock().AdvanceMs(100001);
  CHECK(h.Run({"GET", "k"}) == kNull);
}

TEST_CASE("SET NX XX GET") {
  CmdHarness h;
  CHECK(h.Run({"SET", "k", "v", "NX"}) == kOk);
  CHECK(h.Run({"SET", "k", "w", "NX"}) == kNull);
  CHECK(h.Run({"GET", "k"}) == Bulk("v"));
  CHECK(h.Run({"SET", "x", "v", "XX"}) == kNull);
  CHECK(h.Run({"GET", "x"}) == kNull);
  CHECK(h.Run({"SET", "k", "w", "XX"}) == kOk);
  CHECK(h.Run({"GET", "k"}) == Bulk("w"));

  CHECK(h.Run({"SET", "g", "1", "GET"}) == kNull);
  CHECK(h.Run({"GET", "g"}) == Bulk("1"));
  CHECK(h.Run({"SET", "g", "2", "GET"}) == Bulk("1"));
  CHECK(h.Run({"SET", "g", "3", "GET", "NX"}) == Bulk("2"));
  CHECK(h.Run({"GET", "g"}) == Bulk("2"));
  CHECK(h.Run({"SET", "g2", "v", "NX", "GET"}) == kNull);
  CHECK(h.Run({"GET", "g2"}) == Bulk("v"));
  CHECK(h.Run({"SET", "g3", "v", "XX", "GET"}) == kNull);
  CHECK(h.Run({"GET", "g3"}) == kNull);
  CHECK(h.Run({"SET", "g", "4", "XX", "GET"}) == Bulk("2"));
  CHECK(h.Run({"GET", "g"}) == Bulk("4"));

  // The expire value is checked before GET looks at the key.
  CHECK(h.Run({"SET", "rec", "v", "EX", "0", "GET"}) == InvalidExpire("set"));

  h.client().protocol = 3;
  CHECK(h.Run({"SET", "k", "z", "NX"}) == kNull3);
  CHECK(h.Run({"SET", "nope", "z", "XX"}) == kNull3);
  CHECK(h.Run({"SET", "nope", "z", "GET"}) == kNull3);
  CHECK(h.Run({"SET", "k", "z"}) == kOk);
}

TEST_CASE("SETEX PSETEX SETNX") {
  CmdHarness h;
  CHECK(h.Run({"SETEX", "k", "0", "v"}) == InvalidExpire("setex"));
  CHECK(h.Run({"SETEX", "k", "-1", "v"}) == InvalidExpire("setex"));
  CHECK(h.Run({"SETEX", "k", "9223372036854776", "v"}) == InvalidExpire("setex"));
  CHECK(h.Run({"SETEX", "k", "abc", "v"}) == kNotInt);
  CHECK(h.Run({"PSETEX", "k", "0", "v"}) == InvalidExpire("psetex"));
  CHECK(h.Run({"PSETEX", "k", "9223372036854775807", "v"}) == InvalidExpire("psetex"));
  CHECK(h.Run({"PSETEX", "k", "1.5", "v"}) == kNotInt);
  CHECK(h.Run({"GET", "k"}) == kNull);

  const int64_t t0 = h.clock().NowMs();
  CHECK(h.Run({"SETEX", "k", "10", "v"}) == kOk);
  CHECK(Deadline(h, "k") == t0 + 10000);
  CHECK(h.Run({"PSETEX", "p", "1500", "v"}) == kOk);
  CHECK(Deadline(h, "p") == t0 + 1500);
  h.clock().AdvanceMs(1501);
  CHECK(h.Run({"GET", "p"}) == kNull);
  CHECK(h.Run({"GET", "k"}) == Bulk("v"));

  CHECK(h.Run({"SETNX", "n", "1"}) == Int(1));
  CHECK(h.Run({"SETNX", "n", "2"}) == Int(0));
  CHECK(h.Run({"GET", "n"}) == Bulk("1"));
}

TEST_CASE("GETEX") {
  CmdHarness h;
  CHECK(h.Run({"GETEX", "k"}) == kNull);
  // A missing key answers null before the expire value is looked at...
  CHECK(h.Run({"GETEX", "k", "EX", "0"}) == kNull);
  // ...but syntax errors come first.
  for (auto args : {std::vector<std::string_view>{"GETEX", "k", "foo"},
                    {"GETEX", "k", "EX"},
                    {"GETEX", "k", "EX", "10", "PERSIST"},
                    {"GETEX", "k", "PERSIST", "EX", "10"},
                    {"GETEX", "k", "EX", "10", "PX", "10"},
                    {"GETEX", "k", "KEEPTTL"},
                    {"GETEX", "k", "NX"},
                    {"GETEX", "k", "XX"},
                    {"GETEX", "k", "GET"}}) {
    CAPTURE(args.size());
    CHECK(h.Run(args) == kSyntax);
  }

  const int64_t t0 = h.clock().NowMs();
  CHECK(h.Run({"SET", "k", "v"}) == kOk);
  CHECK(h.Run({"GETEX", "k", "EX", "0"}) == InvalidExpire("getex"));
  CHECK(h.Run({"GETEX", "k", "EX", "abc"}) == kNotInt);
  CHECK(h.Run({"GETEX", "k", "EX", "9223372036854775"}) == InvalidExpire("getex"));
  CHECK(h.Run({"GETEX", "k", "EXAT", "9223372036854776"}) == InvalidExpire("getex"));
  CHECK(Deadline(h, "k") == -1);

  CHECK(h.Run({"GETEX", "k", "ex", "10", "EX", "20"}) == Bulk("v"));
  CHECK(Deadline(h, "k") == t0 + 20000);
  CHECK(h.Run({"GETEX", "k"}) == Bulk("v"));
  CHECK(Deadline(h, "k") == t0 + 20000);
  CHECK(h.Run({"GETEX", "k", "PERSIST", "persist"}) == Bulk("v"));
  CHECK(Deadline(h, "k") == -1);
  CHECK(h.Run({"GETEX", "k", "PX", "5000"}) == Bulk("v"));
  CHECK(Deadline(h, "k") == t0 + 5000);
  CHECK(h.Run({"GETEX", "k", "PXAT", std::to_string(t0 + 7000)}) == Bulk("v"));
  CHECK(Deadline(h, "k") == t0 + 7000);
  CHECK(h.Run({"GETEX", "k", "EXAT", "9223372036854775"}) == Bulk("v"));
  CHECK(Deadline(h, "k") == 9223372036854775000);
  CHECK(h.Run({"GETEX", "k", "PX", "100"}) == Bulk("v"));
  h.clock().AdvanceMs(100);
  CHECK(h.Run({"GETEX", "k"}) == Bulk("v"));
  h.clock().AdvanceMs(1);
  CHECK(h.Run({"GETEX", "k"}) == kNull);

  // Absolute deadlines at or before now delete the key after replying.
  CHECK(h.Run({"SET", "k", "v"}) == kOk);
  CHECK(h.Run({"GETEX", "k", "PXAT", "1"}) == Bulk("v"));
  CHECK(Deadline(h, "k") == -2);
  CHECK(h.Run({"SET", "k", "v"}) == kOk);
  CHECK(h.Run({"GETEX", "k", "PXAT", std::to_string(h.clock().NowMs())}) == Bulk("v"));
  CHECK(Deadline(h, "k") == -2);
  CHECK(h.Run({"SET", "k", "v"}) == kOk);
  CHECK(h.Run({"GETEX", "k", "EXAT", "1"}) == Bulk("v"));
  CHECK(h.Run({"GET", "k"}) == kNull);

  h.client().protocol = 3;
  CHECK(h.Run({"GETEX", "missing"}) == kNull3);
}

TEST_CASE("GETDEL and GETSET") {
  CmdHarness h;
  CHECK(h.Run({"GETDEL", "k"}) == kNull);
  CHECK(h.Run({"SET", "k", "v"}) == kOk);
  CHECK(h.Run({"GETDEL", "k"}) == Bulk("v"));
  CHECK(Deadline(h, "k") == -2);

  CHECK(h.Run({"GETSET", "k", "x"}) == kNull);
  CHECK(h.Run({"GETSET", "k", "y"}) == Bulk("x"));
  CHECK(h.Run({"GET", "k"}) == Bulk("y"));
  CHECK(h.Run({"SETEX", "k", "100", "z"}) == kOk);
  CHECK(h.Run({"GETSET", "k", "w"}) == Bulk("z"));
  CHECK(Deadline(h, "k") == -1);

  h.client().protocol = 3;
  CHECK(h.Run({"GETDEL", "missing"}) == kNull3);
  CHECK(h.Run({"GETSET", "missing", "v"}) == kNull3);
}

TEST_CASE("MGET MSET MSETNX") {
  CmdHarness h;
  CHECK(h.Run({"MSET", "a", "1", "b"}) == "-ERR wrong number of arguments for 'mset' command\r\n");
  CHECK(h.Run({"MSETNX", "a", "1", "b"}) ==
        "-ERR wrong number of arguments for 'msetnx' command\r\n");
  CHECK(h.Run({"GET", "a"}) == kNull);
  CHECK(h.Run({"MSET", "a", "1", "b", "2", "rec", "3"}) == kOk);
  CHECK(h.Run({"MGET", "a", "nokey", "b", "rec"}) ==
        "*4\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  CHECK(h.Run({"SETEX", "a", "100", "1"}) == kOk);
  CHECK(h.Run({"MSET", "a", "9"}) == kOk);
  CHECK(Deadline(h, "a") == -1);

  CHECK(h.Run({"MSETNX", "a", "1", "c", "2"}) == Int(0));
  CHECK(h.Run({"GET", "c"}) == kNull);
  CHECK(h.Run({"MSETNX", "c", "1", "d", "2", "c", "3"}) == Int(1));
  CHECK(h.Run({"MGET", "c", "d"}) == "*2\r\n$1\r\n3\r\n$1\r\n2\r\n");

  h.client().protocol = 3;
  CHECK(h.Run({"MGET", "nokey", "c"}) == "*2\r\n_\r\n$1\r\n3\r\n");
}

TEST_CASE("INCR DECR INCRBY DECRBY") {
  CmdHarness h;
  CHECK(h.Run({"INCR", "n"}) == Int(1));
  CHECK(h.Run({"INCR", "n"}) == Int(2));
  CHECK(h.Run({"DECR", "n"}) == Int(1));
  CHECK(h.Run({"INCRBY", "n", "10"}) == Int(11));
  CHECK(h.Run({"DECRBY", "n", "20"}) == Int(-9));
  CHECK(h.Run({"GET", "n"}) == Bulk("-9"));
  CHECK(h.Run({"DECR", "fresh"}) == Int(-1));
  for (std::string_view bad : {"-0", "+1", "01", " 1", "1 ", "", "1a", "1.5",
                               "9223372036854775808", "99999999999999999999",
                               "-9223372036854775809"}) {
    CAPTURE(bad);
    CHECK(h.Run({"INCRBY", "n", bad}) == kNotInt);
    CHECK(h.Run({"DECRBY", "n", bad}) == kNotInt);
  }
  CHECK(h.Run({"INCRBY", "n", "-9223372036854775808"}) == kOverflow);
  CHECK(h.Run({"SET", "m", "11"}) == kOk);
  CHECK(h.Run({"INCRBY", "m", "-9223372036854775808"}) == Int(-9223372036854775797));
  CHECK(h.Run({"DECRBY", "m", "-9223372036854775808"}) == "-ERR decrement would overflow\r\n");
  CHECK(h.Run({"DECRBY", "m", "5"}) == Int(-9223372036854775802));

  CHECK(h.Run({"SET", "n", "9223372036854775807"}) == kOk);
  CHECK(h.Run({"INCR", "n"}) == kOverflow);
  CHECK(h.Run({"INCRBY", "n", "0"}) == Int(INT64_MAX));
  CHECK(h.Run({"SET", "n", "-9223372036854775808"}) == kOk);
  CHECK(h.Run({"DECR", "n"}) == kOverflow);
  CHECK(h.Run({"DECRBY", "n", "1"}) == kOverflow);
  CHECK(h.Run({"INCR", "n"}) == Int(-9223372036854775807));
  for (std::string_view stored : {"abc", " 1", "00", "-0", "1.0", "12345678901234567890", ""}) {
    CAPTURE(stored);
    CHECK(h.Run({"SET", "s", stored}) == kOk);
    CHECK(h.Run({"INCR", "s"}) == kNotInt);
  }

  // The increment is parsed (and DECRBY's LLONG_MIN refused) before the key is read.
  CHECK(h.Run({"INCRBY", "rec", "x"}) == kNotInt);
  CHECK(h.Run({"DECRBY", "rec", "-9223372036854775808"}) == "-ERR decrement would overflow\r\n");

  // Counters keep the TTL.
  const int64_t t0 = h.clock().NowMs();
  CHECK(h.Run({"SETEX", "t", "100", "5"}) == kOk);
  CHECK(h.Run({"INCR", "t"}) == Int(6));
  CHECK(h.Run({"INCRBY", "t", "1000000"}) == Int(1000006));
  CHECK(h.Run({"DECRBY", "t", "1000005"}) == Int(1));
  CHECK(Deadline(h, "t") == t0 + 100000);
  CHECK(h.Run({"GET", "t"}) == Bulk("1"));
}

TEST_CASE("INCRBYFLOAT") {
  CmdHarness h;
  CHECK(h.Run({"SET", "f", "10.5"}) == kOk);
  CHECK(h.Run({"INCRBYFLOAT", "f", "0.1"}) == Bulk("10.6"));
  CHECK(h.Run({"GET", "f"}) == Bulk("10.6"));
  CHECK(h.Run({"SET", "f", "10.50"}) == kOk);
  CHECK(h.Run({"INCRBYFLOAT", "f", "0"}) == Bulk("10.5"));
  CHECK(h.Run({"INCRBYFLOAT", "g", "3.0e3"}) == Bulk("3000"));
  CHECK(h.Run({"INCRBYFLOAT", "h", "5.0e3"}) == Bulk("5000"));
  CHECK(h.Run({"INCRBYFLOAT", "h", "-5.0e3"}) == Bulk("0"));
  CHECK(h.Run({"INCRBYFLOAT", "i", "-0.0"}) == Bulk("0"));
  CHECK(h.Run({"INCRBYFLOAT", "j", "0.1"}) == Bulk("0.1"));
  CHECK(h.Run({"INCRBYFLOAT", "j", "0.2"}) == Bulk("0.3"));
  CHECK(h.Run({"INCRBYFLOAT", "k", "-1.5"}) == Bulk("-1.5"));
  CHECK(h.Run({"INCRBYFLOAT", "l", "1e20"}) == Bulk("100000000000000000000"));
  CHECK(h.Run({"INCRBYFLOAT", "m", "1e-20"}) == Bulk("0"));
  // Rounds to "-0.000...": printed as "0", never "-0".
  CHECK(h.Run({"INCRBYFLOAT", "m3", "-1e-20"}) == Bulk("0"));
  CHECK(h.Run({"SET", "m4", "-0"}) == kOk);
  CHECK(h.Run({"INCRBYFLOAT", "m4", "0"}) == Bulk("0"));
  CHECK(h.Run({"INCRBYFLOAT", "m2", "0.0000001"}) == Bulk("0.0000001"));
  CHECK(h.Run({"INCRBYFLOAT", "n", "3.14159265358979323846"}) == Bulk("3.14159265358979324"));
  CHECK(h.Run({"INCRBYFLOAT", "o", "123456789012345678901234567890"}) ==
        Bulk("123456789012345678899921813504"));
  CHECK(h.Run({"INCRBYFLOAT", "p", "100"}) == Bulk("100"));
  CHECK(h.Run({"INCRBYFLOAT", "p", "-99.99"}) == Bulk("0.01"));
  // strtold syntax that Redis accepts.
  CHECK(h.Run({"INCRBYFLOAT", "q", "0x10"}) == Bulk("16"));
  CHECK(h.Run({"INCRBYFLOAT", "q", "+5"}) == Bulk("21"));
  CHECK(h.Run({"INCRBYFLOAT", "q", ".5"}) == Bulk("21.5"));
  CHECK(h.Run({"INCRBYFLOAT", "q", "5."}) == Bulk("26.5"));
  // A denormal long double is accepted; underflow to zero is not.
  CHECK(h.Run({"INCRBYFLOAT", "r", "1e-4940"}) == Bulk("0"));
  CHECK(h.Run({"INCRBYFLOAT", "r", "1e-5000"}) == kNotFloat);
  // Beyond double range but within long double: printed in full.
  const std::string e308 =
      "99999999999999999996685879655845645660560099847415567207797047994921734868838061872100"
      "12692188853932044674722505401322315213474959396058359742081443019641876795910001960319"
      "07786631096045071066679391533957889389145605435630612683649016186302170865892534448816"
      "23791300855757318142424510452728255046343928578048";
  CHECK(h.Run({"INCRBYFLOAT", "big", "1e308"}) == Bulk(e308));
  const std::string reply = h.Run({"INCRBYFLOAT", "big", "1e308"});
  CHECK(reply.rfind("$309\r\n1999999999999999999933717593116912913211201996948311344155", 0) == 0);

  CHECK(h.Run({"INCRBYFLOAT", "x", "inf"}) == kNanInf);
  CHECK(h.Run({"INCRBYFLOAT", "x", "-infinity"}) == kNanInf);
  for (std::string_view bad : {"nan", " 1", "1 ", "", "abc", "1e5000", "1,5"}) {
    CAPTURE(bad);
    CHECK(h.Run({"INCRBYFLOAT", "x", bad}) == kNotFloat);
  }
  CHECK(h.Run({"INCRBYFLOAT", "x", "1\0abc"sv}) == kNotFloat);
  CHECK(h.Run({"GET", "x"}) == kNull);
  CHECK(h.Run({"SET", "s", "abc"}) == kOk);
  CHECK(h.Run({"INCRBYFLOAT", "s", "1"}) == kNotFloat);
  CHECK(h.Run({"SET", "s", "1 "}) == kOk);
  CHECK(h.Run({"INCRBYFLOAT", "s", "1"}) == kNotFloat);
  CHECK(h.Run({"SET", "s", std::string(5120, '0')}) == kOk);
  CHECK(h.Run({"INCRBYFLOAT", "s", "1"}) == kNotFloat);
  CHECK(h.Run({"SET", "s", std::string(5119, '0')}) == kOk);
  CHECK(h.Run({"INCRBYFLOAT", "s", "1"}) == Bulk("1"));
  CHECK(h.Run({"INCRBYFLOAT", "s2", std::string(5120, '0')}) == kNotFloat);
  CHECK(h.Run({"INCRBYFLOAT", "s2", std::string(5119, '0')}) == Bulk("0"));


  const int64_t t0 = h.clock().NowMs();
  CHECK(h.Run({"SETEX", "t", "100", "1.5"}) == kOk);
  CHECK(h.Run({"INCRBYFLOAT", "t", "1"}) == Bulk("2.5"));
  CHECK(Deadline(h, "t") == t0 + 100000);

  h.client().protocol = 3;  // still a bulk string, not a RESP3 double
  CHECK(h.Run({"INCRBYFLOAT", "t", "1"}) == Bulk("3.5"));
}

TEST_CASE("APPEND and STRLEN") {
  CmdHarness h;
  CHECK(h.Run({"STRLEN", "a"}) == Int(0));
  CHECK(h.Run({"APPEND", "a", ""}) == Int(0));
  CHECK(Deadline(h, "a") == -1);  // created, even though empty
  CHECK(h.Run({"APPEND", "a", "Hello"}) == Int(5));
  CHECK(h.Run({"APPEND", "a", " World"}) == Int(11));
  CHECK(h.Run({"GET", "a"}) == Bulk("Hello World"));
  CHECK(h.Run({"STRLEN", "a"}) == Int(11));
  CHECK(h.Run({"APPEND", "a", ""}) == Int(11));


  const int64_t t0 = h.clock().NowMs();
  CHECK(h.Run({"SETEX", "t", "100", "x"}) == kOk);
  CHECK(h.Run({"APPEND", "t", "y"}) == Int(2));
  CHECK(Deadline(h, "t") == t0 + 100000);

  // Many appends: the value must grow (and move) without losing bytes.
  std::string expected;
  for (int i = 0; i < 10000; ++i) {
    const std::string piece = std::to_string(i) + ",";
    expected += piece;
    const std::string reply = h.Run({"APPEND", "big", piece});
    if (reply != Int(static_cast<int64_t>(expected.size()))) {
      FAIL("APPEND #" << i << " replied " << reply);
    }
  }
  CHECK(h.Run({"GET", "big"}) == Bulk(expected));
  CHECK(h.Run({"STRLEN", "big"}) == Int(static_cast<int64_t>(expected.size())));

  h.state().config.proto_max_bulk_len = 16;
  CHECK(h.Run({"SET", "c", "0123456789abcde"}) == kOk);
  CHECK(h.Run({"APPEND", "c", "f"}) == Int(16));
  CHECK(h.Run({"APPEND", "c", "g"}) == kTooLong);
  CHECK(h.Run({"GET", "c"}) == Bulk("0123456789abcdef"));
}

TEST_CASE("GETRANGE") {
  CmdHarness h;
  CHECK(h.Run({"GETRANGE", "nokey", "0", "-1"}) == kEmpty);
  CHECK(h.Run({"GETRANGE", "nokey", "x", "0"}) == kNotInt);
  CHECK(h.Run({"SET", "a", "Hello World"}) == kOk);
  CHECK(h.Run({"GETRANGE", "a", "0", "x"}) == kNotInt);
  CHECK(h.Run({"GETRANGE", "a", "0", "-1"}) == Bulk("Hello World"));
  CHECK(h.Run({"GETRANGE", "a", "0", "4"}) == Bulk("Hello"));
  CHECK(h.Run({"GETRANGE", "a", "-5", "-1"}) == Bulk("World"));
  CHECK(h.Run({"GETRANGE", "a", "-1", "-5"}) == kEmpty);
  CHECK(h.Run({"GETRANGE", "a", "5", "-1"}) == Bulk(" World"));
  CHECK(h.Run({"GETRANGE", "a", "0", "-100"}) == Bulk("H"));
  CHECK(h.Run({"GETRANGE", "a", "-100", "-100"}) == Bulk("H"));
  CHECK(h.Run({"GETRANGE", "a", "-100", "2"}) == Bulk("Hel"));
  // Both negative with start > end is empty before any clamping.
  CHECK(h.Run({"GETRANGE", "a", "-100", "-200"}) == kEmpty);
  CHECK(h.Run({"GETRANGE", "a", "-5", "-200"}) == kEmpty);
  CHECK(h.Run({"GETRANGE", "a", "-200", "-5"}) == Bulk("Hello W"));
  CHECK(h.Run({"GETRANGE", "a", "3", "1"}) == kEmpty);
  CHECK(h.Run({"GETRANGE", "a", "100", "200"}) == kEmpty);
  CHECK(h.Run({"GETRANGE", "a", "10", "100"}) == Bulk("d"));
  CHECK(h.Run({"GETRANGE", "a", "0", "0"}) == Bulk("H"));
  CHECK(h.Run({"GETRANGE", "a", "-9223372036854775808", "9223372036854775807"}) ==
        Bulk("Hello World"));
  CHECK(h.Run({"GETRANGE", "a", "9223372036854775807", "-9223372036854775808"}) == kEmpty);
  CHECK(h.Run({"SET", "e", ""}) == kOk);
  CHECK(h.Run({"GETRANGE", "e", "0", "-1"}) == kEmpty);
  CHECK(h.Run({"GETRANGE", "e", "0", "0"}) == kEmpty);
  CHECK(h.Run({"GETRANGE", "e", "-1", "-1"}) == kEmpty);

  CHECK(h.Run({"GETRANGE", "rec", "x", "1"}) == kNotInt);

  h.client().protocol = 3;  // an empty bulk, not a null
  CHECK(h.Run({"GETRANGE", "nokey", "0", "-1"}) == kEmpty);
}

TEST_CASE("SETRANGE") {
  CmdHarness h;
  CHECK(h.Run({"SETRANGE", "nokey", "0", ""}) == Int(0));
  CHECK(h.Run({"SETRANGE", "nokey", "100", ""}) == Int(0));
  CHECK(Deadline(h, "nokey") == -2);
  CHECK(h.Run({"SETRANGE", "nokey", "-1", ""}) == kOffsetRange);
  CHECK(h.Run({"SETRANGE", "nokey", "x", "a"}) == kNotInt);
  CHECK(h.Run({"SETRANGE", "rec", "-1", "x"}) == kOffsetRange);

  CHECK(h.Run({"SET", "a", "Hello World"}) == kOk);
  CHECK(h.Run({"SETRANGE", "a", "0", ""}) == Int(11));
  CHECK(h.Run({"SETRANGE", "a", "1000000000", ""}) == Int(11));
  CHECK(h.Run({"SETRANGE", "a", "536870912", "x"}) == kTooLong);
  CHECK(h.Run({"SETRANGE", "a", "536870911", "xy"}) == kTooLong);
  CHECK(h.Run({"SETRANGE", "a", "9223372036854775807", "x"}) == kTooLong);
  CHECK(h.Run({"SETRANGE", "a", "6", "Redis"}) == Int(11));
  CHECK(h.Run({"GET", "a"}) == Bulk("Hello Redis"));
  CHECK(h.Run({"SETRANGE", "a", "9", "Redis!"}) == Int(15));
  CHECK(h.Run({"GET", "a"}) == Bulk("Hello RedRedis!"));
  // Growing past the end zero-fills the gap.
  CHECK(h.Run({"SETRANGE", "a", "17", "Z"}) == Int(18));
  CHECK(h.Run({"GET", "a"}) == Bulk("Hello RedRedis!\0\0Z"sv));

  CHECK(h.Run({"SETRANGE", "b", "3", "xy"}) == Int(5));
  CHECK(h.Run({"GET", "b"}) == Bulk("\0\0\0xy"sv));
  CHECK(h.Run({"STRLEN", "b"}) == Int(5));

  const int64_t t0 = h.clock().NowMs();
  CHECK(h.Run({"SETEX", "t", "100", "x"}) == kOk);
  CHECK(h.Run({"SETRANGE", "t", "0", "ab"}) == Int(2));
  CHECK(Deadline(h, "t") == t0 + 100000);

  h.state().config.proto_max_bulk_len = 1048576;
  CHECK(h.Run({"SETRANGE", "c", "1048575", "x"}) == Int(1048576));
  CHECK(h.Run({"SETRANGE", "c", "1048575", "xx"}) == kTooLong);
  CHECK(h.Run({"SETRANGE", "d", "1048575", "xx"}) == kTooLong);
  CHECK(Deadline(h, "d") == -2);
  CHECK(h.Run({"GETRANGE", "c", "1048570", "-1"}) == Bulk("\0\0\0\0\0x"sv));
}

TEST_CASE("keyspace hits and misses count reads only") {
  CmdHarness h;
  CHECK(h.Run({"SET", "k", "v"}) == kOk);
  CHECK(h.Run({"SET", "rec", "x"}) == kOk);
  auto& stats = h.state().stats;
  struct Case {
    std::vector<std::string_view> args;
    uint64_t hits, misses;
  };
  const Case cases[] = {
      {{"GET", "k"}, 1, 0},
      {{"GET", "nokey"}, 0, 1},
      {{"GET", "rec"}, 1, 0},
      {{"MGET", "k", "nokey", "rec"}, 2, 1},
      {{"STRLEN", "k"}, 1, 0},
      {{"STRLEN", "nokey"}, 0, 1},
      {{"GETRANGE", "k", "0", "1"}, 1, 0},
      {{"GETRANGE", "nokey", "0", "1"}, 0, 1},
      {{"GETRANGE", "k", "x", "1"}, 0, 0},
      {{"GETEX", "k"}, 1, 0},
      {{"GETEX", "nokey"}, 0, 1},
      {{"GETEX", "k", "EX", "0"}, 1, 0},
      {{"GETDEL", "nokey"}, 0, 1},
      {{"GETSET", "nokey2", "v"}, 0, 1},
      {{"SET", "k", "v", "GET"}, 1, 0},
      {{"SET", "k", "v"}, 0, 0},
      {{"SET", "nokey3", "v", "NX", "GET"}, 0, 1},
      {{"SET", "k", "v", "EX", "0", "GET"}, 0, 0},
      {{"INCR", "n"}, 0, 0},
      {{"APPEND", "k", "x"}, 0, 0},
      {{"SETRANGE", "k", "0", "a"}, 0, 0},
      {{"SETNX", "k", "v"}, 0, 0},
      {{"MSETNX", "k", "1"}, 0, 0},
      {{"INCRBYFLOAT", "f", "1"}, 0, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.args[0]);
    CAPTURE(c.args[1]);
    const uint64_t hits = stats.keyspace_hits;
    const uint64_t misses = stats.keyspace_misses;
    h.Run(c.args);
    CHECK(stats.keyspace_hits - hits == c.hits);
    CHECK(stats.keyspace_misses - misses == c.misses);
  }
  // An expired key reads as a miss.
  CHECK(h.Run({"SET", "e", "v", "PX", "10"}) == kOk);
  h.clock().AdvanceMs(11);
  const uint64_t misses = stats.keyspace_misses;
  CHECK(h.Run({"GET", "e"}) == kNull);
  CHECK(stats.keyspace_misses - misses == 1);
}

TEST_CASE("string command table matches Redis 7.0") {
  const auto& table = cmd::CommandTable::Get();
  struct Want {
    std::string_view name;
    int arity;
    uint32_t flags;
    int first, last, step;
  };
  using namespace cmd;
  const Want wants[] = {
      {"get", 2, kCmdReadOnly | kCmdFast, 1, 1, 1},
      {"set", -3, kCmdWrite | kCmdDenyOom, 1, 1, 1},
      {"getex", -2, kCmdWrite | kCmdFast, 1, 1, 1},
      {"mget", -2, kCmdReadOnly | kCmdFast, 1, -1, 1},
      {"mset", -3, kCmdWrite | kCmdDenyOom, 1, -1, 2},
      {"getrange", 4, kCmdReadOnly, 1, 1, 1},
      {"incrbyfloat", 3, kCmdWrite | kCmdDenyOom | kCmdFast, 1, 1, 1},
  };
  for (const Want& w : wants) {
    CAPTURE(w.name);
    const CommandSpec* spec = table.Find(w.name);
    REQUIRE(spec != nullptr);
    CHECK(spec->arity == w.arity);
    CHECK(spec->flags == w.flags);
    CHECK(spec->keys.first == w.first);
    CHECK(spec->keys.last == w.last);
    CHECK(spec->keys.step == w.step);
    CHECK(spec->group == "string");
  }
  CHECK(StringCommands().size() == 20);
}

TEST_CASE("ParseInt64 is string2ll") {
  int64_t v = 7;
  CHECK(cmd::ParseInt64("0", &v));
  CHECK(v == 0);
  CHECK(cmd::ParseInt64("-1", &v));
  CHECK(v == -1);
  CHECK(cmd::ParseInt64("9223372036854775807", &v));
  CHECK(v == INT64_MAX);
  CHECK(cmd::ParseInt64("-9223372036854775808", &v));
  CHECK(v == INT64_MIN);
  for (std::string_view bad : {"", "-", "-0", "+1", "01", "00", " 1", "1 ", "1a", "0x1", "1.0",
                               "9223372036854775808", "-9223372036854775809",
                               "18446744073709551616", "123456789012345678901"}) {
    CAPTURE(bad);
    CHECK_FALSE(cmd::ParseInt64(bad, &v));
  }
  CHECK_FALSE(cmd::ParseInt64("1\0"sv, &v));
}

TEST_CASE("ParseLongDouble and ParseDouble") {
  long double ld = 0;
  CHECK(cmd::ParseLongDouble("1.5", &ld));
  CHECK(ld == 1.5L);
  CHECK(cmd::ParseLongDouble("-0x10", &ld));
  CHECK(ld == -16.0L);
  CHECK(cmd::ParseLongDouble("inf", &ld));  // INCRBYFLOAT rejects it after adding
  for (std::string_view bad : {"", " 1", "\t1", "1 ", "nan", "-nan", "abc", "1e5000", "1e-5000"}) {
    CAPTURE(bad);
    CHECK_FALSE(cmd::ParseLongDouble(bad, &ld));
  }
  CHECK_FALSE(cmd::ParseLongDouble("1\0"sv, &ld));
  // Redis's MAX_LONG_DOUBLE_CHARS (5120) bounds the input length.
  CHECK_FALSE(cmd::ParseLongDouble(std::string(5120, '0'), &ld));
  CHECK(cmd::ParseLongDouble(std::string(5119, '0'), &ld));

  double d = 0;
  CHECK(cmd::ParseDouble("2.5", &d));
  CHECK(d == 2.5);
  CHECK(cmd::ParseDouble("-inf", &d));
  CHECK(d < 0);
  CHECK(cmd::ParseDouble("4.9e-324", &d));  // denormal: kept
  CHECK(cmd::ParseDouble(std::string(200, '1'), &d));
  for (std::string_view bad : {"", " 1", "1 ", "nan", "abc", "1e400", "1e-400"}) {
    CAPTURE(bad);
    CHECK_FALSE(cmd::ParseDouble(bad, &d));
  }
  CHECK_FALSE(cmd::ParseDouble("1\0"sv, &d));
}

TEST_CASE("EqualsIgnoreCase") {
  CHECK(cmd::EqualsIgnoreCase("KeepTTL", "KEEPTTL"));
  CHECK(cmd::EqualsIgnoreCase("", ""));
  CHECK_FALSE(cmd::EqualsIgnoreCase("EX", "EXAT"));
  CHECK_FALSE(cmd::EqualsIgnoreCase("e[", "E{"));  // only letters fold
}

}  // namespace
}  // namespace ss
