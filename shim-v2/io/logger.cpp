#include "shim-v2/io/logger.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "shim-v2/task/reaper.hpp"

namespace litebox::shim::io {

namespace {

std::string PercentDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += char(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

bool WaitPidfd(int pidfd, int ms) {
  pollfd p{pidfd, POLLIN, 0};
  return poll(&p, 1, ms) > 0;
}

}  // namespace

bool ParseBinaryUri(const std::string& uri, LoggerUri* out, std::string* err) {
  const std::string scheme = "binary://";
  if (uri.rfind(scheme, 0) != 0) {
    *err = "logger URI '" + uri + "' does not start with binary://";
    return false;
  }
  std::string rest = uri.substr(scheme.size());
  size_t q = rest.find('?');
  out->path = PercentDecode(rest.substr(0, q));
  if (out->path.empty() || out->path[0] != '/') {
    *err = "logger URI '" + uri + "': path must be absolute";
    return false;
  }
  out->args.clear();
  if (q == std::string::npos) return true;
  std::string query = rest.substr(q + 1);
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string kv = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (!kv.empty()) {
      size_t eq = kv.find('=');
      out->args.push_back(PercentDecode(kv.substr(0, eq)));
      if (eq != std::string::npos) out->args.push_back(PercentDecode(kv.substr(eq + 1)));
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return true;
}

std::unique_ptr<BinaryLogger> BinaryLogger::Start(const std::string& uri, const std::string& id,
                                                  const std::string& ns, int* stdout_w,
                                                  int* stderr_w, std::string* err) {
  LoggerUri u;
  if (!ParseBinaryUri(uri, &u, err)) return nullptr;
  int out_p[2], err_p[2], ready[2];
  if (pipe2(out_p, O_CLOEXEC) != 0) {
    *err = std::string("logger pipe: ") + strerror(errno);
    return nullptr;
  }
  if (pipe2(err_p, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0) {
    *err = std::string("logger pipe: ") + strerror(errno);
    close(out_p[0]);
    close(out_p[1]);
    return nullptr;
  }
  std::vector<std::string> args = {u.path};
  args.insert(args.end(), u.args.begin(), u.args.end());
  std::vector<std::string> env = {"CONTAINER_ID=" + id, "CONTAINER_NAMESPACE=" + ns};
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  auto logger = std::unique_ptr<BinaryLogger>(new BinaryLogger());
  {
    auto hold = task::Reaper::Instance().Hold();  // no reaping between fork and pidfd_open
    logger->pid_ = fork();
    if (logger->pid_ == 0) {
      // Lift fds out of the way, then place them at 3, 4, 5.
      int a = fcntl(out_p[0], F_DUPFD, 10), b = fcntl(err_p[0], F_DUPFD, 10),
          c = fcntl(ready[1], F_DUPFD, 10);
      dup2(a, 3);
      dup2(b, 4);
      dup2(c, 5);
      close(a);  // else fd 5's twin keeps the readiness pipe open
      close(b);
      close(c);
      int null = open("/dev/null", O_RDWR);
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    if (logger->pid_ > 0) logger->pidfd_ = int(syscall(SYS_pidfd_open, logger->pid_, 0));
  }
  int fork_errno = errno;
  close(out_p[0]);
  close(err_p[0]);
  close(ready[1]);
  if (logger->pid_ < 0) {
    *err = std::string("fork logger: ") + strerror(fork_errno);
    close(out_p[1]);
    close(err_p[1]);
    close(ready[0]);
    return nullptr;
  }
  // Ready when fd 5 is closed (EOF) — by the logger, or by its exit.
  pollfd p{ready[0], POLLIN, 0};
  int r = poll(&p, 1, 10000);
  close(ready[0]);
  if (r <= 0 || (logger->pidfd_ >= 0 && WaitPidfd(logger->pidfd_, 0))) {
    *err = "logger " + u.path +
           (r <= 0 ? " did not signal readiness (close fd 5) within 10 s" : " exited at start");
    close(out_p[1]);
    close(err_p[1]);
    return nullptr;  // the destructor stops it
  }
  *stdout_w = out_p[1];
  *stderr_w = err_p[1];
  return logger;
}

BinaryLogger::~BinaryLogger() {
  if (pid_ <= 0) return;
  // Signals go through the pidfd: the reaper may already have reaped the
  // logger, and its pid may name someone else by now.
  auto signal = [&](int sig) { syscall(SYS_pidfd_send_signal, pidfd_, sig, nullptr, 0); };
  if (pidfd_ >= 0 && !WaitPidfd(pidfd_, 0)) {
    signal(SIGTERM);
    if (!WaitPidfd(pidfd_, 12000)) signal(SIGKILL);
  }
  if (pidfd_ >= 0) close(pidfd_);
}

}  // namespace litebox::shim::io
