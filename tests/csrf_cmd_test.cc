// SESSION.CSRF.* and SESSION.TOKEN.* through the real command table: tokens
// in chuk-sessions' formats checked against an independent HMAC (OpenSSL's
// one-shot) and base64url, the double-submit pair, sealed tokens, counters.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "session_cmd_util.h"

namespace {

using namespace ss::test::session_cmd;

// chuk's generate_csrf_token, written out here.
std::string ExpectedCsrf(std::string_view secret, std::string_view id, int64_t unix_s,
                         std::string_view data_json) {
  const std::string ts = std::to_string(unix_s);
  const std::string b64 = B64Url(data_json);
  return ts + ":" + b64 + ":" + HmacHex(secret, std::string(id) + ":" + ts + ":" + b64);
}

TEST_CASE("CSRF.ISSUE: chuk's HMAC format <ts>:<b64>:<hex>, checked independently") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "c1"});
  const int64_t ts = kT0Ms / 1000;
  const std::string plain = RunBulk(h, {"SESSION.CSRF.ISSUE", "demo", "c1"});
  CHECK(plain == ExpectedCsrf(kSecret, "c1", ts, ""));
  CHECK(plain.starts_with("1700000000::"));
  CHECK(plain.size() == std::string("1700000000::").size() + 64);
  // Known answer: Python hmac.new(b"harness-secret", b"c1:1700000000:", sha256).
  CHECK(plain == "1700000000::a20d31e0d5c63f20dee70f55be1edb7366ed8f275c0d61aff60f6235a1454887");
  CHECK(B64Url("{\"a\":1}") == "eyJhIjoxfQ");
  CHECK(B64Url("ab") == "YWI");
  // DATA: compact, sorted keys, ensure_ascii; {} writes no data part.
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "c1", "DATA", R"({"b": 2, "a": [1, "x"]})"}) ==
        Bulk(ExpectedCsrf(kSecret, "c1", ts, R"({"a":[1,"x"],"b":2})")));
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "c1", "data", R"({"u":"é"})"}) ==
        Bulk(ExpectedCsrf(kSecret, "c1", ts, R"({"u":"\u00e9"})")));
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "c1", "DATA", "{}"}) == Bulk(plain));
  h.clock().AdvanceMs(1999);
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "c1"}) ==
        Bulk(ExpectedCsrf(kSecret, "c1", ts + 1, "")));
  CHECK(Stats(h, "demo") == Want({{"active_sessions", 1}, {"allocated", 1}, {"csrf_issued", 5}}));

  // The secret is the configured one.
  ss::Config config = TestConfig();
  config.csrf_secret = "another secret";
  CmdHarness h2(config);
  Alloc(h2, {"demo", "ID", "c1"});
  CHECK(h2.Run({"SESSION.CSRF.ISSUE", "demo", "c1"}) ==
        Bulk(ExpectedCsrf("another secret", "c1", ts, "")));

  // Nil, and nothing counted, without a live session of the sandbox.
  const std::string before = Snapshot(h);
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "other", "c1"}) == kNil);
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "missing"}) == kNil);
  CHECK(Stats(h, "other") == Want({}));
  // Errors.
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo"}) == Arity("session.csrf.issue"));
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "c1", "DATA"}) ==
        Err("ERR option 'DATA' needs a value"));
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "c1", "DATA", "{x"}) == Err("ERR invalid JSON"));
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "c1", "DATUM", "{}"}) ==
        Err("ERR unknown option 'DATUM'"));
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "c1", "DATA", "{}", "x"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "de mo", "c1"}) == Err(kBadSandbox));
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "c 1"}) == Err(kBadSessionId));
  CHECK(Snapshot(h) == before);
}

