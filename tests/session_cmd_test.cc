// SESSION.* commands through the real command table (docs/sessions.md,
// issue 4): exact reply bytes, the chuk-sessions JSON contract, sliding
// expiry on the manual clock, the index under plain string commands, and
// CSRF tokens checked against an independent HMAC (OpenSSL's one-shot).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "session_cmd_util.h"

namespace {

using namespace ss::test::session_cmd;

TEST_CASE("ALLOCATE: generated ids in every FORMAT; generic by default; SESSION.ID likewise") {
  CmdHarness h;
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    const std::string id = Alloc(h, {"demo"});
    CHECK(HasFormat(id, "generic"));
    CHECK(h.Run({"EXISTS", "session:" + id}) == Int(1));
    seen.insert(id);
  }
  for (std::string_view format : kFormats) {
    CAPTURE(format);
    std::string upper(format);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](char c) { return static_cast<char>(std::toupper(c)); });
    for (int i = 0; i < 20; ++i) {
      const std::string id = Alloc(h, {"demo", "FORMAT", i % 2 == 0 ? format : upper});
      CHECK(HasFormat(id, format));
      CHECK(h.Run({"SESSION.VALIDATE", "demo", id}) == Int(1));
      seen.insert(id);
      const std::string fresh = RunBulk(h, {"SESSION.ID", "FORMAT", format});
      CHECK(HasFormat(fresh, format));
      CHECK(h.Run({"EXISTS", "session:" + fresh}) == Int(0));
      seen.insert(fresh);
    }
  }
  CHECK(seen.size() == 20 + 2 * 20 * std::size(kFormats));
  CHECK(h.Run({"DBSIZE"}) == Int(20 + 20 * std::size(kFormats)));
  CHECK(HasFormat(RunBulk(h, {"SESSION.ID"}), "generic"));
}

TEST_CASE("ALLOCATE: GET returns the chuk-sessions JSON record, byte for byte") {
  CmdHarness h;
  h.clock().SetMs(kT0Ms + 123);
  const int64_t now = (kT0Ms + 123) * 1000;
  CHECK(Iso(now) == "2023-11-14T22:13:20.123000Z");  // python3: isoformat()
  const std::string id = Alloc(h, {"demo", "USER", "alice", "TTL", "600", "META",
                                   R"({"b":[1,2.50,"x"],"a":"é","n":null,"o":{"t":true}})"});
  const std::string want =
      "{\"session_id\": \"" + id +
      "\", \"sandbox_id\": \"demo\", \"user_id\": \"alice\", "
      "\"created_at\": \"2023-11-14T22:13:20.123000Z\", "
      "\"expires_at\": \"2023-11-14T22:23:20.123000Z\", \"status\": \"active\", "
      "\"last_accessed\": \"2023-11-14T22:13:20.123000Z\", "
      "\"custom_metadata\": {\"b\": [1, 2.5, \"x\"], \"a\": \"\\u00e9\", \"n\": null, "
      "\"o\": {\"t\": true}}}";
  CHECK(h.Run({"GET", "session:" + id}) == Bulk(want));
  CHECK(h.Run({"SESSION.INFO", "demo", id}) == Bulk(want));
  CHECK(h.Run({"PTTL", "session:" + id}) == Int(600000));

  // No USER: "user_id": null; no TTL: the configured default; no META: {}.
  h.clock().SetMs(kT0Ms);
  const std::string anon = Alloc(h, {"demo"});
  CHECK(h.Run({"GET", "session:" + anon}) ==
        Bulk("{\"session_id\": \"" + anon +
             "\", \"sandbox_id\": \"demo\", \"user_id\": null, "
             "\"created_at\": \"2023-11-14T22:13:20Z\", "
             "\"expires_at\": \"2023-11-15T22:13:20Z\", \"status\": \"active\", "
             "\"last_accessed\": \"2023-11-14T22:13:20Z\", \"custom_metadata\": {}}"));
  CHECK(h.Run({"PTTL", "session:" + anon}) == Int(86400 * 1000));

  ss::Config config = TestConfig();
  config.session_ttl = 120;
  CmdHarness h2(config);
  const std::string short_lived = Alloc(h2, {"demo", "user", "bob"});  // options any case
  CHECK(h2.Run({"PTTL", "session:" + short_lived}) == Int(120000));
  CHECK(Get(h2, "session:" + short_lived) ==
        Record(short_lived, "demo", "bob", kT0Us, kT0Us + 120 * kSecUs, kT0Us));
  // TTL given beats the default.
  const std::string given = Alloc(h2, {"demo", "TTL", "7"});
  CHECK(h2.Run({"PTTL", "session:" + given}) == Int(7000));
}

TEST_CASE("ALLOCATE: IDLE sets the first deadline to min(now + idle, now + TTL)") {
  CmdHarness h;
  const std::string a = Alloc(h, {"demo", "TTL", "100", "IDLE", "30"});
  CHECK(h.Run({"PTTL", "session:" + a}) == Int(30000));
  CHECK(Get(h, "session:" + a) == Record(a, "demo", nullptr, kT0Us, kT0Us + 30 * kSecUs, kT0Us));
  const std::string b = Alloc(h, {"demo", "IDLE", "30", "TTL", "10"});
  CHECK(h.Run({"PTTL", "session:" + b}) == Int(10000));
  const std::string c = Alloc(h, {"demo", "IDLE", "30"});  // default TTL 86400
  CHECK(h.Run({"PTTL", "session:" + c}) == Int(30000));
}

TEST_CASE("ALLOCATE: ID, all options together, non-ASCII ids escaped in the JSON") {
  CmdHarness h;
  CHECK(h.Run({"SESSION.ALLOCATE", "tenant-1.a_b:c", "ID", "my-session", "USER", "u@example.com",
               "TTL", "50", "IDLE", "20", "FORMAT", "uuid", "META", R"({"k": 1})"}) ==
        Bulk("my-session"));
  CHECK(Get(h, "session:my-session") == Record("my-session", "tenant-1.a_b:c", "u@example.com",
                                                kT0Us, kT0Us + 20 * kSecUs, kT0Us, R"({"k": 1})"));
  CHECK(h.Run({"PTTL", "session:my-session"}) == Int(20000));

  // Valid UTF-8 ids and user ids are accepted and written with \u escapes.
  CHECK(h.Run({"SESSION.ALLOCATE", "demo", "ID", "caf\xC3\xA9", "USER", "j\xC3\xBCrgen"}) ==
        Bulk("caf\xC3\xA9"));
  const std::string json = Get(h, "session:caf\xC3\xA9");
  CHECK(json.starts_with(
      R"({"session_id": "caf\u00e9", "sandbox_id": "demo", "user_id": "j\u00fcrgen", )"));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "caf\xC3\xA9"}) == Int(1));

  // Limits are inclusive: 128-byte sandbox, 256-byte ids.
  const std::string sandbox(128, 's');
  const std::string id(256, 'i');
  const std::string user(256, 'u');
  CHECK(h.Run({"SESSION.ALLOCATE", sandbox, "ID", id, "USER", user}) == Bulk(id));
  CHECK(h.Run({"SESSION.VALIDATE", sandbox, id}) == Int(1));
  CHECK(h.Run({"SESSION.LIST", sandbox, "USER", user}) == ListReply("0", {id}));
}

TEST_CASE("ALLOCATE ID: a live id of the same sandbox is touched and returned, nothing else") {
  CmdHarness h;
  CHECK(h.Run({"SESSION.ALLOCATE", "demo", "ID", "s1", "USER", "alice", "TTL", "100", "META",
               R"({"k": 1})"}) == Bulk("s1"));
  h.clock().AdvanceMs(5000);
  const std::string stats = Stats(h);
  CHECK(h.Run({"SESSION.ALLOCATE", "demo", "ID", "s1", "USER", "bob", "TTL", "999", "META",
               R"({"x": 2})"}) == Bulk("s1"));
  CHECK(Get(h, "session:s1") == Record("s1", "demo", "alice", kT0Us, kT0Us + 100 * kSecUs,
                                       kT0Us + 5 * kSecUs, R"({"k": 1})"));
  CHECK(h.Run({"PTTL", "session:s1"}) == Int(95000));
  CHECK(Stats(h) == stats);  // a reuse is no new allocation
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "bob"}) == ListReply("0", {}));
  CHECK(h.Run({"DBSIZE"}) == Int(1));

  // In another sandbox the id is taken: an error, and nothing changes.
  const std::string before = Snapshot(h);
  const std::string record = Get(h, "session:s1");
  CHECK(h.Run({"SESSION.ALLOCATE", "other", "ID", "s1"}) == Err("ERR session id already in use"));
  CHECK(Snapshot(h) == before);
  CHECK(Get(h, "session:s1") == record);

  // A plain value under the key is not a session, and is not overwritten.
  CHECK(h.Run({"SET", "session:plain", "hello"}) == kOk);
  const std::string before_plain = Snapshot(h);
  const std::string reply = h.Run({"SESSION.ALLOCATE", "demo", "ID", "plain"});
  CHECK(reply[0] == '-');
  CHECK(h.Run({"GET", "session:plain"}) == Bulk("hello"));
  CHECK(Snapshot(h) == before_plain);

  // Once the session has expired, its id is free for any sandbox.
  h.clock().AdvanceMs(95001);
  CHECK(h.Run({"SESSION.ALLOCATE", "other", "ID", "s1", "TTL", "10"}) == Bulk("s1"));
  CHECK(Get(h, "session:s1") ==
        Record("s1", "other", nullptr, kT0Us + 100001000, kT0Us + 110001000, kT0Us + 100001000));
}

