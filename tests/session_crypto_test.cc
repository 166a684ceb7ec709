// ss_session_crypto: session ids, chuk-sessions CSRF tokens, sealed tokens.
//
// Known-answer vectors were computed with Debian's /usr/bin/python3 (3.11)
// using only hmac, hashlib, base64 and json; the one-liner is above each.
// The helpers below (base64url, HMAC) are written again here, independently
// of src/session, so a shared mistake cannot hide.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <initializer_list>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ss/session/csrf.h"
#include "ss/session/ids.h"
#include "ss/session/seal.h"

namespace {

using ss::session::CheckCsrfPair;
using ss::session::CsrfPair;
using ss::session::DeriveSealKey;
using ss::session::IdFormat;
using ss::session::IssueCsrfPair;
using ss::session::IssueCsrfToken;
using ss::session::NewSessionId;
using ss::session::OpenToken;
using ss::session::ParseIdFormat;
using ss::session::SealKey;
using ss::session::SealToken;
using ss::session::VerifyCsrfToken;

using Texts = std::initializer_list<std::string_view>;

constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// ---- test-local helpers ---------------------------------------------------

std::string B64UrlEncode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kUrlSafe[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kUrlSafe[(acc << (6 - bits)) & 63];
  return out;
}

std::string B64UrlDecode(std::string_view in) {  // REQUIRES: valid input
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    acc = (acc << 6) | static_cast<uint32_t>(kUrlSafe.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string HmacSha256Hex(std::string_view key, std::string_view msg) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  static const unsigned char kEmpty = 0;
  HMAC(EVP_sha256(), key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data()),
       static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()),
       msg.size(), mac, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += kHex[mac[i] >> 4];
    hex += kHex[mac[i] & 15];
  }
  return hex;
}

// An HMAC token with a correct MAC over arbitrary (possibly malformed) parts,
// so a rejection can only come from the part under test.
std::string SignedToken(std::string_view secret, std::string_view sid, std::string_view ts,
                        std::string_view data_b64) {
  const std::string msg = std::string(sid) + ":" + std::string(ts) + ":" + std::string(data_b64);
  return std::string(ts) + ":" + std::string(data_b64) + ":" + HmacSha256Hex(secret, msg);
}

// A double-submit cookie with a correct MAC over arbitrary JSON.
std::string SignedCookie(std::string_view secret, std::string_view json) {
  const std::string b64 = B64UrlEncode(json);
  return b64 + "." + HmacSha256Hex(secret, b64).substr(0, 32);
}

// Every other character from a set that covers digits, letters, the token
// separators and a non-ASCII byte.
std::vector<char> OtherChars(char c) {
  std::vector<char> out;
  for (char o : std::string_view("0a9zAZ-_:.=+/ \x80")) {
    if (o != c) out.push_back(o);
  }
  return out;
}

bool AllIn(std::string_view s, std::string_view alphabet) {
  return std::all_of(s.begin(), s.end(),
                      [&](char c) { return alphabet.find(c) != std::string_view::npos; });
}

// ---- ids ------------------------------------------------------------------

struct IdSpec {
  IdFormat format;
  std::string_view prefix;
  size_t random_len;
  std::string_view alphabet;
};

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const IdSpec kIdSpecs[] = {
    {IdFormat::kGeneric, "sess-", 44, kAlnum},
    {IdFormat::kMcp, "mcp-", 36,
     "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."},
    {IdFormat::kHttp, "http-", 32, kUrlSafe},
    {IdFormat::kWebsocket, "ws-", 32, kUrlSafe},
    {IdFormat::kJwt, "", 30, kUrlSafe},
    {IdFormat::kApiKey, "ak_", 40, "0123456789abcdef"},
    {IdFormat::kTempToken, "tmp_", 22, kAlnum},
};

TEST_CASE("ParseIdFormat accepts chuk's protocol names in any case, nothing else") {
  CHECK(ParseIdFormat("generic") == IdFormat::kGeneric);
  CHECK(ParseIdFormat("mcp") == IdFormat::kMcp);
  CHECK(ParseIdFormat("http") == IdFormat::kHttp);
  CHECK(ParseIdFormat("websocket") == IdFormat::kWebsocket);
  CHECK(ParseIdFormat("jwt") == IdFormat::kJwt);
  CHECK(ParseIdFormat("uuid") == IdFormat::kUuid);
  CHECK(ParseIdFormat("api_key") == IdFormat::kApiKey);
  CHECK(ParseIdFormat("temp_token") == IdFormat::kTempToken);
  CHECK(ParseIdFormat("GENERIC") == IdFormat::kGeneric);
  CHECK(ParseIdFormat("WebSocket") == IdFormat::kWebsocket);
  CHECK(ParseIdFormat("Api_Key") == IdFormat::kApiKey);
  CHECK_FALSE(ParseIdFormat(""));
  CHECK_FALSE(ParseIdFormat("ws"));
  CHECK_FALSE(ParseIdFormat("uuid4"));
  CHECK_FALSE(ParseIdFormat("generic "));
  CHECK_FALSE(ParseIdFormat("temp-token"));
  CHECK_FALSE(ParseIdFormat("api_ke"));
}

