#include "ss/session/chuk_record.h"

#include <vector>

#include "json_tape.h"
#include "ss/session/isotime.h"

namespace ss::session {
namespace {

using json_internal::JsonKind;
using json_internal::JsonMember;
using json_internal::JsonNode;
using json_internal::JsonTape;

// The record's top-level members, read as a Python dict (last value wins).
class RecordFields {
 public:
  RecordFields(const JsonTape& tape, uint32_t root) : tape_(tape) {
    members_.reserve(tape.nodes[root].length);
    json_internal::UpdateMembers(tape, root, 0, &members_);
  }

  // The value of `key`, or nullptr when absent. A record has a handful of
  // members, so a scan is cheapest.
  const JsonNode* Find(std::string_view key) const {
    for (const JsonMember& m : members_) {
      if (m.key == key) return &tape_.nodes[m.value];
    }
    return nullptr;
  }

  uint32_t IndexOf(const JsonNode* node) const {
    return static_cast<uint32_t>(node - tape_.nodes.data());
  }

  const JsonTape& tape() const { return tape_; }

 private:
  const JsonTape& tape_;
  std::vector<JsonMember> members_;
};

bool ReadNonEmptyString(const RecordFields& fields, std::string_view key, std::string* out) {
  const JsonNode* node = fields.Find(key);
  if (node == nullptr || node->kind != JsonKind::kString || node->length == 0) return false;
  out->assign(fields.tape().Text(*node));
  return true;
}

bool ReadTimestamp(const RecordFields& fields, std::string_view key, int64_t* out) {
  const JsonNode* node = fields.Find(key);
  if (node == nullptr || node->kind != JsonKind::kString) return false;
  const std::optional<int64_t> us = ParseIsoUtc(fields.tape().Text(*node));
  if (!us) return false;
  *out = *us;
  return true;
}

}  // namespace

std::optional<ChukRecord> ParseChukRecord(std::string_view json) {
  // Most values stored under the session prefix are records; anything that
  // cannot be an object is turned away before a full parse.
  const size_t first = json.find_first_not_of(" \t\n\r");
  if (first == std::string_view::npos || json[first] != '{') return std::nullopt;

  JsonTape tape;
  const auto root = json_internal::ParseJson(json, &tape);
  if (!root || tape.nodes[root.value()].kind != JsonKind::kObject) return std::nullopt;
  const RecordFields fields(tape, root.value());

  ChukRecord record;
  if (!ReadNonEmptyString(fields, "session_id", &record.session_id) ||
      !ReadNonEmptyString(fields, "sandbox_id", &record.sandbox_id) ||
      !ReadTimestamp(fields, "created_at", &record.created_us) ||
      !ReadTimestamp(fields, "expires_at", &record.expires_us) ||
      !ReadTimestamp(fields, "last_accessed", &record.last_accessed_us)) {
    return std::nullopt;
  }

  if (const JsonNode* user = fields.Find("user_id"); user != nullptr && user->kind != JsonKind::kNull) {
    if (user->kind != JsonKind::kString) return std::nullopt;
    record.has_user = true;
    record.user_id.assign(tape.Text(*user));
  }

  if (const JsonNode* status = fields.Find("status"); status == nullptr) {
    record.status = "active";
  } else if (status->kind == JsonKind::kString) {
    record.status.assign(tape.Text(*status));
  } else {
    return std::nullopt;
  }

  if (const JsonNode* metadata = fields.Find("custom_metadata"); metadata == nullptr) {
    record.metadata_py = "{}";
  } else if (metadata->kind == JsonKind::kObject) {
    json_internal::AppendPyValue(tape, fields.IndexOf(metadata), &record.metadata_py);
  } else {
    return std::nullopt;
  }
  return record;
}

}  // namespace ss::session