TEST_CASE("ALLOCATE: every bad input is an error and changes nothing") {
  ss::Config config = TestConfig();
  config.session_max_meta = 24;
  CmdHarness h(config);
  Alloc(h, {"demo", "ID", "existing", "USER", "alice"});
  h.Run({"SESSION.VALIDATE", "demo", "existing"});
  const std::string before = Snapshot(h);
  const std::string record = Get(h, "session:existing");

  const std::string long_sandbox(129, 's');
  const std::string long_id(257, 'i');
  const std::string too_much = R"({"k": ")" + std::string(16, 'x') + R"("})";  // 25 bytes
  struct Case {
    std::vector<std::string_view> args;
    std::string reply;
  };
  const std::vector<Case> cases = {
      {{"SESSION.ALLOCATE"}, Arity("session.allocate")},
      {{"SESSION.ALLOCATE", "demo", "BOGUS", "x"}, Err("ERR unknown option 'BOGUS'")},
      {{"SESSION.ALLOCATE", "demo", "USER", "u", "NOPE"}, Err("ERR unknown option 'NOPE'")},
      {{"SESSION.ALLOCATE", "demo", "USER"}, Err("ERR option 'USER' needs a value")},
      {{"SESSION.ALLOCATE", "demo", "TTL"}, Err("ERR option 'TTL' needs a value")},
      {{"SESSION.ALLOCATE", "demo", "IDLE"}, Err("ERR option 'IDLE' needs a value")},
      {{"SESSION.ALLOCATE", "demo", "ID"}, Err("ERR option 'ID' needs a value")},
      {{"SESSION.ALLOCATE", "demo", "FORMAT"}, Err("ERR option 'FORMAT' needs a value")},
      {{"SESSION.ALLOCATE", "demo", "USER", "u", "meta"}, Err("ERR option 'meta' needs a value")},
      {{"SESSION.ALLOCATE", "demo", "TTL", "0"}, Err("ERR TTL must be a positive integer")},
      {{"SESSION.ALLOCATE", "demo", "TTL", "-1"}, Err("ERR TTL must be a positive integer")},
      {{"SESSION.ALLOCATE", "demo", "TTL", "1.5"}, Err("ERR TTL must be a positive integer")},
      {{"SESSION.ALLOCATE", "demo", "TTL", "ten"}, Err("ERR TTL must be a positive integer")},
      {{"SESSION.ALLOCATE", "demo", "TTL", ""}, Err("ERR TTL must be a positive integer")},
      {{"SESSION.ALLOCATE", "demo", "TTL", " 5"}, Err("ERR TTL must be a positive integer")},
      {{"SESSION.ALLOCATE", "demo", "TTL", "99999999999999999999"},
       Err("ERR TTL must be a positive integer")},
      {{"SESSION.ALLOCATE", "demo", "IDLE", "0"}, Err("ERR IDLE must be a positive integer")},
      {{"SESSION.ALLOCATE", "demo", "IDLE", "-30"}, Err("ERR IDLE must be a positive integer")},
      {{"SESSION.ALLOCATE", "demo", "IDLE", "3e1"}, Err("ERR IDLE must be a positive integer")},
      {{"SESSION.ALLOCATE", "demo", "FORMAT", "nope"}, Err(BadFormat("nope"))},
      {{"SESSION.ALLOCATE", "demo", "META", "{bad"}, Err("ERR invalid JSON")},
      {{"SESSION.ALLOCATE", "demo", "META", ""}, Err("ERR invalid JSON")},
      {{"SESSION.ALLOCATE", "demo", "META", R"({"a":1} x)"}, Err("ERR invalid JSON")},
      {{"SESSION.ALLOCATE", "demo", "META", "[1, 2]"}, Err("ERR JSON value is not an object")},
      {{"SESSION.ALLOCATE", "demo", "META", "\"s\""}, Err("ERR JSON value is not an object")},
      {{"SESSION.ALLOCATE", "demo", "META", "7"}, Err("ERR JSON value is not an object")},
      {{"SESSION.ALLOCATE", "demo", "META", "null"}, Err("ERR JSON value is not an object")},
      {{"SESSION.ALLOCATE", "demo", "META", too_much},
       Err("ERR custom metadata exceeds session-max-meta")},
      {{"SESSION.ALLOCATE", ""}, Err(kBadSandbox)},
      {{"SESSION.ALLOCATE", "has space"}, Err(kBadSandbox)},
      {{"SESSION.ALLOCATE", "a/b"}, Err(kBadSandbox)},
      {{"SESSION.ALLOCATE", "caf\xC3\xA9"}, Err(kBadSandbox)},
      {{"SESSION.ALLOCATE", "tab\t"}, Err(kBadSandbox)},
      {{"SESSION.ALLOCATE", long_sandbox}, Err(kBadSandbox)},
      {{"SESSION.ALLOCATE", "demo", "ID", long_id}, Err(kBadSessionId)},
      {{"SESSION.ALLOCATE", "demo", "ID", ""}, Err(kBadSessionId)},
      {{"SESSION.ALLOCATE", "demo", "ID", "a b"}, Err(kBadSessionId)},
      {{"SESSION.ALLOCATE", "demo", "ID", "a\tb"}, Err(kBadSessionId)},
      {{"SESSION.ALLOCATE", "demo", "ID", "a\nb"}, Err(kBadSessionId)},
      {{"SESSION.ALLOCATE", "demo", "ID", "a\rb"}, Err(kBadSessionId)},
      {{"SESSION.ALLOCATE", "demo", "ID", std::string_view("a\0b", 3)}, Err(kBadSessionId)},
      {{"SESSION.ALLOCATE", "demo", "ID", "a\x01"}, Err(kBadSessionId)},
      {{"SESSION.ALLOCATE", "demo", "ID", "a\x7f"}, Err(kBadSessionId)},
      {{"SESSION.ALLOCATE", "demo", "ID", "a\xFF"}, Err(kBadSessionId)},       // not UTF-8
      {{"SESSION.ALLOCATE", "demo", "ID", "a\xC3"}, Err(kBadSessionId)},       // truncated
      {{"SESSION.ALLOCATE", "demo", "ID", "\xC0\xAF"}, Err(kBadSessionId)},    // overlong
      {{"SESSION.ALLOCATE", "demo", "ID", "\xED\xA0\x80"}, Err(kBadSessionId)},  // surrogate
      {{"SESSION.ALLOCATE", "demo", "ID", "a\xC2\xA0"}, Err(kBadSessionId)},   // NBSP
      {{"SESSION.ALLOCATE", "demo", "ID", "a\xC2\x85"}, Err(kBadSessionId)},   // NEL (C1)
      {{"SESSION.ALLOCATE", "demo", "ID", "a\xE2\x80\xA8"}, Err(kBadSessionId)},  // U+2028
      {{"SESSION.ALLOCATE", "demo", "ID", "a\xE3\x80\x80"}, Err(kBadSessionId)},  // U+3000
      {{"SESSION.ALLOCATE", "demo", "USER", long_id}, Err(kBadUserId)},
      {{"SESSION.ALLOCATE", "demo", "USER", ""}, Err(kBadUserId)},
      {{"SESSION.ALLOCATE", "demo", "USER", "al ice"}, Err(kBadUserId)},
      {{"SESSION.ALLOCATE", "demo", "USER", "alice\n"}, Err(kBadUserId)},
      {{"SESSION.ALLOCATE", "demo", "USER", "\xFE"}, Err(kBadUserId)},
      // A later bad option fails the whole command, even after good ones.
      {{"SESSION.ALLOCATE", "demo", "ID", "fresh", "USER", "bob", "TTL", "0"},
       Err("ERR TTL must be a positive integer")},
      {{"SESSION.ALLOCATE", "demo", "ID", "fresh", "META", "[]"},
       Err("ERR JSON value is not an object")},
      {{"SESSION.ALLOCATE", "other", "ID", "existing"}, Err("ERR session id already in use")},
  };
  for (const Case& c : cases) {
    CAPTURE(c.reply);
    CHECK(h.Run(c.args) == c.reply);
    CHECK(Snapshot(h) == before);
  }
  CHECK(Get(h, "session:existing") == record);

  // At the limit is fine: 24 bytes of metadata in Py format.
  const std::string at_limit = R"({"k": ")" + std::string(15, 'x') + R"("})";
  REQUIRE(at_limit.size() == 24);
  const std::string id = Alloc(h, {"demo", "META", at_limit});
  CHECK(h.Run({"SESSION.INFO", "demo", id}) ==
        Bulk(Record(id, "demo", nullptr, kT0Us, kT0Us + 86400 * kSecUs, kT0Us, at_limit)));
}

