#include "tests/escape/driver/sandbox_run.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "tests/escape/driver/host_decoys.hpp"

namespace escape {
namespace {

long NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

long UidOf(pid_t pid) {
  std::string st = ReadHostFile("/proc/" + std::to_string(pid) + "/status");
  size_t p = st.find("\nUid:\t");
  if (p == std::string::npos) return -1;
  return strtol(st.c_str() + p + 6, nullptr, 10);
}

// Host pids whose real uid is `uid` and that still run: a zombie is dead
// (it only waits for a host process to reap it) and can do nothing.
std::vector<pid_t> ProcessesOf(long uid) {
  std::vector<pid_t> pids;
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      pid_t pid = static_cast<pid_t>(strtol(e->d_name, nullptr, 10));
      if (pid <= 0 || UidOf(pid) != uid) continue;
      std::string st = ReadHostFile("/proc/" + std::to_string(pid) + "/stat");
      size_t paren = st.rfind(')');
      if (paren != std::string::npos && paren + 2 < st.size() &&
          (st[paren + 2] == 'Z' || st[paren + 2] == 'X'))
        continue;
      pids.push_back(pid);
    }
    closedir(d);
  }
  return pids;
}

// Picks up "HOSTTID n" as soon as it is printed: the guest is alive then,
// so its host uid can be read.
void ScanForTid(const std::string& out, size_t* scanned, RunResult* r) {
  while (r->sandbox_uid < 0) {
    size_t p = out.find("HOSTTID ", *scanned);
    if (p == std::string::npos) break;
    size_t eol = out.find('\n', p);
    if (eol == std::string::npos) break;
    pid_t tid = static_cast<pid_t>(strtol(out.c_str() + p + 8, nullptr, 10));
    if (tid > 0) {
      long uid = UidOf(tid);
      // A sandbox uid is never root; root would be a host-uid bug itself,
      // reported as such by the driver.
      if (uid >= 0) r->sandbox_uid = uid;
    }
    *scanned = eol + 1;
  }
}

}  // namespace

int RunResult::code() const {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

RunResult RunInSandbox(const RunOptions& opt) {
  RunResult r;
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  int master = -1, slave = -1;
  if (opt.pty_stdin) {
    char name[128];
    if (openpty(&master, &slave, name, nullptr, nullptr) != 0)
      throw std::runtime_error(std::string("openpty: ") + strerror(errno));
    r.pty_path = name;
    termios t{};
    tcgetattr(slave, &t);
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
  }
  struct stat pty_before {};
  if (slave >= 0) fstat(slave, &pty_before);
  std::vector<std::string> args = {opt.litebox, "do", "--rootfs", opt.rootfs};
  for (const auto& [k, v] : opt.env) {
    args.push_back("--env");
    args.push_back(k + "=" + v);
  }
  if (!opt.user.empty()) {
    args.push_back("--user");
    args.push_back(opt.user);
  }
  if (!opt.network.empty()) {
    args.push_back("--network");
    args.push_back(opt.network);
  }
  args.push_back("--");
  args.insert(args.end(), opt.argv.begin(), opt.argv.end());
  std::vector<char*> cargv;
  for (auto& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    int in = opt.pty_stdin ? slave : open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(pipefd[1], 1);
    dup2(pipefd[1], 2);
    if (opt.native) {
      for (const auto& [k, v] : opt.env) setenv(k.c_str(), v.c_str(), 1);
      if (chdir(opt.rootfs.c_str()) != 0) _exit(126);
      std::vector<char*> nargv;
      for (const auto& a : opt.argv) nargv.push_back(const_cast<char*>(a.c_str()));
      nargv.push_back(nullptr);
      execv(nargv[0], nargv.data());
      _exit(127);
    }
    execv(opt.litebox.c_str(), cargv.data());
    _exit(127);
  }
  setpgid(pid, pid);
  close(pipefd[1]);
  long deadline = NowMs() + opt.timeout_s * 1000L;
  size_t scanned = 0;
  char buf[65536];
  bool exited = false;
  long drain_until = 0;  // after `litebox do` exits: read what is left, briefly
  for (;;) {
    if (!exited && waitpid(pid, &r.status, WNOHANG) == pid) {
      exited = true;
      // The sandbox ended with its runtime. Whatever still holds our pipe
      // now is a leftover (checked below), so do not wait for EOF.
      drain_until = NowMs() + 300;
    }
    long now = NowMs();
    if (exited && now >= drain_until) break;
    if (!exited && now >= deadline) {
      r.timed_out = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &r.status, 0);
      exited = true;
      drain_until = NowMs() + 300;
      continue;
    }
    pollfd p{pipefd[0], POLLIN, 0};
    int n = poll(&p, 1, 50);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) {
      ssize_t got = read(pipefd[0], buf, sizeof buf);
      if (got <= 0) {
        if (!exited) {  // every writer closed: wait for litebox do itself
          long left = deadline - NowMs();
          while (left > 0 && waitpid(pid, &r.status, WNOHANG) != pid) {
            usleep(20000);
            left = deadline - NowMs();
          }
          if (left <= 0) {
            r.timed_out = true;
            kill(-pid, SIGKILL);
            waitpid(pid, &r.status, 0);
          }
        }
        break;
      }
      if (r.output.size() < (4u << 20)) r.output.append(buf, got);
      ScanForTid(r.output, &scanned, &r);
    }
  }
  close(pipefd[0]);
  if (opt.pty_stdin) {
    fcntl(slave, F_SETFL, O_NONBLOCK);
    ssize_t n = read(slave, buf, sizeof buf);
    if (n > 0) r.pty_input.assign(buf, n);
    struct stat now {};
    fstat(slave, &now);
    if (now.st_uid != pty_before.st_uid || now.st_gid != pty_before.st_gid ||
        now.st_mode != pty_before.st_mode)
      r.pty_change = "host pty " + r.pty_path +
                     " owner/mode changed: " + std::to_string(pty_before.st_uid) + ":" +
                     std::to_string(pty_before.st_gid) + " mode " +
                     std::to_string(pty_before.st_mode) + " -> " + std::to_string(now.st_uid) +
                     ":" + std::to_string(now.st_gid) + " mode " + std::to_string(now.st_mode);
    close(slave);
    close(master);
  }
  // Whatever still runs under the sandbox's host uid outlived its sandbox.
  // (Killed below; when the driver had to SIGKILL `litebox do`, its state
  // dir /run/litebox/do-<pid> is left behind too, and a later `litebox do`
  // that gets the same pid would refuse to start: remove ours.)
  if (r.sandbox_uid > 0) {
    std::vector<pid_t> left;
    for (int i = 0; i < 20; ++i) {
      left = ProcessesOf(r.sandbox_uid);
      if (left.empty()) break;
      usleep(100000);
    }
    for (pid_t p : left) {
      std::string comm = ReadHostFile("/proc/" + std::to_string(p) + "/comm");
      if (!comm.empty() && comm.back() == '\n') comm.pop_back();
      r.leftovers.push_back(std::to_string(p) + " (" + comm + ")");
      kill(p, SIGKILL);
    }
  }
  if (r.timed_out && !opt.native) {
    std::string state = "/run/litebox/do-" + std::to_string(pid);
    pid_t rm = fork();
    if (rm == 0) {
      execl("/bin/rm", "rm", "-rf", "--one-file-system", state.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    if (rm > 0) waitpid(rm, nullptr, 0);
  }
  return r;
}

}  // namespace escape
