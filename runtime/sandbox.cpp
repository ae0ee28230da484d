#include "runtime/sandbox.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "rootfs/rootfs.hpp"
#include "runtime/control.hpp"
#include "runtime/cpu_pin.hpp"
#include "runtime/sandbox_namespaces.hpp"
#include "runtime/spawn.hpp"
#include "runtime/spec_json.hpp"
#include "runtime/supervisor.hpp"
#include "runtime/uid_lease.hpp"

namespace litebox::runtime {

namespace {

std::string Errno(const std::string& what) {
  return what + ": " + strerror(errno);
}

// Starts one guest: a new channel registered with the supervisor, then
// the process itself (a child of the caller).
pid_t StartGuest(int control_fd, const std::string& state_dir, const ProcessSpec& p,
                 const Stdio& stdio, bool init, std::string* err, bool die_with_caller = false) {
  std::string guest = FindLiteboxExecutable("litebox-guest");
  if (guest.empty()) {
    *err = "litebox-guest (the library OS binary) not found next to this program";
    return -1;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
    *err = Errno("socketpair");
    return -1;
  }
  nlohmann::json reply;
  std::vector<int> reply_fds;
  if (!CallControl(control_fd, {{"op", "register"}, {"init", init}, {"process", ToJson(p)}}, &reply,
                   err, {sv[0]}, &reply_fds)) {
    close(sv[0]);
    close(sv[1]);
    return -1;
  }
  close(sv[0]);
  SpawnPlan plan;
  plan.guest_binary_fd = open(guest.c_str(), O_PATH | O_CLOEXEC);
  if (plan.guest_binary_fd < 0) {
    *err = Errno("open " + guest);
    close(sv[1]);
    return -1;
  }
  plan.channel_fd = sv[1];
  plan.stdio = stdio;
  for (int i = 0; i < stdio.preserve_fds && i < 64; ++i) plan.keep_fds.push_back(3 + i);
  plan.terminal = p.terminal;
  plan.die_with_caller = die_with_caller;
  plan.rlimits = p.rlimits;
  plan.empty_root = state_dir + "/empty";
  // The supervisor leased the sandbox's host uid (0: unprivileged caller).
  plan.host_uid = plan.host_gid = reply.value("host_uid", uid_t(0));
  // The supervisor sends the sandbox's namespaces with the reply.
  if (reply.contains("ns") && reply["ns"].is_array()) {
    for (size_t i = 0; i < reply["ns"].size() && i < reply_fds.size(); ++i) {
      if (reply["ns"][i] == "net") plan.netns_fd = reply_fds[i];
      if (reply["ns"][i] == "ipc") plan.ipcns_fd = reply_fds[i];
    }
  }
  pid_t pid = SpawnGuest(plan, err);
  for (int f : reply_fds) close(f);
  close(plan.guest_binary_fd);
  close(sv[1]);
  return pid;
}

}  // namespace

void KillSandboxGuests(uid_t host_uid) {
  KillOrphansOfLease(host_uid);
}

// True when the calling process has one thread (/proc/self/status "Threads:").
static bool SingleThreaded() {
  FILE* f = fopen("/proc/self/status", "re");
  if (!f) return false;
  char line[256];
  long threads = 0;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "Threads:", 8) == 0) threads = strtol(line + 8, nullptr, 10);
  fclose(f);
  return threads == 1;
}