TEST_CASE("ALLOCATE: a bad byte is refused at every position of a long id") {
  // The id check takes 8 bytes at a time while they are printable ASCII:
  // a bad byte in any lane of any block, or in the tail, must still count.
  CmdHarness h(TestConfig());
  const std::string bad_bytes = std::string("\x00\x01\x1f\x20\x7f\x80\xff", 7);
  for (size_t len : {7u, 8u, 9u, 16u, 17u, 23u}) {
    for (size_t pos = 0; pos < len; ++pos) {
      for (char bad : bad_bytes) {
        std::string id(len, 'a');
        id[pos] = bad;
        CAPTURE(len);
        CAPTURE(pos);
        CAPTURE(static_cast<int>(static_cast<unsigned char>(bad)));
        CHECK(h.Run({"SESSION.ALLOCATE", "demo", "ID", id}) == Err(kBadSessionId));
      }
    }
  }
  // The printable ASCII edges, '!' and '~', in every lane are fine.
  const std::string edges = "!~!~!~!~!~!~!~!~!";
  CHECK(h.Run({"SESSION.ALLOCATE", "demo", "ID", edges}) == Bulk(edges));
  // UTF-8 after an ASCII block is still checked as UTF-8.
  CHECK(h.Run({"SESSION.ALLOCATE", "demo", "ID", "abcdefgh\xC3\xA9"}) == Bulk("abcdefgh\xC3\xA9"));
  CHECK(h.Run({"SESSION.ALLOCATE", "demo", "ID", "abcdefgh\xC2\xA0"}) == Err(kBadSessionId));
}

// ============================================================================
// SESSION.VALIDATE
// ============================================================================

TEST_CASE("VALIDATE: :1 for the owner's sandbox, :0 otherwise; sets last_accessed") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "v1", "USER", "alice", "TTL", "100"});
  h.clock().AdvanceMs(2500);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "v1"}) == Int(1));
  CHECK(Get(h, "session:v1") ==
        Record("v1", "demo", "alice", kT0Us, kT0Us + 100 * kSecUs, kT0Us + 2500000));
  // Without IDLE the deadline does not move.
  CHECK(h.Run({"PTTL", "session:v1"}) == Int(97500));
  h.clock().AdvanceMs(50000);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "v1"}) == Int(1));
  CHECK(h.Run({"PTTL", "session:v1"}) == Int(47500));

  // Another sandbox gets the same answer as a missing id, and touches nothing.
  const std::string record = Get(h, "session:v1");
  CHECK(h.Run({"SESSION.VALIDATE", "other", "v1"}) == Int(0));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "missing"}) == Int(0));
  CHECK(Get(h, "session:v1") == record);
  CHECK(Stats(h, "demo") == Want({{"active_sessions", 1}, {"users", 1}, {"allocated", 1},
                                  {"validated", 2}, {"validate_failed", 1}}));
  // "other" never had a session: its failures are not recorded (no state is
  // kept for sandbox names the server has not seen).
  CHECK(Stats(h, "other") == Want({}));

  // Expiry: live at the deadline, gone one millisecond later.
  h.clock().AdvanceMs(47500);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "v1"}) == Int(1));
  h.clock().AdvanceMs(1);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "v1"}) == Int(0));
  CHECK(h.Run({"EXISTS", "session:v1"}) == Int(0));

  // Argument errors.
  CHECK(h.Run({"SESSION.VALIDATE", "demo"}) == Arity("session.validate"));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "a", "b"}) == Arity("session.validate"));
  CHECK(h.Run({"SESSION.VALIDATE", "bad sandbox", "v1"}) == Err(kBadSandbox));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "bad id"}) == Err(kBadSessionId));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", ""}) == Err(kBadSessionId));
}

TEST_CASE("VALIDATE with IDLE: the deadline slides to now + idle, capped at created + TTL") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "slide", "TTL", "100", "IDLE", "10"});
  const std::string key = "session:slide";
  CHECK(Pttl(h, key) == 10000);
  h.clock().AdvanceMs(4000);
  CHECK(Pttl(h, key) == 6000);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "slide"}) == Int(1));
  CHECK(Pttl(h, key) == 10000);
  CHECK(Get(h, key) ==
        Record("slide", "demo", nullptr, kT0Us, kT0Us + 14 * kSecUs, kT0Us + 4 * kSecUs));
  // Keep it alive every 9 s: the deadline follows, until the cap holds it.
  int64_t now_ms = kT0Ms + 4000;
  for (int i = 0; i < 10; ++i) {
    h.clock().AdvanceMs(9000);
    now_ms += 9000;
    CAPTURE(now_ms - kT0Ms);
    CHECK(h.Run({"SESSION.VALIDATE", "demo", "slide"}) == Int(1));
    CHECK(Pttl(h, key) == std::min<int64_t>(10000, kT0Ms + 100000 - now_ms));
  }
  CHECK(now_ms == kT0Ms + 94000);
  CHECK(Get(h, key) ==
        Record("slide", "demo", nullptr, kT0Us, kT0Us + 100 * kSecUs, kT0Us + 94 * kSecUs));
  h.clock().AdvanceMs(6000);  // exactly at created + TTL: still live, cannot slide
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "slide"}) == Int(1));
  CHECK(Pttl(h, key) == 0);
  h.clock().AdvanceMs(1);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "slide"}) == Int(0));

  // Idle for longer than IDLE: gone, and active expiry reclaims it.
  Alloc(h, {"demo", "ID", "idle", "TTL", "100", "IDLE", "10"});
  h.clock().AdvanceMs(10000);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "idle"}) == Int(1));
  h.clock().AdvanceMs(10001);
  h.ExpireAll();
  CHECK(h.Run({"DBSIZE"}) == Int(0));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "idle"}) == Int(0));
  CHECK(Stats(h, "demo") == Want({{"allocated", 2}, {"validated", 13}, {"validate_failed", 2},
                                  {"expired", 2}}));

  // Another sandbox's VALIDATE does not slide it.
  Alloc(h, {"demo", "ID", "mine", "TTL", "100", "IDLE", "10"});
  h.clock().AdvanceMs(5000);
  CHECK(h.Run({"SESSION.VALIDATE", "other", "mine"}) == Int(0));
  CHECK(Pttl(h, "session:mine") == 5000);
}

// ============================================================================
// SESSION.INFO
// ============================================================================

