// CSRF tokens byte-compatible with chuk-sessions' csrf.py (see csrf.h for the
// two formats). Verification follows its validators' decisions for every
// token its generators can write; where Python is laxer about input no
// generator produces (non-canonical integers or base64, JSON numbers in the
// double-submit cookie other than an integer ts) we reject, which is never
// weaker. The MAC is checked before any decoded data is looked at, and every
// MAC comparison is CRYPTO_memcmp over equal lengths.
#include "ss/session/csrf.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <rapidjson/document.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "ss/session/ids.h"
#include "ss/session/pyjson.h"
#include "token_common.h"

namespace ss::session {
namespace {

constexpr size_t kCookieSigHexLen = 32;   // chuk truncates the cookie MAC to 32 hex
constexpr size_t kCookieValueBytes = 32;   // secrets.token_urlsafe(32)

// Lowercase hex of HMAC-SHA256(secret, message), as Python's hexdigest().
// HMAC() is OpenSSL 3's one-shot (it wraps EVP_MAC); it fails only on an
// internal error, after which no token can be trusted: abort.
std::string HmacHex(std::string_view secret, std::string_view message) {
  // A non-null pointer even for an empty secret: OpenSSL's HMAC paths read a
  // null key as "no key given", but an empty secret is a zero-length key.
  static const unsigned char kNoKey = 0;
  const void* key = secret.empty() ? static_cast<const void*>(&kNoKey) : secret.data();
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac;
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha256(), key, static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(),
           mac.data(), &mac_len) == nullptr ||
      mac_len != 32) {
    std::fputs("sessiond: fatal: OpenSSL HMAC-SHA256 failed\n", stderr);
    std::abort();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * mac_len);
  for (unsigned i = 0; i < mac_len; ++i) {
    hex += kHex[mac[i] >> 4];
    hex += kHex[mac[i] & 0x0f];
  }
  return hex;
}

// Constant-time equality of a received MAC text and the expected one. A
// length mismatch returns at once: it reveals only the length, which is
// public (always 64 or 32 hex digits).
bool MacEquals(std::string_view received, std::string_view expected) {
  if (received.size() != expected.size()) return false;
  return CRYPTO_memcmp(received.data(), expected.data(), expected.size()) == 0;
}

// Canonical decimal int64 exactly as Python's str(int) writes it: optional
// '-', no leading zeros, no "-0", no '+', no spaces. Python's int() accepts
// more, but its generator never writes more; and Python signs str(int(text)),
// which equals text only for canonical input, so for what we accept, signing
// the raw text is signing the same message.
std::optional<int64_t> ParseCanonicalInt(std::string_view s) {
  bool negative = false;
  if (!s.empty() && s.front() == '-') {
    negative = true;
    s.remove_prefix(1);
  }
  // 19 digits is the longest int64; rejecting longer bounds the loop too.
  if (s.empty() || s.size() > 19) return std::nullopt;
  if (s.front() == '0' && (s.size() > 1 || negative)) return std::nullopt;
  uint64_t magnitude = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
  }
  // Only a 19-digit string can pass int64 range; 19 digits fit in uint64.
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (magnitude > limit) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
}

// RapidJSON flags for Python's json.loads: UTF-8 checked (Python's strict
// .decode("utf-8") comes first), NaN/Infinity allowed (json.dumps writes
// them). Known gaps, where Python accepts and we reject: an escaped lone
// surrogate ("\ud800"), and a number beyond double range written out (an
// integer of over 308 digits, or 1e400); json.dumps writes those only for
// such values in the data, which CSRF data does not hold in practice.
constexpr unsigned kPyLoadsFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNanAndInfFlag;

// RapidJSON's Parse(text, length) silently skips a UTF-8 byte order mark;
// Python's json.loads rejects one ("Unexpected UTF-8 BOM").
bool StartsWithBom(std::string_view text) { return text.substr(0, 3) == "\xEF\xBB\xBF"; }

// True if text is one JSON value (any type) that json.loads would take.
// Numbers stay text, so big integers up to RapidJSON's limit above are not
// converted (and not range errors).
bool IsJsonText(std::string_view text) {
  if (StartsWithBom(text)) return false;
  rapidjson::Document doc;
  doc.Parse<kPyLoadsFlags | rapidjson::kParseNumbersAsStringsFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

// The member Python's dict keeps for key: the last one of that name.
const rapidjson::Value* LastMember(const rapidjson::Value& object, std::string_view key) {
  const rapidjson::Value* found = nullptr;
  for (const auto& member : object.GetObject()) {
    if (std::string_view(member.name.GetString(), member.name.GetStringLength()) == key) {
      found = &member.value;
    }
  }
  return found;
}

std::string FormMessage(std::string_view session_id, std::string_view value, int64_t ts) {
  std::string message(session_id);
  message += ':';
  message += value;
  message += ':';
  message += std::to_string(ts);
  return message;
}

}  // namespace

