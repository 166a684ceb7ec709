// Private to ss_session_crypto: what the token formats in csrf.cc and seal.cc
// share. URL-safe base64 (RFC 4648 section 5) without padding is the text form
// of every token; OpenSSL only offers the standard alphabet (EVP_EncodeBlock),
// whose decoder skips whitespace and ignores stray bits, so the codec is
// written out here (an encoding, not crypto). TokenExpired is the one age rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ss::session {

// bytes as base64url with the trailing '=' padding stripped (what Python's
// base64.urlsafe_b64encode(b).rstrip(b"=") writes).
inline std::string Base64UrlEncode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8) | p[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t v = uint32_t{p[i]} << 16;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
  } else if (rest == 2) {
    const uint32_t v = (uint32_t{p[i]} << 16) | (uint32_t{p[i + 1]} << 8);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

// The bytes of unpadded base64url text; nullopt unless text is canonical:
// only [A-Za-z0-9_-] (no '=', no whitespace), a length that is not 1 mod 4,
// and zero bits in the last character's unused low bits. Canonical-only means
// every byte string has exactly one accepted text, so a token cannot be
// altered into a second spelling that decodes to the same bytes.
// (Python's decoder is laxer; every string Python's encoder writes passes.)
inline std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value_of(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // 2 or 4 bits are left over after a 3- or 2-character tail; an encoder
  // writes them as zero.
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

// chuk-sessions' rule for every token: expired when now - issued > max_age,
// so age == max_age is still valid and a time in the future never expires.
// Neither time is trusted to be small, so the subtraction is checked: when it
// overflows, the true age is huge and positive exactly when issued < 0.
inline bool TokenExpired(int64_t now_s, int64_t issued_s, int64_t max_age_s) {
  int64_t age = 0;
  if (__builtin_sub_overflow(now_s, issued_s, &age)) return issued_s < 0;
  return age > max_age_s;
}

}  // namespace ss::session
