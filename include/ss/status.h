// Result<T>: a value or an error code with a message, shaped like C++23
// std::expected (has_value, value, error) so moving to it is one alias.
// Used for system errors (libuv's negative errno, files); command errors are
// replies, never Results.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace ss {

enum class ErrorCode {
  kOk = 0,
  kSystem,       // an OS / libuv call failed; message has the strerror text
  kInvalidArgument,
  kNotFound,
};

struct Error {
  ErrorCode code = ErrorCode::kSystem;
  std::string message;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT: implicit by design

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() { assert(has_value()); return std::get<0>(v_); }
  const T& value() const { assert(has_value()); return std::get<0>(v_); }
  const Error& error() const { assert(!has_value()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> stand-in: std::monostate as the value.
using Status = Result<std::monostate>;
inline Status OkStatus() { return std::monostate{}; }

}  // namespace ss