std::unique_ptr<Sandbox> Sandbox::Create(const SandboxSpec& spec, const Stdio& stdio,
                                         std::string* err) {
  if (spec.init.args.empty()) {
    *err = "process.args: must not be empty";
    return nullptr;
  }
  struct stat st;
  if (stat(spec.rootfs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *err = "root.path: " + spec.rootfs + " is not a directory";
    return nullptr;
  }
  // A single-threaded caller (the `litebox` CLI) forks the supervisor and
  // runs it in the child, as is: an exec of litebox would cost ~1.7 ms of
  // loading and start-up on every container start. A multi-threaded caller
  // (the shim: ttrpc threads may hold locks at the fork) execs a fresh one.
  const bool run_in_fork = SingleThreaded();
  std::string sup;
  if (!run_in_fork) {
    sup = FindLiteboxExecutable("litebox");
    if (sup.empty()) {
      *err = "litebox (the supervisor binary) not found next to this program";
      return nullptr;
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(spec.state_dir).parent_path(), ec);
  if (mkdir(spec.state_dir.c_str(), 0711) != 0) {
    *err = errno == EEXIST ? "container \"" + spec.id + "\" already exists (" + spec.state_dir + ")"
                           : Errno("mkdir " + spec.state_dir);
    return nullptr;
  }
  std::string empty = spec.state_dir + "/empty";
  mkdir(empty.c_str(), 0555);
  chmod(empty.c_str(), 0555);

  std::unique_ptr<Sandbox> sb(new Sandbox());
  sb->state_dir_ = spec.state_dir;
  auto fail = [&](const std::string& e) -> std::unique_ptr<Sandbox> {
    *err = e;
    std::string ignored;
    sb->Destroy(&ignored);
    return nullptr;
  };

  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return fail(Errno("socketpair"));
  pid_t pid;
  {
    // We wait for its first answer: it starts here, at once, and gets the
    // full CPU set back when `pin` goes (in the child too).
    PinToThisCpu pin;
    pid = fork();
  }
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    return fail(Errno("fork"));
  }
  if (pid == 0) {
    // The supervisor: this child, or a fresh exec of litebox; control
    // socket at fd 3.
    dup2(sv[1], 3);
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    if (spec.debug_log.empty()) dup2(devnull, 2);
    syscall(SYS_close_range, 4, ~0u, 0);
    setsid();
    // SIGTERM, not SIGKILL: the supervisor then sweeps the sandbox first.
    if (spec.die_with_caller) prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
    if (run_in_fork) {
      // The forked supervisor's namespaces are made now, on the other CPU
      // while this thread goes on: after the fds are closed (the thread
      // opens fds of its own), before the signal reset's 64 calls. The
      // thread takes no signal (SandboxNamespaces::Start).
      SandboxNamespaces namespaces;
      namespaces.Start(spec.network == "new");
      // Nothing of the caller's signal set-up carries over.
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
      _exit(RunSupervisor(3, {.namespaces = &namespaces}));
    }
    execl(sup.c_str(), "litebox", "__supervise", "--control-fd", "3", nullptr);
    _exit(127);
  }
  close(sv[1]);
  sb->control_fd_ = sv[0];
  sb->supervisor_pid_ = pid;
  nlohmann::json reply;
  std::string e;
  if (!CallControl(sb->control_fd_, {{"op", "init"}, {"spec", ToJson(spec)}}, &reply, &e))
    return fail(e);
  sb->host_uid_ = reply.value("host_uid", uid_t(0));
  sb->cgroup_path_ = reply.value("cgroup", std::string());
  pid_t init =
      StartGuest(sb->control_fd_, spec.state_dir, spec.init, stdio, true, &e, spec.die_with_caller);
  if (init < 0) return fail(e);
  sb->init_pid_ = init;
  if (spec.wait_for_start && !CallControl(sb->control_fd_, {{"op", "wait_loaded"}}, nullptr, &e)) {
    // The process died while loading (e.g. no such executable): reap it.
    int st;
    waitpid(init, &st, 0);
    sb->init_pid_ = 0;
    return fail(e);
  }
  return sb;
}

std::unique_ptr<Sandbox> Sandbox::Attach(const std::string& state_dir, std::string* err) {
  int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = state_dir + "/control.sock";
  if (path.size() >= sizeof addr.sun_path) {
    *err = "state directory path too long: " + state_dir;
    close(fd);
    return nullptr;
  }
  strcpy(addr.sun_path, path.c_str());
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *err = Errno("container is not running (connect " + path + ")");
    close(fd);
    return nullptr;
  }
  std::unique_ptr<Sandbox> sb(new Sandbox());
  sb->control_fd_ = fd;
  sb->state_dir_ = state_dir;
  nlohmann::json r;
  std::string e;
  if (CallControl(fd, {{"op", "ps"}}, &r, &e)) {
    // The init is the lowest vpid alive (vpid 1 while it runs).
    for (const auto& p : r["processes"])
      if (p["vpid"] == 1) sb->init_pid_ = p["pid"].get<pid_t>();
    sb->host_uid_ = r.value("host_uid", uid_t(0));
    sb->cgroup_path_ = r.value("cgroup", std::string());
  }
  return sb;
}

