// Reaps the shim's children. The shim is a child subreaper and
// Sandbox::Create/Exec fork the guests as its children, so their real exit
// status comes from waitpid here. Children are enumerated from
// /proc/self/task/*/children and reaped one by one, so pids a Sandbox call
// waits for itself (Ignore) are never stolen from it.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace litebox::shim::task {

// Exit code as containerd reports it: the code, or 128 + signal number.
int ExitStatusOf(int wait_status);

class Reaper {
 public:
  using OnExit = std::function<void(pid_t pid, int exit_status)>;

  static Reaper& Instance();

  // SIGCHLD must be blocked in every thread (block it before creating any).
  // Starts the thread that waits for SIGCHLD.
  void Start();

  // While the returned lock is held nothing is reaped: hold it across a
  // Sandbox call that forks or waits, and across Watch of the pids it made,
  // so an exit is never lost between fork and Watch.
  std::unique_lock<std::mutex> Hold() { return std::unique_lock<std::mutex>(mu_); }
  // Callback for pid's exit (runs on the reaper thread, outside the lock).
  // Caller holds Hold().
  void Watch(pid_t pid, OnExit on_exit);
  // Never reap pid (a supervisor its Sandbox object waits for) until Unignore.
  // Caller holds Hold().
  // on_death (optional) runs once, on the reaper thread, if pid exits while
  // ignored (it stays unreaped for its owner).
  void Ignore(pid_t pid, std::function<void()> on_death = nullptr);
  void Unignore(pid_t pid);

  // Reaps what has exited now (the thread does this on SIGCHLD; tests and
  // the thread share it).
  void ReapNow();

 private:
  Reaper() = default;
  void Run();

  std::mutex mu_;
  std::map<pid_t, OnExit> watched_;
  std::set<pid_t> ignored_;
  std::map<pid_t, std::function<void()>> on_death_;  // of ignored pids
  std::thread thread_;
};

}  // namespace litebox::shim::task
