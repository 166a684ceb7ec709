// Request parsing, following Redis 7.0's networking.c (processMultibulkBuffer,
// processInlineBuffer) and sds.c (sdssplitargs) closely enough that every
// input gets the same outcome as redis-server 7.0.15: the same arguments, the
// same error text, or the same "wait for more bytes".
//
// Two Redis quirks are kept on purpose because clients see them:
//  - Line ends are found with strchr(), so a NUL byte before the '\r' (or,
//    inline, the '\n') hides it: Redis waits until the line is "too big".
//  - After a count line's '\r' and after a bulk's payload Redis skips two
//    bytes without checking that they are "\r\n".
#include "ss/resp/parser.h"

#include <algorithm>
#include <climits>
#include <cstring>

namespace ss::resp {
namespace {

constexpr std::string_view kTooBigInline = "Protocol error: too big inline request";
constexpr std::string_view kUnbalanced = "Protocol error: unbalanced quotes in request";
constexpr std::string_view kTooBigMbulk = "Protocol error: too big mbulk count string";
constexpr std::string_view kBadMbulk = "Protocol error: invalid multibulk length";
constexpr std::string_view kUnauthMbulk = "Protocol error: unauthenticated multibulk length";
constexpr std::string_view kUnauthBulk = "Protocol error: unauthenticated bulk length";
constexpr std::string_view kTooBigBulk = "Protocol error: too big bulk count string";
constexpr std::string_view kBadBulk = "Protocol error: invalid bulk length";

// Redis allocates argv for at most this many arguments up front, so a huge
// *N from a client cannot make us reserve memory it never sends.
constexpr int64_t kMaxArgReserve = 1024;

// Redis's string2ll: optional '-', no '+', no leading zeros (except "0"), no
// spaces, at most 20 characters, must fit in a long long.
bool StringToLl(std::string_view s, int64_t* value) {
  // LONG_STR_SIZE (21) in Redis: longer strings are never numbers.
  if (s.empty() || s.size() >= 21) return false;
  if (s.size() == 1 && s[0] == '0') {
    *value = 0;
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (++i == s.size()) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = static_cast<uint64_t>(s[i++] - '0');
  // Bounded by s.size() <= 20.
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (v > UINT64_MAX / 10 || v * 10 > UINT64_MAX - digit) return false;
    v = v * 10 + digit;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *value = static_cast<int64_t>(0 - v);  // wraps to INT64_MIN for 2^63
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *value = static_cast<int64_t>(v);
  }
  return true;
}

// The common header "<digits>\r" at buf[from...]: parses the digits as
// StringToLl would and finds the same '\r' FindLineEnd would (only digits
// precede it, so there is no NUL or earlier '\r'). False sends the caller
// to the general path: a sign, a leading zero, 19+ digits, any other byte,
// or the buffer ending first.
bool ScanDigitsToCr(std::string_view buf, size_t from, size_t* cr, int64_t* value) {
  constexpr size_t kMaxDigits = 18;  // 10^18 - 1 fits an int64_t
  const size_t end = std::min(buf.size(), from + kMaxDigits + 1);  // digits, '\r'
  size_t i = from;
  if (i >= end || buf[i] < '1' || buf[i] > '9') return false;
  int64_t v = buf[i++] - '0';
  for (; i < end; ++i) {
    const char c = buf[i];
    if (c == '\r') {
      *cr = i;
      *value = v;
      return true;
    }
    if (c < '0' || c > '9' || i == from + kMaxDigits) return false;
    v = v * 10 + (c - '0');
  }
  return false;
}

// C isspace() in the "C" locale; sdssplitargs skips these between arguments.
bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Characters that end an unquoted argument in sdssplitargs (no \v or \f:
// "a\vb" is one argument there, and so it is here).
bool EndsToken(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\0'; }

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// The common inline case, no quotes: the arguments are views of the line.
// Same token rules as SplitInlineArgs without the quote states.
void SplitUnquoted(std::string_view line, std::vector<std::string_view>* out) {
  size_t i = 0;
  // Each pass consumes at least one byte of the line.
  while (i < line.size()) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    if (i == line.size()) break;
    const size_t start = i;
    while (i < line.size() && !EndsToken(line[i])) ++i;
    out->push_back(line.substr(start, i - start));
    if (i < line.size()) ++i;  // the terminator, as sdssplitargs skips it
  }
}

}  // namespace

bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out) {
  out->clear();
  // sdssplitargs reads a C string: it ends at the first NUL.
  line = line.substr(0, std::min(line.size(), line.find('\0')));
  const size_t n = line.size();
  auto at = [&](size_t i) { return i < n ? line[i] : '\0'; };
  size_t p = 0;
  // Each outer pass consumes at least one byte (a blank or a token).
  while (true) {
    while (p < n && IsBlank(line[p])) ++p;
    if (p == n) return true;
    std::string current;
    bool in_dquotes = false;
    bool in_squotes = false;
    bool done = false;
    // Each pass advances p by at least one until the token ends; at the end
    // of the line an open quote fails and a bare token is done.
    while (!done) {
      const char c = at(p);
      if (in_dquotes) {
        if (c == '\\' && at(p + 1) == 'x' && IsHexDigit(at(p + 2)) && IsHexDigit(at(p + 3))) {
          current.push_back(static_cast<char>(HexValue(at(p + 2)) * 16 + HexValue(at(p + 3))));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          ++p;
          switch (at(p)) {
            case 'n': current.push_back('\n'); break;
            case 'r': current.push_back('\r'); break;
            case 't': current.push_back('\t'); break;
            case 'b': current.push_back('\b'); break;
            case 'a': current.push_back('\a'); break;
            default: current.push_back(at(p)); break;
          }
        } else if (c == '"') {
          // A closing quote must be followed by a blank or the end.
          if (at(p + 1) != '\0' && !IsBlank(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          current.push_back(c);
        }
      } else if (in_squotes) {
        if (c == '\\' && at(p + 1) == '\'') {
          ++p;
          current.push_back('\'');
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !IsBlank(at(p + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;
        } else {
          current.push_back(c);
        }
      } else if (EndsToken(c)) {
        done = true;
      } else if (c == '"') {
        in_dquotes = true;
      } else if (c == '\'') {
        in_squotes = true;
      } else {
        current.push_back(c);
      }
      if (p < n) ++p;
    }
    out->push_back(std::move(current));
  }
}

RequestParser::RequestParser(ParserLimits limits) : limits_(limits) {}

size_t RequestParser::bulk_bytes_missing() const {
  if (!in_multibulk_ || bulk_len_ < 0) return 0;
  // The payload and the two bytes after it, which Redis also waits for.
  const size_t need = pos_ + static_cast<size_t>(bulk_len_) + 2;
  return need > buf_size_ ? need - buf_size_ : 0;
}

void RequestParser::Reset() {
  ClearPartial();
  args_.clear();
  error_.clear();
}

void RequestParser::ClearPartial() {
  in_multibulk_ = false;
  multibulk_left_ = 0;
  bulk_len_ = -1;
  pos_ = 0;
  scan_pos_ = 0;
  buf_size_ = 0;
  arg_offsets_.clear();
}

ParseStatus RequestParser::Fail(std::string msg) {
  error_ = std::move(msg);
  ClearPartial();
  return ParseStatus::kError;
}

ParseStatus RequestParser::Parse(std::string_view buf, size_t* consumed) {
  *consumed = 0;
  args_.clear();
  error_.clear();
  buf_size_ = buf.size();
  // Redis decides nothing until a byte has arrived.
  if (buf.empty()) return ParseStatus::kNeedMore;
  return buf[0] == '*' ? ParseMultibulk(buf, consumed) : ParseInline(buf, consumed);
}

bool RequestParser::FindLineEnd(std::string_view buf, size_t from, char target, size_t* at) {
  const size_t start = std::max(from, scan_pos_);
  scan_pos_ = start;
  // At the end, or parked on a NUL that hides the terminator for good.
  if (start >= buf.size() || buf[start] == '\0') return false;
  const char* base = buf.data();
  const size_t len = buf.size() - start;
  const void* hit = std::memchr(base + start, target, len);
  const size_t stop = hit ? static_cast<size_t>(static_cast<const char*>(hit) - base) : buf.size();
  // Redis uses strchr(): a NUL before the terminator ends the search. The
  // scan stays parked on that NUL, so later calls stop there at once.
  const void* nul = std::memchr(base + start, '\0', stop - start);
  if (nul) {
    scan_pos_ = static_cast<size_t>(static_cast<const char*>(nul) - base);
    return false;
  }
  scan_pos_ = stop;
  if (!hit) return false;
  *at = stop;
  return true;
}

ParseStatus RequestParser::ParseMultibulk(std::string_view buf, size_t* consumed) {
  if (!in_multibulk_) {
    size_t cr = 0;
    int64_t count = 0;
    if (ScanDigitsToCr(buf, 1, &cr, &count)) {
      scan_pos_ = cr;
      if (cr + 2 > buf.size()) return ParseStatus::kNeedMore;
    } else {
      if (!FindLineEnd(buf, 0, '\r', &cr)) {
        if (buf.size() > limits_.max_inline_len) return Fail(std::string(kTooBigMbulk));
        return ParseStatus::kNeedMore;
      }
      // Redis also waits for the byte after '\r' (it does not check it).
      if (cr + 2 > buf.size()) return ParseStatus::kNeedMore;
      if (!StringToLl(buf.substr(1, cr - 1), &count)) return Fail(std::string(kBadMbulk));
    }
    if (count > INT_MAX) return Fail(std::string(kBadMbulk));
    // Redis 7.0's only count limit below INT_MAX is the unauthenticated one.
    if (count > limits_.max_multibulk_len) return Fail(std::string(kUnauthMbulk));
    pos_ = cr + 2;
    scan_pos_ = pos_;
    if (count <= 0) {
      *consumed = pos_;
      ClearPartial();
      return ParseStatus::kOk;
    }
    in_multibulk_ = true;
    multibulk_left_ = count;
    bulk_len_ = -1;
    arg_offsets_.clear();
    arg_offsets_.reserve(static_cast<size_t>(std::min(count, kMaxArgReserve)));
  }

  // Bounded by the count; each pass reads one argument or returns.
  while (multibulk_left_ > 0) {
    if (bulk_len_ < 0) {
      size_t cr = 0;
      int64_t len = 0;
      if (pos_ < buf.size() && buf[pos_] == '$' && ScanDigitsToCr(buf, pos_ + 1, &cr, &len)) {
        // The same outcome as the general path below, without its scans.
        scan_pos_ = cr;
        if (cr + 2 > buf.size()) return ParseStatus::kNeedMore;
        if (len > limits_.max_bulk_len) return Fail(std::string(kBadBulk));
      } else {
        if (!FindLineEnd(buf, pos_, '\r', &cr)) {
          if (buf.size() - pos_ > limits_.max_inline_len) return Fail(std::string(kTooBigBulk));
          return ParseStatus::kNeedMore;
        }
        if (cr + 2 > buf.size()) return ParseStatus::kNeedMore;
        if (buf[pos_] != '$') {
          // Redis formats this with addReplyErrorFormat, which turns a CR or
          // LF in the message into a space.
          const char got = (buf[pos_] == '\r' || buf[pos_] == '\n') ? ' ' : buf[pos_];
          return Fail(std::string("Protocol error: expected '$', got '") + got + "'");
        }
        if (!StringToLl(buf.substr(pos_ + 1, cr - pos_ - 1), &len) || len < 0 ||
            len > limits_.max_bulk_len) {
          return Fail(std::string(kBadBulk));
        }
      }
      if (len > limits_.max_unauth_bulk_len) return Fail(std::string(kUnauthBulk));
      pos_ = cr + 2;
      bulk_len_ = len;
    }
    const size_t need = static_cast<size_t>(bulk_len_) + 2;
    if (buf.size() - pos_ < need) return ParseStatus::kNeedMore;
    arg_offsets_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ += need;
    scan_pos_ = pos_;
    bulk_len_ = -1;
    --multibulk_left_;
  }

  args_.reserve(arg_offsets_.size());
  for (const auto& [offset, length] : arg_offsets_) args_.push_back(buf.substr(offset, length));
  *consumed = pos_;
  ClearPartial();
  return ParseStatus::kOk;
}

ParseStatus RequestParser::ParseInline(std::string_view buf, size_t* consumed) {
  size_t nl = 0;
  if (!FindLineEnd(buf, 0, '\n', &nl)) {
    if (buf.size() > limits_.max_inline_len) return Fail(std::string(kTooBigInline));
    return ParseStatus::kNeedMore;
  }
  const size_t line_len = (nl > 0 && buf[nl - 1] == '\r') ? nl - 1 : nl;
  const std::string_view line = buf.substr(0, line_len);
  if (line.find_first_of("\"'") == std::string_view::npos) {
    SplitUnquoted(line, &args_);
  } else {
    if (!SplitInlineArgs(line, &inline_storage_)) return Fail(std::string(kUnbalanced));
    // Views are taken only now: inline_storage_ no longer reallocates.
    for (const std::string& arg : inline_storage_) args_.push_back(arg);
  }
  *consumed = nl + 1;
  ClearPartial();
  return ParseStatus::kOk;
}

}  // namespace ss::resp
