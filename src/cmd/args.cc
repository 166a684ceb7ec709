// Number parsing with Redis 7.0's exact acceptance rules (util.c string2ll,
// string2ld, string2d). Clients rely on which strings Redis rejects, so these
// are ports, not "close enough" library calls: std::from_chars, for one,
// rejects "+5" and "0x10", which INCRBYFLOAT accepts.
#include "ss/cmd/args.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ss::cmd {
namespace {

// Redis's LONG_STR_SIZE: 20 digits and a sign is the longest int64, so
// anything of 21+ bytes is rejected before parsing.
constexpr size_t kLongStrSize = 21;
// Redis's MAX_LONG_DOUBLE_CHARS: string2ld refuses longer input (and
// INCRBYFLOAT a longer stored value).
constexpr size_t kMaxLongDoubleChars = 5 * 1024;

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// strtod/strtold report ERANGE for both overflow and underflow; Redis
// rejects overflow and underflow to zero but keeps denormal results.
template <typename T>
bool RangeRejected(T value) {
  return errno == ERANGE &&
         (value == HUGE_VAL || value == -HUGE_VAL || std::fpclassify(value) == FP_ZERO);
}

}  // namespace

bool ParseInt64(std::string_view s, int64_t* out) {
  const size_t len = s.size();
  if (len == 0 || len >= kLongStrSize) return false;
  if (len == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  size_t i = 0;
  bool negative = false;
  if (s[0] == '-') {
    negative = true;
    if (++i == len) return false;
  }
  // A leading zero (including "-0") is not a canonical integer.
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = static_cast<uint64_t>(s[i++] - '0');
  // At most 20 digits: the loop is bounded by kLongStrSize.
  for (; i < len && s[i] >= '0' && s[i] <= '9'; ++i) {
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (v > UINT64_MAX / 10) return false;
    v *= 10;
    if (v > UINT64_MAX - digit) return false;
    v += digit;
  }
  if (i < len) return false;
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    // Two's complement negation of an unsigned value up to 2^63 is exact.
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool ParseLongDouble(std::string_view s, long double* out) {
  if (s.empty() || s.size() >= kMaxLongDoubleChars) return false;
  // strtold needs a terminated string; the bound above keeps this on the stack.
  char buf[kMaxLongDoubleChars];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  errno = 0;
  char* end = nullptr;
  const long double value = std::strtold(buf, &end);
  // end must reach the real end: an embedded NUL ("1\0x") is rejected too.
  if (IsSpace(buf[0]) || end != buf + s.size() || RangeRejected(value) || errno == EINVAL ||
      std::isnan(value)) {
    return false;
  }
  *out = value;
  return true;
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty() || IsSpace(s[0])) return false;
  // Numbers are short; only pathological input pays for a heap copy.
  char small[128];
  std::string large;
  const char* text;
  if (s.size() < sizeof(small)) {
    std::memcpy(small, s.data(), s.size());
    small[s.size()] = '\0';
    text = small;
  } else {
    large.assign(s);
    text = large.c_str();
  }
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (end != text + s.size() || RangeRejected(value) || std::isnan(value)) return false;
  *out = value;
  return true;
}

}  // namespace ss::cmd
