// A line-by-line port of Redis 7.0's util.c stringmatchlen_impl. The control
// flow is kept as Redis has it (including the odd steps back in an
// unterminated class) so that every pattern, however malformed, matches
// exactly the keys it matches in Redis. Where Redis reads the NUL terminator
// one past the pattern, this port checks the length instead; both see "no
// more pattern", so the results are the same.
#include "ss/cmd/glob.h"

#include <cstddef>

namespace ss::cmd {
namespace {

// A byte as Redis's `int c = pattern[0]` sees it: char is signed on the
// platforms Redis ships for, so bytes >= 0x80 are negative and sort below
// ASCII in ranges. Keeping that makes "[a-\xff]" behave as in Redis.
int ByteValue(char c) { return static_cast<signed char>(c); }

// tolower() in the "C" locale (Redis never sets LC_CTYPE): ASCII only.
int Lower(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

bool SameByte(char a, char b, bool nocase) {
  return nocase ? Lower(ByteValue(a)) == Lower(ByteValue(b)) : a == b;
}

// skip_longer: set once some '*' found that the rest of the pattern matches
// nowhere in the remaining text; every enclosing '*' can then stop too,
// because trying it on a longer stretch only leaves less text for that same
// rest (Redis's fix for CVE-2022-36021, which makes matching polynomial).
bool MatchImpl(const char* p, size_t plen, const char* s, size_t slen, bool nocase,
               bool* skip_longer, int nesting) {
  // Each '*' that backtracks recurses once; the cap bounds stack depth.
  if (nesting > kGlobMaxNesting) return false;

  // Bounded: every pass consumes at least one byte of text and of pattern.
  while (plen > 0 && slen > 0) {
    switch (p[0]) {
      case '*':
        while (plen > 1 && p[1] == '*') {  // "**" is "*"
          ++p;
          --plen;
        }
        if (plen == 1) return true;  // a trailing '*' takes the rest
        // Bounded by the text length; skip_longer usually ends it far sooner.
        while (slen > 0) {
          if (MatchImpl(p + 1, plen - 1, s, slen, nocase, skip_longer, nesting + 1)) {
            return true;
          }
          if (*skip_longer) return false;
          ++s;
          --slen;
        }
        *skip_longer = true;
        return false;
      case '?':
        ++s;
        --slen;
        break;
      case '[': {
        ++p;
        --plen;
        const bool negate = plen > 0 && p[0] == '^';
        if (negate) {
          ++p;
          --plen;
        }
        bool match = false;
        // Bounded: every pass consumes pattern bytes until ']' or the end.
        for (;;) {
          if (plen >= 2 && p[0] == '\\') {
            ++p;
            --plen;
            if (p[0] == s[0]) match = true;  // escapes never fold case
          } else if (plen == 0) {
            // Unterminated class: step back so the ++p below lands on the end.
            --p;
            ++plen;
            break;
          } else if (p[0] == ']') {
            break;
          } else if (plen >= 3 && p[1] == '-') {
            int start = ByteValue(p[0]);
            int end = ByteValue(p[2]);
            int c = ByteValue(s[0]);
            if (start > end) {  // "[z-a]" is "[a-z]"
              const int t = start;
              start = end;
              end = t;
            }
            if (nocase) {  // folded after the swap, as Redis does
              start = Lower(start);
              end = Lower(end);
              c = Lower(c);
            }
            p += 2;
            plen -= 2;
            if (c >= start && c <= end) match = true;
          } else if (SameByte(p[0], s[0], nocase)) {
            match = true;
          }
          ++p;
          --plen;
        }
        if (negate) match = !match;
        if (!match) return false;
        ++s;
        --slen;
        break;
      }
      case '\\':
        if (plen >= 2) {
          ++p;
          --plen;
        }
        [[fallthrough]];
      default:
        if (!SameByte(p[0], s[0], nocase)) return false;
        ++s;
        --slen;
        break;
    }
    ++p;
    --plen;
    if (slen == 0) {
      // Text used up: only stars may remain for a match.
      while (plen > 0 && p[0] == '*') {
        ++p;
        --plen;
      }
      break;
    }
  }
  return plen == 0 && slen == 0;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text, bool nocase) {
  bool skip_longer = false;
  return MatchImpl(pattern.data(), pattern.size(), text.data(), text.size(), nocase,
                   &skip_longer, 0);
}

}  // namespace ss::cmd
