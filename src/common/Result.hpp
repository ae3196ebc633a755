#pragma once
// Result<T>: a value or an Error. Expected failures travel as values; exceptions never cross subsystems.
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cityops {

/// A machine-readable code plus a human sentence. `code` maps to an HTTP status at the API edge.
struct Error {
  std::string code;     // e.g. "bad_request", "not_found", "conflict", "too_large", "unavailable", "internal"
  std::string message;  // a sentence for a human
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  static Status Ok() { return {}; }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Error BadRequest(std::string msg) { return {"bad_request", std::move(msg)}; }
inline Error NotFound(std::string msg) { return {"not_found", std::move(msg)}; }
inline Error Conflict(std::string msg) { return {"conflict", std::move(msg)}; }
inline Error Internal(std::string msg) { return {"internal", std::move(msg)}; }
inline Error Unavailable(std::string msg) { return {"unavailable", std::move(msg)}; }

}  // namespace cityops
