// JSON text exactly as Python's json module writes it, so records and token
// data match chuk-sessions byte for byte. Parsing is RapidJSON's (validated
// UTF-8, numbers kept as their source text so big integers survive);
// serialisation is ours because no library writes Python's format.
//
// "Py format" below means json.dumps(value) with default arguments:
// separators ", " and ": ", ensure_ascii=True (non-ASCII as \uXXXX escapes,
// lowercase hex, surrogate pairs beyond the BMP), floats as Python's repr,
// NaN/Infinity as Python writes them, objects in insertion order with a
// repeated key keeping its first position and last value (dict semantics).
#pragma once

#include <string>
#include <string_view>

#include "ss/status.h"

namespace ss::session {

// Appends s (UTF-8) as a JSON string literal in Py format, quotes included.
// Bytes that are not valid UTF-8 are escaped as \u00XX (Latin-1 reading).
void AppendPyString(std::string& out, std::string_view s);

// Parses json, which must be one JSON object; replaces *out with it in Py
// format. Error (kInvalidArgument, message fit for "-ERR <message>") for
// invalid JSON or a value that is not an object.
Status NormalizeObject(std::string_view json, std::string* out);

// base_py: an object in Py format (as NormalizeObject wrote it); patch: any
// JSON text that must be an object. Replaces *out with base.update(patch) in
// Py format (existing keys keep their place, new ones are appended).
Status MergeObjects(std::string_view base_py, std::string_view patch, std::string* out);

// json (any JSON value) as json.dumps(v, separators=(",", ":"),
// sort_keys=True) writes it (ensure_ascii still on). Used for CSRF data.
// *is_empty_object says whether the value was {} (chuk writes no data then).
Status CompactSorted(std::string_view json, std::string* out, bool* is_empty_object);

}  // namespace ss::session
