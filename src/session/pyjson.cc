// Python's json module, both ways: RapidJSON's reader turned into a tape
// (json_tape.h) with Python's dict semantics, and writers of json.dumps(v)
// and json.dumps(v, separators=(",", ":"), sort_keys=True).
#include "ss/session/pyjson.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <system_error>

#include "json_tape.h"

namespace ss::session {
namespace json_internal {
namespace {

// Python's json.loads and json.dumps recurse once per nesting level and
// raise RecursionError near depth 1000 (994 from a top-level call, less from
// a deeper caller). 900 stays below that; it bounds RapidJSON's parse stack,
// our stack of open containers, and our recursion when writing (a few
// hundred KB of stack).
constexpr size_t kMaxDepth = 900;

// Tape offsets are 32-bit; Redis caps a value at 512 MB, and two texts of
// this size (MergeObjects) still fit.
constexpr size_t kMaxJsonBytes = size_t{1} << 30;

// Up to this many members, finding a repeated key by scanning beats sorting.
constexpr size_t kLinearDedupMax = 16;

constexpr std::string_view kInvalidJson = "invalid JSON";
constexpr std::string_view kNotObject = "JSON value is not an object";
constexpr std::string_view kTooDeep = "JSON nesting too deep";
constexpr std::string_view kTooLarge = "JSON text too large";

Error InvalidArgument(std::string_view message) {
  return Error{ErrorCode::kInvalidArgument, std::string(message)};
}

// Bytes json.dumps writes unescaped with ensure_ascii: printable ASCII but
// '"' and '\\'.
constexpr std::array<bool, 256> MakePlainTable() {
  std::array<bool, 256> table{};
  for (int b = 0x20; b < 0x7f; ++b) table[b] = true;
  table['"'] = table['\\'] = false;
  return table;
}
constexpr std::array<bool, 256> kPlainOut = MakePlainTable();

// Length of the UTF-8 sequence at p (p < end, *p >= 0x80), or 0 if it is not
// one: overlong forms, surrogates (ED A0..BF xx) and code points past
// U+10FFFF are refused.
size_t Utf8SequenceLength(const char* p, const char* end) {
  const auto b0 = static_cast<uint8_t>(p[0]);
  size_t n = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (static_cast<size_t>(end - p) < n) return 0;
  const auto b1 = static_cast<uint8_t>(p[1]);
  if (b1 < lo || b1 > hi) return 0;
  for (size_t i = 2; i < n; ++i) {
    if ((static_cast<uint8_t>(p[i]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

// REQUIRES: [p, p + n) passed Utf8SequenceLength.
uint32_t DecodeUtf8(const char* p, size_t n) {
  const auto b = [p](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(p[i])); };
  if (n == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (n == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

// "\uXXXX" with lowercase hex, as Python writes it.
void AppendEscapedUnit(std::string& out, uint32_t unit) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char escape[6] = {'\\', 'u', kHex[(unit >> 12) & 0xF], kHex[(unit >> 8) & 0xF],
                          kHex[(unit >> 4) & 0xF], kHex[unit & 0xF]};
  out.append(escape, sizeof escape);
}

// Appends s as json.dumps writes a str (ensure_ascii); a byte that is not
// part of valid UTF-8 is read as Latin-1.
void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  const char* p = s.data();
  const char* const end = p + s.size();
  // Each pass consumes at least one byte, so the loop ends with the string.
  while (p != end) {
    const char* run = p;
    while (p != end && kPlainOut[static_cast<uint8_t>(*p)]) ++p;
    out.append(run, p);
    if (p == end) break;
    const auto c = static_cast<uint8_t>(*p);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default: AppendEscapedUnit(out, c); break;  // other controls and DEL
      }
      ++p;
      continue;
    }
    const size_t n = Utf8SequenceLength(p, end);
    if (n == 0) {  // not UTF-8: the byte read as Latin-1
      AppendEscapedUnit(out, c);
      ++p;
      continue;
    }
    const uint32_t cp = DecodeUtf8(p, n);
    if (cp >= 0x10000) {
      AppendEscapedUnit(out, 0xD800 + ((cp - 0x10000) >> 10));
      AppendEscapedUnit(out, 0xDC00 + ((cp - 0x10000) & 0x3FF));
    } else {
      AppendEscapedUnit(out, cp);
    }
    p += n;
  }
  out.push_back('"');
}

// repr(float): the shortest digits that read back as v, in positional form
// when the decimal exponent is in [-4, 16), else as d[.ddd]e(+|-)XX.
// REQUIRES: v is finite (the tape holds no NaN nor infinity).
void AppendPyFloat(std::string& out, double v) {
  // Shortest round-trip scientific form: [-]d[.ddd]e(+|-)dd[d], at most 24 chars.
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  const size_t e_pos = sci.find('e');
  const bool negative = sci[0] == '-';
  std::string_view mantissa = sci.substr(negative, e_pos - negative);
  char digits[24];
  size_t n = 0;
  for (char c : mantissa) {
    if (c != '.') digits[n++] = c;
  }
  int exp = 0;
  const std::string_view exp_text = sci.substr(e_pos + 1);
  std::from_chars(exp_text.data() + (exp_text[0] == '+'), exp_text.data() + exp_text.size(), exp);

  if (negative) out.push_back('-');
  if (exp < -4 || exp >= 16) {
    out.push_back(digits[0]);
    if (n > 1) {
      out.push_back('.');
      out.append(digits + 1, n - 1);
    }
    out.push_back('e');
    out.push_back(exp < 0 ? '-' : '+');
    const int abs_exp = exp < 0 ? -exp : exp;
    if (abs_exp < 10) out.push_back('0');
    out += std::to_string(abs_exp);
  } else if (exp >= 0) {
    const auto int_len = static_cast<size_t>(exp) + 1;
    if (n <= int_len) {
      out.append(digits, n);
      out.append(int_len - n, '0');
      out += ".0";
    } else {
      out.append(digits, int_len);
      out.push_back('.');
      out.append(digits + int_len, n - int_len);
    }
  } else {
    out += "0.";
    out.append(static_cast<size_t>(-exp - 1), '0');
    out.append(digits, n);
  }
}

// For a float's text that from_chars found out of double range (RapidJSON
// checked its grammar): true if it overflows, which Python's float() makes
// inf, rather than underflows, which it makes 0.0. The decimal exponent of
// the leading nonzero digit (there is one: zero is never out of range)
// decides: above 308 or below -323.
bool Overflows(std::string_view text) {
  size_t i = text[0] == '-';
  const size_t int_len = text.find_first_not_of("0123456789", i) - i;
  int64_t power = static_cast<int64_t>(int_len) - 1;  // power of ten of the digit at i
  for (; i < text.size() && (text[i] == '0' || text[i] == '.'); ++i) {
    if (text[i] == '0') --power;
  }
  i = text.find_first_of("eE");
  int64_t exp = 0;
  if (i != std::string_view::npos) {
    ++i;
    const bool exp_negative = text[i] == '-';
    if (text[i] == '+' || text[i] == '-') ++i;
    // Saturate: anything past 10^12 is as out of range as 10^12 (RapidJSON
    // bounds positive exponents, not negative ones).
    for (; i < text.size() && exp < 1'000'000'000'000; ++i) exp = exp * 10 + (text[i] - '0');
    if (exp_negative) exp = -exp;
  }
  return power + exp > 0;
}

// How RapidJSON reads for us: input validated as UTF-8 (Python decodes it
// strictly before parsing); numbers handed over as their source text, so
// integers stay exact and floats are converted once, by from_chars
// (kParseFullPrecisionFlag matters only for numbers RapidJSON converts
// itself, none under kParseNumbersAsStringsFlag; it is set so that dropping
// that flag cannot silently cost precision); iterative, so nesting costs
// heap, not stack; and stopping after the value, because RapidJSON's own end
// check takes a NUL byte for the end of the input ("{}\0x" would pass).
// No kParseNanAndInfFlag: pyjson.h lists that and the other deviations.
constexpr unsigned kReadFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag |
    rapidjson::kParseFullPrecisionFlag | rapidjson::kParseIterativeFlag |
    rapidjson::kParseStopWhenDoneFlag;

// A RapidJSON SAX handler appending one value to a tape. It stops the reader
// (returns false) on nesting past kMaxDepth, a lone surrogate, or a float
// beyond double range; error() then says why. Keys arrive through String()
// (BaseReaderHandler forwards them), which is what the tape wants.
class TapeBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TapeBuilder> {
 public:
  explicit TapeBuilder(JsonTape* tape) : tape_(*tape) {}

  std::string_view error() const { return error_; }

  // Int, Uint, Int64, Uint64 and Double land here; under
  // kParseNumbersAsStringsFlag RapidJSON calls RawNumber instead.
  bool Default() { return Fail(kInvalidJson); }

  bool Null() {
    Push(JsonKind::kNull);
    return true;
  }

  bool Bool(bool b) {
    Push(b ? JsonKind::kTrue : JsonKind::kFalse);
    return true;
  }

  bool RawNumber(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    return Number(std::string_view(text, length));
  }

  // text is RapidJSON's scratch copy, valid for this call only.
  bool String(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    const std::string_view s(text, length);
    // The input was validated as UTF-8, so a surrogate (ED A0..BF xx) can
    // only come from a \u escape: RapidJSON refuses a lone high one itself
    // but encodes a lone low one. Python keeps both; we refuse both.
    for (size_t i = s.find('\xED'); i != std::string_view::npos; i = s.find('\xED', i + 1)) {
      if (i + 1 < s.size() && static_cast<uint8_t>(s[i + 1]) >= 0xA0) return Fail(kInvalidJson);
    }
    AppendText(JsonKind::kString, s);
    return true;
  }

  bool StartObject() { return Open(JsonKind::kObject); }
  bool EndObject(rapidjson::SizeType members) { return Close(members); }
  bool StartArray() { return Open(JsonKind::kArray); }
  bool EndArray(rapidjson::SizeType elements) { return Close(elements); }

 private:
  bool Fail(std::string_view message) {
    error_ = message;
    return false;
  }

  uint32_t Push(JsonKind kind) {
    const auto index = static_cast<uint32_t>(tape_.nodes.size());
    JsonNode& node = tape_.nodes.emplace_back();
    node.kind = kind;
    node.end = index + 1;
    return index;
  }

  void AppendText(JsonKind kind, std::string_view s) {
    const size_t offset = tape_.text.size();
    tape_.text.append(s);
    JsonNode& node = tape_.nodes[Push(kind)];
    node.offset = static_cast<uint32_t>(offset);
    node.length = static_cast<uint32_t>(s.size());
  }

  bool Open(JsonKind kind) {
    if (open_.size() == kMaxDepth) return Fail(kTooDeep);
    open_.push_back(Push(kind));
    return true;
  }

  // RapidJSON pairs every End with the Start of the innermost open container.
  bool Close(rapidjson::SizeType count) {
    JsonNode& node = tape_.nodes[open_.back()];
    open_.pop_back();
    node.length = count;
    node.end = static_cast<uint32_t>(tape_.nodes.size());
    return true;
  }

  // Python's rule: an int unless there is a fraction or an exponent.
  bool Number(std::string_view text) {
    if (text.find_first_of(".eE") == std::string_view::npos) {
      AppendText(JsonKind::kInt, text == "-0" ? "0" : text);  // int("-0") == 0
      return true;
    }
    double value = 0;
    const char* const end = text.data() + text.size();
    const auto res = std::from_chars(text.data(), end, value);
    // from_chars leaves value alone when out of range. An underflow is
    // Python's ±0.0; an overflow (Python: inf) is refused, so the tape never
    // holds a float that Py format writes as Infinity, which we could not
    // read back (pyjson.h).
    const bool underflow = res.ec == std::errc::result_out_of_range && !Overflows(text);
    if ((res.ec != std::errc() && !underflow) || res.ptr != end) return Fail(kInvalidJson);
    if (underflow) value = text[0] == '-' ? -0.0 : 0.0;
    tape_.nodes[Push(JsonKind::kFloat)].number = value;
    return true;
  }

  JsonTape& tape_;
  std::vector<uint32_t> open_;  // node indexes of open containers, at most kMaxDepth
  std::string_view error_ = kInvalidJson;
};

enum class Style {
  kPy,             // json.dumps(v)
  kCompactSorted,  // json.dumps(v, separators=(",", ":"), sort_keys=True)
};

// Writes tape values in one style. Recursion follows the tape's nesting,
// which the reader capped at kMaxDepth.
class Writer {
 public:
  Writer(const JsonTape& tape, Style style, std::string* out)
      : tape_(tape),
        out_(*out),
        sorted_(style == Style::kCompactSorted),
        item_separator_(sorted_ ? "," : ", "),
        key_separator_(sorted_ ? ":" : ": ") {}

  void Value(uint32_t index) {
    const JsonNode& node = tape_.nodes[index];
    switch (node.kind) {
      case JsonKind::kNull: out_ += "null"; return;
      case JsonKind::kFalse: out_ += "false"; return;
      case JsonKind::kTrue: out_ += "true"; return;
      case JsonKind::kInt: out_ += tape_.Text(node); return;
      case JsonKind::kFloat: AppendPyFloat(out_, node.number); return;
      case JsonKind::kString:
        AppendJsonString(out_, tape_.Text(node));
        return;
      case JsonKind::kArray: {
        out_.push_back('[');
        uint32_t child = index + 1;
        for (uint32_t i = 0; i < node.length; ++i) {
          if (i != 0) out_ += item_separator_;
          Value(child);
          child = tape_.nodes[child].end;
        }
        out_.push_back(']');
        return;
      }
      case JsonKind::kObject: {
        const size_t base = members_.size();
        UpdateMembers(tape_, index, base, &members_);
        Members(base);
        members_.resize(base);
        return;
      }
    }
  }

  // The scratch stack of object members; Members() writes its top.
  std::vector<JsonMember>& members() { return members_; }

  // Writes members_[base, size()) as an object (sorted first if so styled).
  void Members(size_t base) {
    const size_t end = members_.size();
    if (sorted_) {
      std::sort(members_.begin() + static_cast<ptrdiff_t>(base), members_.end(),
                [](const JsonMember& a, const JsonMember& b) { return a.key < b.key; });
    }
    out_.push_back('{');
    for (size_t i = base; i < end; ++i) {
      if (i != base) out_ += item_separator_;
      const JsonMember member = members_[i];  // a copy: Value() may grow members_
      AppendJsonString(out_, member.key);
      out_ += key_separator_;
      Value(member.value);
    }
    out_.push_back('}');
  }

 private:
  const JsonTape& tape_;
  std::string& out_;
  const bool sorted_;  // string_view order is byte order = code point order
  const std::string_view item_separator_;
  const std::string_view key_separator_;
  std::vector<JsonMember> members_;  // a stack: one frame per open object
};

// Large objects: find repeated keys by sorting (key, first position) pairs,
// O(n log n) whatever the keys (a hash table could be driven quadratic by
// chosen keys).
void UpdateMembersSorted(const JsonTape& tape, uint32_t object, size_t base,
                         std::vector<JsonMember>* members) {
  struct Entry {
    std::string_view key;
    uint32_t order;
    uint32_t value;
  };
  const JsonNode& node = tape.nodes[object];
  std::vector<Entry> entries;
  entries.reserve(members->size() - base + node.length);
  for (size_t i = base; i < members->size(); ++i) {
    entries.push_back({(*members)[i].key, static_cast<uint32_t>(entries.size()), (*members)[i].value});
  }
  uint32_t key = object + 1;
  for (uint32_t i = 0; i < node.length; ++i) {
    const uint32_t value = key + 1;
    entries.push_back({tape.Text(tape.nodes[key]), static_cast<uint32_t>(entries.size()), value});
    key = tape.nodes[value].end;
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.key < b.key; });
  size_t kept = 0;
  for (size_t i = 0; i < entries.size();) {
    size_t last = i;
    while (last + 1 < entries.size() && entries[last + 1].key == entries[i].key) ++last;
    entries[kept++] = {entries[i].key, entries[i].order, entries[last].value};
    i = last + 1;
  }
  entries.resize(kept);
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.order < b.order; });
  members->resize(base);
  for (const Entry& e : entries) members->push_back({e.key, e.value});
}

}  // namespace

Result<uint32_t> ParseJson(std::string_view json, JsonTape* tape) {
  if (json.size() > kMaxJsonBytes || tape->text.size() > kMaxJsonBytes ||
      tape->nodes.size() > kMaxJsonBytes) {
    return InvalidArgument(kTooLarge);
  }
  // Decoded strings and integers never outgrow their source text; a node
  // takes at least one byte and typical JSON has about one per 8 bytes.
  tape->text.reserve(tape->text.size() + json.size());
  tape->nodes.reserve(tape->nodes.size() + json.size() / 8 + 8);
  const auto root = static_cast<uint32_t>(tape->nodes.size());
  TapeBuilder builder(tape);
  // MemoryStream, not Document::Parse(text, length): that one skips a UTF-8
  // BOM, which json.loads rejects.
  rapidjson::MemoryStream stream(json.data(), json.size());
  rapidjson::Reader reader;
  if (!reader.Parse<kReadFlags>(stream, builder)) return InvalidArgument(builder.error());
  // As json.loads: only whitespace may follow the value ("Extra data").
  if (json.find_first_not_of(" \t\n\r", stream.Tell()) != std::string_view::npos) {
    return InvalidArgument(kInvalidJson);
  }
  return root;
}

void UpdateMembers(const JsonTape& tape, uint32_t object, size_t base,
                   std::vector<JsonMember>* members) {
  const JsonNode& node = tape.nodes[object];
  if (members->size() - base + node.length > kLinearDedupMax) {
    UpdateMembersSorted(tape, object, base, members);
    return;
  }
  uint32_t key = object + 1;
  for (uint32_t i = 0; i < node.length; ++i) {
    const uint32_t value = key + 1;
    const std::string_view name = tape.Text(tape.nodes[key]);
    const auto found = std::find_if(members->begin() + static_cast<ptrdiff_t>(base), members->end(),
                                    [name](const JsonMember& m) { return m.key == name; });
    if (found != members->end()) {
      found->value = value;
    } else {
      members->push_back({name, value});
    }
    key = tape.nodes[value].end;
  }
}

void AppendPyValue(const JsonTape& tape, uint32_t index, std::string* out) {
  Writer(tape, Style::kPy, out).Value(index);
}

}  // namespace json_internal

using json_internal::JsonKind;
using json_internal::JsonTape;

void AppendPyString(std::string& out, std::string_view s) {
  json_internal::AppendJsonString(out, s);
}

// One tape per thread, cleared per call: its buffers keep their capacity,
// so a call allocates nothing once warm (SESSION.ALLOCATE and UPDATE run
// this per command).
JsonTape& ScratchTape() {
  thread_local JsonTape tape;
  tape.nodes.clear();
  tape.text.clear();
  return tape;
}

namespace {

// The fast path for the common META argument: a flat object whose keys and
// string values are printable ASCII without escapes and whose other values
// are true, false, null or short integers, with distinct keys. Everything
// else (and every error) goes to the general parser, so the fast path only
// ever accepts text that parser accepts, and writes what it would write.
// Up to this many members, repeated keys are found by comparing all pairs.
constexpr size_t kFlatMaxMembers = 16;
// 18 digits: far below RapidJSON's "Number too big", and Python's repr of
// such an int is its JSON text (but "-0", which is refused here).
constexpr size_t kFlatMaxIntDigits = 18;

struct FlatSpan {
  uint32_t key_at, key_len;  // the key's text between its quotes
  uint32_t value_at, value_len;
};

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Parses json as a flat object as described above into spans (offsets into
// json); *n = members. False when the text is anything else.
bool ScanFlatObject(std::string_view json, FlatSpan (&spans)[kFlatMaxMembers], size_t* n) {
  const char* const begin = json.data();
  const char* const end = begin + json.size();
  const char* p = begin;
  auto skip_space = [&] {
    while (p != end && IsJsonSpace(*p)) ++p;
  };
  // A string's text up to its closing quote; p is past the opening one.
  // Bounded by the input.
  auto plain_string = [&](uint32_t* at, uint32_t* len) {
    const char* start = p;
    while (p != end && json_internal::kPlainOut[static_cast<uint8_t>(*p)]) ++p;
    if (p == end || *p != '"') return false;  // escape, control, non-ASCII
    *at = static_cast<uint32_t>(start - begin);
    *len = static_cast<uint32_t>(p - start);
    ++p;
    return true;
  };
  *n = 0;
  skip_space();
  if (p == end || *p++ != '{') return false;
  skip_space();
  if (p != end && *p == '}') {
    ++p;
  } else {
    // One member per pass; at most kFlatMaxMembers passes.
    for (;;) {
      if (*n == kFlatMaxMembers) return false;
      FlatSpan& m = spans[*n];
      if (p == end || *p++ != '"' || !plain_string(&m.key_at, &m.key_len)) return false;
      skip_space();
      if (p == end || *p++ != ':') return false;
      skip_space();
      if (p == end) return false;
      const char* v = p;
      if (*p == '"') {
        ++p;
        uint32_t at, len;
        if (!plain_string(&at, &len)) return false;
      } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
        if (*p == '-') ++p;
        const char* digits = p;
        while (p != end && *p >= '0' && *p <= '9') ++p;
        const size_t count = static_cast<size_t>(p - digits);
        if (count == 0 || count > kFlatMaxIntDigits) return false;
        if (*digits == '0' && (count > 1 || v != digits)) return false;  // 01, -0
        if (p != end && (*p == '.' || *p == 'e' || *p == 'E')) return false;
      } else {
        const std::string_view rest(p, static_cast<size_t>(end - p));
        size_t len = 0;
        if (rest.starts_with("true") || rest.starts_with("null")) {
          len = 4;
        } else if (rest.starts_with("false")) {
          len = 5;
        } else {
          return false;
        }
        p += len;
      }
      m.value_at = static_cast<uint32_t>(v - begin);
      m.value_len = static_cast<uint32_t>(p - v);
      ++*n;
      skip_space();
      if (p == end) return false;
      if (*p == '}') {
        ++p;
        break;
      }
      if (*p++ != ',') return false;
      skip_space();
    }
  }
  skip_space();
  if (p != end) return false;
  for (size_t i = 1; i < *n; ++i) {
    const std::string_view ki = json.substr(spans[i].key_at, spans[i].key_len);
    for (size_t j = 0; j < i; ++j) {
      if (json.substr(spans[j].key_at, spans[j].key_len) == ki) return false;
    }
  }
  return true;
}

// Py format of a scanned flat object: {"k": v, "k2": v2}.
void AppendFlatObject(std::string_view json, const FlatSpan* spans, size_t n, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < n; ++i) {
    if (i != 0) out->append(", ");
    out->push_back('"');
    out->append(json.substr(spans[i].key_at, spans[i].key_len));
    out->append("\": ");
    out->append(json.substr(spans[i].value_at, spans[i].value_len));
  }
  out->push_back('}');
}

// Bytes of that output.
size_t FlatObjectSize(const FlatSpan* spans, size_t n) {
  size_t size = 2;
  for (size_t i = 0; i < n; ++i) size += (i != 0 ? 2 : 0) + spans[i].key_len + 4 + spans[i].value_len;
  return size;
}

// True if json is byte for byte the Py form of its scanned members: "{",
// members joined by ", ", each "\"key\": value", then "}".
bool IsFlatPyForm(std::string_view json, const FlatSpan* spans, size_t n) {
  size_t pos = 1;
  for (size_t i = 0; i < n; ++i) {
    if (i != 0) {
      if (json.substr(pos, 2) != ", ") return false;
      pos += 2;
    }
    if (spans[i].key_at != pos + 1) return false;
    pos = spans[i].key_at + spans[i].key_len;
    if (json.substr(pos, 3) != "\": " || spans[i].value_at != pos + 3) return false;
    pos = spans[i].value_at + spans[i].value_len;
  }
  return json[0] == '{' && pos + 1 == json.size() && json[pos] == '}';
}

}  // namespace

