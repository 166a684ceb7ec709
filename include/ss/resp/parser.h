// RequestParser: incremental parser for client requests, RESP multibulk
// (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline commands (`GET k\n`), with
// Redis 7's limits and error texts. Knows nothing of commands or the store.
//
// The caller keeps the bytes of the current request contiguous in its read
// buffer and calls Parse() with all bytes from the start of that request.
// On kNeedMore the parser remembers how far it got as offsets, so the caller
// may move the buffer (compact or grow it) before calling again with the same
// request start plus more bytes; no byte is examined twice.
// args() views point into the buffer passed to the last Parse() (or, for
// inline requests with quotes/escapes, into the parser's own storage) and
// stay valid until the next Parse() or Reset().
// Loop thread only (one parser per connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ss::resp {

enum class ParseStatus {
  kOk,        // a whole request was parsed; see args() and consumed
  kNeedMore,  // the request is incomplete: call again with more bytes
  kError,     // protocol error: reply "-ERR " + error() and close
};

struct ParserLimits {
  // Largest bulk argument ($N), Redis's proto-max-bulk-len.
  int64_t max_bulk_len = 512LL * 1024 * 1024;
  // Largest multibulk count (*N). Redis 7.0 allows INT_MAX (checked against
  // redis-server 7.0.15: `*2147483647` waits, `*2147483648` is refused). The
  // connection lowers it to 10 for an unauthenticated client; a count above
  // a lowered limit gets Redis's "unauthenticated multibulk length" text.
  int64_t max_multibulk_len = INT32_MAX;
  // A bulk longer than this (but within max_bulk_len) gets Redis's
  // "unauthenticated bulk length" text; the connection lowers it to 16384
  // for an unauthenticated client.
  int64_t max_unauth_bulk_len = INT64_MAX;
  // Longest inline request / count line without a newline: PROTO_INLINE_MAX_SIZE.
  size_t max_inline_len = 64 * 1024;
};

class RequestParser {
 public:
  explicit RequestParser(ParserLimits limits = {});

  // Parses the request that starts at buf[0]. On kOk, *consumed is its length
  // in bytes and args() its arguments; an empty args() (an empty inline line,
  // `*0`, `*-1`) means "no command: send no reply". On kNeedMore, *consumed
  // is 0. On kError, error() is Redis's text, e.g.
  // "Protocol error: invalid multibulk length".
  ParseStatus Parse(std::string_view buf, size_t* consumed);

  const std::vector<std::string_view>& args() const { return args_; }
  std::string_view error() const { return error_; }

  // Bytes still missing from the bulk argument being read (0 if unknown or
  // none); lets the caller size its buffer from what has arrived so far.
  size_t bulk_bytes_missing() const;

  // Forgets any partial request.
  void Reset();

  void set_limits(const ParserLimits& limits) { limits_ = limits; }
  const ParserLimits& limits() const { return limits_; }

 private:
  ParseStatus ParseMultibulk(std::string_view buf, size_t* consumed);
  ParseStatus ParseInline(std::string_view buf, size_t* consumed);
  ParseStatus Fail(std::string msg);
  // Finds the first `target` at or after `from`, resuming at scan_pos_.
  bool FindLineEnd(std::string_view buf, size_t from, char target, size_t* at);
  void ClearPartial();

  ParserLimits limits_;
  std::vector<std::string_view> args_;
  std::string error_;
  // Partial multibulk state, as offsets from the request start.
  bool in_multibulk_ = false;
  int64_t multibulk_left_ = 0;   // arguments still to read
  int64_t bulk_len_ = -1;        // length of the bulk being read, -1 = header next
  size_t pos_ = 0;               // start of the line or bulk being read
  size_t scan_pos_ = 0;          // where the search for the line end resumes
  size_t buf_size_ = 0;          // bytes seen by the last Parse()
  std::vector<std::pair<size_t, size_t>> arg_offsets_;  // (offset, length)
  // Inline arguments that needed unquoting live here.
  std::vector<std::string> inline_storage_;
};

// Splits an inline line into arguments as Redis's sdssplitargs does (quotes,
// \xHH and C escapes); false on unbalanced quotes. Exposed for tests.
bool SplitInlineArgs(std::string_view line, std::vector<std::string>* out);

}  // namespace ss::resp
