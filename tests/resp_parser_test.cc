#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "ss/resp/parser.h"

using ss::resp::ParserLimits;
using ss::resp::ParseStatus;
using ss::resp::RequestParser;
using namespace std::string_literals;

namespace {

using Args = std::vector<std::string>;

struct Outcome {
  ParseStatus status;
  size_t consumed;
  Args args;
  std::string error;
};

// One Parse() of `input` by a fresh parser.
Outcome ParseOnce(std::string_view input, ParserLimits limits = {}) {
  RequestParser parser(limits);
  size_t consumed = 99;
  const ParseStatus status = parser.Parse(input, &consumed);
  Args args(parser.args().begin(), parser.args().end());
  return {status, consumed, std::move(args), std::string(parser.error())};
}

Outcome Ok(size_t consumed, Args args) { return {ParseStatus::kOk, consumed, std::move(args), ""}; }

void CheckOutcome(const Outcome& got, const Outcome& want) {
  CHECK(got.status == want.status);
  CHECK(got.consumed == want.consumed);
  CHECK(got.args == want.args);
  CHECK(got.error == want.error);
}

std::string Encode(const Args& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// Plays a connection: appends each chunk of `stream` to a read buffer, which
// is moved to a fresh allocation each time (so stale views would be caught
// under ASan), parses all complete requests and drops their bytes.
std::vector<Args> ParseChunks(const std::string& stream, const std::vector<size_t>& cuts,
                              std::string* error) {
  RequestParser parser;
  std::vector<Args> requests;
  std::string buf;
  size_t prev = 0;
  for (size_t cut : cuts) {
    std::string moved;
    moved.reserve(buf.size() + (cut - prev) + 1);
    moved = buf;
    moved.append(stream, prev, cut - prev);
    buf.swap(moved);
    prev = cut;
    // Bounded: each kOk drops at least one byte of buf.
    while (!buf.empty()) {
      size_t consumed = 0;
      const ParseStatus status = parser.Parse(buf, &consumed);
      if (status == ParseStatus::kError) {
        *error = parser.error();
        return requests;
      }
      if (status == ParseStatus::kNeedMore) {
        CHECK(consumed == 0);
        break;
      }
      REQUIRE(consumed > 0);
      requests.emplace_back(parser.args().begin(), parser.args().end());
      buf.erase(0, consumed);
    }
  }
  CHECK(buf.empty());
  return requests;
}

std::string LongInline(size_t n) { return std::string(n, 'P'); }

}  // namespace

TEST_CASE("multibulk requests") {
  CheckOutcome(ParseOnce("*1\r\n$4\r\nPING\r\n"), Ok(14, {"PING"}));
  CheckOutcome(ParseOnce("*2\r\n$3\r\nGET\r\n$0\r\n\r\n"), Ok(19, {"GET", ""}));
  CheckOutcome(ParseOnce("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\n0123456789\r\n"),
               Ok(37, {"SET", "k", "0123456789"}));
  // Only the first of two pipelined requests is parsed.
  CheckOutcome(ParseOnce("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n"), Ok(14, {"PING"}));
  // Redis skips the two bytes after '\r' and after a payload unchecked.
  CheckOutcome(ParseOnce("*1\rX$4\rXPINGxy"), Ok(14, {"PING"}));
  // Binary-safe payloads: NUL, CR, LF inside a bulk.
  const std::string binary("a\0\r\n$\xff", 6);
  CheckOutcome(ParseOnce("*2\r\n$4\r\nECHO\r\n$6\r\n" + binary + "\r\n"), Ok(26, {"ECHO", binary}));
  CheckOutcome(ParseOnce("*2\r\n$4\r\nECHO\r\n$3\r\na\0\r\r\n"s), Ok(23, {"ECHO", "a\0\r"s}));
}

TEST_CASE("empty requests: *0, *-1, blank lines") {
  CheckOutcome(ParseOnce("*0\r\n"), Ok(4, {}));
  CheckOutcome(ParseOnce("*-1\r\n"), Ok(5, {}));
  CheckOutcome(ParseOnce("*-5\r\nPING\r\n"), Ok(5, {}));
  CheckOutcome(ParseOnce("\n"), Ok(1, {}));
  CheckOutcome(ParseOnce("\r\n"), Ok(2, {}));
  CheckOutcome(ParseOnce("  \t \r\n"), Ok(6, {}));
  CheckOutcome(ParseOnce(""), {ParseStatus::kNeedMore, 0, {}, ""});
}

TEST_CASE("inline requests") {
  CheckOutcome(ParseOnce("PING\r\n"), Ok(6, {"PING"}));
  CheckOutcome(ParseOnce("PING\n"), Ok(5, {"PING"}));
  CheckOutcome(ParseOnce("\rPING\n"), Ok(6, {"PING"}));
  CheckOutcome(ParseOnce("SET  k \t  v\r\nGET k\r\n"), Ok(13, {"SET", "k", "v"}));
  CheckOutcome(ParseOnce("ECHO a\r\r\n"), Ok(9, {"ECHO", "a"}));
  // sdssplitargs skips \v and \f as blanks but does not end a token on them.
  CheckOutcome(ParseOnce("ECHO a\vb\n"), Ok(9, {"ECHO", "a\vb"}));
  CheckOutcome(ParseOnce("ECHO \v\fb\n"), Ok(9, {"ECHO", "b"}));
  CheckOutcome(ParseOnce("ECHO a\\nb\n"), Ok(10, {"ECHO", "a\\nb"}));
  // Unquoted arguments are views into the caller's buffer (no copy).
  const std::string buf = "GET key\r\n";
  RequestParser parser;
  size_t consumed = 0;
  REQUIRE(parser.Parse(buf, &consumed) == ParseStatus::kOk);
  REQUIRE(parser.args().size() == 2);
  CHECK(parser.args()[1].data() == buf.data() + 4);
}

// Each expected value below is what redis-server 7.0.15 echoed back for the
// same inline line (sent over a raw socket).
TEST_CASE("inline quoting matches redis-server") {
  CheckOutcome(ParseOnce("SET \"a b\" c\r\n"), Ok(13, {"SET", "a b", "c"}));
  CheckOutcome(ParseOnce("ECHO \"a\\x41\\n\\q\\\\\\\"\" \n"), Ok(22, {"ECHO", "aA\nq\\\""}));
  CheckOutcome(ParseOnce("ECHO 'a\\'b\\n'\n"), Ok(14, {"ECHO", "a'b\\n"}));
  CheckOutcome(ParseOnce("ECHO a\"b c\"\n"), Ok(12, {"ECHO", "ab c"}));
  CheckOutcome(ParseOnce("ECHO \"\\x4g\"\n"), Ok(12, {"ECHO", "x4g"}));
  CheckOutcome(ParseOnce("ECHO \"\"\n"), Ok(8, {"ECHO", ""}));
  CheckOutcome(ParseOnce("ECHO \"a\"\tb\n"), Ok(11, {"ECHO", "a", "b"}));
  CheckOutcome(ParseOnce("ECHO \"a\"\v\n"), Ok(10, {"ECHO", "a"}));
  CheckOutcome(ParseOnce("ECHO \"\\xff\\xAb\"\n"), Ok(16, {"ECHO", "\xff\xab"}));
  CheckOutcome(ParseOnce("ECHO \"\\t\\r\\b\\a\"\r\n"), Ok(17, {"ECHO", "\t\r\b\a"}));
}

TEST_CASE("SplitInlineArgs") {
  std::vector<std::string> out = {"stale"};
  CHECK(ss::resp::SplitInlineArgs("  a 'b c'  \"d\"", &out));
  CHECK(out == Args{"a", "b c", "d"});
  CHECK(ss::resp::SplitInlineArgs("", &out));
  CHECK(out.empty());
  // A C string ends at NUL, as in sdssplitargs.
  CHECK(ss::resp::SplitInlineArgs("a b\0c"s, &out));
  CHECK(out == Args{"a", "b"});
  CHECK_FALSE(ss::resp::SplitInlineArgs("\"abc", &out));
  CHECK_FALSE(ss::resp::SplitInlineArgs("\"abc\\", &out));
  CHECK_FALSE(ss::resp::SplitInlineArgs("'abc", &out));
  CHECK_FALSE(ss::resp::SplitInlineArgs("\"a\"b", &out));
  CHECK_FALSE(ss::resp::SplitInlineArgs("'a'b", &out));
}

TEST_CASE("protocol errors carry Redis's exact text") {
  struct Case {
    std::string input;
    std::string error;
  };
  const std::string bad_mbulk = "Protocol error: invalid multibulk length";
  const std::string bad_bulk = "Protocol error: invalid bulk length";
  const std::string unbalanced = "Protocol error: unbalanced quotes in request";
  const std::vector<Case> cases = {
      {"*+1\r\n", bad_mbulk},
      {"*01\r\n", bad_mbulk},
      {"*\r\n", bad_mbulk},
      {"* 1\r\n", bad_mbulk},
      {"*1 \r\n", bad_mbulk},
      {"*-0\r\n", bad_mbulk},
      {"*a\r\n", bad_mbulk},
      {"*2147483648\r\n", bad_mbulk},
      {"*3000000000\r\n", bad_mbulk},
      {"*99999999999999999999\r\n", bad_mbulk},
      {"*1" + std::string(70000, 'a') + "\r\n", bad_mbulk},  // '\r' found far away
      {"*1\r\nx4\r\n", "Protocol error: expected '$', got 'x'"},
      {"*2\r\n$1\r\na\r\n:1\r\n", "Protocol error: expected '$', got ':'"},
      {"*1\r\n\r\n", "Protocol error: expected '$', got ' '"},  // as redis-server says
      {"*1\r\n\n\r\n", "Protocol error: expected '$', got ' '"},
      {"*1\r\n$-1\r\n", bad_bulk},
      {"*1\r\n$\r\n", bad_bulk},
      {"*1\r\n$+1\r\n", bad_bulk},
      {"*1\r\n$01\r\n", bad_bulk},
      {"*1\r\n$1x\r\n", bad_bulk},
      {"*1\r\n$536870913\r\n", bad_bulk},
      // Around the digits-only fast path's 18-digit limit (parser.cc).
      {"*1\r\n$999999999999999999\r\n", bad_bulk},
      {"*1\r\n$9999999999999999999\r\n", bad_bulk},
      {"*1\r\n$99999999999999999999\r\n", bad_bulk},
      {"*999999999999999999\r\n", bad_mbulk},
      {"*1\r\n$1\n\r\n", bad_bulk},
      {"*1" + std::string(65535, '1'), "Protocol error: too big mbulk count string"},
      {"*1\0"s + std::string(70000, 'a') + "\r\n", "Protocol error: too big mbulk count string"},
      {"*1\r\n$1" + std::string(65535, 'a'), "Protocol error: too big bulk count string"},
      {LongInline(65537), "Protocol error: too big inline request"},
      {"PING\0"s + std::string(70000, 'a') + "\n", "Protocol error: too big inline request"},
      {"ECHO \"a\"b\n", unbalanced},
      {"ECHO 'a'b\n", unbalanced},
      {"ECHO \"abc\n", unbalanced},
      {"ECHO 'abc\r\n", unbalanced},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input.substr(0, 40));
    CheckOutcome(ParseOnce(c.input), {ParseStatus::kError, 0, {}, c.error});
  }
}

