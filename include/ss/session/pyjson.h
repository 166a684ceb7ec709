// JSON text exactly as Python's json module writes it, so records and token
// data match chuk-sessions byte for byte. Parsing is RapidJSON's (Debian's
// rapidjson-dev 1.1: input validated as UTF-8, numbers kept as their source
// text so integers stay exact); serialisation is ours because no library
// writes Python's format.
//
// "Py format" below means json.dumps(value) with default arguments:
// separators ", " and ": ", ensure_ascii=True (non-ASCII as \uXXXX escapes,
// lowercase hex, surrogate pairs beyond the BMP), floats as Python's repr,
// objects in insertion order with a repeated key keeping its first position
// and last value (dict semantics).
//
// Accepted input is what json.loads accepts, minus these deliberate
// deviations, all beyond RFC 8259 (where Python is lenient) and all rejected
// as "invalid JSON":
//   - NaN, Infinity and -Infinity literals (RapidJSON reads them only under
//     kParseNanAndInfFlag, which also lets through "Inf" and "-NaN");
//   - numbers RapidJSON refuses as "Number too big", where Python gives an
//     int, inf or 0.0: an integer part (of an int or a float) from about
//     1.8e308 up (all of 310+ digits, the larger 309-digit ones; every
//     integer up to 308 digits is read exactly), and a positive exponent
//     above 308 plus the fraction's leading digits (up to 17 significant),
//     whatever the value ("1e309", "1e400", even "0e999");
//   - other floats beyond double range ("1.7976931348623159e308"; Python:
//     inf), so that no output holds Infinity, which the first rule would
//     refuse to read back (floats below range are 0.0, as in Python);
//   - a lone surrogate escape ("\ud800", "\udc00"; RapidJSON refuses the
//     first itself): Python keeps it in the str, our strings are valid UTF-8.
// Python's 4300-digit int limit is never reached: the second rule comes first.
// Objects and arrays nest at most 900 deep (Python fails near 1000), and a
// text is at most 1 GiB.
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

// NormalizeObject without a copy when json already is in Py format (the
// usual META argument): *view is then json itself, else the Py text in
// *storage. *view lives as long as the shorter of json and *storage.
Status NormalizeObjectView(std::string_view json, std::string* storage, std::string_view* view);
// NormalizeObject by the general parser alone, without the fast path for
// flat objects (for tests that check the two agree).
Status NormalizeObjectGeneral(std::string_view json, std::string* out);
// base_py: an object in Py format (as NormalizeObject wrote it); patch: any
// JSON text that must be an object. Replaces *out with base.update(patch) in
// Py format (existing keys keep their place, new ones are appended).
Status MergeObjects(std::string_view base_py, std::string_view patch, std::string* out);

// json (any JSON value) as json.dumps(v, separators=(",", ":"),
// sort_keys=True) writes it (ensure_ascii still on). Used for CSRF data.
// *is_empty_object says whether the value was {} (chuk writes no data then).
Status CompactSorted(std::string_view json, std::string* out, bool* is_empty_object);

}  // namespace ss::session
