// Session records as sessiond holds them: the value bytes of a kSession
// entry under the session prefix. The session id is the key without the
// prefix, so it is not stored twice. Clients never see these bytes: every
// string read renders the record to the JSON text chuk-sessions writes
// (RenderJson), byte for byte what Python's json.dumps gives.
//
// Layout (little-endian, read and written with memcpy):
//   0 u8 version (1)        1 u8 flags (bit 0: has user; bit 1: status is
//                              "active", which is then not stored)
//   2 u8 sandbox length     3 u8 status length
//   4 u16 user length       6 u32 idle seconds (0: no sliding expiry)
//  10 u32 TTL seconds at allocation + extensions (cap for sliding expiry)
//  14 i64 created_us       22 i64 expires_us       30 i64 last_accessed_us
//  38 sandbox, user, status bytes, then custom_metadata in Py format.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ss::session {

struct SessionFields {
  std::string_view sandbox;
  bool has_user = false;
  std::string_view user;
  std::string_view status = "active";
  uint32_t idle_s = 0;
  uint32_t ttl_s = 0;
  int64_t created_us = 0;
  int64_t expires_us = 0;
  int64_t last_accessed_us = 0;
  std::string_view metadata_py = "{}";  // a JSON object in Py format
};

inline constexpr size_t kRecordHeader = 38;
inline constexpr size_t kMaxSandboxLen = 128;
inline constexpr size_t kMaxIdLen = 256;

// Replaces *out with the encoded record. REQUIRES: sandbox <= 128 bytes,
// user <= 65535, status <= 255.
void EncodeRecord(const SessionFields& f, std::string* out);
// Fields viewing into bytes; false if bytes are not a record.
bool DecodeRecord(std::string_view bytes, SessionFields* out);
// Just the sandbox / the user (cheap: no timestamps).
std::string_view RecordSandbox(std::string_view bytes);

// In-place updates of the fixed-size fields of an encoded record.
void StoreLastAccessed(char* record, int64_t us);
void StoreExpires(char* record, int64_t us);
void StoreTtl(char* record, uint32_t ttl_s);

// Appends the chuk-sessions JSON text of a record to *out.
void RenderJson(std::string_view session_id, const SessionFields& f, std::string* out);

}  // namespace ss::session