TEST_CASE("inputs that make redis-server wait") {
  const std::vector<std::string> cases = {
      "*",
      "*1",
      "*1\r",                 // the byte after '\r' has not arrived
      "*1\r\n",
      "*1\r\nx",              // '$' is checked only once the line is complete
      "*1\r\n$4\r",
      "*1\r\n$4\r\nPIN",
      "*1\r\n$4\r\nPING\r",   // both trailing bytes are awaited
      "*2147483647\r\n",
      "*1\r\n$536870912\r\n",
      "*1\r\n$4\0\r\n"s,      // a NUL after the digits hides the '\r' too
      "*1\r\n$4"s,
      "*12"s,
      "*1\0\r\n"s,            // strchr() stops at NUL: the '\r' is never seen
      "PING\0\r\n"s,
      "PING",
      "*" + std::string(65535, '1'),           // 65536 bytes: not yet too big
      "*1\r\n$1" + std::string(65534, 'a'),    // 65536 from the bulk header
      LongInline(65536),
  };
  for (const std::string& c : cases) {
    CAPTURE(c.substr(0, 40));
    CheckOutcome(ParseOnce(c), {ParseStatus::kNeedMore, 0, {}, ""});
  }
}

TEST_CASE("lowered limits") {
  ParserLimits unauth;
  unauth.max_multibulk_len = 10;
  CheckOutcome(ParseOnce("*10\r\n", unauth), {ParseStatus::kNeedMore, 0, {}, ""});
  CheckOutcome(ParseOnce("*11\r\n", unauth),
               {ParseStatus::kError, 0, {}, "Protocol error: unauthenticated multibulk length"});
  CheckOutcome(ParseOnce("*3000000000\r\n", unauth),
               {ParseStatus::kError, 0, {}, "Protocol error: invalid multibulk length"});
  unauth.max_unauth_bulk_len = 16384;
  CheckOutcome(ParseOnce("*1\r\n$16384\r\n", unauth), {ParseStatus::kNeedMore, 0, {}, ""});
  CheckOutcome(ParseOnce("*1\r\n$16385\r\n", unauth),
               {ParseStatus::kError, 0, {}, "Protocol error: unauthenticated bulk length"});
  // proto-max-bulk-len is checked first, as in Redis.
  unauth.max_bulk_len = 100;
  CheckOutcome(ParseOnce("*1\r\n$101\r\n", unauth),
               {ParseStatus::kError, 0, {}, "Protocol error: invalid bulk length"});
  ParserLimits small;
  small.max_bulk_len = 16;
  small.max_inline_len = 8;
  CheckOutcome(ParseOnce("*1\r\n$16\r\n", small), {ParseStatus::kNeedMore, 0, {}, ""});
  CheckOutcome(ParseOnce("*1\r\n$17\r\n", small),
               {ParseStatus::kError, 0, {}, "Protocol error: invalid bulk length"});
  CheckOutcome(ParseOnce("PINGPING", small), {ParseStatus::kNeedMore, 0, {}, ""});
  CheckOutcome(ParseOnce("PINGPINGP", small),
               {ParseStatus::kError, 0, {}, "Protocol error: too big inline request"});
  CHECK(ParserLimits{}.max_multibulk_len == 2147483647);
  RequestParser parser;
  parser.set_limits(small);
  CHECK(parser.limits().max_bulk_len == 16);
}

