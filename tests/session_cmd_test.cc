// SESSION.* commands through the real command table (docs/sessions.md,
// issue 4): exact reply bytes, the chuk-sessions JSON contract, sliding
// expiry on the manual clock, the index under plain string commands, and
// CSRF tokens checked against an independent HMAC (OpenSSL's one-shot).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cmd_harness.h"

namespace {

using ss::test::CmdHarness;
using ss::test::TestConfig;

constexpr int64_t kT0Ms = 1'700'000'000'000;  // ManualClock's start
constexpr int64_t kT0Us = kT0Ms * 1000;
constexpr int64_t kSecUs = 1'000'000;
constexpr std::string_view kSecret = "harness-secret";

const std::string kNil = "$-1\r\n";
const std::string kNil3 = "_\r\n";
const std::string kOk = "+OK\r\n";

std::string Int(int64_t v) { return ":" + std::to_string(v) + "\r\n"; }
std::string Err(std::string_view s) { return "-" + std::string(s) + "\r\n"; }
std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
std::string ListReply(std::string_view cursor, std::initializer_list<std::string_view> ids) {
  std::string out = "*2\r\n" + Bulk(cursor) + "*" + std::to_string(ids.size()) + "\r\n";
  for (std::string_view id : ids) out += Bulk(id);
  return out;
}

const std::string kBadSandbox = "ERR invalid sandbox id: must match [A-Za-z0-9._:-]{1,128}";
const std::string kBadSessionId =
    "ERR invalid session id: 1 to 256 bytes of UTF-8 without whitespace or control characters";
const std::string kBadUserId =
    "ERR invalid user id: 1 to 256 bytes of UTF-8 without whitespace or control characters";
const std::string kBadFormat =
    "ERR unknown id format '%' (generic, mcp, http, websocket, jwt, uuid, api_key, temp_token)";
std::string BadFormat(std::string_view name) {
  std::string s = kBadFormat;
  return s.replace(s.find('%'), 1, name);
}
std::string Arity(std::string_view cmd) {
  return Err("ERR wrong number of arguments for '" + std::string(cmd) + "' command");
}

// ---- a small RESP reader ---------------------------------------------------

struct Resp {
  char type = 0;  // '+', '-', ':', '$', '*', '%' or '_' (any null)
  std::string str;
  int64_t num = 0;
  std::vector<Resp> items;  // '*' elements; '%' keys and values alternating
};

Resp ParseAt(const std::string& r, size_t* pos) {
  REQUIRE(*pos < r.size());
  Resp v;
  v.type = r[*pos];
  const size_t end = r.find("\r\n", *pos);
  REQUIRE(end != std::string::npos);
  const std::string head = r.substr(*pos + 1, end - *pos - 1);
  *pos = end + 2;
  switch (v.type) {
    case '+':
    case '-':
      v.str = head;
      break;
    case ':':
      v.num = std::stoll(head);
      break;
    case '_':
      break;
    case '$': {
      const int64_t n = std::stoll(head);
      if (n < 0) {
        v.type = '_';
        break;
      }
      v.str = r.substr(*pos, static_cast<size_t>(n));
      REQUIRE(r.compare(*pos + static_cast<size_t>(n), 2, "\r\n") == 0);
      *pos += static_cast<size_t>(n) + 2;
      break;
    }
    case '*':
    case '%': {
      int64_t n = std::stoll(head);
      if (n < 0) {
        v.type = '_';
        break;
      }
      if (v.type == '%') n *= 2;
      for (int64_t i = 0; i < n; ++i) v.items.push_back(ParseAt(r, pos));
      break;
    }
    default:
      FAIL("unexpected RESP type in " << r);
  }
  return v;
}

Resp Parse(const std::string& r) {
  size_t pos = 0;
  Resp v = ParseAt(r, &pos);
  REQUIRE(pos == r.size());
  return v;
}

// The bulk string a command answers (fails the test on anything else).
std::string RunBulk(CmdHarness& h, const std::vector<std::string_view>& args) {
  const std::string r = h.Run(args);
  INFO("reply: " << r);
  REQUIRE(!r.empty());
  REQUIRE(r[0] == '$');
  Resp v = Parse(r);
  REQUIRE(v.type == '$');
  return v.str;
}

std::string Alloc(CmdHarness& h, std::vector<std::string_view> args) {
  args.insert(args.begin(), "SESSION.ALLOCATE");
  return RunBulk(h, args);
}

std::string Get(CmdHarness& h, std::string_view key) { return RunBulk(h, {"GET", key}); }

int64_t Pttl(CmdHarness& h, std::string_view key) {
  Resp v = Parse(h.Run({"PTTL", key}));
  REQUIRE(v.type == ':');
  return v.num;
}

// ---- expected values, written independently of src/session --------------

// Python's datetime.utcfromtimestamp(us / 1e6).isoformat() + "Z".
std::string Iso(int64_t us) {
  const time_t s = static_cast<time_t>(us / kSecUs);
  const int64_t frac = us % kSecUs;
  struct tm tm {};
  gmtime_r(&s, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof f, ".%06lld", static_cast<long long>(frac));
    out += f;
  }
  return out + "Z";
}