Status NormalizeObjectView(std::string_view json, std::string* storage, std::string_view* view) {
  FlatSpan spans[kFlatMaxMembers];
  size_t n = 0;
  if (json.size() <= json_internal::kMaxJsonBytes && ScanFlatObject(json, spans, &n)) {
    if (IsFlatPyForm(json, spans, n)) {
      *view = json;
      return OkStatus();
    }
    storage->clear();
    AppendFlatObject(json, spans, n, storage);
    *view = *storage;
    return OkStatus();
  }
  Status st = NormalizeObjectGeneral(json, storage);
  if (st) *view = *storage;
  return st;
}

Status NormalizeObject(std::string_view json, std::string* out) {
  FlatSpan spans[kFlatMaxMembers];
  size_t n = 0;
  if (json.size() <= json_internal::kMaxJsonBytes && ScanFlatObject(json, spans, &n)) {
    // json may view *out: build aside, then swap in.
    std::string flat;
    flat.reserve(FlatObjectSize(spans, n));
    AppendFlatObject(json, spans, n, &flat);
    out->swap(flat);
    return OkStatus();
  }
  return NormalizeObjectGeneral(json, out);
}

Status NormalizeObjectGeneral(std::string_view json, std::string* out) {
  JsonTape& tape = ScratchTape();
  const auto root = json_internal::ParseJson(json, &tape);
  if (!root) return root.error();
  if (tape.nodes[root.value()].kind != JsonKind::kObject) {
    return json_internal::InvalidArgument(json_internal::kNotObject);
  }
  out->clear();  // only now: json may view *out, and the tape owns its text
  json_internal::AppendPyValue(tape, root.value(), out);
  return OkStatus();
}

