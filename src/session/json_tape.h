// Private to ss_session_json (deliberately not under include/): the parsed
// form of a JSON text, shared by pyjson.cc, which fills it from RapidJSON's
// reader and writes it in Py format, and chuk_record.cc, which reads fields
// out of it. A DOM of our own rather than rapidjson::Document because the
// Document keeps numbers parsed under kParseNumbersAsStringsFlag as plain
// strings, and Py format must tell 1 from "1".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ss/status.h"

namespace ss::session::json_internal {

enum class JsonKind : uint8_t { kNull, kFalse, kTrue, kInt, kFloat, kString, kArray, kObject };

struct JsonNode {
  JsonKind kind = JsonKind::kNull;
  uint32_t end = 0;     // index one past this node's subtree in JsonTape::nodes
  uint32_t offset = 0;  // kString, kInt: where the text starts in JsonTape::text
  uint32_t length = 0;  // kString, kInt: text bytes; kArray: elements;
                        // kObject: members as written (repeated keys counted)
  double number = 0;    // kFloat: always finite
};

// A parsed document in pre-order: a container is followed by its children,
// an object's children alternating key (kString) and value. The tape owns
// copies of every string, so it never borrows the source text: a caller may
// parse a view of the string it then overwrites with the output.
// Strings are valid UTF-8 (no lone surrogates). kInt text is the integer as
// Python's repr writes it ("-0" already became "0").
struct JsonTape {
  std::vector<JsonNode> nodes;
  std::string text;

  std::string_view Text(const JsonNode& node) const {
    return std::string_view(text).substr(node.offset, node.length);
  }
};

// An object member after dict semantics: first position, last value.
struct JsonMember {
  std::string_view key;  // into JsonTape::text
  uint32_t value;        // node index
};

// Parses json (one value, JSON whitespace around it allowed) with RapidJSON,
// appending its nodes to *tape. Accepts what Python's json.loads accepts
// except the deviations listed in pyjson.h. Returns the root's index, or
// kInvalidArgument with a message fit for "-ERR " (the tape may then hold
// part of the value).
Result<uint32_t> ParseJson(std::string_view json, JsonTape* tape);

// dict.update: applies the members of the object at `object` to the dict
// held in (*members)[base, end), replacing values of keys already there and
// appending new keys in order. Use an empty range to read an object as a dict.
void UpdateMembers(const JsonTape& tape, uint32_t object, size_t base,
                   std::vector<JsonMember>* members);

// Appends the value at `index` in Py format (pyjson.h).
void AppendPyValue(const JsonTape& tape, uint32_t index, std::string* out);

}  // namespace ss::session::json_internal