// json.dumps(SessionMetadata.model_dump()) for ASCII ids (no escaping).
std::string Record(std::string_view id, std::string_view sandbox, const char* user,
                   int64_t created_us, int64_t expires_us, int64_t accessed_us,
                   std::string_view meta = "{}") {
  std::string s = "{\"session_id\": \"" + std::string(id) + "\", \"sandbox_id\": \"" +
                  std::string(sandbox) + "\", \"user_id\": ";
  s += user == nullptr ? std::string("null") : "\"" + std::string(user) + "\"";
  s += ", \"created_at\": \"" + Iso(created_us) + "\", \"expires_at\": \"" + Iso(expires_us) +
       "\", \"status\": \"active\", \"last_accessed\": \"" + Iso(accessed_us) +
       "\", \"custom_metadata\": " + std::string(meta) + "}";
  return s;
}

std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

// hmac.new(key, msg, sha256).hexdigest()
std::string HmacHex(std::string_view key, std::string_view msg) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
               reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac,
               &len) != nullptr);
  REQUIRE(len == 32);
  return Hex(mac, len);
}

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// base64.urlsafe_b64encode(b).rstrip(b"=")
std::string B64Url(std::string_view bytes) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kB64[(acc << (6 - bits)) & 63];
  return out;
}

std::string B64UrlDecode(std::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const size_t v = kB64.find(c);
    REQUIRE(v != std::string_view::npos);
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

bool AllIn(std::string_view s, std::string_view alphabet) {
  return std::all_of(s.begin(), s.end(),
                     [&](char c) { return alphabet.find(c) != std::string_view::npos; });
}

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kMcpChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
constexpr std::string_view kLowerHex = "0123456789abcdef";

bool IsUuid4(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (kLowerHex.find(s[i]) == std::string_view::npos) {
      return false;
    }
  }
  return s[14] == '4' && std::string_view("89ab").find(s[19]) != std::string_view::npos;
}

// Whether id has the shape FORMAT `format` promises.
bool HasFormat(std::string_view id, std::string_view format) {
  auto prefixed = [&](std::string_view prefix, std::string_view alphabet, size_t n) {
    return id.size() == prefix.size() + n && id.starts_with(prefix) &&
           AllIn(id.substr(prefix.size()), alphabet);
  };
  if (format == "generic") return prefixed("sess-", kAlnum, 44);
  if (format == "mcp") return prefixed("mcp-", kMcpChars, 36);
  if (format == "http") return prefixed("http-", kUrlSafe, 32);
  if (format == "websocket") return prefixed("ws-", kUrlSafe, 32);
  if (format == "jwt") return prefixed("", kUrlSafe, 30);
  if (format == "uuid") return IsUuid4(id);
  if (format == "api_key") return prefixed("ak_", kLowerHex, 40);
  if (format == "temp_token") return prefixed("tmp_", kAlnum, 22);
  return false;
}

constexpr std::string_view kFormats[] = {"generic", "mcp",  "http",    "websocket",
                                         "jwt",     "uuid", "api_key", "temp_token"};

// ---- STATS, LIST, and "nothing changed" ----------------------------------

constexpr std::string_view kStatNames[] = {
    "active_sessions", "users",   "allocated", "validated", "validate_failed", "updated",
    "extended",        "deleted", "revoked",   "expired",   "csrf_issued",     "csrf_rejected"};

// The STATS map as "name=value ..." in reply order (RESP2 flat array).
std::string Stats(CmdHarness& h, std::string_view sandbox = {}) {
  const std::string r = sandbox.empty() ? h.Run({"SESSION.STATS"})
                                        : h.Run({"SESSION.STATS", sandbox});
  INFO("reply: " << r);
  Resp v = Parse(r);
  REQUIRE(v.type == '*');
  REQUIRE(v.items.size() % 2 == 0);
  std::string out;
  for (size_t i = 0; i < v.items.size(); i += 2) {
    REQUIRE(v.items[i].type == '$');
    REQUIRE(v.items[i + 1].type == ':');
    out += v.items[i].str + "=" + std::to_string(v.items[i + 1].num) + " ";
  }
  return out;
}