TEST_CASE("INFO: JSON by default or on request; MAP as a RESP2 flat array; read-only") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "i1", "USER", "alice", "TTL", "60", "META", R"({"a":[1,{"b":"c"}]})"});
  Alloc(h, {"demo", "ID", "i2", "TTL", "60"});
  h.clock().AdvanceMs(1000);
  const std::string json = Record("i1", "demo", "alice", kT0Us, kT0Us + 60 * kSecUs, kT0Us,
                                  R"({"a": [1, {"b": "c"}]})");
  const std::string before = Snapshot(h);
  CHECK(h.Run({"SESSION.INFO", "demo", "i1"}) == Bulk(json));
  CHECK(h.Run({"SESSION.INFO", "demo", "i1", "JSON"}) == Bulk(json));
  CHECK(h.Run({"SESSION.INFO", "demo", "i1", "json"}) == Bulk(json));
  const std::string map1 = Bulk("session_id") + Bulk("i1") + Bulk("sandbox_id") + Bulk("demo") +
                           Bulk("user_id") + Bulk("alice") + Bulk("created_at") +
                           Bulk("2023-11-14T22:13:20Z") + Bulk("expires_at") +
                           Bulk("2023-11-14T22:14:20Z") + Bulk("status") + Bulk("active") +
                           Bulk("last_accessed") + Bulk("2023-11-14T22:13:20Z") +
                           Bulk("custom_metadata") + Bulk(R"({"a": [1, {"b": "c"}]})");
  CHECK(h.Run({"SESSION.INFO", "demo", "i1", "MAP"}) == "*16\r\n" + map1);
  CHECK(h.Run({"SESSION.INFO", "demo", "i1", "map"}) == "*16\r\n" + map1);
  const std::string map2_tail = Bulk("created_at") + Bulk("2023-11-14T22:13:20Z") +
                                Bulk("expires_at") + Bulk("2023-11-14T22:14:20Z") +
                                Bulk("status") + Bulk("active") + Bulk("last_accessed") +
                                Bulk("2023-11-14T22:13:20Z") + Bulk("custom_metadata") + Bulk("{}");
  const std::string map2_head =
      Bulk("session_id") + Bulk("i2") + Bulk("sandbox_id") + Bulk("demo") + Bulk("user_id");
  CHECK(h.Run({"SESSION.INFO", "demo", "i2", "MAP"}) == "*16\r\n" + map2_head + kNil + map2_tail);
  // Missing, or of another sandbox: nil in either form.
  CHECK(h.Run({"SESSION.INFO", "demo", "nope"}) == kNil);
  CHECK(h.Run({"SESSION.INFO", "other", "i1"}) == kNil);
  CHECK(h.Run({"SESSION.INFO", "other", "i1", "MAP"}) == kNil);
  // Read-only: last_accessed, deadline and counters are untouched.
  CHECK(Snapshot(h) == before);
  CHECK(Get(h, "session:i1") == json);
  CHECK(h.Run({"PTTL", "session:i1"}) == Int(59000));

  // RESP3: a real map, and null as _.
  h.client().protocol = 3;
  CHECK(h.Run({"SESSION.INFO", "demo", "i1", "MAP"}) == "%8\r\n" + map1);
  CHECK(h.Run({"SESSION.INFO", "demo", "i2", "MAP"}) == "%8\r\n" + map2_head + kNil3 + map2_tail);
  CHECK(h.Run({"SESSION.INFO", "demo", "i1"}) == Bulk(json));
  CHECK(h.Run({"SESSION.INFO", "demo", "nope", "MAP"}) == kNil3);
  CHECK(h.Run({"SESSION.INFO", "demo", "nope"}) == kNil3);
  h.client().protocol = 2;

  // Errors.
  CHECK(h.Run({"SESSION.INFO", "demo"}) == Arity("session.info"));
  CHECK(h.Run({"SESSION.INFO", "demo", "i1", "XML"}) == Err("ERR unknown option 'XML'"));
  CHECK(h.Run({"SESSION.INFO", "demo", "i1", "JSON", "MAP"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SESSION.INFO", "de mo", "i1"}) == Err(kBadSandbox));
  CHECK(h.Run({"SESSION.INFO", "demo", "i\x01"}) == Err(kBadSessionId));
  CHECK(Snapshot(h) == before);
}

// ============================================================================
// SESSION.UPDATE
// ============================================================================

TEST_CASE("UPDATE: shallow merge keeps key order; REPLACE replaces; sets last_accessed") {
  ss::Config config = TestConfig();
  config.session_max_meta = 64;
  CmdHarness h(config);
  Alloc(h, {"demo", "ID", "u1", "USER", "alice", "TTL", "100", "META", R"({"a":1,"b":{"x":1}})"});
  h.clock().AdvanceMs(3000);
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", R"({"c":"new","b":{"y":2}})"}) == Int(1));
  CHECK(Get(h, "session:u1") ==
        Record("u1", "demo", "alice", kT0Us, kT0Us + 100 * kSecUs, kT0Us + 3 * kSecUs,
               R"({"a": 1, "b": {"y": 2}, "c": "new"})"));
  CHECK(h.Run({"PTTL", "session:u1"}) == Int(97000));  // the deadline stays
  // Two "clients" updating different fields: both kept.
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", R"({"p":1})"}) == Int(1));
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", R"({"q":2})"}) == Int(1));
  CHECK(h.Run({"SESSION.INFO", "demo", "u1", "MAP"}).ends_with(
      Bulk(R"({"a": 1, "b": {"y": 2}, "c": "new", "p": 1, "q": 2})")));
  // {} merges nothing.
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", "{}"}) == Int(1));
  CHECK(h.Run({"SESSION.INFO", "demo", "u1", "MAP"}).ends_with(
      Bulk(R"({"a": 1, "b": {"y": 2}, "c": "new", "p": 1, "q": 2})")));

  h.clock().AdvanceMs(1000);
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", R"({"z": [true]})", "REPLACE"}) == Int(1));
  CHECK(Get(h, "session:u1") == Record("u1", "demo", "alice", kT0Us, kT0Us + 100 * kSecUs,
                                       kT0Us + 4 * kSecUs, R"({"z": [true]})"));
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", "{}", "replace"}) == Int(1));
  CHECK(h.Run({"SESSION.INFO", "demo", "u1", "MAP"}).ends_with(Bulk("{}")));
  CHECK(Stats(h, "demo") ==
        Want({{"active_sessions", 1}, {"users", 1}, {"allocated", 1}, {"updated", 6}}));

  // Missing or another sandbox's: :0, nothing changed.
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", R"({"k":1})"}) == Int(1));
  const std::string record = Get(h, "session:u1");
  const std::string before = Snapshot(h);
  CHECK(h.Run({"SESSION.UPDATE", "demo", "missing", R"({"k":2})"}) == Int(0));
  CHECK(h.Run({"SESSION.UPDATE", "other", "u1", R"({"k":2})"}) == Int(0));
  CHECK(h.Run({"SESSION.UPDATE", "other", "u1", "{}", "REPLACE"}) == Int(0));
  CHECK(Get(h, "session:u1") == record);
  CHECK(Snapshot(h) == before);

  // Errors change nothing.
  const std::string big = R"({"big": ")" + std::string(60, 'x') + R"("})";
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", "{oops"}) == Err("ERR invalid JSON"));
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", "[1]"}) == Err("ERR JSON value is not an object"));
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", "5", "REPLACE"}) ==
        Err("ERR JSON value is not an object"));
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", big}) ==
        Err("ERR custom metadata exceeds session-max-meta"));
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", big, "REPLACE"}) ==
        Err("ERR custom metadata exceeds session-max-meta"));
  // The merged result counts: each half fits, together they do not.
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", R"({"m": ")" + std::string(50, 'm') + R"("})"}) ==
        Err("ERR custom metadata exceeds session-max-meta"));
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", "{}", "MERGE"}) == Err("ERR unknown option 'MERGE'"));
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1", "{}", "REPLACE", "x"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u1"}) == Arity("session.update"));
  CHECK(h.Run({"SESSION.UPDATE", "demo!", "u1", "{}"}) == Err(kBadSandbox));
  CHECK(h.Run({"SESSION.UPDATE", "demo", "u 1", "{}"}) == Err(kBadSessionId));
  CHECK(Get(h, "session:u1") == record);
  CHECK(Snapshot(h) == before);
}

// ============================================================================
// SESSION.EXTEND, SESSION.DELETE
// ============================================================================

TEST_CASE("EXTEND: returns the new TTL and moves expires_at; nil when missing") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "e1", "TTL", "100"});
  h.clock().AdvanceMs(10000);
  CHECK(h.Run({"SESSION.EXTEND", "demo", "e1", "50"}) == Int(140));
  CHECK(h.Run({"PTTL", "session:e1"}) == Int(140000));
  CHECK(Get(h, "session:e1") ==
        Record("e1", "demo", nullptr, kT0Us, kT0Us + 150 * kSecUs, kT0Us + 10 * kSecUs));
  h.clock().AdvanceMs(139000);
  CHECK(h.Run({"SESSION.EXTEND", "demo", "e1", "1"}) == Int(2));
  CHECK(h.Run({"PTTL", "session:e1"}) == Int(2000));

  const std::string before = Snapshot(h);
  CHECK(h.Run({"SESSION.EXTEND", "demo", "missing", "10"}) == kNil);
  CHECK(h.Run({"SESSION.EXTEND", "other", "e1", "10"}) == kNil);
  CHECK(h.Run({"SESSION.EXTEND", "demo", "e1", "0"}) ==
        Err("ERR seconds must be a positive integer"));
  CHECK(h.Run({"SESSION.EXTEND", "demo", "e1", "-5"}) ==
        Err("ERR seconds must be a positive integer"));
  CHECK(h.Run({"SESSION.EXTEND", "demo", "e1", "x"}) ==
        Err("ERR seconds must be a positive integer"));
  CHECK(h.Run({"SESSION.EXTEND", "demo", "e1"}) == Arity("session.extend"));
  CHECK(h.Run({"SESSION.EXTEND", "demo", "e1", "1", "2"}) == Arity("session.extend"));
  CHECK(h.Run({"SESSION.EXTEND", "", "e1", "1"}) == Err(kBadSandbox));
  CHECK(Snapshot(h) == before);
  CHECK(h.Run({"PTTL", "session:e1"}) == Int(2000));
  CHECK(Stats(h, "demo") == Want({{"active_sessions", 1}, {"allocated", 1}, {"extended", 2}}));

  h.client().protocol = 3;
  CHECK(h.Run({"SESSION.EXTEND", "demo", "missing", "10"}) == kNil3);
}

