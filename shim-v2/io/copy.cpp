#include "shim-v2/io/copy.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace litebox::shim::io {

Copier::Copier(int src, int dst, std::function<void()> on_eof)
    : src_(src), dst_(dst), stop_fd_(eventfd(0, EFD_CLOEXEC)), on_eof_(std::move(on_eof)) {
  // Both ends non-blocking: the thread only ever blocks in poll, where Stop reaches it.
  fcntl(src_, F_SETFL, fcntl(src_, F_GETFL) | O_NONBLOCK);
  if (dst_ >= 0) fcntl(dst_, F_SETFL, fcntl(dst_, F_GETFL) | O_NONBLOCK);
  thread_ = std::thread([this] { Run(); });
}

Copier::~Copier() {
  Stop();
  if (thread_.joinable()) thread_.join();
  close(stop_fd_);
}

void Copier::Stop() {
  uint64_t one = 1;
  (void)!write(stop_fd_, &one, sizeof one);
}

bool Copier::WaitEof(int ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!done_) {
    if (std::chrono::steady_clock::now() >= until) return false;
    usleep(5000);
  }
  return true;
}

void Copier::Run() {
  char buf[32768];
  for (;;) {
    pollfd p[2] = {{src_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (p[1].revents) return;  // stopped: no EOF callback
    ssize_t n = read(src_, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;  // EOF, or EIO from a pty master whose slave is gone
    size_t off = 0;
    while (off < size_t(n) && dst_ >= 0) {
      ssize_t w = write(dst_, buf + off, size_t(n) - off);
      if (w > 0) {
        off += size_t(w);
        continue;
      }
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EAGAIN) {
        pollfd q[2] = {{dst_, POLLOUT, 0}, {stop_fd_, POLLIN, 0}};
        poll(q, 2, -1);
        if (q[1].revents) return;
        continue;
      }
      dst_ = -1;  // reader gone for good: keep draining src so the guest never blocks
      break;
    }
  }
  if (on_eof_) on_eof_();
  done_ = true;
}

}  // namespace litebox::shim::io