TEST_CASE("every id format: prefix, length and alphabet over many samples") {
  for (const IdSpec& spec : kIdSpecs) {
    CAPTURE(spec.prefix);
    CAPTURE(spec.random_len);
    std::set<char> seen;
    for (int i = 0; i < 3000; ++i) {
      const std::string id = NewSessionId(spec.format);
      REQUIRE(id.size() == spec.prefix.size() + spec.random_len);
      REQUIRE(id.compare(0, spec.prefix.size(), spec.prefix) == 0);
      const std::string_view body = std::string_view(id).substr(spec.prefix.size());
      REQUIRE(AllIn(body, spec.alphabet));
      seen.insert(body.begin(), body.end());
    }
    // Every character of the alphabet shows up: a too-small alphabet fails.
    CHECK(seen.size() == spec.alphabet.size());
  }
}

TEST_CASE("jwt ids are token_urlsafe(22): 22 random bytes in 30 characters") {
  for (int i = 0; i < 2000; ++i) {
    const std::string id = NewSessionId(IdFormat::kJwt);
    REQUIRE(id.size() == 30);
    // 22 bytes = 176 bits: the last character carries 2 bits, its low 4 are 0.
    REQUIRE(std::string_view("AQgw").find(id.back()) != std::string_view::npos);
    REQUIRE(B64UrlDecode(id).size() == 22);
  }
}

TEST_CASE("uuid ids are lowercase version-4 UUIDs with the RFC 4122 variant") {
  std::set<char> variants;
  for (int i = 0; i < 3000; ++i) {
    const std::string id = NewSessionId(IdFormat::kUuid);
    REQUIRE(id.size() == 36);
    for (size_t j = 0; j < id.size(); ++j) {
      if (j == 8 || j == 13 || j == 18 || j == 23) {
        REQUIRE(id[j] == '-');
      } else {
        REQUIRE(AllIn(std::string_view(&id[j], 1), "0123456789abcdef"));
      }
    }
    REQUIRE(id[14] == '4');
    REQUIRE(std::string_view("89ab").find(id[19]) != std::string_view::npos);
    variants.insert(id[19]);
  }
  CHECK(variants.size() == 4);  // the two low variant-nibble bits are random
}

TEST_CASE("ids are unique over 10k samples of each format") {
  for (IdFormat f : {IdFormat::kGeneric, IdFormat::kMcp, IdFormat::kHttp, IdFormat::kWebsocket,
                     IdFormat::kJwt, IdFormat::kUuid, IdFormat::kApiKey, IdFormat::kTempToken}) {
    std::unordered_set<std::string> ids;
    for (int i = 0; i < 10000; ++i) ids.insert(NewSessionId(f));
    CHECK(ids.size() == 10000);
  }
}

TEST_CASE("id characters are uniform (no modulo bias, no doubled hex letters)") {
  // Drawing b % 62 from raw bytes favours 8 characters by 5/4; chuk's hex
  // alphabet lists a-f twice (2x). Counts here are 14000-50000 per character
  // (standard deviation < 1.2%), so a 15% max/min bound (about 6 standard
  // deviations) catches both and does not flake.
  for (const IdSpec& spec : kIdSpecs) {
    if (spec.format == IdFormat::kJwt) continue;  // its last character is not uniform
    CAPTURE(spec.prefix);
    std::map<char, int> counts;
    for (int i = 0; i < 20000; ++i) {
      const std::string id = NewSessionId(spec.format);
      for (size_t j = spec.prefix.size(); j < id.size(); ++j) ++counts[id[j]];
    }
    int lo = INT_MAX;
    int hi = 0;
    for (const auto& [c, n] : counts) {
      lo = std::min(lo, n);
      hi = std::max(hi, n);
    }
    CHECK(static_cast<double>(hi) / lo < 1.15);
  }
}

TEST_CASE("RandomBytes fills the buffer") {
  std::array<uint8_t, 64> a{};
  std::array<uint8_t, 64> b{};
  ss::session::RandomBytes(a.data(), a.size());
  ss::session::RandomBytes(b.data(), b.size());
  CHECK(a != b);
  CHECK(std::count(a.begin(), a.end(), 0) < 8);  // not left zeroed
  ss::session::RandomBytes(nullptr, 0);           // n == 0 touches nothing
}

// ---- CSRF HMAC tokens -----------------------------------------------------

constexpr int64_t kTs = 1703123456;