TEST_CASE("DELETE: :1 once, then :0; another sandbox cannot delete") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "d1", "USER", "alice"});
  CHECK(h.Run({"SESSION.DELETE", "other", "d1"}) == Int(0));
  CHECK(h.Run({"EXISTS", "session:d1"}) == Int(1));
  CHECK(h.Run({"SESSION.DELETE", "demo", "d1"}) == Int(1));
  CHECK(h.Run({"EXISTS", "session:d1"}) == Int(0));
  CHECK(h.Run({"SESSION.DELETE", "demo", "d1"}) == Int(0));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "d1"}) == Int(0));
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {}));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "alice"}) == ListReply("0", {}));
  CHECK(Stats(h, "demo") == Want({{"allocated", 1}, {"deleted", 1}, {"validate_failed", 1}}));
  CHECK(h.Run({"SESSION.DELETE", "demo"}) == Arity("session.delete"));
  CHECK(h.Run({"SESSION.DELETE", "demo", "a\x1b"}) == Err(kBadSessionId));
  CHECK(h.Run({"SESSION.DELETE", "a b", "d1"}) == Err(kBadSandbox));
  // A plain string under the prefix is not a session to delete.
  CHECK(h.Run({"SET", "session:plain", "x"}) == kOk);
  CHECK(h.Run({"SESSION.DELETE", "demo", "plain"}) == Int(0));
  CHECK(h.Run({"GET", "session:plain"}) == Bulk("x"));
}

// ============================================================================
// SESSION.LIST, SESSION.REVOKE
// ============================================================================

TEST_CASE("LIST: a cursor walk reports every session exactly once; USER filters") {
  CmdHarness h;
  std::vector<std::string> all;
  std::vector<std::string> of_u3;
  for (int i = 0; i < 1000; ++i) {
    const std::string user = "u" + std::to_string(i % 10);
    const std::string id = Alloc(h, {"demo", "USER", user});
    all.push_back(id);
    if (i % 10 == 3) of_u3.push_back(id);
  }
  for (int i = 0; i < 5; ++i) Alloc(h, {"other", "USER", "u3"});
  all = Sorted(all);
  of_u3 = Sorted(of_u3);
  for (std::string_view count : {"1", "7", "10", "100", "5000"}) {
    CAPTURE(count);
    size_t calls = 0;
    const std::vector<std::string> got = ListAll(h, {"SESSION.LIST", "demo"}, count, &calls);
    CHECK(got.size() == 1000);  // no duplicates
    CHECK(Sorted(got) == all);
    if (count == "1") CHECK(calls > 50);  // COUNT bounds the page
    const std::vector<std::string> users =
        ListAll(h, {"SESSION.LIST", "demo", "USER", "u3"}, count, &calls);
    CHECK(users.size() == 100);
    CHECK(Sorted(users) == of_u3);
    if (count == "1") CHECK(calls >= 100);
    if (count == "5000") CHECK(calls == 1);
  }
  // Without options: COUNT defaults, cursor starts at 0.
  const Resp first = Parse(h.Run({"SESSION.LIST", "demo"}));
  REQUIRE(first.items.size() == 2);
  CHECK(first.items[0].str != "0");
  CHECK(!first.items[1].items.empty());
  CHECK(ListAll(h, {"SESSION.LIST", "other"}, "10").size() == 5);
  CHECK(ListAll(h, {"SESSION.LIST", "other", "USER", "u3"}, "2").size() == 5);
  // Unknown sandbox or user: an empty, finished iteration.
  CHECK(h.Run({"SESSION.LIST", "nobody"}) == ListReply("0", {}));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "nobody"}) == ListReply("0", {}));
  CHECK(h.Run({"SESSION.LIST", "other", "USER", "u4"}) == ListReply("0", {}));
  CHECK(h.Run({"SESSION.LIST", "demo", "CURSOR", "18446744073709551615", "COUNT", "1"})[0] == '*');
  // LIST is read-only.
  CHECK(Stats(h, "demo") == Want({{"active_sessions", 1000}, {"users", 10}, {"allocated", 1000}}));
}

TEST_CASE("LIST: expired sessions are not reported; errors") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "short", "USER", "alice", "TTL", "1"});
  Alloc(h, {"demo", "ID", "long", "USER", "alice", "TTL", "100"});
  CHECK(Sorted(ListAll(h, {"SESSION.LIST", "demo"}, "10")) ==
        std::vector<std::string>{"long", "short"});
  h.clock().AdvanceMs(1001);  // expired, not yet reclaimed
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {"long"}));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "alice"}) == ListReply("0", {"long"}));

  const std::string before = Snapshot(h);
  CHECK(h.Run({"SESSION.LIST"}) == Arity("session.list"));
  CHECK(h.Run({"SESSION.LIST", "demo", "CURSOR", "abc"}) == Err("ERR invalid cursor"));
  CHECK(h.Run({"SESSION.LIST", "demo", "CURSOR", "-1"}) == Err("ERR invalid cursor"));
  CHECK(h.Run({"SESSION.LIST", "demo", "CURSOR", ""}) == Err("ERR invalid cursor"));
  CHECK(h.Run({"SESSION.LIST", "demo", "CURSOR", "18446744073709551616"}) ==
        Err("ERR invalid cursor"));
  CHECK(h.Run({"SESSION.LIST", "demo", "COUNT", "0"}) ==
        Err("ERR COUNT must be a positive integer"));
  CHECK(h.Run({"SESSION.LIST", "demo", "COUNT", "-3"}) ==
        Err("ERR COUNT must be a positive integer"));
  CHECK(h.Run({"SESSION.LIST", "demo", "COUNT"}) == Err("ERR option 'COUNT' needs a value"));
  CHECK(h.Run({"SESSION.LIST", "demo", "CURSOR"}) == Err("ERR option 'CURSOR' needs a value"));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER"}) == Err("ERR option 'USER' needs a value"));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "a b"}) == Err(kBadUserId));
  CHECK(h.Run({"SESSION.LIST", "demo", "MATCH", "*"}) == Err("ERR unknown option 'MATCH'"));
  CHECK(h.Run({"SESSION.LIST", "de/mo"}) == Err(kBadSandbox));
  CHECK(Snapshot(h) == before);
}

TEST_CASE("REVOKE: deletes every session of a user in one sandbox only") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "a1", "USER", "alice"});
  Alloc(h, {"demo", "ID", "a2", "USER", "alice"});
  Alloc(h, {"demo", "ID", "a3", "USER", "alice", "TTL", "5"});
  Alloc(h, {"demo", "ID", "b1", "USER", "bob"});
  Alloc(h, {"demo", "ID", "n1"});
  Alloc(h, {"other", "ID", "oa", "USER", "alice"});
  CHECK(Stats(h, "demo") == Want({{"active_sessions", 5}, {"users", 2}, {"allocated", 5}}));
  CHECK(h.Run({"SESSION.REVOKE", "demo", "USER", "alice"}) == Int(3));
  for (std::string_view id : {"a1", "a2", "a3"}) {
    CHECK(h.Run({"EXISTS", "session:" + std::string(id)}) == Int(0));
  }
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "b1"}) == Int(1));
  CHECK(h.Run({"SESSION.VALIDATE", "other", "oa"}) == Int(1));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "alice"}) == ListReply("0", {}));
  CHECK(h.Run({"SESSION.LIST", "other", "USER", "alice"}) == ListReply("0", {"oa"}));
  CHECK(h.Run({"SESSION.REVOKE", "demo", "USER", "alice"}) == Int(0));
  CHECK(h.Run({"SESSION.REVOKE", "nobody", "USER", "alice"}) == Int(0));
  CHECK(h.Run({"SESSION.REVOKE", "demo", "user", "bob"}) == Int(1));
  CHECK(Stats(h, "demo") == Want({{"active_sessions", 1}, {"allocated", 5}, {"validated", 1},
                                  {"revoked", 4}}));
  CHECK(Stats(h, "other") ==
        Want({{"active_sessions", 1}, {"users", 1}, {"allocated", 1}, {"validated", 1}}));

  // Expired sessions are reclaimed, not counted as revoked.
  Alloc(h, {"demo", "ID", "c1", "USER", "carol", "TTL", "1"});
  Alloc(h, {"demo", "ID", "c2", "USER", "carol", "TTL", "100"});
  h.clock().AdvanceMs(1001);
  CHECK(h.Run({"SESSION.REVOKE", "demo", "USER", "carol"}) == Int(1));

  const std::string before = Snapshot(h);
  CHECK(h.Run({"SESSION.REVOKE", "demo", "USER"}) == Arity("session.revoke"));
  CHECK(h.Run({"SESSION.REVOKE", "demo", "ALL", "x"}) == Err("ERR unknown option 'ALL'"));
  CHECK(h.Run({"SESSION.REVOKE", "demo", "USER", "a\tb"}) == Err(kBadUserId));
  CHECK(h.Run({"SESSION.REVOKE", "", "USER", "x"}) == Err(kBadSandbox));
  CHECK(Snapshot(h) == before);
}

// ============================================================================
// SESSION.STATS, SESSION.CLEANUP, SESSION.ID
// ============================================================================

