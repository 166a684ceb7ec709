// Session ids: chuk-sessions' id formats, filled from the OS CSPRNG (OpenSSL
// RAND_bytes) with at least 128 bits of entropy each (except kUuid: a v4 UUID
// holds 122 random bits), characters drawn without modulo bias. Pure
// functions, any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ss::session {

enum class IdFormat {
  kGeneric,    // "sess-" + 44 of [A-Za-z0-9]
  kMcp,        // "mcp-" + 36 of [A-Za-z0-9_.-] (chuk's MCP_EXTENDED_CHARS)
  kHttp,       // "http-" + 32 of [A-Za-z0-9_-]
  kWebsocket,  // "ws-" + 32 URL-safe
  kJwt,        // 30 URL-safe, no prefix
  kUuid,       // version-4 UUID, lowercase, 8-4-4-4-12
  kApiKey,     // "ak_" + 40 lowercase hex
  kTempToken,  // "tmp_" + 22 of [A-Za-z0-9]
};

// "generic", "mcp", "http", "websocket", "jwt", "uuid", "api_key",
// "temp_token", case-insensitive; nullopt for anything else.
std::optional<IdFormat> ParseIdFormat(std::string_view name);

// A fresh id. Aborts the process if the CSPRNG fails (never returns a weak id).
std::string NewSessionId(IdFormat format);
// The same appended to *out (say after a key prefix), so no second string
// is built.
void AppendSessionId(IdFormat format, std::string* out);

// n bytes from the CSPRNG into out; aborts on failure.
void RandomBytes(void* out, size_t n);

}  // namespace ss::session