TEST_CASE("HMAC token known answers (chuk generate_csrf_token)") {
  // /usr/bin/python3 -c 'import hmac,hashlib;print(hmac.new(b"secret-key",
  //   b"sess-abc123:1703123456:",hashlib.sha256).hexdigest())'
  const std::string no_data =
      "1703123456::b28f444168f39d4eeecc21f9feb3c1387f347705fbc2bd7a8d7c1bec3522e867";
  CHECK(IssueCsrfToken("secret-key", "sess-abc123", kTs, "") == no_data);
  CHECK(VerifyCsrfToken("secret-key", "sess-abc123", no_data, kTs, 3600));

  // /usr/bin/python3 -c 'import hmac,hashlib,base64,json;d=json.dumps({"resource_id":"123",
  //   "action":"delete"},separators=(",",":"),sort_keys=True);b=base64.urlsafe_b64encode(
  //   d.encode()).decode().rstrip("=");print(d);print(b);print(hmac.new(b"secret-key",
  //   ("sess-abc123:1703123456:"+b).encode(),hashlib.sha256).hexdigest())'
  const std::string with_data =
      "1703123456:eyJhY3Rpb24iOiJkZWxldGUiLCJyZXNvdXJjZV9pZCI6IjEyMyJ9:"
      "3a222f6447c2b4a266874cf343973fde41b522a7074ba225e8bbb530140db7dd";
  CHECK(IssueCsrfToken("secret-key", "sess-abc123", kTs,
                       R"({"action":"delete","resource_id":"123"})") == with_data);
  CHECK(VerifyCsrfToken("secret-key", "sess-abc123", with_data, kTs, 3600));

  // Non-ASCII secret and session id (UTF-8), a negative ts, ensure_ascii data:
  // /usr/bin/python3 -c 'import hmac,hashlib,base64,json;s="clé-秘密";sid="mcp-Zoë:1";
  //   d=json.dumps({"name":"Zoë","n":[1,2.5,None]},separators=(",",":"),sort_keys=True);
  //   b=base64.urlsafe_b64encode(d.encode()).decode().rstrip("=");print(d);print(b);
  //   print(hmac.new(s.encode(),(sid+":-5:"+b).encode(),hashlib.sha256).hexdigest())'
  const std::string unicode =
      "-5:eyJuIjpbMSwyLjUsbnVsbF0sIm5hbWUiOiJab1x1MDBlYiJ9:"
      "d6e5a3b3b750d4cd0bb8a8e14c40d89c931eb0d9eb29cc1e845b88d06396329f";
  const std::string data = R"({"n":[1,2.5,null],"name":"Zo\u00eb"})";
  CHECK(IssueCsrfToken("clé-秘密", "mcp-Zoë:1", -5, data) == unicode);
  CHECK(VerifyCsrfToken("clé-秘密", "mcp-Zoë:1", unicode, 0, 5));
  CHECK_FALSE(VerifyCsrfToken("clé-秘密", "mcp-Zoë:1", unicode, 1, 5));
}

TEST_CASE("HMAC token round trip, wrong secret, wrong session") {
  const std::string data = R"({"a":[1,{"b":null}],"c":"\u00e9"})";
  for (std::string_view d : {std::string_view(), std::string_view(data)}) {
    const std::string token = IssueCsrfToken("k1", "sess-1", kTs, d);
    CHECK(VerifyCsrfToken("k1", "sess-1", token, kTs + 10, 3600));
    CHECK_FALSE(VerifyCsrfToken("k2", "sess-1", token, kTs + 10, 3600));
    CHECK_FALSE(VerifyCsrfToken("k1x", "sess-1", token, kTs + 10, 3600));
    CHECK_FALSE(VerifyCsrfToken("", "sess-1", token, kTs + 10, 3600));
    CHECK_FALSE(VerifyCsrfToken("k1", "sess-2", token, kTs + 10, 3600));
    CHECK_FALSE(VerifyCsrfToken("k1", "sess-1 ", token, kTs + 10, 3600));
    CHECK_FALSE(VerifyCsrfToken("k1", "", token, kTs + 10, 3600));
  }
  // An empty secret is a (weak) zero-length key, not an error.
  const std::string empty_key = IssueCsrfToken("", "s", kTs, "");
  CHECK(VerifyCsrfToken("", "s", empty_key, kTs, 0));
  CHECK_FALSE(VerifyCsrfToken("x", "s", empty_key, kTs, 0));
}

TEST_CASE("HMAC token: a change to any character of any part is rejected") {
  const std::string token = IssueCsrfToken("k", "sess-1", kTs, R"({"action":"delete"})");
  REQUIRE(VerifyCsrfToken("k", "sess-1", token, kTs, 60));
  for (size_t i = 0; i < token.size(); ++i) {
    for (char c : OtherChars(token[i])) {
      std::string bad = token;
      bad[i] = c;
      CAPTURE(bad);
      CHECK_FALSE(VerifyCsrfToken("k", "sess-1", bad, kTs, 60));
    }
    std::string dropped = token;
    dropped.erase(i, 1);
    CHECK_FALSE(VerifyCsrfToken("k", "sess-1", dropped, kTs, 60));
  }
  CHECK_FALSE(VerifyCsrfToken("k", "sess-1", token + "0", kTs, 60));
  CHECK_FALSE(VerifyCsrfToken("k", "sess-1", token + ":", kTs, 60));
  CHECK_FALSE(VerifyCsrfToken("k", "sess-1", "0" + token, kTs, 60));
}

TEST_CASE("HMAC token expiry: age == max_age is valid, max_age + 1 is not") {
  const std::string token = IssueCsrfToken("k", "s", kTs, "");
  CHECK(VerifyCsrfToken("k", "s", token, kTs + 3600, 3600));
  CHECK_FALSE(VerifyCsrfToken("k", "s", token, kTs + 3601, 3600));
  CHECK(VerifyCsrfToken("k", "s", token, kTs, 0));
  CHECK_FALSE(VerifyCsrfToken("k", "s", token, kTs + 1, 0));
  CHECK(VerifyCsrfToken("k", "s", token, kTs - 100, 0));  // chuk: future ts never expires
  CHECK_FALSE(VerifyCsrfToken("k", "s", token, kTs, -1));

  // Extreme timestamps: the age is computed without overflow.
  const std::string oldest = IssueCsrfToken("k", "s", INT64_MIN, "");
  CHECK(oldest.rfind("-9223372036854775808::", 0) == 0);
  CHECK_FALSE(VerifyCsrfToken("k", "s", oldest, INT64_MAX, INT64_MAX));
  CHECK_FALSE(VerifyCsrfToken("k", "s", oldest, 1, INT64_MAX));
  CHECK(VerifyCsrfToken("k", "s", oldest, -1, INT64_MAX));
  const std::string newest = IssueCsrfToken("k", "s", INT64_MAX, "");
  CHECK(VerifyCsrfToken("k", "s", newest, INT64_MIN, 0));
  CHECK(VerifyCsrfToken("k", "s", newest, INT64_MAX, 0));
}