TEST_CASE("STATS: every counter, per sandbox and in total; exact reply bytes") {
  CmdHarness h;
  std::string zeros = "*24\r\n";
  for (std::string_view name : kStatNames) zeros += Bulk(name) + Int(0);
  CHECK(h.Run({"SESSION.STATS"}) == zeros);
  CHECK(h.Run({"SESSION.STATS", "nobody"}) == zeros);
  h.client().protocol = 3;
  CHECK(h.Run({"SESSION.STATS"}) == "%12\r\n" + zeros.substr(5));
  h.client().protocol = 2;

  Alloc(h, {"a", "ID", "a1", "USER", "alice", "TTL", "10"});
  Alloc(h, {"a", "ID", "a2", "USER", "alice"});
  Alloc(h, {"a", "ID", "a3", "USER", "bob"});
  Alloc(h, {"a", "ID", "a4"});
  Alloc(h, {"b", "ID", "b1", "USER", "alice"});
  Alloc(h, {"b", "ID", "b2", "USER", "carol"});
  CHECK(h.Run({"SESSION.VALIDATE", "a", "a2"}) == Int(1));
  CHECK(h.Run({"SESSION.VALIDATE", "a", "b1"}) == Int(0));
  CHECK(h.Run({"SESSION.VALIDATE", "b", "b1"}) == Int(1));
  CHECK(h.Run({"SESSION.UPDATE", "a", "a2", "{}"}) == Int(1));
  CHECK(h.Run({"SESSION.EXTEND", "b", "b2", "5"}) == Int(86405));
  CHECK(h.Run({"SESSION.DELETE", "a", "a4"}) == Int(1));
  CHECK(h.Run({"SESSION.REVOKE", "b", "USER", "carol"}) == Int(1));
  const std::string token = RunBulk(h, {"SESSION.CSRF.ISSUE", "a", "a2"});
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "a", "a2", token}) == Int(1));
  CHECK(h.Run({"SESSION.CSRF.VERIFY", "a", "a3", token}) == Int(0));
  CHECK(h.Run({"SESSION.CSRF.PAIR", "b", "b1"})[0] == '*');
  CHECK(h.Run({"SESSION.CSRF.CHECKPAIR", "b", "b1", "x.y", "z"}) == Int(0));
  h.clock().AdvanceMs(10001);
  h.ExpireAll();  // a1 expires

  CHECK(Stats(h, "a") == Want({{"active_sessions", 2}, {"users", 2}, {"allocated", 4},
                               {"validated", 1}, {"validate_failed", 1}, {"updated", 1},
                               {"deleted", 1}, {"expired", 1}, {"csrf_issued", 1},
                               {"csrf_rejected", 1}}));
  CHECK(Stats(h, "b") == Want({{"active_sessions", 1}, {"users", 1}, {"allocated", 2},
                               {"validated", 1}, {"extended", 1}, {"revoked", 1},
                               {"csrf_issued", 1}, {"csrf_rejected", 1}}));
  CHECK(Stats(h) == Want({{"active_sessions", 3}, {"users", 3}, {"allocated", 6},
                          {"validated", 2}, {"validate_failed", 1}, {"updated", 1},
                          {"extended", 1}, {"deleted", 1}, {"revoked", 1}, {"expired", 1},
                          {"csrf_issued", 2}, {"csrf_rejected", 2}}));

  CHECK(h.Run({"SESSION.STATS", "a", "b"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SESSION.STATS", "a b"}) == Err(kBadSandbox));
  // Per database.
  CHECK(h.Run({"SELECT", "1"}) == kOk);
  CHECK(h.Run({"SESSION.STATS"}) == zeros);
}

TEST_CASE("CLEANUP: purges sessions past their deadline now, per sandbox or all") {
  CmdHarness h;
  for (int i = 0; i < 3; ++i) Alloc(h, {"a", "USER", "alice", "TTL", "1"});
  Alloc(h, {"b", "TTL", "1"});
  const std::string keep = Alloc(h, {"a", "USER", "alice", "TTL", "100"});
  CHECK(h.Run({"SESSION.CLEANUP"}) == Int(0));  // nothing due yet
  h.clock().AdvanceMs(1001);
  CHECK(h.Run({"SESSION.CLEANUP", "a"}) == Int(3));
  CHECK(h.Run({"SESSION.CLEANUP", "a"}) == Int(0));
  CHECK(h.Run({"DBSIZE"}) == Int(2));
  CHECK(h.Run({"SESSION.CLEANUP"}) == Int(1));
  CHECK(h.Run({"SESSION.CLEANUP"}) == Int(0));
  CHECK(h.Run({"SESSION.CLEANUP", "nobody"}) == Int(0));
  CHECK(h.Run({"DBSIZE"}) == Int(1));
  CHECK(Stats(h, "a") ==
        Want({{"active_sessions", 1}, {"users", 1}, {"allocated", 4}, {"expired", 3}}));
  CHECK(Stats(h, "b") == Want({{"allocated", 1}, {"expired", 1}}));
  CHECK(h.Run({"SESSION.LIST", "a"}) == ListReply("0", {keep}));
  CHECK(h.Run({"SESSION.CLEANUP", "a", "b"}) == Err("ERR syntax error"));
  CHECK(h.Run({"SESSION.CLEANUP", "a\xC3\xA9"}) == Err(kBadSandbox));
}

TEST_CASE("SESSION.ID: argument errors; creates nothing") {
  CmdHarness h;
  CHECK(h.Run({"SESSION.ID", "FORMAT"}) == Err("ERR option 'FORMAT' needs a value"));
  CHECK(h.Run({"SESSION.ID", "FORMAT", "nope"}) == Err(BadFormat("nope")));
  CHECK(h.Run({"SESSION.ID", "FORMAT", ""}) == Err(BadFormat("")));
  CHECK(h.Run({"SESSION.ID", "TYPE", "uuid"}) == Err("ERR unknown option 'TYPE'"));
  CHECK(h.Run({"SESSION.ID", "FORMAT", "uuid", "x"}) == Err("ERR syntax error"));
  CHECK(HasFormat(RunBulk(h, {"SESSION.ID", "format", "API_KEY"}), "api_key"));
  CHECK(RunBulk(h, {"SESSION.ID"}) != RunBulk(h, {"SESSION.ID"}));
  CHECK(h.Run({"DBSIZE"}) == Int(0));
  CHECK(Stats(h) == Want({}));
}

// ============================================================================
// Interop with chuk-sessions through the string commands
// ============================================================================

TEST_CASE("interop: a chuk-sessions record written with SETEX is a session") {
  CmdHarness h;
  const int64_t created = kT0Us - 100 * kSecUs + 411935;
  const int64_t expires = created + 3600 * kSecUs;
  const std::string json = Record("sess-chuk", "demo", "alice", created, expires, created);
  CHECK(json.find("\"created_at\": \"2023-11-14T22:11:40.411935Z\"") != std::string::npos);
  CHECK(h.Run({"SETEX", "session:sess-chuk", "3500", json}) == kOk);
  CHECK(Stats(h, "demo") == Want({{"active_sessions", 1}, {"users", 1}}));
  CHECK(h.Run({"SESSION.INFO", "demo", "sess-chuk"}) == Bulk(json));
  CHECK(h.Run({"SESSION.INFO", "other", "sess-chuk"}) == kNil);
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {"sess-chuk"}));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "alice"}) == ListReply("0", {"sess-chuk"}));
  CHECK(h.Run({"SESSION.VALIDATE", "other", "sess-chuk"}) == Int(0));

  h.clock().AdvanceMs(1000);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "sess-chuk"}) == Int(1));
  const std::string touched =
      Record("sess-chuk", "demo", "alice", created, expires, kT0Us + kSecUs);
  CHECK(Get(h, "session:sess-chuk") == touched);
  CHECK(h.Run({"TTL", "session:sess-chuk"}) == Int(3499));  // ends at expires_at

  CHECK(h.Run({"SESSION.UPDATE", "demo", "sess-chuk", R"({"theme":"dark"})"}) == Int(1));
  CHECK(Get(h, "session:sess-chuk") ==
        Record("sess-chuk", "demo", "alice", created, expires, kT0Us + kSecUs,
               R"({"theme": "dark"})"));
  CHECK(h.Run({"SESSION.EXTEND", "demo", "sess-chuk", "60"}) == Int(3559));
  CHECK(Get(h, "session:sess-chuk") ==
        Record("sess-chuk", "demo", "alice", created, expires + 60 * kSecUs, kT0Us + kSecUs,
               R"({"theme": "dark"})"));
  CHECK(h.Run({"SESSION.REVOKE", "demo", "USER", "alice"}) == Int(1));
  CHECK(h.Run({"EXISTS", "session:sess-chuk"}) == Int(0));
  CHECK(Stats(h, "demo") == Want({{"validated", 1}, {"updated", 1}, {"extended", 1},
                                  {"revoked", 1}, {"validate_failed", 0}}));

  // ALLOCATE ID of a chuk record: touched and returned in its sandbox only.
  const std::string again = Record("sess-again", "demo", "bob", kT0Us, kT0Us + 60 * kSecUs,
                                   kT0Us, R"({"k": 1})");
  CHECK(h.Run({"SETEX", "session:sess-again", "59", again}) == kOk);
  CHECK(h.Run({"SESSION.ALLOCATE", "other", "ID", "sess-again"}) ==
        Err("ERR session id already in use"));
  CHECK(Get(h, "session:sess-again") == again);
  CHECK(h.Run({"SESSION.ALLOCATE", "demo", "ID", "sess-again", "USER", "eve", "TTL", "5"}) ==
        Bulk("sess-again"));
  CHECK(Get(h, "session:sess-again") == Record("sess-again", "demo", "bob", kT0Us,
                                               kT0Us + 60 * kSecUs, kT0Us + kSecUs, R"({"k": 1})"));
  CHECK(h.Run({"SESSION.DELETE", "demo", "sess-again"}) == Int(1));

  // A chuk record with metadata and no user; DELETE and CSRF work on it too.
  const std::string anon = Record("sess-anon", "demo", nullptr, kT0Us, kT0Us + 60 * kSecUs,
                                  kT0Us, R"({"cart": [1, 2], "n": 1.5})");
  CHECK(h.Run({"SETEX", "session:sess-anon", "60", anon}) == kOk);
  CHECK(h.Run({"SESSION.INFO", "demo", "sess-anon", "MAP"}).ends_with(
      Bulk(R"({"cart": [1, 2], "n": 1.5})")));
  CHECK(h.Run({"SESSION.UPDATE", "demo", "sess-anon", R"({"n": 2})"}) == Int(1));
  CHECK(h.Run({"SESSION.INFO", "demo", "sess-anon", "MAP"}).ends_with(
      Bulk(R"({"cart": [1, 2], "n": 2})")));
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "sess-anon"})[0] == '$');
  CHECK(h.Run({"SESSION.DELETE", "demo", "sess-anon"}) == Int(1));
  CHECK(h.Run({"DBSIZE"}) == Int(0));
}

