// Session ids in chuk-sessions' formats (its SESSION_ID_FORMATS table and
// generate_secure_session_id). Entropy of each format, counting only the
// random characters:
//   generic     44 x log2(62) = 262 bits
//   mcp         36 x log2(65) = 216 bits
//   http, ws    32 x log2(64) = 192 bits
//   jwt         token_urlsafe(22): 22 bytes = 176 bits in 30 characters
//   uuid        122 bits: all a version-4 UUID has (6 of its 128 bits are the
//               fixed version and variant); the one format below 128 bits,
//               kept because the format is the RFC's, not ours
//   api_key     40 x 4 = 160 bits
//   temp_token  22 x log2(62) = 131 bits (chuk lists 16 characters, then
//               lengthens them to 22 to reach its 128-bit minimum)
#include "ss/session/ids.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "token_common.h"

namespace ss::session {
namespace {

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// chuk's MCP_EXTENDED_CHARS: URL-safe plus '.'.
constexpr std::string_view kMcpChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
// chuk spells this string.hexdigits.lower(), which lists a-f twice and so
// draws them twice as often as the digits; we draw the 16 distinct digits
// uniformly (same output format, full 4 bits per character).
constexpr std::string_view kLowerHex = "0123456789abcdef";

// Appends length characters drawn uniformly from alphabet, by rejection
// sampling on CSPRNG output, exactly uniform either way:
//   - when the alphabet's power-of-two ceiling 2^k is at most 4/3 of its size
//     (62 or 64 or 16 characters), 64-bit random words are cut into k-bit
//     chunks (10 of 6 bits, or 16 of 4), and a chunk below the size is an
//     index: every character costs a few instructions and no branch beyond
//     the loop's, and a generic id draws 48 bytes (5 words of expected need
//     and a spare) rather than 53, one per try;
//   - otherwise (MCP's 65) a byte b is used only if b < limit, the largest
//     multiple of the size <= 256, and b % size is the index.
// Chunks of uniform bits are uniform and independent, so rejection leaves
// each accepted index uniform over the alphabet. The loop is unbounded in
// principle but each try is accepted with probability >= 195/256 for every
// alphabet here, so one batch of the expected need plus a margin (at most
// 64 bytes) almost always covers the whole id (a refill is needed with small
// probability, a hundred refills never in practice). Drawing no more than
// that keeps the CSPRNG's share small. The alphabet is a template argument,
// so all of this is constant.
template <const std::string_view& kAlphabet>
void AppendRandomChars(std::string& out, size_t length) {
  constexpr unsigned size = static_cast<unsigned>(kAlphabet.size());
  static_assert(size >= 2 && size <= 256);
  constexpr unsigned mask = std::bit_ceil(size) - 1;
  constexpr bool by_mask = 4 * size >= 3 * (mask + 1);
  const char* const alphabet = kAlphabet.data();
  const size_t start = out.size();
  if constexpr (by_mask) {
    // Indexed by every chunk value; the ones past the alphabet are stored
    // and then overwritten, never kept.
    static constexpr std::array<char, mask + 1> kTable = [] {
      std::array<char, mask + 1> t{};
      for (unsigned i = 0; i <= mask; ++i) t[i] = kAlphabet[i < size ? i : 0];
      return t;
    }();
    constexpr unsigned bits = static_cast<unsigned>(std::popcount(mask));
    constexpr unsigned per_word = 64 / bits;
    std::array<uint64_t, 8> words;
    // Expected chunks length * 2^k / size, in words, plus one spare word.
    const size_t want = std::min(words.size(), (length * (mask + 1) / size + per_word - 1) / per_word + 1);
    // Every chunk of a word is stored and only an accepted one moves dst on,
    // with no end check inside the word: up to a word's chunks land past the
    // id, in slack that is cut off at the end.
    out.resize(start + length + per_word);
    char* dst = out.data() + start;
    char* const dst_end = dst + length;
    while (dst < dst_end) {
      RandomBytes(words.data(), want * sizeof(uint64_t));
      for (size_t i = 0; i < want && dst < dst_end; ++i) {
        uint64_t w = words[i];
        for (unsigned k = 0; k < per_word; ++k, w >>= bits) {
          const unsigned v = static_cast<unsigned>(w) & mask;
          *dst = kTable[v];
          dst += v < size;
        }
      }
    }
    OPENSSL_cleanse(words.data(), want * sizeof(uint64_t));
    out.resize(start + length);
  } else {
    constexpr unsigned accepted = 256 - 256 % size;
    std::array<uint8_t, 64> batch;
    const size_t want = std::min(batch.size(), length * 256 / accepted + 8);
    out.resize(start + length);
    char* dst = out.data() + start;
    char* const dst_end = dst + length;
    while (dst != dst_end) {
      RandomBytes(batch.data(), want);
      for (size_t i = 0; i < want && dst != dst_end; ++i) {
        const unsigned b = batch[i];
        if (b < accepted) *dst++ = alphabet[b % size];
      }
    }
    OPENSSL_cleanse(batch.data(), want);
  }
}

template <const std::string_view& kAlphabet>
void AppendPrefixed(std::string& out, std::string_view prefix, size_t length) {
  out.reserve(out.size() + prefix.size() + length);
  out.append(prefix);
  AppendRandomChars<kAlphabet>(out, length);
}

// Version-4 UUID (RFC 4122 section 4.4): 122 random bits, the version nibble
// 0100 in byte 6 and the variant bits 10 in byte 8; lowercase 8-4-4-4-12.
std::string NewUuid4() {
  std::array<uint8_t, 16> b;
  RandomBytes(b.data(), b.size());
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0x0f];
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

}  // namespace

std::optional<IdFormat> ParseIdFormat(std::string_view name) {
  static constexpr std::pair<std::string_view, IdFormat> kNames[] = {
      {"generic", IdFormat::kGeneric}, {"mcp", IdFormat::kMcp},
      {"http", IdFormat::kHttp},       {"websocket", IdFormat::kWebsocket},
      {"jwt", IdFormat::kJwt},         {"uuid", IdFormat::kUuid},
      {"api_key", IdFormat::kApiKey},  {"temp_token", IdFormat::kTempToken},
  };
  for (const auto& [text, format] : kNames) {
    if (EqualsIgnoreCase(name, text)) return format;
  }
  return std::nullopt;
}

std::string NewSessionId(IdFormat format) {
  std::string id;
  AppendSessionId(format, &id);
  return id;
}

void AppendSessionId(IdFormat format, std::string* out) {
  switch (format) {
    case IdFormat::kGeneric: return AppendPrefixed<kAlnum>(*out, "sess-", 44);
    case IdFormat::kMcp: return AppendPrefixed<kMcpChars>(*out, "mcp-", 36);
    case IdFormat::kHttp: return AppendPrefixed<kUrlSafe>(*out, "http-", 32);
    case IdFormat::kWebsocket: return AppendPrefixed<kUrlSafe>(*out, "ws-", 32);
    case IdFormat::kJwt: {
      // Python's secrets.token_urlsafe(22): 22 bytes, unpadded base64url.
      std::string bytes(22, '\0');
      RandomBytes(bytes.data(), bytes.size());
      out->append(Base64UrlEncode(bytes));
      return;
    }
    case IdFormat::kUuid: out->append(NewUuid4()); return;
    case IdFormat::kApiKey: return AppendPrefixed<kLowerHex>(*out, "ak_", 40);
    case IdFormat::kTempToken: return AppendPrefixed<kAlnum>(*out, "tmp_", 22);
  }
  std::abort();  // not a valid IdFormat value: a caller bug
}

namespace {

// RAND_bytes from the OS-seeded DRBG, aborting on failure.
void DrbgBytes(unsigned char* p, size_t n) {
  // RAND_bytes takes an int length; larger requests go in INT_MAX chunks.
  while (n > 0) {
    const int chunk = static_cast<int>(std::min<size_t>(n, INT_MAX));
    if (RAND_bytes(p, chunk) != 1) {
      std::fputs("sessiond: fatal: the OpenSSL CSPRNG (RAND_bytes) failed\n", stderr);
      std::abort();
    }
    p += chunk;
    n -= static_cast<size_t>(chunk);
  }
}

}  // namespace

void RandomBytes(void* out, size_t n) {
  // OpenSSL 3's RAND_bytes costs ~2 us per call whatever the size (provider
  // and DRBG locking), ~70 ns per 64 bytes when drawn 4 KB at a time
  // (measured on this machine): small requests are served from a per-thread
  // buffer of DRBG output. Each byte is handed out once and wiped as it goes.
  struct Pool {
    unsigned char bytes[4096];
    size_t left = 0;
    ~Pool() { OPENSSL_cleanse(bytes, sizeof bytes); }
  };
  if (n == 0) return;
  thread_local Pool pool;
  auto* p = static_cast<unsigned char*>(out);
  if (n > sizeof pool.bytes / 4) {
    DrbgBytes(p, n);
    return;
  }
  if (pool.left < n) {
    DrbgBytes(pool.bytes, sizeof pool.bytes);
    pool.left = sizeof pool.bytes;
  }
  unsigned char* src = pool.bytes + (sizeof pool.bytes - pool.left);
  std::memcpy(p, src, n);
  OPENSSL_cleanse(src, n);
  pool.left -= n;
}

}  // namespace ss::session
