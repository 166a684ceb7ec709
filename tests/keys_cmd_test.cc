#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cmd_harness.h"
#include "ss/cmd/command.h"
#include "ss/cmd/glob.h"

// Expected values marked "Redis:" were read off a real redis-server 7.0.15.

namespace {

using ss::test::CmdHarness;

std::string Int(int64_t v) { return ":" + std::to_string(v) + "\r\n"; }
std::string Err(std::string_view s) { return "-" + std::string(s) + "\r\n"; }
std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
const std::string kOk = "+OK\r\n";

// Reads "<prefix><number>\r\n" at *pos.
int64_t ReadHeader(const std::string& r, size_t* pos, char prefix) {
  REQUIRE(*pos < r.size());
  REQUIRE(r[*pos] == prefix);
  const size_t end = r.find("\r\n", *pos);
  REQUIRE(end != std::string::npos);
  const int64_t n = std::stoll(r.substr(*pos + 1, end - *pos - 1));
  *pos = end + 2;
  return n;
}

std::string ReadBulk(const std::string& r, size_t* pos) {
  const auto len = static_cast<size_t>(ReadHeader(r, pos, '$'));
  std::string s = r.substr(*pos, len);
  REQUIRE(r.compare(*pos + len, 2, "\r\n") == 0);
  *pos += len + 2;
  return s;
}

std::vector<std::string> ReadBulkArray(const std::string& r, size_t* pos) {
  const int64_t n = ReadHeader(r, pos, '*');
  std::vector<std::string> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(ReadBulk(r, pos));
  return out;
}

// A KEYS reply as a sorted list (KEYS order is hash order).
std::vector<std::string> SortedKeys(const std::string& reply) {
  size_t pos = 0;
  std::vector<std::string> keys = ReadBulkArray(reply, &pos);
  CHECK(pos == reply.size());
  std::sort(keys.begin(), keys.end());
  return keys;
}

struct ScanPage {
  std::string cursor;
  std::vector<std::string> keys;
};

ScanPage ParseScan(const std::string& reply) {
  size_t pos = 0;
  REQUIRE(ReadHeader(reply, &pos, '*') == 2);
  ScanPage page;
  page.cursor = ReadBulk(reply, &pos);
  page.keys = ReadBulkArray(reply, &pos);
  CHECK(pos == reply.size());
  return page;
}

// Runs SCAN to completion with the given extra options; counts every key
// returned. `between` runs after each call (to change the table mid-scan).
template <typename Between>
std::map<std::string, int> FullScan(CmdHarness& h, const std::vector<std::string>& opts,
                                    Between between) {
  std::map<std::string, int> seen;
  std::string cursor = "0";
  // Bounded: a hash-space cursor only moves forward; the cap catches a bug.
  for (int calls = 0; calls < 1'000'000; ++calls) {
    std::vector<std::string_view> args = {"SCAN", cursor};
    for (const std::string& o : opts) args.push_back(o);
    ScanPage page = ParseScan(h.Run(args));
    for (const std::string& k : page.keys) ++seen[k];
    between();
    cursor = page.cursor;
    if (cursor == "0") return seen;
  }
  FAIL("SCAN never returned cursor 0");
  return seen;
}

std::map<std::string, int> FullScan(CmdHarness& h, const std::vector<std::string>& opts) {
  return FullScan(h, opts, [] {});
}

void SetKey(CmdHarness& h, std::string_view key, int64_t deadline_ms = ss::kNoDeadline) {
  REQUIRE(h.state().keyspace.Set(h.client().db, key, "v", deadline_ms) != nullptr);
}

}  // namespace

// ---- Glob -------------------------------------------------------------------