TEST_CASE("interop: values under the prefix that are not such records are no sessions") {
  CmdHarness h;
  // session_id differs from the key.
  const std::string other_id = Record("xyz", "demo", "alice", kT0Us, kT0Us + 60 * kSecUs, kT0Us);
  CHECK(h.Run({"SETEX", "session:abc", "60", other_id}) == kOk);
  // Not JSON, not an object, a missing field.
  CHECK(h.Run({"SET", "session:text", "hello"}) == kOk);
  CHECK(h.Run({"SET", "session:arr", "[1]"}) == kOk);
  std::string no_sandbox = Record("nosb", "demo", "alice", kT0Us, kT0Us + 60 * kSecUs, kT0Us);
  no_sandbox.replace(no_sandbox.find("\"sandbox_id\""), 12, "\"tenant\"");
  CHECK(h.Run({"SET", "session:nosb", no_sandbox}) == kOk);
  // A valid record outside the prefix.
  const std::string outside = Record("out", "demo", "alice", kT0Us, kT0Us + 60 * kSecUs, kT0Us);
  CHECK(h.Run({"SET", "out", outside}) == kOk);

  for (std::string_view id : {"abc", "xyz", "text", "arr", "nosb", "out"}) {
    CAPTURE(id);
    CHECK(h.Run({"SESSION.VALIDATE", "demo", id}) == Int(0));
    CHECK(h.Run({"SESSION.INFO", "demo", id}) == kNil);
    CHECK(h.Run({"SESSION.UPDATE", "demo", id, "{}"}) == Int(0));
    CHECK(h.Run({"SESSION.EXTEND", "demo", id, "5"}) == kNil);
    CHECK(h.Run({"SESSION.DELETE", "demo", id}) == Int(0));
  }
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {}));
  CHECK(h.Run({"SESSION.REVOKE", "demo", "USER", "alice"}) == Int(0));
  CHECK(h.Run({"GET", "session:abc"}) == Bulk(other_id));
  CHECK(h.Run({"GET", "session:text"}) == Bulk("hello"));
  CHECK(h.Run({"DBSIZE"}) == Int(5));
  // No session was ever made in "demo", so its failed validations are not
  // recorded (see VALIDATE above).
  CHECK(Stats(h, "demo") == Want({}));
}

TEST_CASE("interop: a chuk record past its own expires_at is expired, and its id reusable") {
  CmdHarness h;
  // The key outlives the record's expires_at (a client's clock, a long SETEX).
  const std::string stale = Record("stale", "demo", "alice", kT0Us - 7200 * kSecUs,
                                   kT0Us - 3600 * kSecUs, kT0Us - 7200 * kSecUs);
  CHECK(h.Run({"SETEX", "session:stale", "600", stale}) == kOk);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "stale"}) == Int(0));
  CHECK(h.Run({"SESSION.INFO", "demo", "stale"}) == kNil);
  CHECK(h.Run({"SESSION.EXTEND", "demo", "stale", "10"}) == kNil);
  CHECK(h.Run({"SESSION.CSRF.ISSUE", "demo", "stale"}) == kNil);
  // Allocating the id makes a new session (it used to crash here).
  CHECK(h.Run({"SESSION.ALLOCATE", "demo", "ID", "stale", "TTL", "30"}) == Bulk("stale"));
  CHECK(Get(h, "session:stale") ==
        Record("stale", "demo", nullptr, kT0Us, kT0Us + 30 * kSecUs, kT0Us));
  CHECK(h.Run({"PTTL", "session:stale"}) == Int(30000));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "stale"}) == Int(1));

  // Likewise from another sandbox: an expired record holds no claim.
  std::string stale2 = stale;
  stale2.replace(stale2.find("\"stale\""), 7, "\"stale2\"");
  CHECK(h.Run({"SETEX", "session:stale2", "600", stale2}) == kOk);
  CHECK(h.Run({"SESSION.ALLOCATE", "other", "ID", "stale2"}) == Bulk("stale2"));
  CHECK(h.Run({"SESSION.VALIDATE", "other", "stale2"}) == Int(1));
}

TEST_CASE("the string face: GET, STRLEN, GETRANGE, MGET, TYPE read the JSON") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "s", "USER", "alice", "TTL", "60"});
  const std::string json = Record("s", "demo", "alice", kT0Us, kT0Us + 60 * kSecUs, kT0Us);
  CHECK(h.Run({"GET", "session:s"}) == Bulk(json));
  CHECK(h.Run({"STRLEN", "session:s"}) == Int(static_cast<int64_t>(json.size())));
  CHECK(h.Run({"GETRANGE", "session:s", "0", "13"}) == Bulk(R"({"session_id":)"));
  CHECK(h.Run({"GETRANGE", "session:s", "-3", "-1"}) == Bulk("{}}"));
  CHECK(h.Run({"MGET", "session:s", "nope", "session:s"}) ==
        "*3\r\n" + Bulk(json) + kNil + Bulk(json));
  CHECK(h.Run({"TYPE", "session:s"}) == "+string\r\n");
  CHECK(h.Run({"EXISTS", "session:s"}) == Int(1));
  CHECK(h.Run({"TTL", "session:s"}) == Int(60));
  // GETDEL reads it too, and the index forgets it.
  CHECK(h.Run({"GETDEL", "session:s"}) == Bulk(json));
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {}));
  CHECK(Stats(h, "demo") == Want({{"allocated", 1}}));
}

TEST_CASE("empty APPEND / SETRANGE leave a record as it is; EXPIRE and PERSIST keep expires_at") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "keep", "TTL", "100", "IDLE", "10"});
  const std::string key = "session:keep";
  const std::string json = Get(h, key);
  const auto len = static_cast<int64_t>(json.size());
  // Redis answers the length and changes nothing; the record stays binary,
  // so its IDLE still slides the deadline afterwards.
  CHECK(h.Run({"APPEND", key, ""}) == Int(len));
  CHECK(h.Run({"SETRANGE", key, "0", ""}) == Int(len));
  CHECK(Get(h, key) == json);
  h.clock().AdvanceMs(5000);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "keep"}) == Int(1));
  CHECK(Pttl(h, key) == 10000);

  // EXPIRE moves the key's deadline and the record's expires_at with it.
  CHECK(h.Run({"PEXPIRE", key, "60000"}) == Int(1));
  CHECK(Get(h, key) ==
        Record("keep", "demo", nullptr, kT0Us, kT0Us + 65 * kSecUs, kT0Us + 5 * kSecUs));
  // PERSIST: the key no longer expires and the session stays valid past the
  // old expires_at (the key's deadline is what a binary record lives by).
  CHECK(h.Run({"PERSIST", key}) == Int(1));
  h.clock().AdvanceMs(70000);
  CHECK(h.Run({"SESSION.INFO", "demo", "keep"}) != "$-1\r\n");
  CHECK(h.Run({"TTL", key}) == Int(-1));
}

