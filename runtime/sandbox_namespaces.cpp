#include "runtime/sandbox_namespaces.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace litebox::runtime {

SandboxNamespaces::~SandboxNamespaces() {
  if (joinable_) pthread_join(maker_, nullptr);
}

void SandboxNamespaces::Start(bool new_net) {
  if (started_) return;
  started_ = true;
  new_net_ = new_net;
  // On another CPU than ours from its first instruction, where there is
  // one: left to the scheduler, a new thread often starts on its
  // creator's CPU and preempts it (the creator then waits ~0.5 ms with
  // the other CPU idle).
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  cpu_set_t allowed;
  const int here = sched_getcpu();
  if (here >= 0 && sched_getaffinity(0, sizeof allowed, &allowed) == 0 &&
      CPU_ISSET(here, &allowed) && CPU_COUNT(&allowed) > 1) {
    CPU_CLR(here, &allowed);
    pthread_attr_setaffinity_np(&attr, sizeof allowed, &allowed);
  }
  // It takes no signal: a handler of the creator's (a forked supervisor
  // resets them after this) must not run there, nor the supervisor's later.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int e = pthread_create(&maker_, &attr, &SandboxNamespaces::MakerMain, this);
  // A CPU set that changed meanwhile: anywhere, then.
  if (e == EINVAL) e = pthread_create(&maker_, nullptr, &SandboxNamespaces::MakerMain, this);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&attr);
  joinable_ = e == 0;
  if (!joinable_) Make();  // no thread to be had (a pids limit)
}

void* SandboxNamespaces::MakerMain(void* self) {
  static_cast<SandboxNamespaces*>(self)->Make();
  return nullptr;
}

bool SandboxNamespaces::Wait(std::string* err) {
  if (joinable_) pthread_join(maker_, nullptr);
  joinable_ = false;
  if (!started_) err_ = "internal error: the sandbox's namespaces were never started";
  if (err_.empty()) return true;
  *err = err_;
  return false;
}

// Runs on the maker thread: unshare() moves only the calling thread, and
// the fds opened here name what it entered.
void SandboxNamespaces::Make() {
  // SysV IPC and POSIX message queues: a namespace of the sandbox's own.
  // Host objects with "other" permission bits would otherwise be
  // reachable through the pass-class shmat/msgrcv/semop by id (escape
  // suite: ipc_sysv_host, ipc_msgq_host).
  if (unshare(CLONE_NEWIPC) != 0) {
    err_ = std::string("cannot create an IPC namespace: ") + strerror(errno);
    return;
  }
  ipc_fd_ = open("/proc/thread-self/ns/ipc", O_RDONLY | O_CLOEXEC);
  if (ipc_fd_ < 0) {
    err_ = std::string("/proc/thread-self/ns/ipc: ") + strerror(errno);
    return;
  }
  if (new_net_) MakeNetns();
}

// A fresh network namespace with lo up (the guests join it). Its teardown
// costs a kworker as much again.
bool SandboxNamespaces::MakeNetns() {
  if (unshare(CLONE_NEWNET) != 0) {
    err_ = std::string("network: cannot create a network namespace: ") + strerror(errno);
    return false;
  }
  // Bring lo up, as a new network namespace in a container has it.
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq ifr{};
  strcpy(ifr.ifr_name, "lo");
  if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ||
      (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr)) != 0) {
    err_ = std::string("network: cannot bring up lo: ") + strerror(errno);
    if (s >= 0) close(s);
    return false;
  }
  close(s);
  net_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (net_fd_ < 0) err_ = std::string("network: /proc/thread-self/ns/net: ") + strerror(errno);
  return net_fd_ >= 0;
}

}  // namespace litebox::runtime