TEST_CASE("HMAC token: malformed structure and timestamps are rejected") {
  const std::string good = IssueCsrfToken("k", "s", kTs, "");
  const std::string sig = good.substr(good.rfind(':') + 1);
  for (std::string_view bad : {"", ":", "::", ":::", "1703123456", "1703123456:",
                               "1703123456::", "abc"}) {
    CHECK_FALSE(VerifyCsrfToken("k", "s", bad, kTs, 60));
  }
  CHECK_FALSE(VerifyCsrfToken("k", "s", "1703123456:" + sig, kTs, 60));  // two parts
  CHECK_FALSE(VerifyCsrfToken("k", "s", good + ":" + sig, kTs, 60));     // four parts

  // Correct MAC over the raw text, so only the ts check can reject these.
  REQUIRE(VerifyCsrfToken("k", "s", SignedToken("k", "s", "1703123456", ""), kTs, 60));
  REQUIRE(VerifyCsrfToken("k", "s", SignedToken("k", "s", "0", ""), 0, 60));
  REQUIRE(VerifyCsrfToken("k", "s", SignedToken("k", "s", "-1", ""), 0, 60));
  for (std::string_view ts : {"", "abc", "17031234x6", "+1703123456", "01703123456", " 1703123456",
                              "1703123456 ", "1_703_123_456", "-0", "-", "1.0", "1e3",
                              "9223372036854775808", "-9223372036854775809",
                              "99999999999999999999", "0x10", "١٢"}) {
    CAPTURE(ts);
    CHECK_FALSE(VerifyCsrfToken("k", "s", SignedToken("k", "s", ts, ""), kTs, INT64_MAX));
  }
}

TEST_CASE("HMAC token: the MAC must be the exact lowercase hex digest") {
  const std::string good = IssueCsrfToken("k", "s", kTs, "");
  const size_t at = good.rfind(':') + 1;
  std::string upper = good;
  std::transform(upper.begin() + static_cast<std::ptrdiff_t>(at), upper.end(),
                 upper.begin() + static_cast<std::ptrdiff_t>(at),
                 [](char c) { return static_cast<char>(std::toupper(c)); });
  REQUIRE(upper != good);
  CHECK_FALSE(VerifyCsrfToken("k", "s", upper, kTs, 60));
  CHECK_FALSE(VerifyCsrfToken("k", "s", good.substr(0, good.size() - 1), kTs, 60));
  CHECK_FALSE(VerifyCsrfToken("k", "s", good.substr(0, at), kTs, 60));
  CHECK_FALSE(VerifyCsrfToken("k", "s", good.substr(0, at) + std::string(64, '0'), kTs, 60));
}

TEST_CASE("HMAC token: data must be canonical base64url of UTF-8 JSON") {
  auto verify = [](std::string_view data_b64) {
    return VerifyCsrfToken("k", "s", SignedToken("k", "s", "1703123456", data_b64), kTs, 60);
  };
  // Any JSON value is accepted, as json.loads would. (Not 1e400 or a
  // 400-digit integer: a documented gap, see csrf.cc.)
  const std::string digits300(300, '7');
  for (std::string_view json : Texts{"{}", "[1]", "\"s\"", "null", "0", " {\"a\" : 1} ", "NaN",
                                     "-Infinity", "1e308", "-1.5e-400", digits300,
                                     "123456789012345678901234567890", "{\"a\":1,\"a\":2}",
                                     "\"\\ud83d\\ude00\"", "\"\xc3\xa9\""}) {
    CAPTURE(json);
    CHECK(verify(B64UrlEncode(json)));
  }
  // Bad base64: padding, foreign characters, impossible length, stray bits.
  CHECK(verify("e30"));  // "{}"
  for (std::string_view b64 : {"e30=", "e3 0", "e30!", "e+0", "e/0", "e", "e30eA", "e31", "AB",
                               "ABC", "e3\n0"}) {
    CAPTURE(b64);
    CHECK_FALSE(verify(b64));
  }
  // Bad JSON or bad UTF-8.
  for (std::string_view json : Texts{"{", "}", "{'a':1}", "[1,]", "{} x", "{}{}", "nul",
                                     "\"\xff\"", "\"\xc3\"", "\"\xed\xa0\x80\"", "\"a\nb\"",
                                     "\xef\xbb\xbf{}", std::string_view("\"a\0\"", 4), "  "}) {
    CAPTURE(json);
    CHECK_FALSE(verify(B64UrlEncode(json)));
  }
}

// ---- double submit pairs --------------------------------------------------