TEST_CASE("GlobMatch agrees with Redis 7.0 stringmatchlen") {
  struct Case {
    std::string_view pattern;
    std::string_view text;
    bool match;
  };
  // Redis: each row is KEYS <pattern> on a database holding only <text>.
  const Case cases[] = {
    {"", "", true}, {"", "a", false}, {"a", "", false},
    {"*", "", false},  // KEYS * lists "" only through its match-all shortcut
    {"**", "", false}, {"?", "", false}, {"*", "abc", true}, {"a*", "abc", true},
    {"*c", "abc", true}, {"a*c", "abc", true}, {"a*c", "ac", true}, {"a*c", "ab", false},
    {"a**c", "abbc", true}, {"*a*", "bab", true}, {"*a*", "bbb", false}, {"?", "a", true},
    {"??", "a", false}, {"a?c", "abc", true}, {"a?c", "ac", false}, {"h?llo", "hello", true},
    {"h*llo", "hllo", true}, {"h[ae]llo", "hallo", true}, {"h[ae]llo", "hillo", false},
    {"h[^e]llo", "hallo", true}, {"h[^e]llo", "hello", false}, {"h[a-b]llo", "hbllo", true},
    {"h[a-b]llo", "hcllo", false}, {"[z-a]", "m", true}, {"[z-a]", "A", false},
    {"[a-z]", "-", false}, {"[a-]", "-", false}, {"[a-]", "b", false}, {"[a-]", "]", true},
    {"[a-]", "^", true}, {"[-a]", "-", true}, {"[]", "]", false}, {"[]]", "]", false},
    {"[]a]", "a", false}, {"[]a]", "]", false}, {"[", "[", false}, {"[", "", false},
    {"[abc", "a", true}, {"[abc", "c", true}, {"[abc", "d", false}, {"[^", "x", true},
    {"[^", "", false}, {"[^]", "x", true}, {"[^]", "]", true}, {"[!a]", "b", false},
    {"[!a]", "!", true}, {"\\*", "*", true}, {"\\*", "a", false}, {"\\?", "?", true},
    {"\\?", "a", false}, {"\\[a]", "[a]", true}, {"\\[a]", "a", false}, {"\\", "\\", true},
    {"a\\", "a\\", true}, {"a\\", "a", false}, {"\\\\", "\\", true}, {"\\a", "a", true},
    {"[\\]]", "]", true}, {"[\\]", "\\", false}, {"[\\]", "]", true}, {"[\\-]", "-", true},
    {"[a\\-z]", "b", false}, {"[a\\-z]", "-", true}, {"[a\\", "\\", true}, {"[a\\", "a", true},
    {"[\\^a]", "^", true}, {"[^\\^]", "^", false}, {"*[", "a[", false}, {"a*[", "a", false},
    {"[*]", "*", true}, {"[*]", "a", false}, {"[?]", "a", false}, {"*?", "", false},
    {"*?", "a", true}, {"?*", "", false}, {"a*b*c", "aXbYc", true}, {"a*b*c", "aXbYd", false},
    {"*a*b", "aaab", true}, {"user:*:session", "user:42:session", true},
    {"user:*:session", "user:42:sessions", false}, {"*\\", "a\\", true}, {"[a-c-e]", "d", false},
    {"[a-c-e]", "-", true}, {"[a-c-e]", "e", true}, {"[^a-c]x", "bx", false},
    {"[^a-c]x", "dx", true}, {"[[]", "[", true}, {"[[]]", "[]", true}, {"a[", "a", false},
    {"a[", "a[", false}, {"*[a", "xa", true}, {"*[", "[", false}, {"[--0]", ".", true},
    {"[0--]", "/", true}, {"[a-a]", "a", true}, {"\\[", "[", true}, {"[\\", "\\", true},
    {"[\\", "x", false}, {"[a-\\]]", "]", false}, {"abc*", "ABC", false}, {"a[B]c", "abc", false},
    {"[^]]", "a", false}, {"[^]]", "]", false}, {"***a", "a", true}, {"a***", "a", true},
    {"*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
  };
  for (const Case& c : cases) {
    INFO("pattern '", c.pattern, "' text '", c.text, "'");
    CHECK(ss::cmd::GlobMatch(c.pattern, c.text) == c.match);
  }
}

TEST_CASE("GlobMatch nocase folds plain bytes and ranges, not escapes in a class") {
  using ss::cmd::GlobMatch;
  // Redis: COMMAND LIST FILTERBY PATTERN <p> (a nocase match) against "get".
  CHECK(GlobMatch("GET", "get", true));
  CHECK(GlobMatch("G?T", "get", true));
  CHECK_FALSE(GlobMatch("[\\G]et", "get", true));
  CHECK(GlobMatch("\\Get", "get", true));
  CHECK_FALSE(GlobMatch("[a-Z]et", "get", true));  // swapped to Z..a, folded to z..a
  CHECK(GlobMatch("[F-H]ET", "get", true));
  CHECK(GlobMatch("[f-h]et", "get", true));
  CHECK_FALSE(GlobMatch("g[^E]t", "get", true));
  CHECK(GlobMatch("[G-G]et", "get", true));
  CHECK_FALSE(GlobMatch("[Z-a]et", "get", true));
  // And without nocase the same patterns are case sensitive.
  CHECK_FALSE(GlobMatch("GET", "get"));
  CHECK(GlobMatch("[a-Z]", "_"));  // Z..a holds '[', '\\', ']', '^', '_', '`'
  CHECK_FALSE(GlobMatch("[F-H]ET", "get"));
}

TEST_CASE("GlobMatch treats bytes >= 0x80 as negative, as Redis's signed char does") {
  using ss::cmd::GlobMatch;
  // "[a-\xff]" is the range -1..'a' after the swap: it holds 0xff and ASCII
  // up to 'a', but not 'b' or 0x80.
  CHECK(GlobMatch("[a-\xff]", "\xff"));
  CHECK(GlobMatch("[a-\xff]", "A"));
  CHECK_FALSE(GlobMatch("[a-\xff]", "b"));
  CHECK_FALSE(GlobMatch("[a-\xff]", "\x80"));
  CHECK(GlobMatch(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  CHECK_FALSE(GlobMatch(std::string_view("a\0b", 3), "a"));
}

TEST_CASE("GlobMatch nesting limit mirrors Redis (1000 backtracking stars)") {
  using ss::cmd::GlobMatch;
  auto repeat = [](std::string_view unit, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += unit;
    return s;
  };
  // Redis: KEYS ("*a" x n) on the key ("a" x n): matches for n <= 1000 only.
  for (int n : {998, 999, 1000}) {
    CHECK(GlobMatch(repeat("*a", n), repeat("a", n)));
  }
  for (int n : {1001, 1002, 1005}) {
    CHECK_FALSE(GlobMatch(repeat("*a", n), repeat("a", n)));
  }
  // A trailing star needs no recursion: ("a*" x n) matches up to n = 1001.
  CHECK(GlobMatch(repeat("a*", 1001), repeat("a", 1001)));
  CHECK_FALSE(GlobMatch(repeat("a*", 1002), repeat("a", 1002)));
}

TEST_CASE("GlobMatch stays polynomial on the CVE-2022-36021 pattern") {
  // Without Redis's skip-longer-matches cut this takes ~forever.
  const std::string text(20000, 'a');
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "*b";
  CHECK_FALSE(ss::cmd::GlobMatch(pattern, text));
  CHECK(ss::cmd::GlobMatch(pattern, text + "b"));
}

// ---- Table ------------------------------------------------------------------

TEST_CASE("key commands are registered with Redis 7.0's arity, flags and keys") {
  using namespace ss::cmd;
  struct Want {
    std::string_view name;
    int arity;
    uint32_t flags;
    KeyPositions keys;
    std::string_view group;
  };
  const Want wants[] = {
      {"DEL", -2, kCmdWrite, {1, -1, 1}, "generic"},
      {"UNLINK", -2, kCmdWrite | kCmdFast, {1, -1, 1}, "generic"},
      {"EXISTS", -2, kCmdReadOnly | kCmdFast, {1, -1, 1}, "generic"},
      {"TOUCH", -2, kCmdReadOnly | kCmdFast, {1, -1, 1}, "generic"},
      {"TYPE", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, "generic"},
      {"EXPIRE", -3, kCmdWrite | kCmdFast, {1, 1, 1}, "generic"},
      {"PEXPIRE", -3, kCmdWrite | kCmdFast, {1, 1, 1}, "generic"},
      {"EXPIREAT", -3, kCmdWrite | kCmdFast, {1, 1, 1}, "generic"},
      {"PEXPIREAT", -3, kCmdWrite | kCmdFast, {1, 1, 1}, "generic"},
      {"TTL", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, "generic"},
      {"PTTL", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, "generic"},
      {"EXPIRETIME", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, "generic"},
      {"PEXPIRETIME", 2, kCmdReadOnly | kCmdFast, {1, 1, 1}, "generic"},
      {"PERSIST", 2, kCmdWrite | kCmdFast, {1, 1, 1}, "generic"},
      {"KEYS", 2, kCmdReadOnly, {0, 0, 0}, "generic"},
      {"SCAN", -2, kCmdReadOnly, {0, 0, 0}, "generic"},
      {"RANDOMKEY", 1, kCmdReadOnly, {0, 0, 0}, "generic"},
      {"RENAME", 3, kCmdWrite, {1, 2, 1}, "generic"},
      {"RENAMENX", 3, kCmdWrite | kCmdFast, {1, 2, 1}, "generic"},
      {"DBSIZE", 1, kCmdReadOnly | kCmdFast, {0, 0, 0}, "server"},
      {"FLUSHDB", -1, kCmdWrite, {0, 0, 0}, "server"},
      {"FLUSHALL", -1, kCmdWrite, {0, 0, 0}, "server"},
  };
  CHECK(KeyCommands().size() == std::size(wants));
  for (const Want& w : wants) {
    INFO(w.name);
    const CommandSpec* spec = CommandTable::Get().Find(w.name);
    REQUIRE(spec != nullptr);
    CHECK(spec->arity == w.arity);
    CHECK(spec->flags == w.flags);
    CHECK(spec->keys.first == w.keys.first);
    CHECK(spec->keys.last == w.keys.last);
    CHECK(spec->keys.step == w.keys.step);
    CHECK(spec->group == w.group);
    CHECK(static_cast<bool>(spec->handler));
    CHECK(!spec->summary.empty());
  }
}

// ---- DEL, UNLINK, EXISTS, TOUCH, TYPE ---------------------------------------

TEST_CASE("DEL and UNLINK count the keys they removed") {
  CmdHarness h;
  SetKey(h, "a");
  SetKey(h, "b");
  SetKey(h, "c");
  CHECK(h.Run({"DEL", "a", "a", "missing"}) == Int(1));
  CHECK(h.Run({"DEL", "a"}) == Int(0));
  CHECK(h.Run({"UNLINK", "b", "c", "x"}) == Int(2));
  CHECK(h.Run({"DBSIZE"}) == Int(0));
  CHECK(h.Run({"DEL"}) == Err("ERR wrong number of arguments for 'del' command"));
}

TEST_CASE("DEL of a key past its deadline counts nothing") {
  CmdHarness h;
  SetKey(h, "k", h.clock().NowMs() + 10);
  h.clock().AdvanceMs(11);
  CHECK(h.Run({"DEL", "k"}) == Int(0));
}

TEST_CASE("EXISTS counts repeats; EXISTS, TOUCH, TYPE count hits and misses") {
  CmdHarness h;
  SetKey(h, "k");
  auto& stats = h.state().stats;
  CHECK(h.Run({"EXISTS", "k", "k", "nx"}) == Int(2));
  CHECK(stats.keyspace_hits == 2);
  CHECK(stats.keyspace_misses == 1);
  CHECK(h.Run({"TOUCH", "k", "nx"}) == Int(1));
  CHECK(stats.keyspace_hits == 3);
  CHECK(stats.keyspace_misses == 2);
  CHECK(h.Run({"TYPE", "k"}) == "+string\r\n");
  CHECK(h.Run({"TYPE", "nx"}) == "+none\r\n");
  CHECK(stats.keyspace_hits == 4);
  CHECK(stats.keyspace_misses == 3);
  // Redis: writes and scans count nothing.
  h.Run({"DEL", "nx"});
  h.Run({"EXPIRE", "k", "100"});
  h.Run({"PERSIST", "k"});
  h.Run({"RENAME", "k", "k2"});
  h.Run({"KEYS", "*"});
  h.Run({"SCAN", "0"});
  h.Run({"RANDOMKEY"});
  CHECK(stats.keyspace_hits == 4);
  CHECK(stats.keyspace_misses == 3);
}

// ---- EXPIRE family ----------------------------------------------------------

TEST_CASE("EXPIRE option errors, in Redis's order") {
  CmdHarness h;
  SetKey(h, "k");
  const std::string nx_err = Err("ERR NX and XX, GT or LT options at the same time are not compatible");
  CHECK(h.Run({"EXPIRE", "k", "100", "NX", "XX"}) == nx_err);
  CHECK(h.Run({"EXPIRE", "k", "100", "nx", "gt"}) == nx_err);
  CHECK(h.Run({"PEXPIRE", "k", "100", "LT", "NX"}) == nx_err);
  CHECK(h.Run({"EXPIRE", "k", "100", "GT", "LT"}) ==
        Err("ERR GT and LT options at the same time are not compatible"));
  CHECK(h.Run({"EXPIRE", "k", "100", "FOO"}) == Err("ERR Unsupported option FOO"));
  CHECK(h.Run({"EXPIRE", "k", "100", "nx", "foo"}) == Err("ERR Unsupported option foo"));
  // Options are checked before the time is parsed, and before the key.
  CHECK(h.Run({"EXPIRE", "k", "abc", "FOO"}) == Err("ERR Unsupported option FOO"));
  CHECK(h.Run({"EXPIRE", "missing", "100", "FOO"}) == Err("ERR Unsupported option FOO"));
  CHECK(h.Run({"EXPIRE", "k", "abc"}) == Err("ERR value is not an integer or out of range"));
  for (std::string_view bad : {"1.5", "+5", " 5", "05", "-0", ""}) {
    CHECK(h.Run({"EXPIRE", "k", bad}) == Err("ERR value is not an integer or out of range"));
  }
  CHECK(h.Run({"EXPIRE", "k", "100", "NX", "NX"}) == Int(1));  // repeats are fine
  CHECK(h.Run({"EXPIRE", "k"}) == Err("ERR wrong number of arguments for 'expire' command"));
  CHECK(h.Run({"EXPIRE", "k", "100", "XX", "LT"}) == Int(0));
}

TEST_CASE("EXPIRE overflow is 'invalid expire time' naming the command") {
  CmdHarness h;
  SetKey(h, "k");
  // Redis: these exact inputs.
  CHECK(h.Run({"EXPIRE", "k", "9223372036854775807"}) ==
        Err("ERR invalid expire time in 'expire' command"));
  CHECK(h.Run({"expire", "k", "9223372036854775"}) ==
        Err("ERR invalid expire time in 'expire' command"));
  CHECK(h.Run({"EXPIRE", "k", "-9223372036854775808"}) ==
        Err("ERR invalid expire time in 'expire' command"));
  CHECK(h.Run({"PEXPIRE", "k", "9223372036854775807"}) ==
        Err("ERR invalid expire time in 'pexpire' command"));
  CHECK(h.Run({"EXPIREAT", "k", "9223372036854775807"}) ==
        Err("ERR invalid expire time in 'expireat' command"));
  CHECK(h.Run({"EXPIRE", "missing", "9223372036854775807"}) ==
        Err("ERR invalid expire time in 'expire' command"));
  CHECK(h.Run({"EXPIRE", "k", "9223372036854"}) == Int(1));
  CHECK(h.Run({"EXPIREAT", "k", "9223372036854775"}) == Int(1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(9223372036854775000));
  CHECK(h.Run({"PEXPIREAT", "k", "9223372036854775807"}) == Int(1));
  // Redis: the exact rounded value, no overflow.
  CHECK(h.Run({"EXPIRETIME", "k"}) == Int(9223372036854776));
  // PEXPIRE with INT64_MIN does not overflow: it is a past deadline.
  CHECK(h.Run({"PEXPIRE", "k", "-9223372036854775808"}) == Int(1));
  CHECK(h.Run({"EXISTS", "k"}) == Int(0));
}

TEST_CASE("EXPIRE family sets deadlines relative to now or absolute") {
  CmdHarness h;
  const int64_t now = h.clock().NowMs();
  SetKey(h, "k");
  CHECK(h.Run({"EXPIRE", "missing", "100"}) == Int(0));
  CHECK(h.Run({"EXPIRE", "k", "100"}) == Int(1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(now + 100'000));
  CHECK(h.Run({"PEXPIRE", "k", "1234"}) == Int(1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(now + 1234));
  CHECK(h.Run({"EXPIREAT", "k", std::to_string(now / 1000 + 50)}) == Int(1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int((now / 1000 + 50) * 1000));
  CHECK(h.Run({"PEXPIREAT", "k", std::to_string(now + 77)}) == Int(1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(now + 77));
}

TEST_CASE("EXPIRE with a deadline at or before now deletes the key and returns 1") {
  CmdHarness h;
  const int64_t now = h.clock().NowMs();
  const std::vector<std::vector<std::string>> cases = {
      {"EXPIRE", "k", "0"},
      {"EXPIRE", "k", "-1"},
      {"PEXPIRE", "k", "0"},
      {"EXPIREAT", "k", "1"},
      {"PEXPIREAT", "k", std::to_string(now)},  // Redis: when <= now expires
      {"PEXPIREAT", "k", "-5"},
  };
  for (const auto& args : cases) {
    INFO(args[0], " ", args[2]);
    SetKey(h, "k");
    CHECK(h.Run(std::vector<std::string_view>(args.begin(), args.end())) == Int(1));
    CHECK(h.Run({"EXISTS", "k"}) == Int(0));
    CHECK(h.state().keyspace.Size(0) == 0);
  }
  // One ms in the future still sets a deadline.
  SetKey(h, "k");
  CHECK(h.Run({"PEXPIREAT", "k", std::to_string(now + 1)}) == Int(1));
  CHECK(h.Run({"PTTL", "k"}) == Int(1));
}

TEST_CASE("EXPIRE NX/XX/GT/LT matrix (no TTL counts as infinite)") {
  struct Case {
    bool has_ttl;                   // key starts with TTL 100 s, or none
    std::vector<std::string> opts;  // EXPIRE k <secs> <opts...>
    int64_t secs;
    int64_t reply;
    int64_t ttl_after;  // -1 none, -2 gone
  };
  // Redis: each row checked on the real server.
  const Case cases[] = {
      {true, {"NX"}, 300, 0, 100},
      {true, {"XX"}, 300, 1, 300},
      {true, {"GT"}, 200, 1, 200},
      {true, {"GT"}, 100, 0, 100},
      {true, {"GT"}, 50, 0, 100},
      {true, {"GT"}, -5, 0, 100},
      {true, {"LT"}, 50, 1, 50},
      {true, {"LT"}, 100, 0, 100},
      {true, {"LT"}, 200, 0, 100},
      {true, {"LT"}, -5, 1, -2},
      {true, {"XX", "GT"}, 200, 1, 200},
      {true, {"XX", "LT"}, 50, 1, 50},
      {true, {"XX", "GT"}, 50, 0, 100},
      {false, {"NX"}, 300, 1, 300},
      {false, {"NX"}, -5, 1, -2},
      {false, {"XX"}, 300, 0, -1},
      {false, {"XX"}, -5, 0, -1},
      {false, {"GT"}, 200, 0, -1},
      {false, {"GT"}, -5, 0, -1},
      {false, {"LT"}, 200, 1, 200},
      {false, {"LT"}, -5, 1, -2},
      {false, {"XX", "LT"}, 50, 0, -1},
      {false, {"lt", "XX"}, 50, 0, -1},
  };
  for (const Case& c : cases) {
    CmdHarness h;
    const int64_t now = h.clock().NowMs();
    SetKey(h, "k", c.has_ttl ? now + 100'000 : ss::kNoDeadline);
    const std::string secs = std::to_string(c.secs);
    std::vector<std::string_view> args = {"EXPIRE", "k", secs};
    std::string label = secs;
    for (const std::string& o : c.opts) {
      args.push_back(o);
      label += " " + o;
    }
    INFO("has_ttl=", c.has_ttl, " EXPIRE k ", label);
    CHECK(h.Run(args) == Int(c.reply));
    CHECK(h.Run({"TTL", "k"}) == Int(c.ttl_after));
  }
}

TEST_CASE("TTL, PTTL, EXPIRETIME, PEXPIRETIME across clock advances") {
  CmdHarness h;
  const int64_t now = h.clock().NowMs();
  CHECK(h.Run({"TTL", "nx"}) == Int(-2));
  CHECK(h.Run({"PTTL", "nx"}) == Int(-2));
  CHECK(h.Run({"EXPIRETIME", "nx"}) == Int(-2));
  CHECK(h.Run({"PEXPIRETIME", "nx"}) == Int(-2));
  SetKey(h, "k");
  CHECK(h.Run({"TTL", "k"}) == Int(-1));
  CHECK(h.Run({"PTTL", "k"}) == Int(-1));
  CHECK(h.Run({"EXPIRETIME", "k"}) == Int(-1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(-1));

  CHECK(h.Run({"PEXPIRE", "k", "1500"}) == Int(1));
  const int64_t deadline = now + 1500;
  CHECK(h.Run({"PTTL", "k"}) == Int(1500));
  CHECK(h.Run({"TTL", "k"}) == Int(2));  // (1500 + 500) / 1000
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(deadline));
  CHECK(h.Run({"EXPIRETIME", "k"}) == Int((deadline + 500) / 1000));
  h.clock().AdvanceMs(1000);
  CHECK(h.Run({"PTTL", "k"}) == Int(500));
  CHECK(h.Run({"TTL", "k"}) == Int(1));
  h.clock().AdvanceMs(1);
  CHECK(h.Run({"PTTL", "k"}) == Int(499));
  CHECK(h.Run({"TTL", "k"}) == Int(0));
  h.clock().AdvanceMs(499);  // exactly at the deadline: still visible
  CHECK(h.clock().NowMs() == deadline);
  CHECK(h.Run({"PTTL", "k"}) == Int(0));
  CHECK(h.Run({"TTL", "k"}) == Int(0));
  CHECK(h.Run({"EXISTS", "k"}) == Int(1));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(deadline));
  h.clock().AdvanceMs(1);  // one ms later it is gone
  CHECK(h.Run({"PTTL", "k"}) == Int(-2));
  CHECK(h.Run({"TTL", "k"}) == Int(-2));
  CHECK(h.Run({"EXISTS", "k"}) == Int(0));
  CHECK(h.Run({"TYPE", "k"}) == "+none\r\n");
}

TEST_CASE("EXPIRETIME rounds the absolute deadline to the nearest second") {
  CmdHarness h;
  SetKey(h, "k");
  // Redis: 1900000000499 -> 1900000000, 1900000000500 -> 1900000001.
  CHECK(h.Run({"PEXPIREAT", "k", "1900000000499"}) == Int(1));
  CHECK(h.Run({"EXPIRETIME", "k"}) == Int(1900000000));
  CHECK(h.Run({"PEXPIREAT", "k", "1900000000500"}) == Int(1));
  CHECK(h.Run({"EXPIRETIME", "k"}) == Int(1900000001));
  CHECK(h.Run({"PEXPIRETIME", "k"}) == Int(1900000000500));
}

TEST_CASE("PERSIST removes a deadline") {
  CmdHarness h;
  const int64_t now = h.clock().NowMs();
  SetKey(h, "k", now + 1000);
  SetKey(h, "plain");
  CHECK(h.Run({"PERSIST", "nx"}) == Int(0));
  CHECK(h.Run({"PERSIST", "plain"}) == Int(0));
  CHECK(h.Run({"PERSIST", "k"}) == Int(1));
  CHECK(h.Run({"PERSIST", "k"}) == Int(0));
  CHECK(h.Run({"TTL", "k"}) == Int(-1));
  h.clock().AdvanceMs(5000);
  h.ExpireAll();
  CHECK(h.Run({"EXISTS", "k"}) == Int(1));
  CHECK(h.state().keyspace.Expires(0) == 0);
}

// ---- RENAME, RENAMENX -------------------------------------------------------

TEST_CASE("RENAME moves value and TTL, replacing the destination") {
  CmdHarness h;
  const int64_t now = h.clock().NowMs();
  CHECK(h.Run({"RENAME", "a", "b"}) == Err("ERR no such key"));
  CHECK(h.Run({"RENAME", "a", "a"}) == Err("ERR no such key"));
  CHECK(h.Run({"RENAMENX", "a", "b"}) == Err("ERR no such key"));
  SetKey(h, "a", now + 5000);
  CHECK(h.Run({"RENAME", "a", "a"}) == kOk);  // no-op, TTL kept
  CHECK(h.Run({"PTTL", "a"}) == Int(5000));
  CHECK(h.Run({"RENAME", "a", "b"}) == kOk);
  CHECK(h.Run({"EXISTS", "a"}) == Int(0));
  CHECK(h.Run({"PTTL", "b"}) == Int(5000));
  CHECK(h.state().keyspace.Find(0, "b")->value() == "v");
  // The destination's own TTL goes with it.
  h.state().keyspace.Set(0, "c", "cv", now + 100);
  h.state().keyspace.Set(0, "d", "dv");
  CHECK(h.Run({"RENAME", "d", "c"}) == kOk);
  CHECK(h.Run({"PTTL", "c"}) == Int(-1));
  CHECK(h.state().keyspace.Find(0, "c")->value() == "dv");
  h.clock().AdvanceMs(200);
  h.ExpireAll();
  CHECK(h.Run({"EXISTS", "c"}) == Int(1));
  // The moved deadline still fires.
  h.clock().AdvanceMs(5000);
  h.ExpireAll();
  CHECK(h.Run({"EXISTS", "b"}) == Int(0));
  CHECK(h.Run({"DBSIZE"}) == Int(1));
}

TEST_CASE("RENAMENX only renames onto a missing key") {
  CmdHarness h;
  const int64_t now = h.clock().NowMs();
  h.state().keyspace.Set(0, "a", "1", now + 3000);
  h.state().keyspace.Set(0, "b", "2");
  CHECK(h.Run({"RENAMENX", "a", "b"}) == Int(0));
  CHECK(h.state().keyspace.Find(0, "b")->value() == "2");
  CHECK(h.Run({"RENAMENX", "a", "a"}) == Int(0));
  CHECK(h.Run({"RENAMENX", "a", "c"}) == Int(1));
  CHECK(h.Run({"PTTL", "c"}) == Int(3000));
  CHECK(h.Run({"EXISTS", "a"}) == Int(0));
  // An expired destination counts as missing.
  h.state().keyspace.Set(0, "e", "3", now + 10);
  h.clock().AdvanceMs(11);
  CHECK(h.Run({"RENAMENX", "b", "e"}) == Int(1));
  CHECK(h.state().keyspace.Find(0, "e")->value() == "2");
  // An expired source is missing.
  CHECK(h.Run({"PEXPIRE", "e", "5"}) == Int(1));
  h.clock().AdvanceMs(6);
  CHECK(h.Run({"RENAME", "e", "f"}) == Err("ERR no such key"));
}

// ---- KEYS, RANDOMKEY, DBSIZE, FLUSH -----------------------------------------

TEST_CASE("KEYS filters with glob patterns and skips expired keys") {
  CmdHarness h;
  CHECK(h.Run({"KEYS", "*"}) == "*0\r\n");
  for (std::string_view k : {"user:1", "user:2", "user:10", "session:ab", "hello", "hallo",
                             "h*llo", ""}) {
    SetKey(h, k);
  }
  SetKey(h, "user:dead", h.clock().NowMs() + 5);
  using V = std::vector<std::string>;
  CHECK(SortedKeys(h.Run({"KEYS", "user:*"})) == V{"user:1", "user:10", "user:2", "user:dead"});
  h.clock().AdvanceMs(6);
  CHECK(SortedKeys(h.Run({"KEYS", "user:*"})) == V{"user:1", "user:10", "user:2"});
  CHECK(SortedKeys(h.Run({"KEYS", "user:?"})) == V{"user:1", "user:2"});
  CHECK(SortedKeys(h.Run({"KEYS", "h[ae]llo"})) == V{"hallo", "hello"});
  CHECK(SortedKeys(h.Run({"KEYS", "h\\*llo"})) == V{"h*llo"});
  CHECK(SortedKeys(h.Run({"KEYS", "h[^e]llo"})) == V{"h*llo", "hallo"});
  // "*" lists even the empty key (Redis's match-all shortcut); "**" does not.
  CHECK(SortedKeys(h.Run({"KEYS", "*"})) ==
        V{"", "h*llo", "hallo", "hello", "session:ab", "user:1", "user:10", "user:2"});
  CHECK(SortedKeys(h.Run({"KEYS", "**"})) ==
        V{"h*llo", "hallo", "hello", "session:ab", "user:1", "user:10", "user:2"});
  CHECK(h.Run({"KEYS", ""}) == "*1\r\n$0\r\n\r\n");
  CHECK(h.Run({"KEYS", "nomatch*"}) == "*0\r\n");
  CHECK(h.Run({"KEYS", "session:ab"}) == "*1\r\n" + Bulk("session:ab"));
  CHECK(h.Run({"KEYS"}) == Err("ERR wrong number of arguments for 'keys' command"));
}

TEST_CASE("RANDOMKEY returns a live key or nil") {
  CmdHarness h;
  CHECK(h.Run({"RANDOMKEY"}) == "$-1\r\n");
  SetKey(h, "only");
  CHECK(h.Run({"RANDOMKEY"}) == Bulk("only"));
  SetKey(h, "other");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    size_t pos = 0;
    seen.insert(ReadBulk(h.Run({"RANDOMKEY"}), &pos));
  }
  CHECK(seen == std::set<std::string>{"only", "other"});
  h.state().keyspace.Flush(0);
  SetKey(h, "dying", h.clock().NowMs() + 1);
  h.clock().AdvanceMs(2);
  CHECK(h.Run({"RANDOMKEY"}) == "$-1\r\n");
  CHECK(h.Run({"RANDOMKEY", "x"}) == Err("ERR wrong number of arguments for 'randomkey' command"));
}

TEST_CASE("DBSIZE, FLUSHDB and FLUSHALL act on the selected database") {
  CmdHarness h;
  SetKey(h, "a");
  SetKey(h, "b");
  h.client().db = 1;
  SetKey(h, "c");
  CHECK(h.Run({"DBSIZE"}) == Int(1));
  h.client().db = 0;
  CHECK(h.Run({"DBSIZE"}) == Int(2));
  CHECK(h.Run({"FLUSHDB", "foo"}) == Err("ERR syntax error"));
  CHECK(h.Run({"FLUSHDB", "sync", "async"}) == Err("ERR syntax error"));
  CHECK(h.Run({"DBSIZE"}) == Int(2));
  CHECK(h.Run({"FLUSHDB"}) == kOk);
  CHECK(h.Run({"DBSIZE"}) == Int(0));
  CHECK(h.state().keyspace.Size(1) == 1);
  SetKey(h, "a");
  CHECK(h.Run({"FLUSHDB", "ASYNC"}) == kOk);
  SetKey(h, "a");
  CHECK(h.Run({"FLUSHDB", "sync"}) == kOk);
  CHECK(h.Run({"DBSIZE"}) == Int(0));
  CHECK(h.state().keyspace.Size(1) == 1);
  SetKey(h, "a");
  CHECK(h.Run({"FLUSHALL", "bar"}) == Err("ERR syntax error"));
  CHECK(h.Run({"FLUSHALL", "Async"}) == kOk);
  CHECK(h.state().keyspace.Size(0) == 0);
  CHECK(h.state().keyspace.Size(1) == 0);
  SetKey(h, "a");
  CHECK(h.Run({"FLUSHALL"}) == kOk);
  CHECK(h.Run({"DBSIZE"}) == Int(0));
  CHECK(h.Run({"DBSIZE", "x"}) == Err("ERR wrong number of arguments for 'dbsize' command"));
}

// ---- SCAN -------------------------------------------------------------------

TEST_CASE("SCAN argument errors and cursor parsing") {
  CmdHarness h;
  SetKey(h, "k");
  const std::string done_with_k = "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n";
  // Redis: strtoul rules; "+0", "00" and "" are cursor 0.
  CHECK(h.Run({"SCAN", "0"}) == done_with_k);
  CHECK(h.Run({"SCAN", "+0"}) == done_with_k);
  CHECK(h.Run({"SCAN", "00"}) == done_with_k);
  CHECK(h.Run({"SCAN", ""}) == done_with_k);
  for (std::string_view bad : {" 0", "0 ", "18446744073709551616", "abc", "0x10", "+", "-",
                               "1.5", "-18446744073709551616"}) {
    INFO("cursor '", bad, "'");
    CHECK(h.Run({"SCAN", bad}) == Err("ERR invalid cursor"));
  }
  // "-1" wraps to 2^64-1 and the largest cursor is accepted.
  CHECK(h.Run({"SCAN", "-1"}).substr(0, 4) == "*2\r\n");
  CHECK(h.Run({"SCAN", "18446744073709551615"}).substr(0, 4) == "*2\r\n");
  CHECK(h.Run({"SCAN", "abc", "COUNT", "0"}) == Err("ERR invalid cursor"));
  CHECK(h.Run({"SCAN", "0", "COUNT", "0"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SCAN", "0", "COUNT", "-1"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SCAN", "0", "COUNT", "abc"}) ==
        Err("ERR value is not an integer or out of range"));
  CHECK(h.Run({"SCAN", "0", "COUNT"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SCAN", "0", "MATCH"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SCAN", "0", "TYPE"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SCAN", "0", "FOO", "bar"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SCAN", "0", "COUNT", "0", "FOO"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SCAN", "0", "FOO", "COUNT", "0"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SCAN", "0", "COUNT", "9223372036854775807"}) == done_with_k);
  CHECK(h.Run({"SCAN", "0", "match", "k*", "count", "5", "type", "string"}) == done_with_k);
  // A repeated option: the last one wins.
  CHECK(h.Run({"SCAN", "0", "MATCH", "*", "MATCH", "x*"}) == "*2\r\n$1\r\n0\r\n*0\r\n");
  CHECK(h.Run({"SCAN"}) == Err("ERR wrong number of arguments for 'scan' command"));
}

TEST_CASE("SCAN TYPE filters by type name, any case, and counts hits") {
  CmdHarness h;
  SetKey(h, "k");
  SetKey(h, "k2");
  const std::string none = "*2\r\n$1\r\n0\r\n*0\r\n";
  CHECK(h.Run({"SCAN", "0", "TYPE", "list"}) == none);
  CHECK(h.Run({"SCAN", "0", "TYPE", "none"}) == none);
  CHECK(h.state().stats.keyspace_hits == 4);  // Redis: one lookup per key
  CHECK(ParseScan(h.Run({"SCAN", "0", "TYPE", "STRING", "COUNT", "100"})).keys.size() == 2);
  CHECK(ParseScan(h.Run({"SCAN", "0", "TYPE", "string", "MATCH", "k2", "COUNT", "100"})).keys ==
        std::vector<std::string>{"k2"});
  CHECK(h.state().stats.keyspace_misses == 0);
}

TEST_CASE("SCAN full iteration returns every key exactly once") {
  CmdHarness h;
  constexpr int kKeys = 1000;
  for (int i = 0; i < kKeys; ++i) SetKey(h, "key:" + std::to_string(i));
  for (const std::vector<std::string>& opts : std::vector<std::vector<std::string>>{
           {}, {"COUNT", "1"}, {"COUNT", "7"}, {"COUNT", "100"}, {"COUNT", "100000"},
           {"MATCH", "*"}, {"TYPE", "string"}}) {
    std::string label;
    for (const std::string& o : opts) label += o + " ";
    INFO("SCAN options: ", label);
    const auto seen = FullScan(h, opts);
    CHECK(seen.size() == kKeys);
    for (const auto& [key, n] : seen) CHECK(n == 1);
  }
  // MATCH filters after the walk: the same keys, once each, only matching.
  for (std::string_view count : {"1", "10", "1000"}) {
    const auto seen = FullScan(h, {"MATCH", "key:1*", "COUNT", std::string(count)});
    CHECK(seen.size() == 111);  // 1, 10-19, 100-199
    for (const auto& [key, n] : seen) {
      CHECK(key.rfind("key:1", 0) == 0);
      CHECK(n == 1);
    }
  }
  CHECK(FullScan(h, {"MATCH", "nothing*"}).empty());
}

TEST_CASE("SCAN on an empty database is one call") {
  CmdHarness h;
  CHECK(h.Run({"SCAN", "0"}) == "*2\r\n$1\r\n0\r\n*0\r\n");
}

TEST_CASE("SCAN skips keys past their deadline") {
  CmdHarness h;
  SetKey(h, "live");
  SetKey(h, "dead", h.clock().NowMs() + 10);
  h.clock().AdvanceMs(11);
  const auto seen = FullScan(h, {});
  CHECK(seen == std::map<std::string, int>{{"live", 1}});
}

TEST_CASE("SCAN returns all original keys while the table grows between calls") {
  CmdHarness h;
  constexpr int kOriginal = 300;
  for (int i = 0; i < kOriginal; ++i) SetKey(h, "orig:" + std::to_string(i));
  int added = 0;
  const auto seen = FullScan(h, {"COUNT", "5"}, [&] {
    // Enough inserts per call to force several doublings mid-scan.
    for (int j = 0; j < 400 && added < 20000; ++j) SetKey(h, "new:" + std::to_string(added++));
  });
  CHECK(added > 4 * kOriginal);
  for (int i = 0; i < kOriginal; ++i) {
    const std::string key = "orig:" + std::to_string(i);
    INFO(key);
    auto it = seen.find(key);
    REQUIRE(it != seen.end());
    CHECK(it->second == 1);
  }
  for (const auto& [key, n] : seen) CHECK(n == 1);
}

TEST_CASE("SCAN returns all surviving keys while the table shrinks between calls") {
  CmdHarness h;
  constexpr int kKeys = 5000;
  for (int i = 0; i < kKeys; ++i) SetKey(h, "k:" + std::to_string(i));
  int next_delete = 100;  // keys 0..99 survive
  const auto seen = FullScan(h, {"COUNT", "20"}, [&] {
    for (int j = 0; j < 300 && next_delete < kKeys; ++j) {
      h.state().keyspace.Delete(0, "k:" + std::to_string(next_delete++));
    }
    h.state().keyspace.RehashStep(1000);
  });
  for (int i = 0; i < 100; ++i) {
    const std::string key = "k:" + std::to_string(i);
    INFO(key);
    CHECK(seen.count(key) == 1);
  }
  for (const auto& [key, n] : seen) CHECK(n == 1);
}
