// Stateless sealed tokens: AEAD-encrypted, authenticated data bound to one
// session id, with a fresh random nonce per token (OpenSSL EVP).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ss::session {

using SealKey = std::array<uint8_t, 32>;

// Derives the sealing key from the server secret (HKDF-SHA256 with a fixed
// label, so CSRF HMAC and sealing never share a key).
SealKey DeriveSealKey(std::string_view secret);

// A URL-safe token carrying (unix_s, data) encrypted; the session id is
// authenticated as associated data, not stored.
std::string SealToken(const SealKey& key, std::string_view session_id,
                      int64_t unix_s, std::string_view data);

struct OpenedToken {
  int64_t unix_s = 0;
  std::string data;
};
// The token's contents if it authenticates for this session id and
// now_s - unix_s <= max_age_s; nullopt otherwise (tampered, other session,
// expired, malformed).
std::optional<OpenedToken> OpenToken(const SealKey& key, std::string_view session_id,
                                     std::string_view token, int64_t now_s,
                                     int64_t max_age_s);

}  // namespace ss::session
