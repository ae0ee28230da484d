// A byte pump between two fds on its own thread, stoppable from outside.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

namespace litebox::shim::io {

class Copier {
 public:
  // Copies src -> dst until src reports EOF/EIO (all writers closed, or the
  // pty's slave side gone) or Stop(). dst may be -1 (data is discarded).
  // on_eof runs on the copier thread after src's end, before it exits.
  Copier(int src, int dst, std::function<void()> on_eof = nullptr);
  ~Copier();  // Stop() + join
  Copier(const Copier&) = delete;
  Copier& operator=(const Copier&) = delete;

  // Waits up to ms for src's EOF. True if it came.
  bool WaitEof(int ms);
  void Stop();
  bool done() const { return done_; }

 private:
  void Run();
  int src_, dst_;
  int stop_fd_;  // eventfd
  std::function<void()> on_eof_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

}  // namespace litebox::shim::io
