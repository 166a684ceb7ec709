#include "ss/log.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace ss {
namespace {

LogLevel g_level = LogLevel::kNotice;

constexpr std::string_view kNames[] = {"debug", "verbose", "notice", "warning", "nothing"};

}  // namespace

bool ParseLogLevel(std::string_view name, LogLevel* out) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (name.size() != kNames[i].size()) continue;
    bool same = true;
    for (size_t j = 0; j < name.size(); ++j) {
      char c = name[j];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != kNames[i][j]) same = false;
    }
    if (same) {
      *out = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

std::string_view LogLevelName(LogLevel level) { return kNames[static_cast<int>(level)]; }
void SetLogLevel(LogLevel level) { g_level = level; }
LogLevel GetLogLevel() { return g_level; }

void Log(LogLevel level, std::string_view message) {
  if (level < g_level || level == LogLevel::kNothing) return;
  timeval tv{};
  gettimeofday(&tv, nullptr);
  tm t{};
  localtime_r(&tv.tv_sec, &t);
  char when[64];
  size_t n = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S", &t);
  static constexpr char kMarks[] = {'.', '-', '*', '#'};
  std::fprintf(stderr, "%d:M %.*s.%03d %c %.*s\n", static_cast<int>(getpid()),
               static_cast<int>(n), when, static_cast<int>(tv.tv_usec / 1000),
               kMarks[static_cast<int>(level)], static_cast<int>(message.size()),
               message.data());
}

}  // namespace ss
