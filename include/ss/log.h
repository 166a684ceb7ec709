// Logging to stderr in Redis's style ("pid:M 25 Nov 2026 22:10:07.123 * msg")
// with Redis's levels. Loop thread only (the level is a plain global).
#pragma once

#include <string_view>

namespace ss {

enum class LogLevel { kDebug = 0, kVerbose = 1, kNotice = 2, kWarning = 3, kNothing = 4 };

// Parses "debug", "verbose", "notice", "warning", "nothing"; false if none.
bool ParseLogLevel(std::string_view name, LogLevel* out);
std::string_view LogLevelName(LogLevel level);
void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();

// Writes one line if level is at or above the configured level.
void Log(LogLevel level, std::string_view message);

}  // namespace ss
