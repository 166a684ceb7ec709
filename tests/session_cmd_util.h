// Shared helpers of the SESSION.* command tests (session_cmd_test.cc,
// csrf_cmd_test.cc): reply builders, a small RESP reader, the JSON record a
// session must read as, an independent HMAC/base64url, STATS snapshots.
#pragma once

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

#include <doctest/doctest.h>

#include "cmd_harness.h"

namespace ss::test::session_cmd {

using ss::test::CmdHarness;
using ss::test::TestConfig;

constexpr int64_t kT0Ms = 1'700'000'000'000;  // ManualClock's start
constexpr int64_t kT0Us = kT0Ms * 1000;
constexpr int64_t kSecUs = 1'000'000;
constexpr std::string_view kSecret = "harness-secret";

const std::string kNil = "$-1\r\n";
const std::string kNil3 = "_\r\n";
const std::string kOk = "+OK\r\n";

inline std::string Int(int64_t v) { return ":" + std::to_string(v) + "\r\n"; }
inline std::string Err(std::string_view s) { return "-" + std::string(s) + "\r\n"; }
inline std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
inline std::string ListReply(std::string_view cursor, std::initializer_list<std::string_view> ids) {
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
inline std::string BadFormat(std::string_view name) {
  std::string s = kBadFormat;
  return s.replace(s.find('%'), 1, name);
}
inline std::string Arity(std::string_view cmd) {
  return Err("ERR wrong number of arguments for '" + std::string(cmd) + "' command");
}

// ---- a small RESP reader ---------------------------------------------------

struct Resp {
  char type = 0;  // '+', '-', ':', '$', '*', '%' or '_' (any null)
  std::string str;
  int64_t num = 0;
  std::vector<Resp> items;  // '*' elements; '%' keys and values alternating
};

inline Resp ParseAt(const std::string& r, size_t* pos) {
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

inline Resp Parse(const std::string& r) {
  size_t pos = 0;
  Resp v = ParseAt(r, &pos);
  REQUIRE(pos == r.size());
  return v;
}

// The bulk string a command answers (fails the test on anything else).
inline std::string RunBulk(CmdHarness& h, const std::vector<std::string_view>& args) {
  const std::string r = h.Run(args);
  INFO("reply: " << r);
  REQUIRE(!r.empty());
  REQUIRE(r[0] == '$');
  Resp v = Parse(r);
  REQUIRE(v.type == '$');
  return v.str;
}

inline std::string Alloc(CmdHarness& h, std::vector<std::string_view> args) {
  args.insert(args.begin(), "SESSION.ALLOCATE");
  return RunBulk(h, args);
}

inline std::string Get(CmdHarness& h, std::string_view key) { return RunBulk(h, {"GET", key}); }

inline int64_t Pttl(CmdHarness& h, std::string_view key) {
  Resp v = Parse(h.Run({"PTTL", key}));
  REQUIRE(v.type == ':');
  return v.num;
}

// ---- expected values, written independently of src/session --------------

// Python's datetime.utcfromtimestamp(us / 1e6).isoformat() + "Z".
inline std::string Iso(int64_t us) {
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
inline std::string Record(std::string_view id, std::string_view sandbox, const char* user,
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

inline std::string Hex(const unsigned char* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

// hmac.new(key, msg, sha256).hexdigest()
inline std::string HmacHex(std::string_view key, std::string_view msg) {
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
inline std::string B64Url(std::string_view bytes) {
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

inline std::string B64UrlDecode(std::string_view text) {
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

inline bool AllIn(std::string_view s, std::string_view alphabet) {
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

inline bool IsUuid4(std::string_view s) {
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
inline bool HasFormat(std::string_view id, std::string_view format) {
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
inline std::string Stats(CmdHarness& h, std::string_view sandbox = {}) {
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
inline int64_t StatOf(CmdHarness& h, std::string_view sandbox, std::string_view name) {
  const std::string text = " " + Stats(h, sandbox);
  const std::string key = " " + std::string(name) + "=";
  const size_t at = text.find(key);
  REQUIRE(at != std::string::npos);
  return std::stoll(text.substr(at + key.size()));
}

// What Stats() must read: every counter 0 except those given.
inline std::string Want(std::initializer_list<std::pair<std::string_view, int64_t>> set) {
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
inline std::string Snapshot(CmdHarness& h) {
  return h.Run({"DBSIZE"}) + h.Run({"SESSION.STATS"}) + h.Run({"KEYS", "*"});
}

// Every id SESSION.LIST reports, following the cursor to 0. `base` is
// {"SESSION.LIST", sandbox[, "USER", user]}.
inline std::vector<std::string> ListAll(CmdHarness& h, std::vector<std::string_view> base,
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

inline std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// ============================================================================
// SESSION.ALLOCATE
// ============================================================================

}  // namespace ss::test::session_cmd