// One counter of the STATS map.
int64_t StatOf(CmdHarness& h, std::string_view sandbox, std::string_view name) {
  const std::string text = " " + Stats(h, sandbox);
  const std::string key = " " + std::string(name) + "=";
  const size_t at = text.find(key);
  REQUIRE(at != std::string::npos);
  return std::stoll(text.substr(at + key.size()));
}

// What Stats() must read: every counter 0 except those given.
std::string Want(std::initializer_list<std::pair<std::string_view, int64_t>> set) {
  std::string out;
  for (std::string_view name : kStatNames) {
    int64_t v = 0;
    for (const auto& [n, value] : set) {
      if (n == name) v = value;
    }
    out += std::string(name) + "=" + std::to_string(v) + " ";
  }
  return out;
}

// Everything an erroring command must leave alone.
std::string Snapshot(CmdHarness& h) {
  return h.Run({"DBSIZE"}) + h.Run({"SESSION.STATS"}) + h.Run({"KEYS", "*"});
}

// Every id SESSION.LIST reports, following the cursor to 0. `base` is
// {"SESSION.LIST", sandbox[, "USER", user]}.
std::vector<std::string> ListAll(CmdHarness& h, std::vector<std::string_view> base,
                                 std::string_view count, size_t* calls_out = nullptr) {
  std::vector<std::string> ids;
  std::string cursor = "0";
  // Bounded so a cursor that never returns to 0 fails instead of hanging.
  for (size_t calls = 1; calls <= 100000; ++calls) {
    std::vector<std::string_view> args = base;
    args.insert(args.end(), {"CURSOR", cursor, "COUNT", count});
    const std::string r = h.Run(args);
    INFO("reply: " << r);
    Resp v = Parse(r);
    REQUIRE(v.type == '*');
    REQUIRE(v.items.size() == 2);
    REQUIRE(v.items[0].type == '$');
    REQUIRE(v.items[1].type == '*');
    for (const Resp& id : v.items[1].items) ids.push_back(id.str);
    cursor = v.items[0].str;
    if (cursor == "0") {
      if (calls_out != nullptr) *calls_out = calls;
      return ids;
    }
  }
  FAIL("SESSION.LIST never returned cursor 0");
  return ids;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// ============================================================================
// SESSION.ALLOCATE
// ============================================================================

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
  CHECK(Stats(h, "other") == Want({{"validate_failed", 1}}));

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
  CHECK(Stats(h, "demo") == Want({{"validate_failed", 6}}));
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
namespace {
TEST_CASE("PROBE") {
  CmdHarness h;
  Alloc(h, {"demo", "ID", "x", "TTL", "100", "IDLE", "10"});
  MESSAGE(h.Run({"SETRANGE", "session:x", "0", ""}));
  h.clock().AdvanceMs(5000);
  MESSAGE(h.Run({"SESSION.VALIDATE", "demo", "x"}));
  MESSAGE(h.Run({"PTTL", "session:x"}));
  Alloc(h, {"demo", "ID", "y", "TTL", "100", "IDLE", "10"});
  MESSAGE(h.Run({"APPEND", "session:y", ""}));
  h.clock().AdvanceMs(5000);
  MESSAGE(h.Run({"SESSION.VALIDATE", "demo", "y"}));
  MESSAGE(h.Run({"PTTL", "session:y"}));
  // EXPIRE beyond expires_at
  Alloc(h, {"demo", "ID", "z", "TTL", "10"});
  MESSAGE(h.Run({"EXPIRE", "session:z", "1000"}));
  h.clock().AdvanceMs(11000);
  MESSAGE(h.Run({"SESSION.VALIDATE", "demo", "z"}));
  MESSAGE(h.Run({"SESSION.LIST", "demo"}));
  MESSAGE(h.Run({"SESSION.STATS", "demo"}));
  MESSAGE(h.Run({"SESSION.CLEANUP", "demo"}));
  MESSAGE(h.Run({"GET", "session:z"}));
  // PERSIST
  Alloc(h, {"demo", "ID", "w", "TTL", "10"});
  MESSAGE(h.Run({"PERSIST", "session:w"}));
  MESSAGE(h.Run({"SESSION.EXTEND", "demo", "w", "5"}));
  MESSAGE(h.Run({"TTL", "session:w"}));
  CHECK(true);
}
}
