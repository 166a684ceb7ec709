// Timestamps as chuk-sessions writes them: UTC ISO-8601 with a "Z" suffix,
// e.g. "2026-11-25T21:28:33.411935Z"; the fraction is left out when the
// microseconds are zero, as Python's datetime.isoformat() does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ss::session {

// Appends unix_us (microseconds since the epoch, >= 0) in that form.
void AppendIsoUtc(std::string& out, int64_t unix_us);

// Parses what Python's datetime.fromisoformat(s.replace("Z", "+00:00"))
// accepts for the timestamps chuk-sessions stores: YYYY-MM-DD[T ]HH:MM[:SS[.f{1,6}]]
// with "Z", "+HH:MM" / "-HH:MM" or no offset (naive, read as UTC). Returns
// unix microseconds, or nullopt if s is not such a timestamp.
std::optional<int64_t> ParseIsoUtc(std::string_view s);

}  // namespace ss::session
