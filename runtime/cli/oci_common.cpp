// Helpers shared by the runc-compatible subcommands.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include "oci/container_id.hpp"
#include "runtime/cli/oci_commands.hpp"
#include "runtime/cli/oci_globals.hpp"

namespace litebox::cli {

bool TakeId(Args& args, const std::string& command, std::string* id, int* rc) {
  if (args.empty()) {
    *rc = OciFail(command + ": container id cannot be empty");
    return false;
  }
  auto valid = oci::ValidateContainerId(args.front());
  if (!valid) {
    *rc = OciFail(command + ": invalid container id \"" + args.front() +
                  "\": " + valid.error().reason);
    return false;
  }
  *id = args.front();
  args.pop_front();
  return true;
}

bool LoadOrFail(const std::string& id, ContainerRecord* rec, int* rc) {
  auto r = LoadRecord(Globals().root, id);
  if (!r) {
    *rc = OciFail(r.error().message());
    return false;
  }
  *rec = *r;
  return true;
}

bool WritePidFile(const std::string& path, pid_t pid, std::string* err) {
  char abs[4096];
  std::string p = path;
  // Relative pid files are relative to the caller's directory, made absolute
  // before anything could change it.
  if (!p.empty() && p[0] != '/' && getcwd(abs, sizeof abs)) p = std::string(abs) + "/" + p;
  if (!WriteFileAtomic(p, std::to_string(pid), err)) {
    *err = "--pid-file: " + *err;
    return false;
  }
  return true;
}

int ParseSignal(const std::string& text) {
  if (text.empty()) return -1;
  if (std::all_of(text.begin(), text.end(), [](char c) { return isdigit(c); })) {
    int n = atoi(text.c_str());
    return n > 0 && n <= 64 ? n : -1;
  }
  std::string name;
  for (char c : text) name += static_cast<char>(toupper(c));
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  static const struct {
    const char* name;
    int sig;
  } kNames[] = {{"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
                {"TRAP", SIGTRAP},     {"ABRT", SIGABRT}, {"IOT", SIGIOT},       {"BUS", SIGBUS},
                {"FPE", SIGFPE},       {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
                {"USR2", SIGUSR2},     {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
                {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
                {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
                {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
                {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
                {"SYS", SIGSYS}};
  for (const auto& n : kNames)
    if (name == n.name) return n.sig;
  if (name.rfind("RTMIN", 0) == 0 || name.rfind("RTMAX", 0) == 0) {
    int base = name[2] == 'M' && name[3] == 'I' ? SIGRTMIN : SIGRTMAX;
    if (name.size() == 5) return base;
    int off = atoi(name.c_str() + 5);
    int sig = base + off;
    return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
  }
  return -1;
}

namespace {
int g_sig_pipe = -1;
const int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
void OnSignal(int sig) {
  unsigned char b = static_cast<unsigned char>(sig);
  if (write(g_sig_pipe, &b, 1) < 0) {
  }
}
}  // namespace

SignalForwarder::SignalForwarder() {
  if (pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0) return;
  g_sig_pipe = pipe_[1];
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sa.sa_flags = SA_RESTART;
  for (int s : kForwarded) sigaction(s, &sa, nullptr);
}

SignalForwarder::~SignalForwarder() {
  for (int s : kForwarded) signal(s, SIG_DFL);
  g_sig_pipe = -1;
  for (int fd : pipe_)
    if (fd >= 0) close(fd);
}

int SignalForwarder::Wait(pid_t child, void (*forward)(int sig, void* ctx), void* ctx) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
  int status = 0;
  for (;;) {
    pid_t r = waitpid(child, &status, WNOHANG);
    if (r == child) break;
    if (r < 0 && errno != EINTR) {
      status = 0;
      break;
    }
    pollfd fds[2] = {{pipe_[0], POLLIN, 0}, {pidfd, POLLIN, 0}};
    // Without a pidfd (old kernel) fall back to polling every 50 ms.
    poll(fds, pidfd >= 0 ? 2 : 1, pidfd >= 0 ? -1 : 50);
    unsigned char b;
    while (pipe_[0] >= 0 && read(pipe_[0], &b, 1) == 1) forward(b, ctx);
  }
  if (pidfd >= 0) close(pidfd);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace litebox::cli
