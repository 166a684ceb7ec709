#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "ss/resp/writer.h"

using ss::resp::ReplyWriter;
using namespace std::string_literals;

namespace {

// Encodes one value with `write` under `protocol` and returns the bytes.
template <typename F>
std::string Encode(int protocol, F write) {
  std::string out;
  ReplyWriter w(&out, protocol);
  write(w);
  return out;
}

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("status and error") {
  for (int proto : {2, 3}) {
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Status("OK"); }) == "+OK\r\n");
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Status(""); }) == "+\r\n");
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Error("ERR syntax error"); }) ==
          "-ERR syntax error\r\n");
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Error("ERR a\r\nb\nc\rd"); }) ==
          "-ERR a  b c d\r\n");
    // Like addReplyErrorFormat: newlines at the ends are trimmed, not mapped.
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Error("\nERR x\r\n"); }) == "-ERR x\r\n");
  }
}

TEST_CASE("integers") {
  for (int proto : {2, 3}) {
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Integer(0); }) == ":0\r\n");
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Integer(42); }) == ":42\r\n");
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Integer(-1); }) == ":-1\r\n");
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Integer(INT64_MAX); }) ==
          ":9223372036854775807\r\n");
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Integer(INT64_MIN); }) ==
          ":-9223372036854775808\r\n");
  }
}

TEST_CASE("bulk strings") {
  for (int proto : {2, 3}) {
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Bulk("hello"); }) == "$5\r\nhello\r\n");
    CHECK(Encode(proto, [](ReplyWriter& w) { w.Bulk(""); }) == "$0\r\n\r\n");
    const std::string binary("a\0\r\nb\xff", 6);
    CHECK(Encode(proto, [&](ReplyWriter& w) { w.Bulk(binary); }) == "$6\r\n" + binary + "\r\n");
    const std::string big(100000, 'x');
    CHECK(Encode(proto, [&](ReplyWriter& w) { w.Bulk(big); }) == "$100000\r\n" + big + "\r\n");
  }
}

TEST_CASE("nulls") {
  CHECK(Encode(2, [](ReplyWriter& w) { w.Null(); }) == "$-1\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Null(); }) == "_\r\n");
  CHECK(Encode(2, [](ReplyWriter& w) { w.NullArray(); }) == "*-1\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.NullArray(); }) == "_\r\n");
}

TEST_CASE("aggregate headers") {
  CHECK(Encode(2, [](ReplyWriter& w) { w.ArrayHeader(0); }) == "*0\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.ArrayHeader(3); }) == "*3\r\n");
  CHECK(Encode(2, [](ReplyWriter& w) { w.MapHeader(2); }) == "*4\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.MapHeader(2); }) == "%2\r\n");
  CHECK(Encode(2, [](ReplyWriter& w) { w.SetHeader(5); }) == "*5\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.SetHeader(5); }) == "~5\r\n");
  CHECK(Encode(2, [](ReplyWriter& w) { w.PushHeader(3); }) == "*3\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.PushHeader(3); }) == ">3\r\n");
}

TEST_CASE("doubles as addReplyDouble") {
  CHECK(Encode(2, [](ReplyWriter& w) { w.Double(1.5); }) == "$3\r\n1.5\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Double(1.5); }) == ",1.5\r\n");
  CHECK(Encode(2, [](ReplyWriter& w) { w.Double(0.1); }) == "$19\r\n0.10000000000000001\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Double(0.1); }) == ",0.10000000000000001\r\n");
  CHECK(Encode(2, [](ReplyWriter& w) { w.Double(3.0); }) == "$1\r\n3\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Double(3.0); }) == ",3\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Double(-2.25); }) == ",-2.25\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Double(0.0); }) == ",0\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Double(1e300); }) == ",1.0000000000000001e+300\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Double(-1e-300); }) == ",-1e-300\r\n");
  CHECK(Encode(2, [](ReplyWriter& w) { w.Double(kInf); }) == "$3\r\ninf\r\n");
  CHECK(Encode(2, [](ReplyWriter& w) { w.Double(-kInf); }) == "$4\r\n-inf\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Double(kInf); }) == ",inf\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Double(-kInf); }) == ",-inf\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Double(std::numeric_limits<double>::quiet_NaN()); }) ==
        ",nan\r\n");
}

TEST_CASE("booleans") {
  CHECK(Encode(2, [](ReplyWriter& w) { w.Boolean(true); }) == ":1\r\n");
  CHECK(Encode(2, [](ReplyWriter& w) { w.Boolean(false); }) == ":0\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Boolean(true); }) == "#t\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Boolean(false); }) == "#f\r\n");
}

TEST_CASE("verbatim strings") {
  CHECK(Encode(2, [](ReplyWriter& w) { w.Verbatim("txt", "hello"); }) == "$5\r\nhello\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Verbatim("txt", "hello"); }) ==
        "=9\r\ntxt:hello\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Verbatim("txt", ""); }) == "=4\r\ntxt:\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Verbatim("md", "a\r\nb"); }) == "=8\r\nmd :a\r\nb\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.Verbatim("mkdn", "x"); }) == "=5\r\nmkd:x\r\n");
}

TEST_CASE("big numbers") {
  const std::string digits = "3492890328409238509324850943850943825024385";
  CHECK(Encode(2, [&](ReplyWriter& w) { w.BigNumber(digits); }) ==
        "$43\r\n" + digits + "\r\n");
  CHECK(Encode(3, [&](ReplyWriter& w) { w.BigNumber(digits); }) == "(" + digits + "\r\n");
  CHECK(Encode(3, [](ReplyWriter& w) { w.BigNumber("-1"); }) == "(-1\r\n");
}

TEST_CASE("raw bytes and appending to existing output") {
  std::string out = "prefix";
  ReplyWriter w(&out, 2);
  w.Raw("+PONG\r\n");
  w.Raw(""s);
  w.ArrayHeader(2);
  w.Bulk("a");
  w.Integer(7);
  CHECK(out == "prefix+PONG\r\n*2\r\n$1\r\na\r\n:7\r\n");
}

TEST_CASE("protocol and output can be switched") {
  std::string first;
  std::string second;
  ReplyWriter w(&first);
  CHECK(w.protocol() == 2);
  w.Null();
  w.set_protocol(3);
  CHECK(w.protocol() == 3);
  w.set_output(&second);
  CHECK(w.output() == &second);
  w.Null();
  CHECK(first == "$-1\r\n");
  CHECK(second == "_\r\n");
}

TEST_CASE("every error reply is reported to the error listener, once") {
  struct Recorder final : ss::resp::ErrorListener {
    std::vector<std::string> seen;
    void OnErrorReply(std::string_view text) override { seen.emplace_back(text); }
  } rec;
  std::string out;
  ss::resp::ReplyWriter w(&out);
  w.Error("ERR before the listener");
  w.set_error_listener(&rec);
  w.Status("OK");
  w.Error("WRONGTYPE Operation against a key");
  w.Error("\r\nERR trimmed\r\n");
  w.Bulk("-ERR not an error");
  REQUIRE(rec.seen.size() == 2);
  CHECK(rec.seen[0] == "WRONGTYPE Operation against a key");
  CHECK(rec.seen[1] == "ERR trimmed");
  w.set_error_listener(nullptr);
  w.Error("ERR after");
  CHECK(rec.seen.size() == 2);
}
