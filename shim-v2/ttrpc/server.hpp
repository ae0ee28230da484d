// ttrpc server: unary requests only (all containerd's Task service needs).
// Each request runs on its own thread so a blocking Wait never holds up a
// Kill or State on the same connection; responses may go out of order.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "shim-v2/ttrpc/status.hpp"

namespace litebox::shim::ttrpc {

struct Call {
  std::string service;
  std::string method;
  std::string payload;
  int64_t timeout_nano = 0;
  std::multimap<std::string, std::string> metadata;  // keys lower-case, may repeat

  // First value of `key`, or "" if absent.
  std::string Meta(const std::string& key) const;
};

using Handler = std::function<Reply(const Call&)>;

class Server {
 public:
  Server();
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void Register(const std::string& service, const std::string& method, Handler handler);

  // Accepts connections on listen_fd until Stop(). Connections whose peer
  // uid/gid (SO_PEERCRED) differ from ours are closed at once, as containerd's
  // own ttrpc server does. Returns false with *err if accept fails for good.
  bool Serve(int listen_fd, std::string* err);
  // Serves one connected stream socket until EOF or Stop(); takes ownership
  // of fd. Blocks; used by Serve (on a thread per connection) and by tests.
  void ServeConnection(int fd);
  // Makes Serve return; open connections are shut down.
  void Stop();
  // Number of requests currently being handled.
  int InFlight() const { return in_flight_.load(); }

 private:
  Reply Dispatch(const Call& call) const;

  std::map<std::string, std::map<std::string, Handler>> services_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_flight_{0};
  int stop_pipe_[2] = {-1, -1};
  std::mutex conns_mu_;
  std::vector<int> conns_;
};

}  // namespace litebox::shim::ttrpc