TEST_CASE("CSRF.VERIFY: ok, wrong session, other sandbox, tampered, after DELETE, MAXAGE") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "v1"});
  Alloc(h, {"demo", "ID", "v2"});
  Alloc(h, {"other", "ID", "o1"});
  const int64_t ts = kT0Ms / 1000;
  const std::string token = RunBulk(h, {"SESSION.CSRF.ISSUE", "demo", "v1"});
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", token}) == Int(1));
  // A token made here with the same secret and format verifies (interop).
  const std::string ours = ExpectedCsrf(kSecret, "v1", ts, R"({"a":1})");
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", ours}) == Int(1));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", ExpectedCsrf("wrong", "v1", ts, "")}) ==
        Int(0));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v2", token}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "other", "v1", token}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "other", "o1", token}) == Int(0));
  std::string tampered = token;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", tampered}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", "garbage"}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", ""}) == Int(0));
  CHECK(Stats(h, "demo") == Want({{"active_sessions", 2}, {"allocated", 2}, {"csrf_issued", 1},
                                  {"csrf_rejected", 5}}));
  CHECK(Stats(h, "other") ==
        Want({{"active_sessions", 1}, {"allocated", 1}, {"csrf_rejected", 2}}));

  // Default MAXAGE 3600: age 3600 passes, 3601 does not.
  h.clock().AdvanceMs(3600 * 1000);
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", token}) == Int(1));
  h.clock().AdvanceMs(1000);
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", token}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", token, "MAXAGE", "3601"}) == Int(1));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", token, "maxage", "3600"}) == Int(0));
  // A short MAXAGE.
  const std::string fresh = RunBulk(h, {"SESSION.CSRF.ISSUE", "demo", "v2"});
  h.clock().AdvanceMs(10999);
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v2", fresh, "MAXAGE", "10"}) == Int(1));
  h.clock().AdvanceMs(1);
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v2", fresh, "MAXAGE", "10"}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v2", fresh}) == Int(1));

  // Once the session is gone, its tokens are worthless.
  CHECK(h.Run({"SESSION.DELETE", "demo", "v2"}) == Int(1));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v2", fresh}) == Int(0));

  // Errors.
  const std::string before = Snapshot(h);
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1"}) == Arity("session.csrf.verify"));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", token, "MAXAGE"}) ==
        Err("ERR option 'MAXAGE' needs a value"));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", token, "MAXAGE", "0"}) ==
        Err("ERR MAXAGE must be a positive integer"));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", token, "MAXAGE", "-1"}) ==
        Err("ERR MAXAGE must be a positive integer"));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", token, "AGE", "5"}) ==
        Err("ERR unknown option 'AGE'"));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "demo", "v1", token, "MAXAGE", "5", "x"}) ==
        Err("ERR syntax error"));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "-", "v\n1", token}) == Err(kBadSessionId));
  CHECK(Snapshot(h) == before);
}

struct Pair {
  std::string cookie;
  std::string form;
};

Pair RunPair(CmdHarness& h, std::string_view sandbox, std::string_view id) {
  const std::string r = h.Run({"SESSION.CSRF.PAIR", sandbox, id});
  INFO("reply: " << r);
  Resp v = Parse(r);
  REQUIRE(v.type == '*');
  REQUIRE(v.items.size() == 2);
  return {v.items[0].str, v.items[1].str};
}

TEST_CASE("CSRF.PAIR / CHECKPAIR: chuk's double-submit pair, checked independently") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "p1"});
  Alloc(h, {"demo", "ID", "p2"});
  const Pair pair = RunPair(h, "demo", "p1");
  // cookie = b64url(json) "." first 32 hex of HMAC(secret, b64 text)
  const size_t dot = pair.cookie.rfind('.');
  REQUIRE(dot != std::string::npos);
  const std::string b64 = pair.cookie.substr(0, dot);
  CHECK(pair.cookie.substr(dot + 1) == HmacHex(kSecret, b64).substr(0, 32));
  const std::string json = B64UrlDecode(b64);
  CHECK(B64Url(json) == b64);
  const std::string head = R"({"sid":"p1","ts":1700000000,"val":")";
  REQUIRE(json.starts_with(head));
  REQUIRE(json.ends_with("\"}"));
  const std::string val = json.substr(head.size(), json.size() - head.size() - 2);
  CHECK(val.size() == 43);  // token_urlsafe(32)
  CHECK(AllIn(val, kUrlSafe));
  // form = hex HMAC(secret, "<session_id>:<val>:<ts>")
  CHECK(pair.form == HmacHex(kSecret, "p1:" + val + ":1700000000"));

  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p1", pair.cookie, pair.form}) == Int(1));
  const Pair second = RunPair(h, "demo", "p1");
  CHECK(second.cookie != pair.cookie);
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p1", second.cookie, second.form}) == Int(1));
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p1", pair.cookie, second.form}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p1", pair.form, pair.cookie}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p2", pair.cookie, pair.form}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "other", "p1", pair.cookie, pair.form}) == Int(0));
  std::string bad_form = pair.form;
  bad_form[0] = bad_form[0] == 'a' ? 'b' : 'a';
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p1", pair.cookie, bad_form}) == Int(0));
  CHECK(Stats(h, "demo") == Want({{"active_sessions", 2}, {"allocated", 2}, {"csrf_issued", 2},
                                  {"csrf_rejected", 4}}));

  // MAXAGE (default 3600).
  h.clock().AdvanceMs(3600 * 1000);
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p1", pair.cookie, pair.form}) == Int(1));
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p1", pair.cookie, pair.form, "MAXAGE",
               "3599"}) == Int(0));
  h.clock().AdvanceMs(1000);
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p1", pair.cookie, pair.form}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p1", pair.cookie, pair.form, "MAXAGE",
               "7200"}) == Int(1));

  // Gone session: no pair, no check.
  CHECK(h.Run({"SESSION.DELETE", "demo", "p1"}) == Int(1));
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p1", pair.cookie, pair.form, "MAXAGE",
               "7200"}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.PAIR", "demo", "p1"}) == "*-1\r\n");
  CHECK(h.Run({"SESSION.CSRF.PAIR", "other", "p2"}) == "*-1\r\n");
  h.client().protocol = 3;
  CHECK(h.Run({"SESSION.CSRF.PAIR", "demo", "p1"}) == kNil3);
  h.client().protocol = 2;

  // Errors.
  CHECK(h.Run({"SESSION.CSRF.PAIR", "demo"}) == Arity("session.csrf.pair"));
  CHECK(h.Run({"SESSION.CSRF.PAIR", "demo", "p2", "x"}) == Arity("session.csrf.pair"));
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p2", "c"}) == Arity("session.csrf.checkpair"));
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p2", "c", "f", "MAXAGE", "0"}) ==
        Err("ERR MAXAGE must be a positive integer"));
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "demo", "p2", "c", "f", "X"}) ==
        Err("ERR unknown option 'X'"));
  CHECK(h.Run({"SESSION.CSRF.PAIR", "demo", "p\x7f"}) == Err(kBadSessionId));
}

