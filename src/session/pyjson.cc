// Python's json module, both ways: a reader of exactly the texts json.loads
// accepts (json_tape.h says why not RapidJSON's), and writers of
// json.dumps(v) and json.dumps(v, separators=(",", ":"), sort_keys=True).
#include "ss/session/pyjson.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <system_error>

#include "json_tape.h"

namespace ss::session {
namespace json_internal {
namespace {

// Python's json.loads and json.dumps recurse once per nesting level and
// raise RecursionError near depth 1000 (994 from a top-level call, less from
// a deeper caller). 900 stays below that for a normal application stack and
// bounds our own recursion (reading and writing) to a few hundred KB of stack.
constexpr int kMaxDepth = 900;

// Python 3.11's int() refuses more than 4300 digits (the default of
// sys.set_int_max_str_digits), so json.loads rejects such integers too.
constexpr size_t kMaxIntDigits = 4300;

// Tape offsets are 32-bit; Redis caps a value at 512 MB, and two texts of
// this size (MergeObjects) still fit.
constexpr size_t kMaxJsonBytes = size_t{1} << 30;

// Up to this many members, finding a repeated key by scanning beats sorting.
constexpr size_t kLinearDedupMax = 16;

constexpr std::string_view kInvalidJson = "invalid JSON";
constexpr std::string_view kNotObject = "JSON value is not an object";
constexpr std::string_view kTooDeep = "JSON nesting too deep";
constexpr std::string_view kIntTooLong = "JSON integer has too many digits";
constexpr std::string_view kTooLarge = "JSON text too large";

Error InvalidArgument(std::string_view message) {
  return Error{ErrorCode::kInvalidArgument, std::string(message)};
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Bytes a string literal may hold unescaped: in what json.loads reads, any
// byte but '"', '\\' and controls (non-ASCII is validated separately); in
// what json.dumps writes with ensure_ascii, only printable ASCII.
constexpr std::array<bool, 256> MakeTable(bool printable_ascii_only) {
  std::array<bool, 256> table{};
  for (int b = 0x20; b < 0x80; ++b) table[b] = !(printable_ascii_only && b == 0x7f);
  table['"'] = table['\\'] = false;
  return table;
}
constexpr std::array<bool, 256> kPlainIn = MakeTable(false);
constexpr std::array<bool, 256> kPlainOut = MakeTable(true);

// Length of the UTF-8 sequence at p (p < end, *p >= 0x80), or 0 if it is not
// one: overlong forms and code points past U+10FFFF are refused, and
// surrogates (ED A0..BF xx) unless allow_surrogates.
size_t Utf8SequenceLength(const char* p, const char* end, bool allow_surrogates) {
  const auto b0 = static_cast<uint8_t>(p[0]);
  size_t n = 0;
  uint8_t lo = 0x80;
  uint8_t hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED && !allow_surrogates) hi = 0x9F;
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

// Surrogates come out as 3 bytes too (WTF-8): that is how the tape keeps a
// lone \ud800 that Python's json.loads accepts.
void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// "\uXXXX" with lowercase hex, as Python writes it.
void AppendEscapedUnit(std::string& out, uint32_t unit) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char escape[6] = {'\\', 'u', kHex[(unit >> 12) & 0xF], kHex[(unit >> 8) & 0xF],
                          kHex[(unit >> 4) & 0xF], kHex[unit & 0xF]};
  out.append(escape, sizeof escape);
}

void AppendJsonString(std::string& out, std::string_view s, bool allow_surrogates) {
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
    const size_t n = Utf8SequenceLength(p, end, allow_surrogates);
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
void AppendPyFloat(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v < 0 ? "-Infinity" : "Infinity";
    return;
  }
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

// from_chars leaves the value alone when it is out of range; the decimal
// exponent of the leading nonzero digit tells overflow (> 308) from
// underflow (< -323), which Python's float() makes inf and 0.0.
double OutOfRangeValue(std::string_view text) {
  const bool negative = text[0] == '-';
  size_t i = negative;
  const size_t int_len = text.find_first_not_of("0123456789", i) - i;
  int64_t power = static_cast<int64_t>(int_len) - 1;  // power of ten of the digit at i
  bool nonzero = false;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    if (text[i] == '.') continue;
    if (text[i] != '0') {
      nonzero = true;
      break;
    }
    --power;
  }
  i = text.find_first_of("eE");
  int64_t exp = 0;
  if (i != std::string_view::npos) {
    ++i;
    const bool exp_negative = text[i] == '-';
    if (text[i] == '+' || text[i] == '-') ++i;
    // Saturate: anything past 10^12 is as out of range as 10^12.
    for (; i < text.size() && exp < 1'000'000'000'000; ++i) exp = exp * 10 + (text[i] - '0');
    if (exp_negative) exp = -exp;
  }
  const bool overflow = nonzero && power + exp > 0;
  const double magnitude = overflow ? std::numeric_limits<double>::infinity() : 0.0;
  return negative ? -magnitude : magnitude;
}

// A recursive-descent reader of Python's JSON grammar (json/scanner.py and
// the C scanner behind it), appending to a tape. Depth is capped at kMaxDepth.
class Reader {
 public:
  Reader(std::string_view json, JsonTape* tape)
      : p_(json.data()), end_(json.data() + json.size()), tape_(*tape) {}

