// Sealed tokens: ChaCha20-Poly1305 (RFC 8439) through OpenSSL EVP.
//
//   token     = base64url(version || nonce || ciphertext || tag), no padding
//   version   = 0x01 (one byte; anything else is rejected)
//   nonce     = 12 fresh CSPRNG bytes per token
//   plaintext = 8-byte big-endian unix seconds || data
//   AAD       = kAadLabel || session id (the label has a fixed length, so the
//               concatenation is unambiguous and the id needs no framing)
//   tag       = 16 bytes
//
// Why ChaCha20-Poly1305 rather than AES-256-GCM: both are fine AEADs with the
// same 96-bit nonce, but (1) ChaCha20 is constant-time in plain software on
// every CPU, where AES is only as good as the hardware AES support the host
// happens to have; (2) with random nonces a collision is a birthday event
// (about 2^-33 after 2^32 tokens under one key), and if it ever happens GCM
// leaks its hash key H, allowing forgeries for every nonce under that key,
// while Poly1305's one-time key is per nonce, so the damage stays with the
// two colliding tokens. Speed does not matter for tokens this size.
#include "ss/session/seal.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "ss/session/ids.h"
#include "token_common.h"

namespace ss::session {
namespace {

constexpr uint8_t kVersion = 0x01;
constexpr size_t kNonceLen = 12;
constexpr size_t kTagLen = 16;
constexpr size_t kTimeLen = 8;
constexpr size_t kMinTokenBytes = 1 + kNonceLen + kTimeLen + kTagLen;
// Domain-separation labels: a key or an AAD made for one purpose can never
// be mistaken for another (the CSRF HMAC uses the raw secret; this key is
// derived with its own label).
constexpr std::string_view kHkdfInfo = "sessiond seal key v1";
constexpr std::string_view kAadLabel = "sessiond/seal/v1:";

// EVP update calls take an int length; larger inputs go in chunks of this
// size, so the loops run at most size / 1 GiB + 1 times.
constexpr size_t kChunk = size_t{1} << 30;

[[noreturn]] void Fatal(const char* what) {
  std::fprintf(stderr, "sessiond: fatal: OpenSSL %s failed\n", what);
  std::abort();
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// Feeds in (to out, or as AAD when out is null) in int-sized chunks; returns
// false on an OpenSSL error. ChaCha20-Poly1305 is a stream cipher: output
// length equals input length, so out advances by exactly what was consumed.
bool Update(EVP_CIPHER_CTX* ctx, bool encrypt, const uint8_t* in, size_t n, uint8_t* out) {
  while (n > 0) {
    const int chunk = static_cast<int>(std::min(n, kChunk));
    int written = 0;
    const int ok = encrypt ? EVP_EncryptUpdate(ctx, out, &written, in, chunk)
                           : EVP_DecryptUpdate(ctx, out, &written, in, chunk);
    if (ok != 1) return false;
    if (out != nullptr) {
      if (written != chunk) return false;
      out += chunk;
    }
    in += chunk;
    n -= static_cast<size_t>(chunk);
  }
  return true;
}

bool FeedAad(EVP_CIPHER_CTX* ctx, bool encrypt, std::string_view session_id) {
  return Update(ctx, encrypt, reinterpret_cast<const uint8_t*>(kAadLabel.data()),
                kAadLabel.size(), nullptr) &&
         Update(ctx, encrypt, reinterpret_cast<const uint8_t*>(session_id.data()),
                session_id.size(), nullptr);
}

}  // namespace

SealKey DeriveSealKey(std::string_view secret) {
  // HKDF-SHA256 (RFC 5869), extract-then-expand, no salt (the RFC's default
  // of HashLen zero bytes): the secret is already the server's key material.
  static const unsigned char kNoKey = 0;  // an empty secret is still a key
  SealKey key{};
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) Fatal("EVP_KDF_fetch(HKDF)");
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);  // the context holds its own reference
  if (ctx == nullptr) Fatal("EVP_KDF_CTX_new");
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_KEY,
          const_cast<void*>(secret.empty() ? static_cast<const void*>(&kNoKey)
                                           : static_cast<const void*>(secret.data())),
          secret.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                        const_cast<char*>(kHkdfInfo.data()), kHkdfInfo.size()),
      OSSL_PARAM_construct_end(),
  };
  const int ok = EVP_KDF_derive(ctx, key.data(), key.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) Fatal("HKDF-SHA256 derive");
  return key;
}

