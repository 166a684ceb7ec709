// Argument parsing with Redis's exact rules (util.c string2ll, string2ld).
#pragma once

#include <cstdint>
#include <string_view>

namespace ss::cmd {

// Strict decimal int64 as Redis's string2ll: optional '-', no '+', no
// leading zeros, no spaces, no overflow. "0" is fine, "-0" is not.
bool ParseInt64(std::string_view s, int64_t* out);
// Strict long double as Redis's string2ld (INCRBYFLOAT): no spaces, not NaN.
bool ParseLongDouble(std::string_view s, long double* out);
// As Redis's string2d / getDoubleFromObject (accepts "inf", rejects NaN).
bool ParseDouble(std::string_view s, double* out);
// ASCII only: option names are ASCII, and the C locale is what Redis runs in.
inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
// Case-insensitive ASCII equality, for option names. Inline: every option
// of every command goes through it.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

}  // namespace ss::cmd