  Result<uint32_t> Run() {
    const auto root = static_cast<uint32_t>(tape_.nodes.size());
    SkipSpace();
    if (!Value(0)) return InvalidArgument(error_);
    SkipSpace();
    if (p_ != end_) return InvalidArgument(kInvalidJson);  // Python: "Extra data"
    return root;
  }

 private:
  bool Fail(std::string_view message = kInvalidJson) {
    error_ = message;
    return false;
  }

  // Python skips exactly these four, as RFC 8259 says.
  void SkipSpace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  uint32_t Push(JsonKind kind) {
    const auto index = static_cast<uint32_t>(tape_.nodes.size());
    JsonNode& node = tape_.nodes.emplace_back();
    node.kind = kind;
    node.end = index + 1;
    return index;
  }

  // REQUIRES: no whitespace at p_.
  bool Value(int depth) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    if (p_ == end_) return Fail();
    switch (*p_) {
      case '{': return Object(depth + 1);
      case '[': return Array(depth + 1);
      case '"': return String();
      case 'n': return Word("null", JsonKind::kNull, 0);
      case 't': return Word("true", JsonKind::kTrue, 0);
      case 'f': return Word("false", JsonKind::kFalse, 0);
      // Python's literals, exactly: not "Inf", "-NaN" nor "infinity".
      case 'N': return Word("NaN", JsonKind::kFloat, std::numeric_limits<double>::quiet_NaN());
      case 'I': return Word("Infinity", JsonKind::kFloat, kInf);
      case '-':
        if (end_ - p_ > 1 && p_[1] == 'I') return Word("-Infinity", JsonKind::kFloat, -kInf);
        return Number();
      default: return Number();
    }
  }

  bool Word(std::string_view word, JsonKind kind, double number) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0) {
      return Fail();
    }
    p_ += word.size();
    tape_.nodes[Push(kind)].number = number;
    return true;
  }

  bool Object(int depth) {
    if (depth > kMaxDepth) return Fail(kTooDeep);
    const uint32_t index = Push(JsonKind::kObject);
    ++p_;
    SkipSpace();
    uint32_t count = 0;
    if (p_ != end_ && *p_ == '}') {
      ++p_;
    } else {
      // Each pass consumes one member or fails, so the loop ends with the input.
      for (;;) {
        if (p_ == end_ || *p_ != '"') return Fail();  // also a trailing comma
        if (!String()) return false;
        SkipSpace();
        if (p_ == end_ || *p_ != ':') return Fail();
        ++p_;
        SkipSpace();
        if (!Value(depth)) return false;
        ++count;
        SkipSpace();
        if (p_ == end_) return Fail();
        if (*p_ == '}') {
          ++p_;
          break;
        }
        if (*p_ != ',') return Fail();
        ++p_;
        SkipSpace();
      }
    }
    JsonNode& node = tape_.nodes[index];
    node.length = count;
    node.end = static_cast<uint32_t>(tape_.nodes.size());
    return true;
  }

  bool Array(int depth) {
    if (depth > kMaxDepth) return Fail(kTooDeep);
    const uint32_t index = Push(JsonKind::kArray);
    ++p_;
    SkipSpace();
    uint32_t count = 0;
    if (p_ != end_ && *p_ == ']') {
      ++p_;
    } else {
      // Each pass consumes one element or fails, so the loop ends with the input.
      for (;;) {
        if (!Value(depth)) return false;
        ++count;
        SkipSpace();
        if (p_ == end_) return Fail();
        if (*p_ == ']') {
          ++p_;
          break;
        }
        if (*p_ != ',') return Fail();
        ++p_;
        SkipSpace();
      }
    }
    JsonNode& node = tape_.nodes[index];
    node.length = count;
    node.end = static_cast<uint32_t>(tape_.nodes.size());
    return true;
  }

