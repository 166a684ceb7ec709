// ReplyWriter: encodes replies in RESP2 or RESP3 onto the end of a byte
// string (a connection's reply buffer). Each method writes one value; the
// aggregate headers are followed by their elements. In RESP2 the RESP3-only
// types degrade exactly as Redis 7 degrades them (map -> flat array, set ->
// array, double -> bulk string, boolean -> integer, null -> $-1 or *-1,
// verbatim -> bulk string, push -> array).
// Borrows `out` for its lifetime. Loop thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ss::resp {

// Told of every error reply a ReplyWriter writes (the command layer counts
// them for INFO errorstats). Borrowed by the writer.
class ErrorListener {
 public:
  // text: the error as written, without the leading '-' ("ERR syntax error").
  virtual void OnErrorReply(std::string_view text) = 0;

 protected:
  ~ErrorListener() = default;
};

class ReplyWriter {
 public:
  explicit ReplyWriter(std::string* out, int protocol = 2) : out_(out), protocol_(protocol) {}

  int protocol() const { return protocol_; }
  void set_protocol(int p) { protocol_ = p; }
  void set_output(std::string* out) { out_ = out; }
  std::string* output() const { return out_; }

  void Status(std::string_view s);        // +s  (s must not contain \r or \n)
  // -s where s starts with the error code, e.g. "ERR syntax error". Any \r or
  // \n in s is replaced by a space, as Redis does.
  void Error(std::string_view s);
  void Integer(int64_t v);                // :v
  void Bulk(std::string_view s);          // $len s
  void Null();                            // RESP2 $-1, RESP3 _
  void NullArray();                       // RESP2 *-1, RESP3 _
  void ArrayHeader(size_t n);             // *n
  void MapHeader(size_t pairs);           // RESP3 %n, RESP2 *2n
  void SetHeader(size_t n);               // RESP3 ~n, RESP2 *n
  void PushHeader(size_t n);              // RESP3 >n, RESP2 *n
  // RESP3 ,d ; RESP2 a bulk string. Formatted as Redis 7.0's addReplyDouble
  // (%.17g; inf / -inf; nan).
  void Double(double d);
  void Boolean(bool b);                   // RESP3 #t/#f, RESP2 :1/:0
  // RESP3 =len fmt:text (fmt is 3 chars, e.g. "txt"); RESP2 bulk of text.
  void Verbatim(std::string_view format, std::string_view text);
  void BigNumber(std::string_view digits);  // RESP3 (digits, RESP2 bulk
  void Raw(std::string_view bytes);         // pre-encoded bytes, as they are

  // Every later Error() is reported to `listener` (nullptr: to nobody).
  void set_error_listener(ErrorListener* listener) { error_listener_ = listener; }

 private:
  void Header(char type, int64_t n);
  std::string* out_;
  int protocol_;
  ErrorListener* error_listener_ = nullptr;
};

}  // namespace ss::resp