Status MergeObjects(std::string_view base_py, std::string_view patch, std::string* out) {
  JsonTape& tape = ScratchTape();  // both texts in one tape: members of either mix freely
  const auto base = json_internal::ParseJson(base_py, &tape);
  if (!base) return base.error();
  const auto update = json_internal::ParseJson(patch, &tape);
  if (!update) return update.error();
  if (tape.nodes[base.value()].kind != JsonKind::kObject ||
      tape.nodes[update.value()].kind != JsonKind::kObject) {
    return json_internal::InvalidArgument(json_internal::kNotObject);
  }
  out->clear();
  json_internal::Writer writer(tape, json_internal::Style::kPy, out);
  json_internal::UpdateMembers(tape, base.value(), 0, &writer.members());
  json_internal::UpdateMembers(tape, update.value(), 0, &writer.members());
  writer.Members(0);
  return OkStatus();
}

Status CompactSorted(std::string_view json, std::string* out, bool* is_empty_object) {
  JsonTape& tape = ScratchTape();
  const auto root = json_internal::ParseJson(json, &tape);
  if (!root) return root.error();
  const json_internal::JsonNode& node = tape.nodes[root.value()];
  *is_empty_object = node.kind == JsonKind::kObject && node.length == 0;
  out->clear();
  json_internal::Writer(tape, json_internal::Style::kCompactSorted, out).Value(root.value());
  return OkStatus();
}

}  // namespace ss::session
