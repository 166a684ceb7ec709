// UTC ISO-8601 timestamps with integer calendar math (Howard Hinnant's
// days_from_civil / civil_from_days): no timegm, no TZ, no locale.
#include "ss/session/isotime.h"

#include <charconv>

namespace ss::session {
namespace {

constexpr int64_t kUsPerSecond = 1'000'000;
constexpr int64_t kUsPerDay = 86'400 * kUsPerSecond;

struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2), month, day};
}

bool IsLeapYear(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Appends value as exactly `width` decimal digits. REQUIRES: 0 <= value < 10^width.
void AppendDigits(std::string& out, int64_t value, int width) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buf, static_cast<size_t>(width));
}

// Reads exactly `width` ASCII digits at s[pos] into *value.
bool ReadDigits(std::string_view s, size_t pos, size_t width, int* value) {
  if (s.size() < pos + width) return false;
  int v = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *value = v;
  return true;
}

}  // namespace

void AppendIsoUtc(std::string& out, int64_t unix_us) {
  // Floor division, so instants before 1970 come out right too.
  int64_t days = unix_us / kUsPerDay;
  int64_t us_of_day = unix_us % kUsPerDay;
  if (us_of_day < 0) {
    us_of_day += kUsPerDay;
    --days;
  }
  const CivilDate date = CivilFromDays(days);
  if (date.year >= 0 && date.year <= 9999) {
    AppendDigits(out, date.year, 4);
  } else {  // beyond Python's datetime; written in full rather than wrapped
    char buf[24];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, date.year).ptr);
  }
  const int64_t seconds = us_of_day / kUsPerSecond;
  const int64_t micros = us_of_day % kUsPerSecond;
  out.push_back('-');
  AppendDigits(out, date.month, 2);
  out.push_back('-');
  AppendDigits(out, date.day, 2);
  out.push_back('T');
  AppendDigits(out, seconds / 3600, 2);
  out.push_back(':');
  AppendDigits(out, seconds / 60 % 60, 2);
  out.push_back(':');
  AppendDigits(out, seconds % 60, 2);
  if (micros != 0) {  // isoformat() leaves out a zero fraction
    out.push_back('.');
    AppendDigits(out, micros, 6);
  }
  out.push_back('Z');
}

// Fixed positions: YYYY-MM-DD?HH:MM then optional :SS, .f{1,6} (only after
// seconds) and offset. Python 3.11 accepts more (7+ fraction digits, ",",
// +HHMM, +HH, date only, ...); reading less is the safe side: whatever we
// accept, Python accepts with the same value.
std::optional<int64_t> ParseIsoUtc(std::string_view s) {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!ReadDigits(s, 0, 4, &year) || s.size() < 16 || s[4] != '-' || !ReadDigits(s, 5, 2, &month) ||
      s[7] != '-' || !ReadDigits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != ' ') ||
      !ReadDigits(s, 11, 2, &hour) || s[13] != ':' || !ReadDigits(s, 14, 2, &minute)) {
    return std::nullopt;
  }
  size_t pos = 16;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == ':') {
    if (!ReadDigits(s, pos + 1, 2, &second)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      int digits = 0;
      // At most 6 digits are read, so the loop is bounded.
      while (pos < s.size() && digits < 6 && s[pos] >= '0' && s[pos] <= '9') {
        micros = micros * 10 + (s[pos] - '0');
        ++pos;
        ++digits;
      }
      if (digits == 0) return std::nullopt;
      for (int i = digits; i < 6; ++i) micros *= 10;
    }
  }
  int offset_minutes = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int offset_hour = 0;
    int offset_minute = 0;
    if (!ReadDigits(s, pos + 1, 2, &offset_hour) || s.size() < pos + 6 || s[pos + 3] != ':' ||
        !ReadDigits(s, pos + 4, 2, &offset_minute) || offset_hour > 23 || offset_minute > 59) {
      return std::nullopt;
    }
    offset_minutes = (s[pos] == '-' ? -1 : 1) * (offset_hour * 60 + offset_minute);
    pos += 6;
  }
  if (pos != s.size()) return std::nullopt;
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > DaysInMonth(year, static_cast<unsigned>(month)) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }
  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86'400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * kUsPerSecond + micros;
}

}  // namespace ss::session
