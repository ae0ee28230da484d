// The namespaces a sandbox has of its own: an IPC one always, a fresh
// network one (lo up) when the sandbox asks for "new". Making them costs
// ~0.6 ms of kernel time here, nearly all of it the network namespace's
// sysctl tables and loopback device: a thread does that while the
// supervisor and its creator go on, on the other CPU when there is one.
// (A thread of the creator, before it forks the supervisor, did worse:
// every page the creator then wrote took a copy-on-write fault with a TLB
// shootdown to the thread's CPU, ~0.45 ms more in all on this VM.)
#pragma once

#include <pthread.h>

#include <string>

namespace litebox::runtime {

class SandboxNamespaces {
 public:
  SandboxNamespaces() = default;
  SandboxNamespaces(const SandboxNamespaces&) = delete;
  SandboxNamespaces& operator=(const SandboxNamespaces&) = delete;
  ~SandboxNamespaces();

  // Starts making them on a thread of their own (here, at once, when no
  // thread can be had). Once only.
  void Start(bool new_net);
  bool started() const { return started_; }
  bool new_net() const { return new_net_; }

  // Waits for the thread. False, with what could not be made, on failure.
  bool Wait(std::string* err);
  // After a successful Wait: the namespaces' fds (-1: none made).
  int ipc_fd() const { return ipc_fd_; }
  int net_fd() const { return net_fd_; }

 private:
  void Make();
  bool MakeNetns();

  static void* MakerMain(void* self);
  pthread_t maker_{};
  bool joinable_ = false;
  bool started_ = false;
  bool new_net_ = false;
  int ipc_fd_ = -1;
  int net_fd_ = -1;
  std::string err_;
};

}  // namespace litebox::runtime