TEST_CASE("bulk_bytes_missing and Reset") {
  RequestParser parser;
  size_t consumed = 0;
  CHECK(parser.bulk_bytes_missing() == 0);
  CHECK(parser.Parse("*2\r\n", &consumed) == ParseStatus::kNeedMore);
  CHECK(parser.bulk_bytes_missing() == 0);  // length not known yet
  std::string buf = "*2\r\n$3\r\nGET\r\n$10\r\n0123";
  CHECK(parser.Parse(buf, &consumed) == ParseStatus::kNeedMore);
  CHECK(parser.bulk_bytes_missing() == 8);  // 6 payload bytes + "\r\n"
  buf += "456789\r";
  CHECK(parser.Parse(buf, &consumed) == ParseStatus::kNeedMore);
  CHECK(parser.bulk_bytes_missing() == 1);
  parser.Reset();
  CHECK(parser.bulk_bytes_missing() == 0);
  // After Reset the parser starts over from the given buffer.
  CHECK(parser.Parse("*1\r\n$4\r\nPING\r\n", &consumed) == ParseStatus::kOk);
  CHECK(consumed == 14);
  CHECK(parser.args() == std::vector<std::string_view>{"PING"});
}

TEST_CASE("a pipelined stream parses the same in any split") {
  std::mt19937 rng(12345);
  std::string stream;
  std::vector<Args> want;
  // 300 random multibulk requests with binary payloads, plus fixed inline
  // and empty requests mixed in.
  for (int i = 0; i < 300; ++i) {
    Args args(1 + rng() % 5);
    for (std::string& a : args) {
      a.resize(rng() % 40);
      for (char& c : a) c = static_cast<char>(rng() % 256);
    }
    stream += Encode(args);
    want.push_back(args);
    switch (i % 10) {
      case 0: stream += "PING\r\n"; want.push_back({"PING"}); break;
      case 3: stream += "SET \"a b\" 'c\\'d'\n"; want.push_back({"SET", "a b", "c'd"}); break;
      case 5: stream += "*0\r\n"; want.push_back({}); break;
      case 6: stream += "*-1\r\n"; want.push_back({}); break;
      case 8: stream += "  \r\n"; want.push_back({}); break;
      default: break;
    }
  }

  SUBCASE("all at once") {
    std::string error;
    CHECK(ParseChunks(stream, {stream.size()}, &error) == want);
    CHECK(error.empty());
  }
  SUBCASE("one byte at a time") {
    std::vector<size_t> cuts;
    for (size_t i = 1; i <= stream.size(); ++i) cuts.push_back(i);
    std::string error;
    CHECK(ParseChunks(stream, cuts, &error) == want);
    CHECK(error.empty());
  }
  SUBCASE("random split points") {
    // Bounded: 20 rounds of fixed-seed cuts.
    for (int round = 0; round < 20; ++round) {
      std::vector<size_t> cuts;
      size_t at = 0;
      while (at < stream.size()) {
        at = std::min(stream.size(), at + 1 + rng() % 64);
        cuts.push_back(at);
      }
      std::string error;
      CHECK(ParseChunks(stream, cuts, &error) == want);
      CHECK(error.empty());
    }
  }
}

