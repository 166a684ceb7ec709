// Reply encoding, byte for byte as Redis 7.0's networking.c writes each type
// (addReplyDouble, addReplyBool, addReplyVerbatim, addReplyBigNum, ...).
// Numbers go through std::to_chars: no locale, no iostreams, no snprintf.
#include "ss/resp/writer.h"

#include <charconv>
#include <cmath>

namespace ss::resp {
namespace {

// Longest int64 ("-9223372036854775808") plus a type byte and "\r\n".
constexpr size_t kMaxIntLine = 1 + 20 + 2;

// Writes `type` n "\r\n" into buf; returns the end.
char* PutLine(char* buf, char type, int64_t n) {
  *buf++ = type;
  buf = std::to_chars(buf, buf + 20, n).ptr;
  *buf++ = '\r';
  *buf++ = '\n';
  return buf;
}

}  // namespace

void ReplyWriter::Header(char type, int64_t n) {
  char buf[kMaxIntLine];
  out_->append(buf, PutLine(buf, type, n));
}

void ReplyWriter::Status(std::string_view s) {
  out_->reserve(out_->size() + s.size() + 3);
  out_->push_back('+');
  out_->append(s);
  out_->append("\r\n");
}

void ReplyWriter::Error(std::string_view s) {
  // Redis (addReplyErrorFormat) trims \r and \n at both ends, then turns the
  // ones inside into spaces, so an error reply is always one line.
  const size_t first = s.find_first_not_of("\r\n");
  s = first == std::string_view::npos ? std::string_view() : s.substr(first);
  s = s.substr(0, s.find_last_not_of("\r\n") + 1);
  if (error_listener_ != nullptr) error_listener_->OnErrorReply(s);
  out_->reserve(out_->size() + s.size() + 3);
  out_->push_back('-');
  const size_t start = out_->size();
  out_->append(s);
  // Bounded by the length of the message just appended.
  for (size_t i = start; i < out_->size(); ++i) {
    char& c = (*out_)[i];
    if (c == '\r' || c == '\n') c = ' ';
  }
  out_->append("\r\n");
}

void ReplyWriter::Integer(int64_t v) { Header(':', v); }

void ReplyWriter::Bulk(std::string_view s) {
  char buf[kMaxIntLine];
  char* end = PutLine(buf, '$', static_cast<int64_t>(s.size()));
  out_->reserve(out_->size() + static_cast<size_t>(end - buf) + s.size() + 2);
  out_->append(buf, end);
  out_->append(s);
  out_->append("\r\n");
}

void ReplyWriter::Null() { out_->append(protocol_ >= 3 ? "_\r\n" : "$-1\r\n"); }

void ReplyWriter::NullArray() { out_->append(protocol_ >= 3 ? "_\r\n" : "*-1\r\n"); }

void ReplyWriter::ArrayHeader(size_t n) { Header('*', static_cast<int64_t>(n)); }

void ReplyWriter::MapHeader(size_t pairs) {
  if (protocol_ >= 3) {
    Header('%', static_cast<int64_t>(pairs));
  } else {
    Header('*', static_cast<int64_t>(pairs * 2));
  }
}

void ReplyWriter::SetHeader(size_t n) { Header(protocol_ >= 3 ? '~' : '*', static_cast<int64_t>(n)); }

void ReplyWriter::PushHeader(size_t n) { Header(protocol_ >= 3 ? '>' : '*', static_cast<int64_t>(n)); }

void ReplyWriter::Double(double d) {
  if (std::isinf(d)) {
    // Redis spells infinities itself rather than trust libc's formatting.
    if (protocol_ >= 3) {
      out_->append(d > 0 ? ",inf\r\n" : ",-inf\r\n");
    } else {
      Bulk(d > 0 ? "inf" : "-inf");
    }
    return;
  }
  // %.17g: at most 17 significant digits, sign, point, "e-308": 32 is ample.
  char buf[32];
  const char* end = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::general, 17).ptr;
  const std::string_view text(buf, static_cast<size_t>(end - buf));
  if (protocol_ >= 3) {
    out_->push_back(',');
    out_->append(text);
    out_->append("\r\n");
  } else {
    Bulk(text);
  }
}

void ReplyWriter::Boolean(bool b) {
  if (protocol_ >= 3) {
    out_->append(b ? "#t\r\n" : "#f\r\n");
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n");
  }
}

void ReplyWriter::Verbatim(std::string_view format, std::string_view text) {
  if (protocol_ < 3) {
    Bulk(text);
    return;
  }
  // Redis copies three bytes of a C string, padding with spaces after a NUL.
  char fmt[4] = {' ', ' ', ' ', ':'};
  for (size_t i = 0; i < 3 && i < format.size() && format[i] != '\0'; ++i) fmt[i] = format[i];
  Header('=', static_cast<int64_t>(text.size() + 4));
  out_->reserve(out_->size() + 4 + text.size() + 2);
  out_->append(fmt, 4);
  out_->append(text);
  out_->append("\r\n");
}

void ReplyWriter::BigNumber(std::string_view digits) {
  if (protocol_ < 3) {
    Bulk(digits);
    return;
  }
  out_->reserve(out_->size() + digits.size() + 3);
  out_->push_back('(');
  out_->append(digits);
  out_->append("\r\n");
}

void ReplyWriter::Raw(std::string_view bytes) { out_->append(bytes); }

}  // namespace ss::resp