TEST_CASE("double submit: pairs written by chuk's generate_double_submit_token check") {
  // /usr/bin/python3 -c 'import hmac,hashlib,base64,json;k=b"secret";sid="sess-abc123";
  //   ts=1703123456;v=base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("=");
  //   c=base64.urlsafe_b64encode(json.dumps({"sid":sid,"ts":ts,"val":v},separators=(",",
  //   ":")).encode()).decode().rstrip("=");print(v);print(c+"."+hmac.new(k,c.encode(),
  //   hashlib.sha256).hexdigest()[:32]);print(hmac.new(k,f"{sid}:{v}:{ts}".encode(),
  //   hashlib.sha256).hexdigest())'
  const std::string cookie =
      "eyJzaWQiOiJzZXNzLWFiYzEyMyIsInRzIjoxNzAzMTIzNDU2LCJ2YWwiOiJBQUVDQXdRRkJnY0lDUW9MREEwT0R4"
      "QVJFaE1VRlJZWEdCa2FHeHdkSGg4In0.e20ecabe186e354b1def409c85ff9d47";
  const std::string form = "534739db6a24c309825d6ff1d12a0989570b00339788119f7d2a2beb1d538459";
  CHECK(CheckCsrfPair("secret", "sess-abc123", cookie, form, kTs, 3600));
  CHECK(CheckCsrfPair("secret", "sess-abc123", cookie, form, kTs + 3600, 3600));
  CHECK_FALSE(CheckCsrfPair("secret", "sess-abc123", cookie, form, kTs + 3601, 3600));
  CHECK_FALSE(CheckCsrfPair("secret", "sess-abc124", cookie, form, kTs, 3600));
  CHECK_FALSE(CheckCsrfPair("Secret", "sess-abc123", cookie, form, kTs, 3600));

  // Escaped session id (non-ASCII, quote, backslash, astral plane), UTF-8 secret:
  // /usr/bin/python3 -c 'import hmac,hashlib,base64,json;k="clé-秘密".encode();
  //   sid="sess-ü\"\\x😀";ts=1703123456;v="AbC-_9";j=json.dumps({"sid":sid,"ts":ts,
  //   "val":v},separators=(",",":"));c=base64.urlsafe_b64encode(j.encode()).decode()
  //   .rstrip("=");print(j);print(c+"."+hmac.new(k,c.encode(),hashlib.sha256)
  //   .hexdigest()[:32]);print(hmac.new(k,f"{sid}:{v}:{ts}".encode(),hashlib.sha256)
  //   .hexdigest())'
  const std::string sid2 = "sess-\xc3\xbc\"\\x\xf0\x9f\x98\x80";
  const std::string cookie2 =
      "eyJzaWQiOiJzZXNzLVx1MDBmY1wiXFx4XHVkODNkXHVkZTAwIiwidHMiOjE3MDMxMjM0NTYsInZhbCI6IkFiQy1f"
      "OSJ9.85f4937ccb92742ae09fea17cb40136b";
  const std::string form2 = "1801d1c00110922732918224fe452331191e753a3027dc66a23c9823b45d8647";
  CHECK(CheckCsrfPair("clé-秘密", sid2, cookie2, form2, kTs, 3600));
  CHECK_FALSE(CheckCsrfPair("clé-秘密", "sess-\xc3\xbc\"\\x", cookie2, form2, kTs, 3600));
  CHECK_FALSE(CheckCsrfPair("clé-秘密", sid2, cookie2, form, kTs, 3600));
  CHECK_FALSE(CheckCsrfPair("clé-秘密", sid2, cookie, form2, kTs, 3600));
}

TEST_CASE("double submit: issued cookie is chuk's JSON with a token_urlsafe(32) value") {
  const std::string sid = "sess-\xc3\xbc\"\\x\xf0\x9f\x98\x80";
  const CsrfPair pair = IssueCsrfPair("k", sid, kTs);
  const size_t dot = pair.cookie.rfind('.');
  REQUIRE(dot != std::string::npos);
  const std::string b64 = pair.cookie.substr(0, dot);
  CHECK(AllIn(b64, kUrlSafe));
  CHECK(pair.cookie.substr(dot + 1) == HmacSha256Hex("k", b64).substr(0, 32));
  const std::string json = B64UrlDecode(b64);
  // /usr/bin/python3 -c 'import json;print(json.dumps({"sid":"sess-ü\"\\x😀",
  //   "ts":1703123456,"val":""},separators=(",",":"))[:-2])'
  const std::string prefix = R"({"sid":"sess-\u00fc\"\\x\ud83d\ude00","ts":1703123456,"val":")";
  REQUIRE(json.size() == prefix.size() + 43 + 2);
  CHECK(json.compare(0, prefix.size(), prefix) == 0);
  CHECK(json.substr(json.size() - 2) == "\"}");
  const std::string val = json.substr(prefix.size(), 43);
  CHECK(AllIn(val, kUrlSafe));
  CHECK(B64UrlDecode(val).size() == 32);
  CHECK(pair.form == HmacSha256Hex("k", sid + ":" + val + ":1703123456"));
  CHECK(CheckCsrfPair("k", sid, pair.cookie, pair.form, kTs, 0));

  const CsrfPair other = IssueCsrfPair("k", sid, kTs);
  CHECK(other.cookie != pair.cookie);
  CHECK(other.form != pair.form);
  // Halves of different pairs do not match.
  CHECK_FALSE(CheckCsrfPair("k", sid, pair.cookie, other.form, kTs, 0));
  CHECK_FALSE(CheckCsrfPair("k", sid, other.cookie, pair.form, kTs, 0));
}