TEST_CASE("an error in mid-stream stops it") {
  const std::string stream = Encode({"GET", "a"}) + "*1\r\n$x\r\n" + Encode({"GET", "b"});
  std::vector<size_t> cuts;
  for (size_t i = 1; i <= stream.size(); ++i) cuts.push_back(i);
  std::string error;
  const std::vector<Args> got = ParseChunks(stream, cuts, &error);
  CHECK(got == std::vector<Args>{{"GET", "a"}});
  CHECK(error == "Protocol error: invalid bulk length");
}

TEST_CASE("a 50 MB bulk in 4 KB pieces" * doctest::timeout(10)) {
  const size_t len = 50u << 20;
  std::string payload(len, 'x');
  payload.front() = 'A';
  payload.back() = 'Z';
  const std::string stream = "*2\r\n$3\r\nSET\r\n$" + std::to_string(len) + "\r\n" + payload + "\r\n";
  RequestParser parser;
  std::string buf;
  buf.reserve(1 << 16);  // grows and moves as it fills, as a read buffer does
  size_t consumed = 0;
  size_t last_missing = SIZE_MAX;
  ParseStatus status = ParseStatus::kNeedMore;
  // Bounded by the stream size / 4096 pieces.
  for (size_t at = 0; at < stream.size(); at += 4096) {
    buf.append(stream, at, 4096);
    status = parser.Parse(buf, &consumed);
    if (status != ParseStatus::kNeedMore) break;
    const size_t missing = parser.bulk_bytes_missing();
    if (missing != 0) {
      CHECK(missing == stream.size() - buf.size());
      CHECK(missing < last_missing);
      last_missing = missing;
    }
  }
  REQUIRE(status == ParseStatus::kOk);
  CHECK(consumed == stream.size());
  REQUIRE(parser.args().size() == 2);
  CHECK(parser.args()[1].size() == len);
  CHECK(parser.args()[1].front() == 'A');
  CHECK(parser.args()[1].back() == 'Z');
  CHECK(parser.args()[1].data() == buf.data() + (stream.size() - len - 2));
}

