// Minimal ttrpc client: unary calls, one at a time per connection (the event
// publisher sends strictly in order, so it never needs more).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
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
  std::mutex mu_;
};

}  // namespace litebox::shim::ttrpc
