#include "shim-v2/task/reaper.hpp"

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace litebox::shim::task {

int ExitStatusOf(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 255;
}

Reaper& Reaper::Instance() {
  static Reaper* r = new Reaper();  // never destroyed: its thread runs until exit
  return *r;
}

void Reaper::Start() {
  thread_ = std::thread([this] { Run(); });
  thread_.detach();
}

void Reaper::Watch(pid_t pid, OnExit on_exit) {
  watched_[pid] = std::move(on_exit);
}
void Reaper::Ignore(pid_t pid, std::function<void()> on_death) {
  ignored_.insert(pid);
  if (on_death) on_death_[pid] = std::move(on_death);
}
void Reaper::Unignore(pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  ignored_.erase(pid);
  on_death_.erase(pid);
}

namespace {

std::vector<pid_t> Children() {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc/self/task");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(std::string("/proc/self/task/") + e->d_name + "/children");
    pid_t p;
    while (in >> p) out.push_back(p);
  }
  closedir(d);
  return out;
}

}  // namespace

void Reaper::ReapNow() {
  std::vector<std::pair<OnExit, std::pair<pid_t, int>>> fired;
  std::vector<std::function<void()>> deaths;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (pid_t p : Children()) {
      if (ignored_.count(p)) {
        // Exited while ignored? Look without reaping (its owner reaps it).
        auto d = on_death_.find(p);
        siginfo_t si{};
        if (d != on_death_.end() && waitid(P_PID, p, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            si.si_pid == p) {
          deaths.push_back(std::move(d->second));
          on_death_.erase(d);
        }
        continue;
      }
      int st = 0;
      if (waitpid(p, &st, WNOHANG) != p) continue;
      auto it = watched_.find(p);
      if (it == watched_.end()) continue;  // an orphan reparented to us: just reaped
      fired.push_back({std::move(it->second), {p, ExitStatusOf(st)}});
      watched_.erase(it);
    }
  }
  for (auto& cb : deaths) cb();
  for (auto& [cb, ps] : fired) cb(ps.first, ps.second);
}

void Reaper::Run() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) perror("litebox-shim: signalfd(SIGCHLD); falling back to polling");
  for (;;) {
    if (sfd >= 0) {
      pollfd p{sfd, POLLIN, 0};
      // The timeout catches a child that exited while it was ignored.
      if (poll(&p, 1, 1000) > 0) {
        signalfd_siginfo si;
        (void)!read(sfd, &si, sizeof si);
      }
    } else {
      usleep(100000);
    }
    ReapNow();
  }
}

}  // namespace litebox::shim::task