// A parser that re-parsed the earlier arguments on every call would do
// ~10^9 argument parses here (tens of seconds); resuming takes milliseconds.
TEST_CASE("resumes without re-parsing earlier arguments" * doctest::timeout(5)) {
  Args args(300000, "a");
  args[0] = "DEL";
  const std::string stream = Encode(args);
  RequestParser parser;
  std::string buf;
  size_t consumed = 0;
  ParseStatus status = ParseStatus::kNeedMore;
  // Bounded by the stream size / 256 pieces.
  for (size_t at = 0; at < stream.size(); at += 256) {
    buf.append(stream, at, 256);
    status = parser.Parse(buf, &consumed);
    if (status != ParseStatus::kNeedMore) break;
  }
  REQUIRE(status == ParseStatus::kOk);
  CHECK(consumed == stream.size());
  CHECK(parser.args().size() == args.size());
  CHECK(parser.args().front() == "DEL");
  CHECK(parser.args().back() == "a");
}

TEST_CASE("a long partial line, one byte at a time, hits the limit exactly") {
  RequestParser parser;
  std::string buf;
  size_t consumed = 0;
  ParseStatus status = ParseStatus::kNeedMore;
  // Bounded: stops at the first byte past the 64 KB inline limit.
  while (status == ParseStatus::kNeedMore && buf.size() <= 70000) {
    buf.push_back('x');
    status = parser.Parse(buf, &consumed);
  }
  CHECK(status == ParseStatus::kError);
  CHECK(buf.size() == 65537);
  CHECK(parser.error() == "Protocol error: too big inline request");
}
