// Reading a session record that a chuk-sessions client wrote with
// `SETEX session:<id> <ttl> <json>`: json.dumps(SessionMetadata.model_dump()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ss::session {

struct ChukRecord {
  std::string session_id;
  std::string sandbox_id;
  bool has_user = false;
  std::string user_id;          // when has_user ("user_id": null otherwise)
  int64_t created_us = 0;       // unix microseconds
  int64_t expires_us = 0;
  int64_t last_accessed_us = 0;
  std::string status;           // "active", ... as written
  std::string metadata_py;      // custom_metadata, in Py format (pyjson.h)
};

// The record if json is a JSON object with: "session_id" and "sandbox_id"
// non-empty strings, "user_id" string or null (or absent = null),
// "created_at", "expires_at" and "last_accessed" ISO timestamps (isotime.h),
// "status" a string (absent = "active"), "custom_metadata" an object (absent
// = {}). Other keys are ignored. nullopt for anything else (the value then
// stays a plain string for SESSION.*).
std::optional<ChukRecord> ParseChukRecord(std::string_view json);

}  // namespace ss::session
