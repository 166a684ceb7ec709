// Glob-style pattern matching exactly as Redis 7.0 does it (util.c
// stringmatchlen), for KEYS, SCAN MATCH and any later pattern filter:
//   *      any run of bytes (also none)     ?      exactly one byte
//   [abc]  one of a set; [a-z] a range (ends may come in either order);
//          [^...] negates; \x inside a class means a literal x
//   \x     a literal x (a trailing lone \ matches a backslash)
// Redis's quirks are kept on purpose, because clients see them: an
// unterminated class "[abc" ends at the end of the pattern, "[a-]" is the
// range a..']', and nocase folds ranges and plain bytes but not \-escaped
// bytes inside a class.
#pragma once

#include <string_view>

namespace ss::cmd {

// Whether text matches the glob pattern (bytes; nocase folds ASCII only).
// Work is bounded like Redis's: at most kGlobMaxNesting nested '*'
// backtracking frames (deeper patterns simply do not match), and each '*'
// frame gives up early once a later part of the pattern cannot match.
bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase = false);

// Redis 7.0's limit on '*' recursion depth (util.c, "Protection against
// abusive patterns"): a pattern with more than this many stars that need
// backtracking never matches.
inline constexpr int kGlobMaxNesting = 1000;

}  // namespace ss::cmd