TEST_CASE("double submit: round trip, wrong secret, wrong session, expiry") {
  const CsrfPair pair = IssueCsrfPair("k", "http-abc", kTs);
  CHECK(CheckCsrfPair("k", "http-abc", pair.cookie, pair.form, kTs + 600, 600));
  CHECK_FALSE(CheckCsrfPair("k", "http-abc", pair.cookie, pair.form, kTs + 601, 600));
  CHECK(CheckCsrfPair("k", "http-abc", pair.cookie, pair.form, kTs - 5, 0));
  CHECK_FALSE(CheckCsrfPair("k2", "http-abc", pair.cookie, pair.form, kTs, 600));
  CHECK_FALSE(CheckCsrfPair("k", "http-abd", pair.cookie, pair.form, kTs, 600));
  CHECK_FALSE(CheckCsrfPair("k", "http-ab", pair.cookie, pair.form, kTs, 600));
  CHECK_FALSE(CheckCsrfPair("k", "http-abc", pair.form, pair.cookie, kTs, 600));
  // The other session's valid pair is no good here.
  const CsrfPair theirs = IssueCsrfPair("k", "http-xyz", kTs);
  CHECK_FALSE(CheckCsrfPair("k", "http-abc", theirs.cookie, theirs.form, kTs, 600));
  CHECK_FALSE(CheckCsrfPair("k", "http-abc", theirs.cookie, pair.form, kTs, 600));
}

TEST_CASE("double submit: a change to any character of cookie or form is rejected") {
  const CsrfPair pair = IssueCsrfPair("k", "sess-1", kTs);
  REQUIRE(CheckCsrfPair("k", "sess-1", pair.cookie, pair.form, kTs, 60));
  for (size_t i = 0; i < pair.cookie.size(); ++i) {
    for (char c : OtherChars(pair.cookie[i])) {
      std::string bad = pair.cookie;
      bad[i] = c;
      CHECK_FALSE(CheckCsrfPair("k", "sess-1", bad, pair.form, kTs, 60));
    }
  }
  for (size_t i = 0; i < pair.form.size(); ++i) {
    for (char c : OtherChars(pair.form[i])) {
      std::string bad = pair.form;
      bad[i] = c;
      CHECK_FALSE(CheckCsrfPair("k", "sess-1", pair.cookie, bad, kTs, 60));
    }
  }
  CHECK_FALSE(CheckCsrfPair("k", "sess-1", pair.cookie + "0", pair.form, kTs, 60));
  CHECK_FALSE(CheckCsrfPair("k", "sess-1", pair.cookie, pair.form + "0", kTs, 60));
  CHECK_FALSE(CheckCsrfPair("k", "sess-1", pair.cookie.substr(1), pair.form, kTs, 60));
  CHECK_FALSE(CheckCsrfPair("k", "sess-1", pair.cookie, pair.form.substr(1), kTs, 60));
  CHECK_FALSE(CheckCsrfPair("k", "sess-1", pair.cookie, "", kTs, 60));
}

TEST_CASE("double submit: malformed cookies are rejected even with a valid MAC") {
  const std::string v = "AbC-_9";
  const std::string form = HmacSha256Hex("k", "s:" + v + ":1703123456");
  auto check = [&](std::string_view json) {
    return CheckCsrfPair("k", "s", SignedCookie("k", json), form, kTs, 60);
  };
  REQUIRE(check(R"({"sid":"s","ts":1703123456,"val":"AbC-_9"})"));
  // Key order and spacing do not matter to json.loads; a later duplicate wins.
  CHECK(check(R"({ "val" : "AbC-_9", "ts" : 1703123456, "sid" : "s" })"));
  CHECK(check(R"({"sid":"x","sid":"s","ts":1703123456,"val":"AbC-_9","extra":[1e300]})"));
  CHECK_FALSE(check(R"({"sid":"s","sid":"x","ts":1703123456,"val":"AbC-_9"})"));
  CHECK(check(R"({"sid":"\u0073","ts":1703123456,"val":"AbC-\u005f9"})"));  // escapes decoded
  for (std::string_view json : {
           R"({"ts":1703123456,"val":"AbC-_9"})",               // no sid
           R"({"sid":"s","val":"AbC-_9"})",                     // no ts
           R"({"sid":"s","ts":1703123456})",                    // no val
           R"({"sid":"s","ts":"1703123456","val":"AbC-_9"})",   // ts a string
           R"({"sid":"s","ts":1703123456.0,"val":"AbC-_9"})",   // ts a float
           R"({"sid":"s","ts":1.703123456e9,"val":"AbC-_9"})",  // ts a float
           R"({"sid":"s","ts":true,"val":"AbC-_9"})",           // ts a bool
           R"({"sid":"s","ts":null,"val":"AbC-_9"})",
           R"({"sid":"s","ts":99999999999999999999,"val":"AbC-_9"})",
           R"({"sid":["s"],"ts":1703123456,"val":"AbC-_9"})",   // sid not a string
           R"({"sid":"s","ts":1703123456,"val":["AbC-_9"]})",   // val not a string
           R"(["sid","ts","val"])", R"("sidtsval")", "{", "", "{}",
           "{\"sid\":\"s\",\"ts\":1703123456,\"val\":\"AbC-_9\"} x",
           "{\"sid\":\"s\xff\",\"ts\":1703123456,\"val\":\"AbC-_9\"}",
           "\xef\xbb\xbf{\"sid\":\"s\",\"ts\":1703123456,\"val\":\"AbC-_9\"}",  // BOM
       }) {
    CAPTURE(json);
    CHECK_FALSE(check(json));
  }
  // Structure of the cookie text itself.
  const std::string good = SignedCookie("k", R"({"sid":"s","ts":1703123456,"val":"AbC-_9"})");
  const std::string b64 = good.substr(0, good.rfind('.'));
  CHECK_FALSE(CheckCsrfPair("k", "s", b64, form, kTs, 60));                   // no '.'
  CHECK_FALSE(CheckCsrfPair("k", "s", b64 + ".", form, kTs, 60));             // empty MAC
  CHECK_FALSE(CheckCsrfPair("k", "s", "." + good, form, kTs, 60));
  CHECK_FALSE(CheckCsrfPair("k", "s", good + ".", form, kTs, 60));
  CHECK_FALSE(CheckCsrfPair("k", "s", b64 + "." + HmacSha256Hex("k", b64), form, kTs, 60));
  const std::string padded = b64 + "==";  // MAC'd, but not canonical base64url
  CHECK_FALSE(CheckCsrfPair("k", "s", padded + "." + HmacSha256Hex("k", padded).substr(0, 32),
                            form, kTs, 60));
  CHECK_FALSE(CheckCsrfPair("k", "s", "", form, kTs, 60));
  CHECK_FALSE(CheckCsrfPair("k", "s", ".", form, kTs, 60));
}

