// CSRF tokens in chuk-sessions' formats, so its validators accept ours (and
// we accept its) given the same secret. Comparisons are constant-time.
//
// HMAC token:  "<unix-s>:<b64url(data, no padding) or empty>:<hex HMAC-SHA256(
//               secret, "<session_id>:<unix-s>:<b64 part>")>"
// Double submit pair (generate_double_submit_token):
//   cookie = b64url('{"sid":<id>,"ts":<unix-s>,"val":<token_urlsafe(32)>}') +
//            "." + first 32 hex of HMAC-SHA256(secret, that b64 text)
//   form   = hex HMAC-SHA256(secret, "<session_id>:<val>:<unix-s>")
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ss::session {

// data_json: the token's data already serialised as Python's
// json.dumps(d, separators=(",", ":"), sort_keys=True) writes it, or empty
// for no data (chuk-sessions also writes an empty part for {}).
std::string IssueCsrfToken(std::string_view secret, std::string_view session_id,
                           int64_t unix_s, std::string_view data_json);
// True if token is well formed, its HMAC matches, its data part decodes to
// JSON, and now_s - ts <= max_age_s (chuk-sessions' rule).
bool VerifyCsrfToken(std::string_view secret, std::string_view session_id,
                     std::string_view token, int64_t now_s, int64_t max_age_s);

struct CsrfPair {
  std::string cookie;
  std::string form;
};
CsrfPair IssueCsrfPair(std::string_view secret, std::string_view session_id,
                       int64_t unix_s);
bool CheckCsrfPair(std::string_view secret, std::string_view session_id,
                   std::string_view cookie, std::string_view form,
                   int64_t now_s, int64_t max_age_s);

}  // namespace ss::session
