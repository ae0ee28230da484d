// gRPC status codes as ttrpc carries them (google.rpc.Code). containerd's
// errdefs.FromGRPC turns 3, 5, 6, 9, 12, 14, 1 and 4 into its own error
// classes; anything else reaches the user as "unknown".
#pragma once

#include <string>

namespace litebox::shim::ttrpc {

enum Code : int {
  kOk = 0,
  kCanceled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// The outcome of one unary call: code + message, and the serialized reply
// message when code == kOk.
struct Reply {
  int code = kOk;
  std::string message;
  std::string payload;

  static Reply Ok(std::string payload) { return Reply{kOk, {}, std::move(payload)}; }
  static Reply Error(int code, std::string message) { return Reply{code, std::move(message), {}}; }
  bool ok() const { return code == kOk; }
};

}  // namespace litebox::shim::ttrpc
