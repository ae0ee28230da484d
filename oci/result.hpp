// Result<T>/Error: how every oci/ function reports failure. The API never
// lets an exception escape, because its callers (the shim, the CLI) turn an
// error into a message for a user and must never crash on a bad config.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace litebox::oci {

struct Error {
  // JSON path of the offending field ("mounts[3].destination"), or the
  // document name ("config.json") when the document as a whole is wrong.
  std::string path;
  std::string reason;  // "must be absolute"

  // "mounts[3].destination: must be absolute"
  std::string message() const { return path.empty() ? reason : path + ": " + reason; }
  bool operator==(const Error&) const = default;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Reading the value of a failed Result is a bug in the caller: abort with
  // the error rather than returning garbage.
  const T& value() const& { return Check(), std::get<0>(v_); }
  T& value() & { return Check(), std::get<0>(v_); }
  T&& value() && { return Check(), std::move(std::get<0>(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const {
    if (ok()) {
      std::fprintf(stderr, "litebox::oci::Result::error() called on a success\n");
      std::abort();
    }
    return std::get<1>(v_);
  }

 private:
  void Check() const {
    if (!ok()) {
      std::fprintf(stderr, "litebox::oci::Result::value() called on an error: %s\n",
                   std::get<1>(v_).message().c_str());
      std::abort();
    }
  }
  std::variant<T, Error> v_;
};

}  // namespace litebox::oci