// ---- sealed tokens --------------------------------------------------------

SealKey KeyFromHex(std::string_view hex) {
  SealKey key{};
  for (size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<uint8_t>(std::stoi(std::string(hex.substr(2 * i, 2)), nullptr, 16));
  }
  return key;
}

TEST_CASE("DeriveSealKey is HKDF-SHA256 with the fixed label, no salt") {
  // /usr/bin/python3 -c 'import hmac,hashlib;prk=hmac.new(bytes(32),b"server-secret",
  //   hashlib.sha256).digest();print(hmac.new(prk,b"sessiond seal key v1\x01",
  //   hashlib.sha256).hexdigest())'
  CHECK(DeriveSealKey("server-secret") ==
        KeyFromHex("c504f37b9974ddaf97c77d042cb148712d523e3e0f45f7554663a1196fad7381"));
  // Same with b"" as the secret:
  CHECK(DeriveSealKey("") ==
        KeyFromHex("22073117ab89a3e6b38ce3629139fb19f0c8f125b62e2d60d9acc735d94c0d24"));
  CHECK(DeriveSealKey("server-secret") != DeriveSealKey("server-secreT"));
}

TEST_CASE("sealed tokens round trip any data and keep the time") {
  const SealKey key = DeriveSealKey("server-secret");
  std::string big(1 << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + (i >> 9));
  for (const std::string& data :
       {std::string(), std::string("hello"), std::string("\0\xff\x01:.", 5), big}) {
    for (int64_t ts : {kTs, int64_t{0}, int64_t{-1}, INT64_MIN, INT64_MAX}) {
      const std::string token = SealToken(key, "sess-1", ts, data);
      CHECK(AllIn(token, kUrlSafe));
      CHECK(token.size() == (8 * (37 + data.size()) + 5) / 6);  // unpadded length
      const auto opened = OpenToken(key, "sess-1", token, ts, 0);
      REQUIRE(opened.has_value());
      CHECK(opened->unix_s == ts);
      CHECK(opened->data == data);
    }
  }
}

TEST_CASE("sealed token layout: version 1, nonce, ChaCha20-Poly1305 with label+id AAD") {
  // Opened here with EVP directly from the documented format, not via OpenToken.
  const SealKey key = DeriveSealKey("k");
  const std::string raw = B64UrlDecode(SealToken(key, "sess-9", 0x0102030405060708, "data"));
  REQUIRE(raw.size() == 1 + 12 + 8 + 4 + 16);
  CHECK(raw[0] == '\x01');
  const auto* b = reinterpret_cast<const unsigned char*>(raw.data());
  const std::string aad = "sessiond/seal/v1:sess-9";
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  unsigned char plain[12];
  int n = 0;
  int fin = 0;
  REQUIRE(EVP_DecryptInit_ex2(ctx, EVP_chacha20_poly1305(), key.data(), b + 1, nullptr) == 1);
  REQUIRE(EVP_DecryptUpdate(ctx, nullptr, &n, reinterpret_cast<const unsigned char*>(aad.data()),
                            static_cast<int>(aad.size())) == 1);
  REQUIRE(EVP_DecryptUpdate(ctx, plain, &n, b + 13, 12) == 1);
  REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16,
                              const_cast<unsigned char*>(b + 25)) == 1);
  CHECK(EVP_DecryptFinal_ex(ctx, plain + n, &fin) == 1);
  EVP_CIPHER_CTX_free(ctx);
  CHECK(std::string(reinterpret_cast<char*>(plain), 12) ==
        std::string("\x01\x02\x03\x04\x05\x06\x07\x08" "data"));
}