std::string SealToken(const SealKey& key, std::string_view session_id,
                      int64_t unix_s, std::string_view data) {
  std::string plain(kTimeLen + data.size(), '\0');
  const uint64_t t = static_cast<uint64_t>(unix_s);
  for (size_t i = 0; i < kTimeLen; ++i) {
    plain[i] = static_cast<char>(t >> (8 * (kTimeLen - 1 - i)));
  }
  std::copy(data.begin(), data.end(), plain.begin() + kTimeLen);

  std::string raw(1 + kNonceLen + plain.size() + kTagLen, '\0');
  auto* bytes = reinterpret_cast<uint8_t*>(raw.data());
  bytes[0] = kVersion;
  uint8_t* nonce = bytes + 1;
  uint8_t* cipher_text = nonce + kNonceLen;
  uint8_t* tag = cipher_text + plain.size();
  RandomBytes(nonce, kNonceLen);

  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int final_len = 0;
  if (ctx == nullptr ||
      EVP_EncryptInit_ex2(ctx.get(), EVP_chacha20_poly1305(), key.data(), nonce, nullptr) != 1 ||
      !FeedAad(ctx.get(), true, session_id) ||
      !Update(ctx.get(), true, reinterpret_cast<const uint8_t*>(plain.data()), plain.size(),
              cipher_text) ||
      EVP_EncryptFinal_ex(ctx.get(), tag, &final_len) != 1 || final_len != 0 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTagLen, tag) != 1) {
    Fatal("ChaCha20-Poly1305 encrypt");
  }
  OPENSSL_cleanse(plain.data(), plain.size());
  return Base64UrlEncode(raw);
}

std::optional<OpenedToken> OpenToken(const SealKey& key, std::string_view session_id,
                                     std::string_view token, int64_t now_s,
                                     int64_t max_age_s) {
  const std::optional<std::string> raw = Base64UrlDecode(token);
  if (!raw || raw->size() < kMinTokenBytes) return std::nullopt;
  const auto* bytes = reinterpret_cast<const uint8_t*>(raw->data());
  if (bytes[0] != kVersion) return std::nullopt;
  const uint8_t* nonce = bytes + 1;
  const uint8_t* cipher_text = nonce + kNonceLen;
  const size_t cipher_len = raw->size() - 1 - kNonceLen - kTagLen;
  const uint8_t* tag = cipher_text + cipher_len;

  std::string plain(cipher_len, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return std::nullopt;
  int final_len = 0;
  uint8_t final_out[1];  // Final writes nothing for a stream cipher
  // The tag is set before Final, which compares it in constant time; the
  // plaintext is not looked at unless Final succeeds.
  const bool authentic =
      EVP_DecryptInit_ex2(ctx.get(), EVP_chacha20_poly1305(), key.data(), nonce, nullptr) == 1 &&
      FeedAad(ctx.get(), false, session_id) &&
      Update(ctx.get(), false, cipher_text, cipher_len, reinterpret_cast<uint8_t*>(plain.data())) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTagLen,
                          const_cast<uint8_t*>(tag)) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), final_out, &final_len) == 1 && final_len == 0;
  if (!authentic) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return std::nullopt;
  }

  uint64_t t = 0;
  for (size_t i = 0; i < kTimeLen; ++i) t = (t << 8) | static_cast<uint8_t>(plain[i]);
  OpenedToken opened;
  opened.unix_s = static_cast<int64_t>(t);
  if (TokenExpired(now_s, opened.unix_s, max_age_s)) return std::nullopt;
  opened.data = plain.substr(kTimeLen);
  return opened;
}

}  // namespace ss::session
