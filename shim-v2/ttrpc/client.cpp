#include "shim-v2/ttrpc/client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "litebox/ttrpc.pb.h"
#include "shim-v2/ttrpc/frame.hpp"

namespace litebox::shim::ttrpc {

std::unique_ptr<Client> Client::Dial(const std::string& address, std::string* err) {
  std::string path = address;
  if (path.rfind("unix://", 0) == 0) path = path.substr(7);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof sa.sun_path) {
    *err = "ttrpc: socket path '" + path + "' is empty or longer than " +
           std::to_string(sizeof sa.sun_path - 1) + " bytes";
    return nullptr;
  }
  memcpy(sa.sun_path, path.data(), path.size());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *err = std::string("ttrpc: socket: ") + strerror(errno);
    return nullptr;
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    *err = "ttrpc: connect " + path + ": " + strerror(errno);
    close(fd);
    return nullptr;
  }
  return std::make_unique<Client>(fd);
}

Client::~Client() {
  close(fd_);
}

Reply Client::Call(const std::string& service, const std::string& method,
                   const std::string& payload,
                   const std::multimap<std::string, std::string>& metadata,
                   std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  if (broken_) return Reply::Error(kUnavailable, "ttrpc: connection already broken");
  litebox::ttrpc::Request req;
  req.set_service(service);
  req.set_method(method);
  req.set_payload(payload);
  req.set_timeout_nano(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count());
  for (const auto& [k, v] : metadata) {
    auto* kv = req.add_metadata();
    kv->set_key(k);
    kv->set_value(v);
  }
  std::string bytes, err;
  req.SerializeToString(&bytes);
  uint32_t id = next_stream_;
  next_stream_ += 2;
  if (!WriteFrame(fd_, id, kTypeRequest, 0, bytes, &err)) {
    broken_ = true;
    return Reply::Error(kUnavailable, err);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      // The late response would desynchronize nothing (ids differ), but a
      // server this slow is treated as gone.
      broken_ = true;
      return Reply::Error(kDeadlineExceeded, service + "/" + method + ": no response in time");
    }
    pollfd p{fd_, POLLIN, 0};
    int r = poll(&p, 1, int(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    FrameHeader h;
    std::string data;
    ReadStatus st = ReadFrame(fd_, &h, &data, &err);
    if (st != ReadStatus::kOk) {
      broken_ = true;
      return Reply::Error(kUnavailable,
                          st == ReadStatus::kEof ? "ttrpc: connection closed by server" : err);
    }
    if (h.type != kTypeResponse || h.stream_id != id) continue;
    litebox::ttrpc::Response resp;
    if (!resp.ParseFromString(data)) {
      broken_ = true;
      return Reply::Error(kDataLoss, "ttrpc: response to " + method + " does not parse");
    }
    if (resp.has_status() && resp.status().code() != kOk)
      return Reply::Error(resp.status().code(), resp.status().message());
    return Reply::Ok(resp.payload());
  }
}

}  // namespace litebox::shim::ttrpc