  // REQUIRES: *p_ == '"'.
  bool String() {
    ++p_;
    std::string& text = tape_.text;
    const size_t offset = text.size();
    // Each pass consumes at least one byte or fails, so the loop ends with the input.
    for (;;) {
      const char* run = p_;
      while (p_ != end_ && kPlainIn[static_cast<uint8_t>(*p_)]) ++p_;
      text.append(run, p_);
      if (p_ == end_) return Fail();
      const auto c = static_cast<uint8_t>(*p_);
      if (c == '"') {
        ++p_;
        break;
      }
      if (c == '\\') {
        if (!Escape()) return false;
        continue;
      }
      if (c < 0x20) return Fail();  // Python (strict=True): "Invalid control character"
      const size_t n = Utf8SequenceLength(p_, end_, /*allow_surrogates=*/false);
      if (n == 0) return Fail();
      text.append(p_, n);
      p_ += n;
    }
    JsonNode& node = tape_.nodes[Push(JsonKind::kString)];
    node.offset = static_cast<uint32_t>(offset);
    node.length = static_cast<uint32_t>(text.size() - offset);
    return true;
  }

  // The four hex digits at p, or -1.
  int Hex4(const char* p) const {
    if (end_ - p < 4) return -1;
    int value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = p[i];
      int digit = 0;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return -1;
      }
      value = value * 16 + digit;
    }
    return value;
  }

  // REQUIRES: *p_ == '\\'.
  bool Escape() {
    if (end_ - p_ < 2) return Fail();
    const char kind = p_[1];
    p_ += 2;
    char c = 0;
    switch (kind) {
      case '"': c = '"'; break;
      case '\\': c = '\\'; break;
      case '/': c = '/'; break;
      case 'b': c = '\b'; break;
      case 'f': c = '\f'; break;
      case 'n': c = '\n'; break;
      case 'r': c = '\r'; break;
      case 't': c = '\t'; break;
      case 'u': break;
      default: return Fail();
    }
    if (kind != 'u') {
      tape_.text.push_back(c);
      return true;
    }
    int cp = Hex4(p_);
    if (cp < 0) return Fail();
    p_ += 4;
    // As Python: a high surrogate joins a directly following \u low
    // surrogate; otherwise either half stands alone (and is kept).
    if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
      const int low = Hex4(p_ + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        p_ += 6;
      }
    }
    AppendUtf8(tape_.text, static_cast<uint32_t>(cp));
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?: an int without fraction
  // and exponent, else a float (Python's rule).
  bool Number() {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || !IsDigit(*p_)) return Fail();
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && IsDigit(*p_)) ++p_;
    }
    bool is_float = false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return Fail();
      while (p_ != end_ && IsDigit(*p_)) ++p_;
      is_float = true;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !IsDigit(*p_)) return Fail();
      while (p_ != end_ && IsDigit(*p_)) ++p_;
      is_float = true;
    }
    const std::string_view number(start, static_cast<size_t>(p_ - start));
    if (is_float) {
      double value = 0;
      const auto res = std::from_chars(number.data(), number.data() + number.size(), value);
      if (res.ec == std::errc::result_out_of_range) {
        value = OutOfRangeValue(number);
      } else if (res.ec != std::errc() || res.ptr != p_) {
        return Fail();  // not reached: the text matched the grammar above
      }
      tape_.nodes[Push(JsonKind::kFloat)].number = value;
      return true;
    }
    if (number.size() - negative > kMaxIntDigits) return Fail(kIntTooLong);
    std::string& text = tape_.text;
    const size_t offset = text.size();
    if (number == "-0") {
      text.push_back('0');  // int("-0") == 0
    } else {
      text.append(number);
    }
    JsonNode& node = tape_.nodes[Push(JsonKind::kInt)];
    node.offset = static_cast<uint32_t>(offset);
    node.length = static_cast<uint32_t>(text.size() - offset);
    return true;
  }

  const char* p_;
  const char* const end_;
  JsonTape& tape_;
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
        AppendJsonString(out_, tape_.Text(node), /*allow_surrogates=*/true);
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
      AppendJsonString(out_, member.key, /*allow_surrogates=*/true);
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
  return Reader(json, tape).Run();
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
  json_internal::AppendJsonString(out, s, /*allow_surrogates=*/false);
}

Status NormalizeObject(std::string_view json, std::string* out) {
  JsonTape tape;
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
  JsonTape tape;  // both texts in one tape, so members of either mix freely
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
  JsonTape tape;
  const auto root = json_internal::ParseJson(json, &tape);
  if (!root) return root.error();
  const json_internal::JsonNode& node = tape.nodes[root.value()];
  *is_empty_object = node.kind == JsonKind::kObject && node.length == 0;
  out->clear();
  json_internal::Writer(tape, json_internal::Style::kCompactSorted, out).Value(root.value());
  return OkStatus();
}

}  // namespace ss::session