TEST_CASE("APPEND, SETRANGE, INCR on a session key") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "ap", "USER", "alice", "TTL", "100"});
  const std::string json = Get(h, "session:ap");
  // APPEND breaks the JSON: a plain string now, out of the index; TTL kept.
  CHECK(h.Run({"APPEND", "session:ap", "x"}) == Int(static_cast<int64_t>(json.size() + 1)));
  CHECK(Get(h, "session:ap") == json + "x");
  CHECK(h.Run({"PTTL", "session:ap"}) == Int(100000));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "ap"}) == Int(0));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "alice"}) == ListReply("0", {}));
  CHECK(Stats(h, "demo") == Want({{"allocated", 1}, {"validate_failed", 1}}));

  // SETRANGE that keeps a valid record: still a session (as JSON text).
  Alloc(h, {"demo", "ID", "sr", "USER", "alice", "TTL", "100"});
  const std::string sr = Get(h, "session:sr");
  CHECK(h.Run({"SETRANGE", "session:sr", "0", "{"}) == Int(static_cast<int64_t>(sr.size())));
  CHECK(Get(h, "session:sr") == sr);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "sr"}) == Int(1));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "alice"}) == ListReply("0", {"sr"}));
  // Changing the user through the bytes moves it in the user index.
  const size_t at = sr.find("\"alice\"");
  REQUIRE(at != std::string::npos);
  CHECK(h.Run({"SETRANGE", "session:sr", std::to_string(at + 1), "ALICE"})[0] == ':');
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "alice"}) == ListReply("0", {}));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "ALICE"}) == ListReply("0", {"sr"}));
  // SETRANGE that breaks it: out of the index.
  CHECK(h.Run({"SETRANGE", "session:sr", "0", "["}) == Int(static_cast<int64_t>(sr.size())));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "sr"}) == Int(0));
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {}));

  // INCR and friends fail on the JSON text and leave the session alone.
  Alloc(h, {"demo", "ID", "in", "TTL", "100", "IDLE", "10"});
  const std::string in = Get(h, "session:in");
  CHECK(h.Run({"INCR", "session:in"}) == Err("ERR value is not an integer or out of range"));
  CHECK(h.Run({"DECRBY", "session:in", "2"}) ==
        Err("ERR value is not an integer or out of range"));
  CHECK(h.Run({"INCRBYFLOAT", "session:in", "1"}) == Err("ERR value is not a valid float"));
  CHECK(Get(h, "session:in") == in);
  h.clock().AdvanceMs(5000);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "in"}) == Int(1));
  CHECK(Pttl(h, "session:in") == 10000);  // still sliding: still the binary record
  CHECK(Stats(h, "demo") == Want({{"active_sessions", 1}, {"allocated", 3}, {"validated", 2},
                                  {"validate_failed", 2}}));
}

TEST_CASE("RENAME of a session key; SET over one; a record renamed into place") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "r1", "USER", "alice", "TTL", "100"});
  const std::string json = Get(h, "session:r1");
  // Under another id the record's session_id no longer matches: no session.
  CHECK(h.Run({"RENAME", "session:r1", "session:r2"}) == kOk);
  CHECK(Get(h, "session:r2") == json);
  CHECK(h.Run({"PTTL", "session:r2"}) == Int(100000));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "r1"}) == Int(0));
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "r2"}) == Int(0));
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {}));
  CHECK(Stats(h, "demo") == Want({{"allocated", 1}, {"validate_failed", 2}}));
  // Renamed back, it is the session again (now as JSON text).
  CHECK(h.Run({"RENAME", "session:r2", "session:r1"}) == kOk);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "r1"}) == Int(1));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "alice"}) == ListReply("0", {"r1"}));
  // Out of the prefix: gone from the index.
  CHECK(h.Run({"RENAME", "session:r1", "backup"}) == kOk);
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {}));
  CHECK(Stats(h, "demo").starts_with("active_sessions=0 users=0 "));
  // A matching record renamed into the prefix becomes a session.
  const std::string staged = Record("r3", "demo", "bob", kT0Us, kT0Us + 50 * kSecUs, kT0Us);
  CHECK(h.Run({"SET", "staging", staged}) == kOk);
  CHECK(h.Run({"RENAME", "staging", "session:r3"}) == kOk);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "r3"}) == Int(1));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "bob"}) == ListReply("0", {"r3"}));
  // A session renamed over another replaces it in the index.
  Alloc(h, {"demo", "ID", "r4", "USER", "carol"});
  CHECK(h.Run({"RENAME", "session:r4", "session:r3"}) == kOk);
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {}));
  CHECK(Stats(h, "demo").starts_with("active_sessions=0 users=0 "));
  // SET over a session makes it the plain value.
  Alloc(h, {"demo", "ID", "r5", "USER", "dave"});
  CHECK(h.Run({"SET", "session:r5", "plain"}) == kOk);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "r5"}) == Int(0));
  CHECK(Stats(h, "demo").starts_with("active_sessions=0 users=0 "));
}

TEST_CASE("DEL, expiry and FLUSHDB remove sessions from the index") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "k1", "USER", "alice"});
  Alloc(h, {"demo", "ID", "k2", "USER", "alice", "TTL", "5"});
  Alloc(h, {"other", "ID", "k3", "USER", "alice", "TTL", "5"});
  CHECK(h.Run({"DEL", "session:k1"}) == Int(1));
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {"k2"}));
  h.clock().AdvanceMs(5001);
  h.ExpireAll();
  CHECK(h.Run({"DBSIZE"}) == Int(0));
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {}));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "alice"}) == ListReply("0", {}));
  // (DEL is no SESSION.DELETE: whether `deleted` counts it is left open.)
  CHECK(Stats(h, "demo").starts_with("active_sessions=0 users=0 allocated=2 "));
  CHECK(StatOf(h, "demo", "expired") == 1);
  CHECK(Stats(h, "other") == Want({{"allocated", 1}, {"expired", 1}}));

  // Lazy expiry (a lookup past the deadline) counts too.
  Alloc(h, {"demo", "ID", "k4", "TTL", "1"});
  h.clock().AdvanceMs(1001);
  CHECK(h.Run({"GET", "session:k4"}) == kNil);
  CHECK(StatOf(h, "demo", "expired") == 2);
  CHECK(StatOf(h, "demo", "active_sessions") == 0);

  // FLUSHDB empties the index; allocating afterwards works as before.
  for (int i = 0; i < 20; ++i) Alloc(h, {"demo", "USER", "u" + std::to_string(i % 3)});
  CHECK(h.Run({"FLUSHDB"}) == kOk);
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {}));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "u1"}) == ListReply("0", {}));
  CHECK(Stats(h, "demo").starts_with("active_sessions=0 users=0 "));
  CHECK(h.Run({"SESSION.CLEANUP"}) == Int(0));
  const std::string fresh = Alloc(h, {"demo", "USER", "u1"});
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "u1"}) == ListReply("0", {fresh}));
  CHECK(Stats(h, "demo").starts_with("active_sessions=1 users=1 "));
  // FLUSHALL too.
  CHECK(h.Run({"FLUSHALL"}) == kOk);
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {}));
}

TEST_CASE("sessions belong to the selected database") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "db0", "USER", "alice"});
  CHECK(h.Run({"SELECT", "1"}) == kOk);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "db0"}) == Int(0));
  CHECK(h.Run({"SESSION.LIST", "demo"}) == ListReply("0", {}));
  CHECK(h.Run({"SESSION.ALLOCATE", "other", "ID", "db0"}) == Bulk("db0"));
  CHECK(h.Run({"SESSION.LIST", "other"}) == ListReply("0", {"db0"}));
  CHECK(h.Run({"FLUSHDB"}) == kOk);
  CHECK(h.Run({"SELECT", "0"}) == kOk);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "db0"}) == Int(1));
  CHECK(h.Run({"SESSION.LIST", "demo", "USER", "alice"}) == ListReply("0", {"db0"}));
}

TEST_CASE("a configured session prefix") {
  ss::Config config = TestConfig();
  config.session_prefix = "sess/";
  CmdHarness h(config);
  Alloc(h, {"demo", "ID", "p1"});
  CHECK(h.Run({"EXISTS", "sess/p1"}) == Int(1));
  CHECK(h.Run({"EXISTS", "session:p1"}) == Int(0));
  CHECK(Get(h, "sess/p1") == Record("p1", "demo", nullptr, kT0Us, kT0Us + 86400 * kSecUs, kT0Us));
  const std::string chuk = Record("p2", "demo", "x", kT0Us, kT0Us + 60 * kSecUs, kT0Us);
  CHECK(h.Run({"SETEX", "session:p2", "60", chuk}) == kOk);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "p2"}) == Int(0));
  CHECK(h.Run({"SETEX", "sess/p2", "60", chuk}) == kOk);
  CHECK(h.Run({"SESSION.VALIDATE", "demo", "p2"}) == Int(1));
  CHECK(Sorted(ListAll(h, {"SESSION.LIST", "demo"}, "10")) == std::vector<std::string>{"p1", "p2"});
}

// ============================================================================
// CSRF and sealed tokens
// ============================================================================


}  // namespace