TEST_CASE("TOKEN.SEAL / TOKEN.OPEN: round trip; tamper, other session, expiry give nil") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "t1"});
  Alloc(h, {"demo", "ID", "t2"});
  Alloc(h, {"other", "ID", "o1"});
  const std::string token = RunBulk(h, {"SESSION.TOKEN.SEAL", "demo", "t1", "DATA",
                                        R"({"b": 1, "a": {"z": "é"}})"});
  CHECK(AllIn(token, kUrlSafe));
  CHECK(B64UrlDecode(token).find("\"b\":1") == std::string::npos);  // encrypted
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t1", token}) ==
        Bulk(R"({"a":{"z":"\u00e9"},"b":1})"));
  const std::string empty = RunBulk(h, {"SESSION.TOKEN.SEAL", "demo", "t1"});
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t1", empty}) == Bulk("{}"));
  // A fresh nonce each time.
  CHECK(RunBulk(h, {"SESSION.TOKEN.SEAL", "demo", "t1"}) != empty);

  // Bound to the session and its sandbox; any change to the token fails.
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t2", token}) == kNil);
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "other", "t1", token}) == kNil);
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "other", "o1", token}) == kNil);
  for (size_t i = 0; i < token.size(); i += 7) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    CAPTURE(i);
    CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t1", t}) == kNil);
  }
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t1", token.substr(0, token.size() - 1)}) == kNil);
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t1", "!!"}) == kNil);

  // MAXAGE, default 3600.
  h.clock().AdvanceMs(10000);
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t1", token, "MAXAGE", "10"})[0] == '$');
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t1", token, "MAXAGE", "9"}) == kNil);
  h.clock().AdvanceMs(3590000);
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t1", token})[0] == '$');
  h.clock().AdvanceMs(1000);
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t1", token}) == kNil);

  // A gone session opens nothing and seals nothing.
  const std::string t2 = RunBulk(h, {"SESSION.TOKEN.SEAL", "demo", "t2"});
  CHECK(h.Run({"SESSION.DELETE", "demo", "t2"}) == Int(1));
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t2", t2}) == kNil);
  CHECK(h.Run({"SESSION.TOKEN.SEAL", "demo", "t2"}) == kNil);

  // Errors.
  CHECK(h.Run({"SESSION.TOKEN.SEAL", "demo"}) == Arity("session.token.seal"));
  CHECK(h.Run({"SESSION.TOKEN.SEAL", "demo", "t1", "DATA", "nope"}) == Err("ERR invalid JSON"));
  CHECK(h.Run({"SESSION.TOKEN.SEAL", "demo", "t1", "DATA"}) ==
        Err("ERR option 'DATA' needs a value"));
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t1"}) == Arity("session.token.open"));
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo", "t1", token, "MAXAGE", "x"}) ==
        Err("ERR MAXAGE must be a positive integer"));
  CHECK(h.Run({"SESSION.TOKEN.OPEN", "demo!", "t1", token}) == Err(kBadSandbox));
  // Sealing counts as neither CSRF issue nor rejection.
  CHECK(Stats(h, "demo") == Want({{"active_sessions", 1}, {"allocated", 2}, {"deleted", 1}}));
}

}  // namespace
