// The one way to run a container: used by `litebox do`, the `litebox` OCI
// CLI and the containerd shim alike (no second implementation).
//
// Process model (why it looks like this): engines expect the container's
// processes to be children of the caller so that the caller (or its
// subreaper: containerd-shim-runc-v2, conmon, our shim) reaps them and reads
// their exit status from the kernel. So Create/Exec fork the guest processes
// from the caller; the supervisor is a separate process (also forked from
// the caller) that only serves their request channels, owns the sandbox's
// state (virtual pids, credentials, mounts) and kills everything at the end.
//
//   caller ──fork──► supervisor  (control socket <state_dir>/control.sock)
//          ──fork──► init guest  (libOS binary; channel to the supervisor)
//          ──fork──► exec guest  ...
//
// The supervisor exits once the init guest has exited and every other guest
// is gone; guests whose supervisor is gone fail every emulated syscall and
// exit.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/cgroup.hpp"

namespace litebox::runtime {

// fds the guest gets as 0, 1, 2 (-1: /dev/null). The caller keeps its copies.
struct Stdio {
  int in = -1, out = -1, err = -1;
  // runc's --preserve-fds N: the caller's fds 3 .. 3+N-1 reach the guest
  // at the same numbers.
  int preserve_fds = 0;
};

struct Rlimit {
  int resource = 0;
  uint64_t soft = 0, hard = 0;
};

struct ProcessSpec {
  std::vector<std::string> args;  // args[0] is resolved through PATH in env if not absolute
  std::vector<std::string> env;
  std::string cwd = "/";
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> additional_gids;
  uint32_t umask = 022;
  bool terminal = false;  // stdio is a pty slave: make it the controlling terminal
  bool no_new_privileges = false;
  std::vector<Rlimit> rlimits;
  // Virtual capability sets (bit masks of CAP_*); default: runc's default set.
  uint64_t cap_effective = 0xa80425fbULL, cap_permitted = 0xa80425fbULL, cap_inheritable = 0,
           cap_bounding = 0xa80425fbULL, cap_ambient = 0;
};

struct MountSpec {
  std::string destination;  // absolute path inside the sandbox
  std::string type;         // bind, tmpfs, proc, sysfs, devpts, mqueue, cgroup, ...
  std::string source;       // host path for bind
  std::vector<std::string> options;
};

struct SandboxSpec {
  std::string id;
  std::string rootfs;  // host path of the (already mounted) root filesystem
  bool readonly_root = false;
  std::string hostname;  // empty: the host's name (as runc without a UTS namespace)
  std::string domainname;
  ProcessSpec init;
  std::vector<MountSpec> mounts;
  std::vector<std::string> masked_paths, readonly_paths;
  std::string state_dir;  // created by Create; holds control.sock; removed by Destroy
  std::string debug_log;  // optional: supervisor + libOS debug lines
  // Network (DESIGN §2: the one kernel namespace LiteBox uses):
  //   "none"  no AF_INET/AF_INET6 sockets (the filter refuses them)
  //   "host"  the caller's network namespace (OCI config without a network namespace)
  //   "new"   a fresh network namespace with only lo, shared by the sandbox
  //   a path  join that namespace (/proc/<pid>/ns/net, /var/run/netns/<name>; pods)
  std::string network = "none";
  // The creator reaps the init and then asks for the shutdown (`litebox
  // run` in the foreground): the end-of-sandbox sweep waits for that (at
  // most a second, or until the creator's connection closes), so the init's
  // zombie is gone by then and the sweep finds the uid without a task.
  bool sweep_on_shutdown = false;
  bool wait_for_start = true;  // false: the init process runs at once (litebox do)
  // The sandbox dies with the process that created it (`litebox do`): the
  // supervisor and the guests it spawns get PR_SET_PDEATHSIG(SIGKILL).
  bool die_with_caller = false;
  // The container's own seccomp filter (OCI linux.seccomp, compiled): raw
  // sock_filter instructions, installed by the libOS in every process of
  // the sandbox before its first instruction. Empty: none.
  std::string app_seccomp_bpf;
  uint32_t app_seccomp_flags = 0;  // SECCOMP_FILTER_FLAG_*
  // linux.resources: enforced by a host cgroup holding the guests (the
  // supervisor creates it when limits are set; cgroup.hpp). cgroup_path
  // empty: SandboxCgroupPath of the sandbox's leased uid.
  CgroupLimits limits;
  std::string cgroup_path;
};

struct ProcessState {
  pid_t host_pid = 0;
  pid_t vpid = 0;
};

// SIGKILLs every process of a sandbox directly (kill(-1) as its host uid),
// without its supervisor: for a creator whose supervisor died under a
// running sandbox, so the guests (which may never call it again) end and
// the init's exit is seen as usual. Does nothing if the uid's lease has
// passed to a new sandbox meanwhile (see uid_lease.hpp).
void KillSandboxGuests(uid_t host_uid);

class Sandbox {
 public:
  // Forks the supervisor and the init guest, both children of the caller.
  // The init guest is loaded and stopped before its first instruction until
  // Start() (unless spec.wait_for_start is false). On failure returns nullptr
  // with *err naming what is wrong, and leaves nothing behind.
  static std::unique_ptr<Sandbox> Create(const SandboxSpec& spec, const Stdio& stdio,
                                         std::string* err);
  // Reconnects to a running sandbox through <state_dir>/control.sock.
  static std::unique_ptr<Sandbox> Attach(const std::string& state_dir, std::string* err);

  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  pid_t init_pid() const { return init_pid_; }
  pid_t supervisor_pid() const { return supervisor_pid_; }
  // The host uid the sandbox's processes run under (0: not root, unchanged).
  uid_t host_uid() const { return host_uid_; }
  const std::string& state_dir() const { return state_dir_; }
  // The cgroup holding the guests ("" while the sandbox has no limits).
  const std::string& cgroup_path() const { return cgroup_path_; }

  // Lets the init process run its first instruction.
  bool Start(std::string* err);
  // A signal from outside the sandbox (like a signal from an ancestor PID
  // namespace): to the init process, or with all=true to every process.
  bool Kill(int sig, bool all, std::string* err);
  // Runs another process in the sandbox (OCI exec), forked from the caller.
  // Returns its host pid, or -1 with *err.
  pid_t Exec(const ProcessSpec& spec, const Stdio& stdio, std::string* err);
  bool Pause(std::string* err);
  bool Resume(std::string* err);
  // Host pids of every live process of the sandbox.
  std::optional<std::vector<ProcessState>> Processes(std::string* err);
  // New limits (runc update, the shim's Update): the cgroup is created now
  // if the sandbox had none, and every process of the sandbox moved in.
  bool SetLimits(const CgroupLimits& limits, std::string* err);
  // The cgroup's counters; nullopt with *err when the sandbox has none.
  std::optional<CgroupStats> Stats(std::string* err);
  // SIGKILLs every process, waits for the supervisor to exit (if it is the
  // caller's child) and removes state_dir. Idempotent.
  bool Destroy(std::string* err);
  // Destroy's first step alone: the supervisor starts winding down (kills
  // every process, sweeps, exits) while the caller does something else.
  void BeginShutdown();

 private:
  Sandbox() = default;
  int control_fd_ = -1;
  pid_t init_pid_ = 0;
  pid_t supervisor_pid_ = 0;
  uid_t host_uid_ = 0;
  std::string state_dir_;
  std::string cgroup_path_;
};

}  // namespace litebox::runtime