std::string IssueCsrfToken(std::string_view secret, std::string_view session_id,
                           int64_t unix_s, std::string_view data_json) {
  const std::string ts = std::to_string(unix_s);
  const std::string data_b64 = Base64UrlEncode(data_json);
  std::string message(session_id);
  message += ':';
  message += ts;
  message += ':';
  message += data_b64;

  std::string token = ts;
  token += ':';
  token += data_b64;
  token += ':';
  token += HmacHex(secret, message);
  return token;
}

bool VerifyCsrfToken(std::string_view secret, std::string_view session_id,
                     std::string_view token, int64_t now_s, int64_t max_age_s) {
  // Split on the first two ':' (Python's split(":", 2)); the signature part
  // keeps any further ':' and then fails the length or MAC check.
  const size_t first = token.find(':');
  if (first == std::string_view::npos) return false;
  const size_t second = token.find(':', first + 1);
  if (second == std::string_view::npos) return false;
  const std::string_view ts_text = token.substr(0, first);
  const std::string_view data_b64 = token.substr(first + 1, second - first - 1);
  const std::string_view signature = token.substr(second + 1);

  const std::optional<int64_t> ts = ParseCanonicalInt(ts_text);
  if (!ts) return false;

  // The signed message is built from the token's own text, which for a
  // canonical ts equals Python's f"{session_id}:{int(ts)}:{data_b64}".
  std::string message(session_id);
  message += ':';
  message += ts_text;
  message += ':';
  message += data_b64;
  if (!MacEquals(signature, HmacHex(secret, message))) return false;

  if (!data_b64.empty()) {
    const std::optional<std::string> data = Base64UrlDecode(data_b64);
    if (!data || !IsJsonText(*data)) return false;
  }
  return !TokenExpired(now_s, *ts, max_age_s);
}

CsrfPair IssueCsrfPair(std::string_view secret, std::string_view session_id,
                       int64_t unix_s) {
  std::string value_bytes(kCookieValueBytes, '\0');
  RandomBytes(value_bytes.data(), value_bytes.size());
  const std::string value = Base64UrlEncode(value_bytes);  // 43 characters

  // json.dumps({"sid": ..., "ts": ..., "val": ...}, separators=(",", ":")):
  // insertion order, no spaces, strings with ensure_ascii escaping.
  std::string cookie_json = "{\"sid\":";
  AppendPyString(cookie_json, session_id);
  cookie_json += ",\"ts\":";
  cookie_json += std::to_string(unix_s);
  cookie_json += ",\"val\":";
  AppendPyString(cookie_json, value);
  cookie_json += '}';

  CsrfPair pair;
  pair.cookie = Base64UrlEncode(cookie_json);
  const std::string cookie_mac = HmacHex(secret, pair.cookie);
  pair.cookie += '.';
  pair.cookie.append(cookie_mac, 0, kCookieSigHexLen);
  pair.form = HmacHex(secret, FormMessage(session_id, value, unix_s));
  return pair;
}

bool CheckCsrfPair(std::string_view secret, std::string_view session_id,
                   std::string_view cookie, std::string_view form,
                   int64_t now_s, int64_t max_age_s) {
  // Python's rsplit(".", 1): the MAC is after the last '.'.
  const size_t dot = cookie.rfind('.');
  if (dot == std::string_view::npos) return false;
  const std::string_view cookie_b64 = cookie.substr(0, dot);
  const std::string_view cookie_mac = cookie.substr(dot + 1);
  const std::string expected_mac =
      HmacHex(secret, cookie_b64).substr(0, kCookieSigHexLen);
  if (!MacEquals(cookie_mac, expected_mac)) return false;

  const std::optional<std::string> cookie_json = Base64UrlDecode(cookie_b64);
  if (!cookie_json) return false;
  // Default number parsing here (not as strings): ts must be told apart from
  // a string "ts", and only an integer is what chuk writes.
  if (StartsWithBom(*cookie_json)) return false;
  rapidjson::Document doc;
  doc.Parse<kPyLoadsFlags>(cookie_json->data(), cookie_json->size());
  if (doc.HasParseError() || !doc.IsObject()) return false;
  const rapidjson::Value* sid = LastMember(doc, "sid");
  const rapidjson::Value* ts = LastMember(doc, "ts");
  const rapidjson::Value* val = LastMember(doc, "val");
  if (sid == nullptr || ts == nullptr || val == nullptr) return false;
  if (!sid->IsString() ||
      std::string_view(sid->GetString(), sid->GetStringLength()) != session_id) {
    return false;
  }
  // IsInt64 is false for 1.0, 1e3, true/false: Python would read those as a
  // float or bool and sign "1.0" or "True", which no generator writes.
  if (!ts->IsInt64() || !val->IsString()) return false;
  if (TokenExpired(now_s, ts->GetInt64(), max_age_s)) return false;

  const std::string expected_form = HmacHex(
      secret, FormMessage(session_id, std::string_view(val->GetString(), val->GetStringLength()),
                          ts->GetInt64()));
  return MacEquals(form, expected_form);
}

}  // namespace ss::session
