#include "shim-v2/ttrpc/client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
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

  std::unique_lock<std::mutex> lock(mu_);
  if (broken_) return Reply::Error(kUnavailable, "ttrpc: connection broken: " + broken_reason_);
  uint32_t id = next_stream_;
  next_stream_ += 2;
  if (!WriteFrame(fd_, id, kTypeRequest, 0, bytes, &err)) {
    broken_ = true;
    broken_reason_ = err;
    cv_.notify_all();
    return Reply::Error(kUnavailable, err);
  }
  pending_[id] = std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto it = pending_.find(id);
    if (it->second) {
      std::string data = std::move(*it->second);
      pending_.erase(it);
      litebox::ttrpc::Response resp;
      if (!resp.ParseFromString(data))
        return Reply::Error(kDataLoss, "ttrpc: response to " + method + " does not parse");
      if (resp.has_status() && resp.status().code() != kOk)
        return Reply::Error(resp.status().code(), resp.status().message());
      return Reply::Ok(resp.payload());
    }
    if (broken_) {
      pending_.erase(it);
      return Reply::Error(kUnavailable, broken_reason_);
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      pending_.erase(it);  // a late response for this id is dropped
      return Reply::Error(kDeadlineExceeded, service + "/" + method + ": no response in time");
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (reading_) {
      cv_.wait_for(lock, left);
      continue;
    }
    // Read one frame for whoever it belongs to, without holding the lock.
    reading_ = true;
    lock.unlock();
    pollfd p{fd_, POLLIN, 0};
    int r = poll(&p, 1, int(std::min<long>(left.count(), 100)) + 1);
    FrameHeader h;
    std::string data;
    ReadStatus st = ReadStatus::kOk;
    bool got = false;
    if (r > 0) {
      st = ReadFrame(fd_, &h, &data, &err);
      got = st == ReadStatus::kOk;
    }
    lock.lock();
    reading_ = false;
    if (r > 0 && !got) {
      broken_ = true;
      broken_reason_ = st == ReadStatus::kEof ? "ttrpc: connection closed by server" : err;
    } else if (got && h.type == kTypeResponse) {
      auto owner = pending_.find(h.stream_id);
      if (owner != pending_.end()) owner->second = std::move(data);
    }
    cv_.notify_all();
  }
}

}  // namespace litebox::shim::ttrpc
