// ttrpc client for unary calls. Calls from several threads share the
// connection: each gets its own stream id, and whichever caller is waiting
// reads the next frame and hands it to its owner, so responses may arrive in
// any order.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "shim-v2/ttrpc/status.hpp"

namespace litebox::shim::ttrpc {

class Client {
 public:
  // Connects to a unix socket path ("unix://" prefix accepted). nullptr + *err on failure.
  static std::unique_ptr<Client> Dial(const std::string& address, std::string* err);
  // Takes ownership of an already connected stream socket.
  explicit Client(int fd) : fd_(fd) {}
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends one request and waits up to `timeout` for its response. Transport
  // failures come back as kUnavailable (connection broken: make a new
  // Client) or kDeadlineExceeded.
  Reply Call(const std::string& service, const std::string& method, const std::string& payload,
             const std::multimap<std::string, std::string>& metadata,
             std::chrono::milliseconds timeout);
  bool broken() const { return broken_; }

 private:
  int fd_;
  uint32_t next_stream_ = 1;  // client streams are odd
  bool broken_ = false;
  std::string broken_reason_;
  bool reading_ = false;                                    // one caller at a time reads the socket
  std::map<uint32_t, std::optional<std::string>> pending_;  // stream id -> response frame
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace litebox::shim::ttrpc