Sandbox::~Sandbox() {
  if (control_fd_ >= 0) close(control_fd_);
}

bool Sandbox::Start(std::string* err) {
  return CallControl(control_fd_, {{"op", "start"}}, nullptr, err);
}

bool Sandbox::Kill(int sig, bool all, std::string* err) {
  return CallControl(control_fd_, {{"op", "kill"}, {"signal", sig}, {"all", all}}, nullptr, err);
}

pid_t Sandbox::Exec(const ProcessSpec& spec, const Stdio& stdio, std::string* err) {
  return StartGuest(control_fd_, state_dir_, spec, stdio, false, err);
}

bool Sandbox::Pause(std::string* err) {
  return CallControl(control_fd_, {{"op", "pause"}}, nullptr, err);
}
bool Sandbox::Resume(std::string* err) {
  return CallControl(control_fd_, {{"op", "resume"}}, nullptr, err);
}

std::optional<std::vector<ProcessState>> Sandbox::Processes(std::string* err) {
  nlohmann::json r;
  if (!CallControl(control_fd_, {{"op", "ps"}}, &r, err)) return std::nullopt;
  std::vector<ProcessState> out;
  for (const auto& p : r["processes"])
    out.push_back({p["pid"].get<pid_t>(), p["vpid"].get<pid_t>()});
  return out;
}

bool Sandbox::SetLimits(const CgroupLimits& limits, std::string* err) {
  nlohmann::json r;
  if (!CallControl(control_fd_, {{"op", "set_limits"}, {"limits", ToJson(limits)}}, &r, err))
    return false;
  cgroup_path_ = r.value("cgroup", std::string());
  return true;
}

std::optional<CgroupStats> Sandbox::Stats(std::string* err) {
  nlohmann::json r;
  if (!CallControl(control_fd_, {{"op", "stats"}}, &r, err)) return std::nullopt;
  return StatsFromJson(r.at("stats"));
}

void Sandbox::BeginShutdown() {
  if (control_fd_ < 0) return;
  std::string ignored;
  CallControl(control_fd_, {{"op", "shutdown"}}, nullptr, &ignored);
  close(control_fd_);
  control_fd_ = -1;
}

bool Sandbox::Destroy(std::string* err) {
  BeginShutdown();
  if (supervisor_pid_ > 0) {
    // Give the supervisor up to a second to see every guest gone (woken
    // by its pidfd the moment it exits), then insist.
    int st;
    int pfd = static_cast<int>(syscall(SYS_pidfd_open, supervisor_pid_, 0));
    if (pfd >= 0) {
      pollfd p{pfd, POLLIN, 0};
      poll(&p, 1, 1000);
      close(pfd);
    }
    if (waitpid(supervisor_pid_, &st, WNOHANG) == 0) {
      kill(supervisor_pid_, SIGKILL);
      waitpid(supervisor_pid_, &st, 0);
    }
    // A supervisor killed before its RootFs went leaves its scratch dir.
    rootfs::RemoveScratchOfProcess(supervisor_pid_);
    supervisor_pid_ = 0;
    // The supervisor removes the cgroup after its last guest; one killed
    // before that leaves it to us.
    if (!cgroup_path_.empty()) {
      std::string ignored;
      Cgroup::Open(cgroup_path_).Remove(&ignored);
    }
  }
  if (!state_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(state_dir_, ec);
    if (ec) {
      *err = "removing " + state_dir_ + ": " + ec.message();
      return false;
    }
  }
  return true;
}

}  // namespace litebox::runtime