TEST_CASE("sealed tokens: wrong key or other session id is rejected") {
  const SealKey key = DeriveSealKey("k1");
  const std::string token = SealToken(key, "sess-1", kTs, "payload");
  REQUIRE(OpenToken(key, "sess-1", token, kTs, 60));
  CHECK_FALSE(OpenToken(DeriveSealKey("k2"), "sess-1", token, kTs, 60));
  SealKey flipped = key;
  flipped[31] ^= 1;
  CHECK_FALSE(OpenToken(flipped, "sess-1", token, kTs, 60));
  for (std::string_view other : {"sess-2", "sess-", "sess-11", "", "Sess-1", " sess-1"}) {
    CHECK_FALSE(OpenToken(key, other, token, kTs, 60));
  }
  CHECK_FALSE(OpenToken(key, std::string_view("sess-1\0", 7), token, kTs, 60));
  // The empty id is bound too: AAD "...v1:" is not "...v1::".
  const std::string t2 = SealToken(key, "", kTs, "");
  CHECK(OpenToken(key, "", t2, kTs, 60));
  CHECK_FALSE(OpenToken(key, ":", t2, kTs, 60));
}

TEST_CASE("sealed tokens: changing any byte or any character is rejected") {
  const SealKey key = DeriveSealKey("k");
  const std::string token = SealToken(key, "sess-1", kTs, "some data");
  REQUIRE(OpenToken(key, "sess-1", token, kTs, 60));
  const std::string raw = B64UrlDecode(token);
  REQUIRE(B64UrlEncode(raw) == token);
  for (size_t i = 0; i < raw.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = raw;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      CAPTURE(i);
      CAPTURE(bit);
      CHECK_FALSE(OpenToken(key, "sess-1", B64UrlEncode(bad), kTs, 60));
    }
  }
  // Text level too: includes the last character's unused low bits, which a lax
  // decoder would ignore (a second spelling of the same token).
  for (size_t i = 0; i < token.size(); ++i) {
    for (char c : kUrlSafe) {
      if (c == token[i]) continue;
      std::string bad = token;
      bad[i] = c;
      CHECK_FALSE(OpenToken(key, "sess-1", bad, kTs, 60));
    }
  }
  // Truncation to every length and extension.
  for (size_t len = 0; len < token.size(); ++len) {
    CHECK_FALSE(OpenToken(key, "sess-1", token.substr(0, len), kTs, 60));
  }
  CHECK_FALSE(OpenToken(key, "sess-1", token + "A", kTs, 60));
  CHECK_FALSE(OpenToken(key, "sess-1", token + "AA", kTs, 60));
  CHECK_FALSE(OpenToken(key, "sess-1", B64UrlEncode(raw + std::string(1, '\0')), kTs, 60));
}

TEST_CASE("sealed tokens: expiry boundary") {
  const SealKey key = DeriveSealKey("k");
  const std::string token = SealToken(key, "s", kTs, "d");
  CHECK(OpenToken(key, "s", token, kTs + 300, 300));
  CHECK_FALSE(OpenToken(key, "s", token, kTs + 301, 300));
  CHECK(OpenToken(key, "s", token, kTs - 1, 0));
  CHECK_FALSE(OpenToken(key, "s", token, kTs, -1));
  const std::string oldest = SealToken(key, "s", INT64_MIN, "");
  CHECK_FALSE(OpenToken(key, "s", oldest, INT64_MAX, INT64_MAX));
  CHECK(OpenToken(key, "s", oldest, -1, INT64_MAX));
}

TEST_CASE("sealed tokens: malformed text is rejected") {
  const SealKey key = DeriveSealKey("k");
  const std::string token = SealToken(key, "s", kTs, "");
  REQUIRE(OpenToken(key, "s", token, kTs, 60));
  // A well-formed, authentic token of the minimum size: 37 bytes. One byte
  // less is too short whatever it holds.
  CHECK(B64UrlDecode(token).size() == 37);
  for (std::string_view bad : {"", "A", "AA", "!!!!", "====",}) {
    CHECK_FALSE(OpenToken(key, "s", bad, kTs, 60));
  }
  CHECK_FALSE(OpenToken(key, "s", B64UrlEncode(B64UrlDecode(token).substr(0, 36)), kTs, 60));
  CHECK_FALSE(OpenToken(key, "s", B64UrlEncode(std::string(36, '\x01')), kTs, 60));
  CHECK_FALSE(OpenToken(key, "s", B64UrlEncode(std::string(200, '\x01')), kTs, 60));
  CHECK_FALSE(OpenToken(key, "s", token + "=", kTs, 60));
  CHECK_FALSE(OpenToken(key, "s", " " + token, kTs, 60));
  CHECK_FALSE(OpenToken(key, "s", token + "\n", kTs, 60));
  std::string standard = token;  // standard-alphabet spelling
  std::replace(standard.begin(), standard.end(), '-', '+');
  std::replace(standard.begin(), standard.end(), '_', '/');
  if (standard != token) CHECK_FALSE(OpenToken(key, "s", standard, kTs, 60));
}

TEST_CASE("sealed tokens: every seal uses a fresh nonce") {
  const SealKey key = DeriveSealKey("k");
  CHECK(SealToken(key, "s", kTs, "same") != SealToken(key, "s", kTs, "same"));
  std::unordered_set<std::string> nonces;
  for (int i = 0; i < 10000; ++i) {
    nonces.insert(B64UrlDecode(SealToken(key, "s", kTs, "same")).substr(1, 12));
  }
  CHECK(nonces.size() == 10000);
}

}  // namespace
