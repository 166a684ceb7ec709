#include "ss/session/record.h"

#include <cassert>
#include <cstring>

#include "ss/session/isotime.h"
#include "ss/session/pyjson.h"

namespace ss::session {
namespace {

constexpr uint8_t kVersion = 1;
constexpr uint8_t kHasUser = 1;
constexpr uint8_t kActive = 2;  // status is "active", not stored
constexpr size_t kOffIdle = 6;
constexpr size_t kOffTtl = 10;
constexpr size_t kOffCreated = 14;
constexpr size_t kOffExpires = 22;
constexpr size_t kOffAccessed = 30;

template <typename T>
void Put(char* p, T v) {
  std::memcpy(p, &v, sizeof v);
}
template <typename T>
T Get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

void EncodeRecord(const SessionFields& f, std::string* out) {
  assert(f.sandbox.size() <= kMaxSandboxLen && f.user.size() <= 0xFFFF && f.status.size() <= 0xFF);
  const std::string_view user = f.has_user ? f.user : std::string_view();
  out->resize(kRecordHeader);
  char* p = out->data();
  p[0] = static_cast<char>(kVersion);
  const bool active = f.status == "active";
  const std::string_view status = active ? std::string_view() : f.status;
  p[1] = static_cast<char>((f.has_user ? kHasUser : 0) | (active ? kActive : 0));
  p[2] = static_cast<char>(f.sandbox.size());
  p[3] = static_cast<char>(status.size());
  Put<uint16_t>(p + 4, static_cast<uint16_t>(user.size()));
  Put<uint32_t>(p + kOffIdle, f.idle_s);
  Put<uint32_t>(p + kOffTtl, f.ttl_s);
  Put<int64_t>(p + kOffCreated, f.created_us);
  Put<int64_t>(p + kOffExpires, f.expires_us);
  Put<int64_t>(p + kOffAccessed, f.last_accessed_us);
  out->append(f.sandbox).append(user).append(status).append(f.metadata_py);
}

bool DecodeRecord(std::string_view bytes, SessionFields* out) {
  if (bytes.size() < kRecordHeader || static_cast<uint8_t>(bytes[0]) != kVersion) return false;
  const char* p = bytes.data();
  const size_t sandbox_len = static_cast<uint8_t>(p[2]);
  const size_t status_len = static_cast<uint8_t>(p[3]);
  const size_t user_len = Get<uint16_t>(p + 4);
  if (kRecordHeader + sandbox_len + user_len + status_len > bytes.size()) return false;
  size_t off = kRecordHeader;
  out->sandbox = bytes.substr(off, sandbox_len);
  off += sandbox_len;
  out->has_user = (static_cast<uint8_t>(p[1]) & kHasUser) != 0;
  out->user = bytes.substr(off, user_len);
  off += user_len;
  out->status = (static_cast<uint8_t>(p[1]) & kActive) != 0 ? std::string_view("active")
                                                             : bytes.substr(off, status_len);
  off += status_len;
  out->metadata_py = bytes.substr(off);
  out->idle_s = Get<uint32_t>(p + kOffIdle);
  out->ttl_s = Get<uint32_t>(p + kOffTtl);
  out->created_us = Get<int64_t>(p + kOffCreated);
  out->expires_us = Get<int64_t>(p + kOffExpires);
  out->last_accessed_us = Get<int64_t>(p + kOffAccessed);
  return true;
}

std::string_view RecordSandbox(std::string_view bytes) {
  if (bytes.size() < kRecordHeader) return {};
  return bytes.substr(kRecordHeader, static_cast<uint8_t>(bytes[2]));
}

void StoreLastAccessed(char* record, int64_t us) { Put<int64_t>(record + kOffAccessed, us); }
void StoreExpires(char* record, int64_t us) { Put<int64_t>(record + kOffExpires, us); }
void StoreTtl(char* record, uint32_t ttl_s) { Put<uint32_t>(record + kOffTtl, ttl_s); }

void RenderJson(std::string_view session_id, const SessionFields& f, std::string* out) {
  out->reserve(out->size() + 220 + session_id.size() + f.sandbox.size() + f.user.size() +
               f.metadata_py.size());
  out->append("{\"session_id\": ");
  AppendPyString(*out, session_id);
  out->append(", \"sandbox_id\": ");
  AppendPyString(*out, f.sandbox);
  out->append(", \"user_id\": ");
  if (f.has_user) {
    AppendPyString(*out, f.user);
  } else {
    out->append("null");
  }
  out->append(", \"created_at\": \"");
  AppendIsoUtc(*out, f.created_us);
  out->append("\", \"expires_at\": \"");
  AppendIsoUtc(*out, f.expires_us);
  out->append("\", \"status\": ");
  AppendPyString(*out, f.status);
  out->append(", \"last_accessed\": \"");
  AppendIsoUtc(*out, f.last_accessed_us);
  out->append("\", \"custom_metadata\": ");
  out->append(f.metadata_py);
  out->push_back('}');
}

}  // namespace ss::session
