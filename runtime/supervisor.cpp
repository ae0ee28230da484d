#include "runtime/supervisor.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/nsfs.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <system_error>
#include <thread>

#include "libos/abi/constants.h"
#include "libos/abi/proto.h"
#include "rootfs/file_server.hpp"
#include "rootfs/lookup_cache.hpp"
#include "rootfs/message.hpp"
#include "rootfs/rootfs.hpp"
#include "rootfs/search_ring.hpp"
#include "rootfs/vpath.hpp"
#include "runtime/cgroup.hpp"
#include "runtime/control.hpp"
#include "runtime/cpu_apart.hpp"
#include "runtime/cpu_pressure.hpp"
#include "runtime/sandbox.hpp"
#include "runtime/sandbox_namespaces.hpp"
#include "runtime/seccomp_policy.hpp"
#include "runtime/shared_page.hpp"
#include "runtime/socket_broker.hpp"
#include "runtime/spawn.hpp"
#include "runtime/spec_json.hpp"
#include "runtime/uid_lease.hpp"

namespace litebox::runtime {

void SetSweepUidForSignals(uid_t uid, const std::string& lease_path);

namespace {

namespace proto = litebox::proto;
using nlohmann::json;
using rootfs::ReceivedRequest;
using rootfs::RecvStatus;
using rootfs::SendResponse;

constexpr uint64_t kCapSetuid = 1ull << 7, kCapSetgid = 1ull << 6, kCapSysAdmin = 1ull << 21;

// Datagrams a guest sends without waiting for an answer (proto.h): read
// ahead of the main loop when their effect must be known (ReadNotices),
// and never answered, not even when malformed (an answer nobody waits for
// would be taken for the reply to the guest's next request).
bool IsNotice(const proto::Request& h) {
  return (h.op == proto::kExecDone && h.arg[1] == proto::kExecDoneNoReply) ||
         h.op == proto::kReaped || (h.op == proto::kFork && h.arg[0] != 0);
}
bool IsUnanswered(const proto::Request& h) {
  return IsNotice(h) || h.op == proto::kDoorbell || h.op == proto::kChildHello;
}

struct Guest {
  int channel = -1;
  int pidfd = -1;
  pid_t host_pid = 0;
  uint32_t vppid = 0;
  uint32_t vpgid = 0, vsid = 0;  // virtual process group and session
  // The host process group kept in step with vpgid (0: its own host pid, as
  // for a process launched with setsid), so that the kernel's waitid can
  // select by group (P_PGID, waitpid(0), waitpid(-pgid)).
  pid_t host_pgid = 0;
  pid_t HostPgid() const { return host_pgid ? host_pgid : host_pid; }
  bool is_init = false;
  bool exited = false;
  bool await_start_pending = false;  // replied when the container starts
  std::string exe;
  std::string exec_image;  // canonical path of the image an exec opened last
  std::string cmdline;     // argv joined with NUL
  std::string environ;     // the image's initial environment, entries NUL-terminated
  ProcessSpec spec;        // launch info of an initial (non-forked) guest
  bool forked = false;
  bool execed = false;  // since its fork: its parent may no longer setpgid it
  rootfs::ProcessContext ctx;
  // Its shared request page (sent with the hello or fork reply), and the datagrams read from its
  // channel so far (the page's requests come after those the guest sent
  // before them).
  std::unique_ptr<SharedPage> page;
  uint32_t sock_reads = 0;
  // The vpid offered for its next fork on its page (0: none offered).
  uint32_t fork_vpid = 0;
  // A forked child: when it was registered (its hello is due at once).
  std::chrono::steady_clock::time_point born{};
};

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

class Supervisor : public rootfs::ProcInfo {
 public:
  Supervisor(int control_fd, SupervisorHints hints)
      : creator_(control_fd), ns_(hints.namespaces ? hints.namespaces : &own_ns_) {}
  int Run();

  // rootfs::ProcInfo
  std::vector<uint32_t> Vpids() override {
    RegisterPending();
    std::vector<uint32_t> v;
    for (auto& [ch, g] : guests_)
      if (g->host_pid && (g->pidfd >= 0 ? HostStillThere(*g) : !g->exited))
        v.push_back(g->ctx.vpid);
    PurgeReapedZombies();
    for (auto& [vpid, z] : zombies_) v.push_back(vpid);
    return v;
  }
  std::optional<pid_t> HostPid(uint32_t vpid) override {
    RegisterPending();
    Guest* g = ByVpid(vpid);
    if (!g) return std::nullopt;
    return g->host_pid;
  }
  std::string Hostname() override { return hostname_; }
  std::string Cmdline(uint32_t vpid) override {
    Guest* g = AfterExecNotices(vpid);
    return g ? g->cmdline : "";
  }
  std::string ExePath(uint32_t vpid) override {
    Guest* g = AfterExecNotices(vpid);
    return g ? g->exe : "";
  }
  std::string Environ(uint32_t vpid) override {
    Guest* g = AfterExecNotices(vpid);
    return g ? g->environ : "";
  }
  std::string Cwd(uint32_t vpid) override {
    Guest* g = ByVpid(vpid);
    return g ? g->ctx.cwd : "/";
  }
  uint32_t Ppid(uint32_t vpid) override {
    Guest* g = ByVpid(vpid);
    return g ? g->vppid : 0;
  }
  std::optional<rootfs::Creds> Credentials(uint32_t vpid) override {
    Guest* g = ByVpid(vpid);
    if (!g) return std::nullopt;
    return g->ctx.creds;
  }

 private:
  // Live processes first, then zombies (exited, not yet reaped by their
  // parent: still a pid for kill(pid, 0), getpgid, /proc/<pid>).
  // A process whose channel closed but whose pidfd has not fired yet is a
  // zombie in the making: its parent's waitid may already have seen it
  // exit, and a /proc lookup posted on the shared page can overtake the
  // pidfd event, so it must not vanish in between.
  Guest* ByVpid(uint32_t vpid) {
    // A process that looks alive may have exited and been reaped already
    // (its parent's wait beats the supervisor's reading of its channel and
    // pidfd, and the parent's kReaped may come later still): its pidfd
    // tells.
    for (auto& [ch, g] : guests_)
      if (g->ctx.vpid == vpid && !g->exited && (g->pidfd < 0 || HostStillThere(*g))) return g.get();
    for (auto& [ch, g] : guests_)
      if (g->ctx.vpid == vpid && g->host_pid && g->pidfd >= 0 && HostStillThere(*g)) return g.get();
    PurgeReapedZombies();
    auto z = zombies_.find(vpid);
    return z == zombies_.end() ? nullptr : z->second.get();
  }
  Guest* ByHost(pid_t pid) {
    for (auto& [ch, g] : guests_)
      if (g->host_pid == pid && !g->exited) return g.get();
    for (auto& [ch, g] : guests_)
      if (g->host_pid == pid && g->pidfd >= 0 && HostStillThere(*g)) return g.get();  // see ByVpid
    PurgeReapedZombies();
    for (auto& [vpid, z] : zombies_)
      if (z->host_pid == pid) return z.get();
    return nullptr;
  }
  // Its host pid still names it (not reaped, so not reused): the pidfd
  // takes signal 0.
  static bool HostStillThere(const Guest& g) {
    return syscall(SYS_pidfd_send_signal, g.pidfd, 0, nullptr, 0) == 0;
  }
  // A zombie keeps its pidfd: once the host process is reaped without a
  // kReaped (SIGCHLD ignored, SA_NOCLDWAIT, a libOS that did not say), the
  // pidfd stops taking signal 0, and its host pid may already name
  // another process: forget it before anything uses that pid.
  void PurgeReapedZombies() {
    for (auto it = zombies_.begin(); it != zombies_.end();) {
      if (HostStillThere(*it->second)) {
        ++it;
      } else {
        close(it->second->pidfd);
        it = zombies_.erase(it);
      }
    }
  }
  void DropZombie(uint32_t vpid) {
    auto it = zombies_.find(vpid);
    if (it == zombies_.end()) return;
    close(it->second->pidfd);
    zombies_.erase(it);
  }
  void Log(const std::string& line) {
    if (log_) fprintf(log_, "%s\n", line.c_str()), fflush(log_);
  }
  bool Init(const json& msg, std::string* err);
  void Watch(int fd, uint64_t tag);
  void AddGuest(std::unique_ptr<Guest> g);
  bool OnChannel(int fd);      // true: a file operation was answered
  bool OnChannelOnce(int fd);  // one datagram
  // Answers the request posted on the page of the guest on `channel`, if
  // any: true if one was answered.
  bool ServePage(int channel);
  // While spinning: answers what polled pages hold. True if any.
  bool PollPages();
  // Before sleeping: every page rings from now on. True if one was posted
  // meanwhile (answered; keep spinning).
  bool ParkPages();
  // Makes g's shared page; the memfd to send (the caller closes it) or -1.
  int NewPageFd(Guest& g);
  // Sets a vpid aside for g's next fork and offers it on g's page (kFork).
  void OfferForkVpid(Guest& g);
  void ReadNotices(int channel);
  void IdleWork();
  // Marks every page (and those to come): an O_PATH fd exists in the sandbox.
  void OpathServed();
  bool opath_served_ = false;
  std::unique_ptr<SharedPage> spare_page_;
  int spare_page_fd_ = -1;
  bool forked_ = false;    // a process of this sandbox has forked: keep a spare page
  bool starting_ = false;  // a process just forked or exec'd: its requests follow
  void MountRootNodev();
  void CountOpen();
  // What every kOpen answer takes, on the socket or the page alike.
  void AfterOpen(Guest& g, const ReceivedRequest& req, rootfs::FileServer::Reply* r);
  static constexpr uint64_t kNodevAfterOpens = 64;
  uint64_t opens_ = 0;
  bool nodev_due_ = false;  // MountRootNodev once nothing is to be answered
  bool draining_ = false;   // ServePage is reading a guest's earlier datagrams
  std::unique_ptr<char[]> page_request_ = std::make_unique<char[]>(proto::kShmReqCap);
  void OnControl(int fd);
  void OnPidfd(int pidfd);
  void HandleProcessOp(Guest& g, const ReceivedRequest& req);
  void ReplyLaunch(Guest& g);
  long Kill(Guest& from, int64_t vpid, int sig, int64_t tid, int64_t value = 0, bool queue = false);
  bool HasHandler(pid_t host_pid, int sig);
  void KillAll(int sig, bool include_init);
  void RegisterPending();
  Guest* AfterExecNotices(uint32_t vpid);
  bool in_notices_ = false;
  void MaybeExit();
  void StartContainer();
  long SetIds(Guest& g, const ReceivedRequest& req, int64_t* aux0, int64_t* aux1);

  int creator_;
  int epfd_ = -1;
  int listen_fd_ = -1;
  SandboxSpec spec_;
  std::string hostname_, domainname_;
  std::unique_ptr<rootfs::RootFs> root_;
  std::unique_ptr<rootfs::FileServer> files_;
  std::unique_ptr<rootfs::LookupCaches> lookups_;  // null: answers are not cached
  void MakeLookupCache();
  uint32_t LookupTag(const Guest& g);             // its class's cache made if need be
  int LookupFd(uint32_t tag) const;               // that cache's memfd, or -1
  std::map<int, std::unique_ptr<Guest>> guests_;  // by channel fd
  // Forked processes that exited and whose parent (or the init, which
  // inherits orphans) has not reaped them yet; the reaper's libOS says
  // kReaped, in order with whatever it asks next. By vpid.
  std::map<uint32_t, std::unique_ptr<Guest>> zombies_;
  std::map<int, int> pidfd_to_channel_;
  std::map<int, bool> controls_;     // control connections
  std::vector<int> loaded_waiters_;  // control fds waiting for the init to be loaded
  bool init_loaded_ = false;
  void ReplyLoaded(bool ok, const std::string& why);
  uint32_t next_vpid_ = 1;
  bool started_ = false;
  bool init_gone_ = false;
  bool shutting_down_ = false;
  // spec_.sweep_on_shutdown: when the sweep stops waiting for the shutdown.
  int64_t sweep_deadline_ns_ = 0;
  static constexpr size_t kFewGuests = 2;
  // No polling while the CPUs are contended (cpu_pressure.hpp): then a
  // wake-up is cheap next to the guest time polling would take.
  CpuPressure pressure_;
  CpuApart apart_;
  static constexpr int64_t kSweepWaitNs = 1'000'000'000;
  FILE* log_ = nullptr;
  PolicyOptions policy_;
  int netns_fd_ = -1;  // the sandbox's network namespace (new or joined); -1: the host's
  int ipcns_fd_ = -1;  // the sandbox's own IPC namespace (SysV objects, POSIX mqueues)
  bool SetUpNetwork(std::string* err);
  // The sandbox's namespaces: the creator's (SupervisorHints) or own_ns_,
  // started at Init. The first register waits for them.
  SandboxNamespaces own_ns_;
  SandboxNamespaces* ns_;
  bool AwaitNamespaces(std::string* err);
  bool in_netns_ = false;       // the main thread entered netns_fd_
  bool warm_ring_due_ = false;  // a guest came or changed credentials (IdleWork)
  std::string FindInPath(const Guest& g, const std::string& exe) const;
  // The host uid every guest runs under, leased for the sandbox's life.
  std::unique_ptr<UidLease> uid_lease_;
  uid_t host_uid() const { return uid_lease_ ? uid_lease_->uid() : 0; }
  bool SweepSandboxUid();
  // The cgroup enforcing the sandbox's limits (none without limits). Guests
  // join it at their hello, before the application's first instruction;
  // processes forked inside inherit it. One made by a later set_limits also
  // takes the children that say hello after it (their fork may have raced
  // the move of their parent).
  std::optional<Cgroup> cgroup_;
  bool join_children_ = false;
  bool CreateCgroup(const CgroupLimits& limits, std::string* err);
  std::string CgroupPath() const { return cgroup_ ? cgroup_->path() : ""; }
  void OnSetLimits(int fd, const json& msg);
};

// epoll tags: high bits say what the fd is.
constexpr uint64_t kTagChannel = 1ull << 32, kTagControl = 2ull << 32, kTagListen = 3ull << 32,
                   kTagPidfd = 4ull << 32;

void Supervisor::Watch(int fd, uint64_t tag) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = tag | static_cast<uint32_t>(fd);
  epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev);
}

bool Supervisor::Init(const json& msg, std::string* err) {
  try {
    spec_ = SandboxSpecFromJson(msg.at("spec"));
  } catch (const std::exception& e) {
    *err = std::string("malformed sandbox spec: ") + e.what();
    return false;
  }
  if (!spec_.debug_log.empty()) log_ = fopen(spec_.debug_log.c_str(), "ae");
  hostname_ = spec_.hostname;
  if (hostname_.empty()) {
    char h[65] = {};
    gethostname(h, sizeof h - 1);
    hostname_ = h;
  }
  domainname_ = spec_.domainname;
  std::vector<rootfs::Mount> mounts;
  for (const MountSpec& m : spec_.mounts) {
    bool ro = false;
    for (const auto& o : m.options) ro |= (o == "ro");
    if (m.type == "bind" || m.type == "rbind" ||
        std::find(m.options.begin(), m.options.end(), "bind") != m.options.end() ||
        std::find(m.options.begin(), m.options.end(), "rbind") != m.options.end()) {
      mounts.push_back({m.destination, rootfs::Mount::kBind, m.source, ro});
    } else if (m.type == "tmpfs") {
      mounts.push_back({m.destination, rootfs::Mount::kTmpfs, "", ro});
    } else {
      // proc, sysfs, devpts, mqueue, cgroup, shm: served virtually.
      Log("mount " + m.destination + " (" + m.type + ") provided by the library OS");
    }
  }
  if (!SetUpNetwork(err)) return false;
  const bool new_net = spec_.network == "new";
  if (!ns_->started()) {
    ns_->Start(new_net);
  } else if (ns_->new_net() != new_net) {
    *err = "network: the init request asks for \"" + spec_.network + "\", but the creator made " +
           (ns_->new_net() ? "a new network namespace" : "none");
    return false;
  }
  if (geteuid() == 0) {
    uid_lease_ = UidLease::Acquire(spec_.state_dir, err);
    if (!uid_lease_) return false;
    SetSweepUidForSignals(uid_lease_->uid(), uid_lease_->path());
  }
  if (!spec_.limits.empty() && !CreateCgroup(spec_.limits, err)) return false;
  root_ = rootfs::RootFs::Open(spec_.rootfs, spec_.readonly_root, mounts, err, spec_.state_dir);
  if (!root_) return false;
  files_ = std::make_unique<rootfs::FileServer>(*root_, *this);
  MakeLookupCache();
  return true;
}

// The sandbox's lookup caches (rootfs/lookup_cache.hpp), where a change to
// the root file system can only come from the sandbox or from outside it:
// not for the host's own "/" as root, nor when a bind mount's source lies
// inside the root or holds it (a change made through the mount would not
// be seen at the name it has in the root).
void Supervisor::MakeLookupCache() {
  const std::string& root = root_->root_path();
  if (root == "/") return;
  for (const auto& m : root_->Mounts())
    if (m.destination != "/" && m.kind == rootfs::Mount::kBind &&
        (rootfs::PathIsUnder(m.host_source, root) || rootfs::PathIsUnder(root, m.host_source))) {
      Log("no lookup cache: the bind mount of " + m.host_source + " overlaps the root");
      return;
    }
  lookups_ = std::make_unique<rootfs::LookupCaches>();
  files_->SetLookupCaches(lookups_.get());
}

uint32_t Supervisor::LookupTag(const Guest& g) {
  return lookups_ ? lookups_->TagOf(g.ctx.creds) : 0;
}

int Supervisor::LookupFd(uint32_t tag) const {
  rootfs::LookupCache* c = lookups_ ? lookups_->For(tag) : nullptr;
  return c ? c->fd() : -1;
}

bool Supervisor::CreateCgroup(const CgroupLimits& limits, std::string* err) {
  std::string path = spec_.cgroup_path.empty() ? SandboxCgroupPath(host_uid()) : spec_.cgroup_path;
  auto cg = Cgroup::Create(path, err);
  if (!cg) return false;
  if (!cg->Apply(limits, err)) {
    std::string ignored;
    cg->Remove(&ignored);
    return false;
  }
  cgroup_ = std::move(cg);
  Log("cgroup " + path + ": " + ToJson(limits).dump());
  return true;
}

bool Supervisor::SetUpNetwork(std::string* err) {
  const std::string& mode = spec_.network;
  policy_.network = mode != "none";
  if (mode == "none" || mode == "host") return true;
  if (mode == "new") {
    return true;  // Init starts making it (SandboxNamespaces)
  } else {
    netns_fd_ = open(mode.c_str(), O_RDONLY | O_CLOEXEC);
    if (netns_fd_ < 0 || ioctl(netns_fd_, NS_GET_NSTYPE) != CLONE_NEWNET) {
      *err = "network: " + mode + " is not a network namespace" +
             (netns_fd_ < 0 ? std::string(": ") + strerror(errno) : "");
      return false;
    }
  }
  return netns_fd_ >= 0;
}

// The main thread then enters the sandbox's network namespace too (it is
// alone again): the AF_UNIX sockets it makes for guests (socket_broker)
// must be the sandbox's, or SIOCGIF* ioctls on them, which the filter
// passes, would describe the host's interfaces.
bool Supervisor::AwaitNamespaces(std::string* err) {
  if (!ns_->Wait(err)) return false;
  ipcns_fd_ = ns_->ipc_fd();
  if (ns_->net_fd() >= 0) netns_fd_ = ns_->net_fd();
  if (netns_fd_ >= 0 && !in_netns_) {
    if (setns(netns_fd_, CLONE_NEWNET) != 0) {
      *err = std::string("network: cannot enter the sandbox's namespace: ") + strerror(errno);
      return false;
    }
    in_netns_ = true;
  }
  return true;
}

void Supervisor::AddGuest(std::unique_ptr<Guest> g) {
  int one = 1;
  setsockopt(g->channel, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  Watch(g->channel, kTagChannel);
  guests_[g->channel] = std::move(g);
}

int Supervisor::Run() {
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_NAME, "litebox-sup", 0, 0, 0);
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  json first;
  std::string err;
  if (!RecvControl(creator_, &first, nullptr, &err) || first.value("op", "") != "init") {
    SendControl(creator_, {{"ok", false}, {"error", "expected an init request: " + err}});
    return 1;
  }
  if (!Init(first, &err)) {
    SendControl(creator_, {{"ok", false}, {"error", err}});
    std::string ignored;
    if (cgroup_) cgroup_->Remove(&ignored);
    return 1;
  }
  // No supplementary groups of its own: with its capabilities they decide
  // nothing for the supervisor, and a guest without any (every `runc spec`
  // root) then shares them, which spares the proxy's lookups a setgroups
  // pair (~3 us here) each time they take the guest's credentials
  // (rootfs/search_as.hpp). Best effort: refused in a user namespace.
  // This thread's only (the raw call): glibc's would stop the namespace
  // thread to apply them there too, and wait for it.
  (void)syscall(SYS_setgroups, 0, nullptr);
  // Work from the sandbox's state dir: nothing here uses relative paths,
  // and an operator (or a test) finds the sandbox's supervisor by its cwd,
  // as its guests by theirs.
  if (chdir(spec_.state_dir.c_str()) != 0) Log("chdir " + spec_.state_dir + ": " + strerror(errno));
  // The control socket others (the CLI) reconnect to.
  std::string path = spec_.state_dir + "/control.sock";
  listen_fd_ = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() < sizeof addr.sun_path) {
    strcpy(addr.sun_path, path.c_str());
    unlink(path.c_str());
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        listen(listen_fd_, 16) == 0) {
      chmod(path.c_str(), 0600);
      Watch(listen_fd_, kTagListen);
    }
  }
  controls_[creator_] = true;
  Watch(creator_, kTagControl);
  SendControl(creator_, {{"ok", true},
                         {"supervisor_pid", getpid()},
                         {"host_uid", host_uid()},
                         {"cgroup", CgroupPath()}});
  // Generate the filter's rules now, while the creator spawns the init
  // guest: its hello then only waits for the per-image prefix.
  {
    std::string ignored;
    BuildPartitionFilter(0, policy_, &ignored);
  }

  // After answering a guest, poll for a while before sleeping: a guest
  // asking the proxy asks again soon (a path walk, a startup's opens), and
  // waking an idle CPU costs tens of microseconds on a VM (measured here:
  // open+close 70 us with the supervisor sleeping between requests, under
  // 10 us polling). The spin is bounded, so an idle sandbox costs nothing;
  // short, because a busy machine (make -j2) needs the CPU it burns.
  constexpr int64_t kSpinNs = 20'000;
  // Long while a sandbox of one or two processes runs its guest on another
  // CPU than the supervisor's (CpuApart moves the supervisor off the
  // guest's): such a guest, say python3 starting, asks every ~50-200 us
  // between stretches of its own work, and each wake-up of the idle CPU
  // cost ~35 us of its ~15 us round trip (python3 -c pass: 86 requests,
  // 2.0-3.4 ms of round trips before, 1.1-1.8 ms after). The CPU burnt is
  // one nobody else wanted (CpuPressure), and at most half of one over
  // time (SpinBudget); a sandbox of more processes keeps the short spin
  // (make -j2 ran ~4% slower with the long one).
  constexpr int64_t kLongSpinNs = 500'000;
  // Longer once a process has forked, said hello or exec'd: its exec's
  // open, its loader's opens follow within ~0.1 ms, and a wake-up from an
  // idle CPU here would cost ~50 us each (fork+exec+wait of a static
  // binary: 370 -> 305 us). A guest that wants this CPU meanwhile gets it
  // (the spin yields).
  constexpr int64_t kSpinAfterStartNs = 150'000;
  constexpr int64_t kYieldedNs = 20'000;  // a sched_yield that long ran somebody else
  auto now_ns = NowNs;
  constexpr int kPagePollsPerWait = 48;
  SpinBudget spin_budget(now_ns());
  int64_t long_spin_from = 0;  // when the current long spin began (0: none)
  auto charge_long_spin = [&](int64_t now) {
    if (long_spin_from != 0) spin_budget.Spent(now - long_spin_from, now);
    long_spin_from = 0;
  };
  // Until when to poll after answering a request (0: not at all).
  auto spin_after_answer = [&]() -> int64_t {
    const int64_t now = now_ns();
    charge_long_spin(now);
    if (pressure_.Busy(now)) return 0;
    if (guests_.size() <= kFewGuests && apart_.apart() && spin_budget.Allows(kLongSpinNs, now)) {
      long_spin_from = now;
      return now + kLongSpinNs;
    }
    return now + kSpinNs;
  };
  auto stop_spin = [&] {
    charge_long_spin(now_ns());
    return int64_t{0};
  };
  int64_t spin_until = 0;
  int64_t start_spin_from = INT64_MAX;  // when the spin after a process start began to yield
  uint32_t idle_polls = 0;
  epoll_event evs[32];
  // The init and every guest are gone. A creator that reaps the init
  // itself says so by its shutdown (or by going away), and the sweep waits
  // for that (bounded): it then finds no zombie of ours and need not read
  // /proc to tell it from a live process (~0.15 ms).
  auto sandbox_over = [&] {
    if (!init_gone_ || !guests_.empty()) return false;
    if (spec_.sweep_on_shutdown && !shutting_down_ && controls_.count(creator_) != 0) {
      if (sweep_deadline_ns_ == 0) sweep_deadline_ns_ = now_ns() + kSweepWaitNs;
      if (now_ns() < sweep_deadline_ns_) return false;
      Log("no shutdown from the creator within a second of the last guest: sweeping");
    }
    return true;
  };
  for (;;) {
    if (sandbox_over()) {
      while (!zombies_.empty()) DropZombie(zombies_.begin()->first);
      break;
    }
    // Never sleep with a page polled: a guest posting there would not
    // ring. (Pages get polled wherever a request is answered, including
    // in RegisterPending's reads, which do not start a spin themselves.)
    if (spin_until == 0 && nodev_due_) {
      // Made when nothing is to be answered (the pages are still polled,
      // so a request posted meanwhile waits for it), and never for a
      // sandbox on its way out.
      nodev_due_ = false;
      if (!shutting_down_ && !init_gone_ && !guests_.empty()) MountRootNodev();
    }
    if (spin_until == 0 && ParkPages()) spin_until = now_ns() + kSpinNs;
    bool spinning = spin_until != 0;
    if (!spinning) IdleWork();
    int timeout = spinning ? 0 : -1;
    if (!spinning && sweep_deadline_ns_ != 0)
      timeout = static_cast<int>(std::max<int64_t>(0, sweep_deadline_ns_ - now_ns()) / 1000000 + 1);
    int n = epoll_wait(epfd_, evs, 32, timeout);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return 1;
    if (n == 0) {
      // Pages are polled between epoll_waits, which cost ~1 us each here:
      // a posted request waits for a few pauses, not for a system call.
      bool served = false;
      for (int i = 0; i < kPagePollsPerWait && !served; ++i) {
        served = PollPages();
        if (!served) __builtin_ia32_pause();
      }
      if (served) {
        spin_until = spin_after_answer();
      } else if (now_ns() >= spin_until) {
        spin_until = stop_spin();  // parked at the top of the loop
        start_spin_from = INT64_MAX;
      } else if (++idle_polls % 8 == 0 || now_ns() >= start_spin_from) {
        // Nothing came for a while: let a guest that shares this CPU run
        // (it is the one that will post next); a no-op when nobody else
        // is runnable, but a system call's worth of latency, hence rare.
        // Past the ordinary spin, the wait for a new process's requests
        // yields every time: on a busy machine (make -j2) it must cost a
        // compiler no more than a context switch.
        const int64_t before = now_ns();
        sched_yield();
        // Somebody else ran meanwhile: this CPU has work without us, so
        // polling on would only take time from it (make -j2: ~10% of a
        // CPU went to the supervisor's polling). Sleep; the guest rings.
        if (now_ns() - before > kYieldedNs) spin_until = stop_spin(), start_spin_from = INT64_MAX;
      }
      continue;
    }
    for (int i = 0; i < n; ++i) {
      uint64_t tag = evs[i].data.u64 & ~0xffffffffull;
      int fd = static_cast<int>(evs[i].data.u64 & 0xffffffff);
      if (tag == kTagChannel) {
        // Poll on only after file operations (path lookups come in runs);
        // after process operations the other side has real work to do.
        if (OnChannel(fd)) spin_until = spin_after_answer();
        if (starting_ && !pressure_.Busy(now_ns())) {
          start_spin_from = now_ns() + kSpinNs;
          spin_until = std::max(spin_until, start_spin_from - kSpinNs + kSpinAfterStartNs);
        }
        starting_ = false;
      } else if (tag == kTagControl)
        OnControl(fd);
      else if (tag == kTagPidfd)
        OnPidfd(fd);
      else if (tag == kTagListen) {
        int c = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          controls_[c] = true;
          Watch(c, kTagControl);
        }
      }
    }
    if (spin_until != 0 && PollPages()) spin_until = spin_after_answer();
  }
  unlink(path.c_str());
  // The uid goes back to the pool only once nothing runs under it; if the
  // sweep gave up, the stale lease makes the next holder sweep again.
  bool swept = SweepSandboxUid();
  if (uid_lease_ && swept) uid_lease_->Release();
  if (uid_lease_ && !swept) uid_lease_->Abandon();
  std::string cg_err;
  if (cgroup_ && swept && !cgroup_->Remove(&cg_err)) Log(cg_err);
  return 0;
}

// kExecDone's reply lists the guest's open fds but the libOS's channel
// (int32 each, after the exe path) so that it can close its
// close-on-exec fds without listing /proc/self/fd through the proxy. The
// count, or -1 when the list is unknown or would not fit.
int64_t AppendOpenFds(pid_t host_pid, std::string* payload) {
  std::string dir = "/proc/" + std::to_string(host_pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return -1;
  int64_t n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int32_t fd = static_cast<int32_t>(strtol(e->d_name, nullptr, 10));
    if (!abi::IsAppFd(fd)) continue;
    if (payload->size() + sizeof fd > rootfs::kMaxPayload) {
      n = -1;
      break;
    }
    payload->append(reinterpret_cast<const char*>(&fd), sizeof fd);
    ++n;
  }
  closedir(d);
  return n;
}

// A successful open of the image an exec is about to run (kOpenForExecMain
// or kOpenForExecListFds): its canonical path is the process's exe once
// kExecDone comes. With ListFds, the caller's open fds follow the path in
// the answer (the new image's fd is not among them: it is sent with this
// reply); a list that does not fit is left out.
void NoteExecOpen(Guest& g, const ReceivedRequest& req, rootfs::FileServer::Reply* r) {
  const int64_t how = req.hdr.arg[2];
  if ((how != proto::kOpenForExecMain && how != proto::kOpenForExecListFds) || r->result < 0)
    return;
  g.exec_image = r->payload;
  if (how != proto::kOpenForExecListFds) return;
  const size_t path_len = r->payload.size();
  r->payload.push_back('\0');
  if (AppendOpenFds(g.host_pid, &r->payload) < 0) r->payload.resize(path_len);
}

// The non-zombie processes running with real uid `uid`.
//
// Cheap first: /proc/<pid> is owned by the process's effective uid while it
// is dumpable, and a sandbox's processes always are (they never change host
// credentials or exec a host binary after the guest's own exec: setuid and
// execve are the library OS's). So only directories owned by `uid` are read
// further (their status: real uid, zombie or not); reading every process's
// status cost 1-2 ms per sandbox end here. kill(-1) as the uid, which the
// sweep sends first, reaches a process however /proc shows it.
std::vector<pid_t> LiveProcessesOf(uid_t uid) {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc");
  if (!d) return out;
  int proc_fd = dirfd(d);
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    struct stat st;
    if (fstatat(proc_fd, e->d_name, &st, 0) != 0 || st.st_uid != uid) continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/status");
    std::string line;
    bool zombie = false, mine = false;
    while (std::getline(in, line)) {
      if (line.rfind("State:", 0) == 0)
        zombie = line.find('Z') != std::string::npos || line.find('X') != std::string::npos;
      if (line.rfind("Uid:", 0) == 0) mine = std::stoul(line.substr(4)) == uid;
    }
    if (mine && !zombie) out.push_back(pid_t(std::atoi(e->d_name)));
  }
  closedir(d);
  return out;
}

// Every process of the sandbox runs under its own host uid, including any
// the supervisor never heard of (a clone made at the gate skips
// registration). kill(-1) sent *as that uid* reaches exactly them.
bool Supervisor::SweepSandboxUid() {
  if (!uid_lease_) return true;
  uid_t uid = uid_lease_->uid();
  // Repeat until the uid owns no live process (a forking process can add
  // one between rounds); zombies do not count. Bounded: 2 s.
  for (int round = 0; round < 200; ++round) {
    // Most often the uid has no task left after the kill (the kernel's
    // per-user count, KillProcessesOfUid) and /proc need not be read.
    if (!KillProcessesOfUid(uid) || LiveProcessesOf(uid).empty()) return true;
    usleep(10000);
  }
  Log("host uid " + std::to_string(uid) + " still runs processes after the sweep");
  return false;
}

void Supervisor::OnSetLimits(int fd, const json& msg) {
  CgroupLimits limits;
  try {
    limits = LimitsFromJson(msg.at("limits"));
  } catch (const std::exception& e) {
    SendControl(
        fd, {{"ok", false}, {"error", std::string("set_limits: malformed limits: ") + e.what()}});
    return;
  }
  std::string err;
  if (!cgroup_) {
    if (!CreateCgroup(limits, &err)) {
      SendControl(fd, {{"ok", false}, {"error", err}});
      return;
    }
    // Every process of the sandbox moves in: the guests it knows and any
    // it does not (a clone made at the gate) -- all run as its host uid.
    join_children_ = true;
    std::vector<pid_t> pids = host_uid() ? LiveProcessesOf(host_uid()) : std::vector<pid_t>{};
    for (auto& [ch, g] : guests_)
      if (g->host_pid && !g->exited) pids.push_back(g->host_pid);
    for (pid_t p : pids)
      if (!cgroup_->Join(p, &err) && errno != ESRCH) Log(err);
  } else if (!cgroup_->Apply(limits, &err)) {
    SendControl(fd, {{"ok", false}, {"error", err}});
    return;
  }
  SendControl(fd, {{"ok", true}, {"cgroup", CgroupPath()}});
}

void Supervisor::OnPidfd(int pidfd) {
  auto it = pidfd_to_channel_.find(pidfd);
  if (it == pidfd_to_channel_.end()) return;
  int ch = it->second;
  pidfd_to_channel_.erase(it);
  epoll_ctl(epfd_, EPOLL_CTL_DEL, pidfd, nullptr);
  auto g = guests_.find(ch);
  if (g == guests_.end()) {
    close(pidfd);
    return;
  }
  // What it queued just before it exited is read first: a kFork notice
  // there names a child that is already running (that fork did not wait).
  if (!g->second->exited) {
    ReadNotices(ch);
    g = guests_.find(ch);
    if (g == guests_.end()) {
      close(pidfd);
      return;
    }
  }
  bool was_init = g->second->is_init;
  if (was_init) ReplyLoaded(false, "the container's process exited before it was started");
  Log("exit vpid " + std::to_string(g->second->ctx.vpid) + " host " +
      std::to_string(g->second->host_pid));
  epoll_ctl(epfd_, EPOLL_CTL_DEL, ch, nullptr);
  close(ch);
  // A forked process stays a zombie until its reaper's kReaped (unless the
  // kernel reaped it already); the init is reaped by its creator, and
  // nothing is kept once the init is gone.
  if (g->second->forked && !was_init && !init_gone_ &&
      syscall(SYS_pidfd_send_signal, pidfd, 0, nullptr, 0) == 0) {
    g->second->exited = true;
    g->second->channel = -1;
    g->second->page.reset();
    uint32_t vpid = g->second->ctx.vpid;
    zombies_[vpid] = std::move(g->second);
  } else {
    close(pidfd);
  }
  guests_.erase(g);
  if (was_init) {
    // As in a PID namespace: the init's exit ends every other process.
    init_gone_ = true;
    KillAll(SIGKILL, false);
  }
}

void Supervisor::KillAll(int sig, bool include_init) {
  RegisterPending();
  for (auto& [ch, g] : guests_) {
    if (g->exited || !g->host_pid) continue;
    if (g->is_init && !include_init) continue;
    if (g->pidfd >= 0) syscall(SYS_pidfd_send_signal, g->pidfd, sig, nullptr, 0);
  }
}

bool Supervisor::OnChannel(int fd) {
  bool answered = OnChannelOnce(fd);
  // A page request posted behind this datagram (or left behind a long run
  // of them by ServePage's bounded drain) is answered now.
  auto it = guests_.find(fd);
  if (!draining_ && it != guests_.end() && it->second->page && it->second->page->Posted())
    answered |= ServePage(fd);
  return answered;
}

bool Supervisor::OnChannelOnce(int fd) {
  auto it = guests_.find(fd);
  if (it == guests_.end()) return false;
  Guest& g = *it->second;
  ReceivedRequest req;
  int eno = 0;
  // Never blocks: an epoll event can be stale by the time it is handled
  // (RegisterPending, called while handling an earlier event of the same
  // batch, may already have read a child's hello), and a blocking read on a
  // channel whose process was then stopped would hang the whole sandbox.
  RecvStatus st = rootfs::ReceiveRequest(fd, &req, &eno, MSG_DONTWAIT);
  if (st == RecvStatus::kWouldBlock) return false;
  if (st == RecvStatus::kClosed) {
    // The process is gone (or closed its channel: it can do nothing more).
    epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
    if (g.pidfd < 0) {
      // Never said hello: nothing to wait for.
      close(fd);
      bool was_init = g.is_init;
      if (was_init) ReplyLoaded(false, "the container's process exited before it was started");
      guests_.erase(it);
      if (was_init) init_gone_ = true, KillAll(SIGKILL, false);
    } else {
      g.exited = true;  // pidfd will fire
    }
    return false;
  }
  ++g.sock_reads;
  if (st == RecvStatus::kMalformed) {
    if (!IsUnanswered(req.hdr)) SendResponse(fd, req.hdr.op, -eno, 0, {});
    return false;
  }
  if (req.hdr.op == proto::kDoorbell) return !draining_ && ServePage(fd);
  if (req.hdr.op >= proto::kOpen && req.hdr.op <= proto::kFchown) {
    if (g.host_pid == 0) {
      SendResponse(fd, req.hdr.op, -EPERM, 0, {});
      return false;
    }
    rootfs::FileServer::Reply r = files_->Serve(req, g.ctx);
    if (req.hdr.op == proto::kOpen) AfterOpen(g, req, &r);
    SendResponse(fd, req.hdr.op, r.result, r.aux0, r.payload, r.fd.get());
    return true;
  }
  if (req.hdr.op == proto::kSockConnect || req.hdr.op == proto::kSockBind) {
    if (g.host_pid == 0) {
      SendResponse(fd, req.hdr.op, -EPERM, 0, {});
      return false;
    }
    // A bound name is a new directory entry (dropped from the lookup cache
    // first: nothing is served, so nothing cached, until the bind is done).
    if (req.hdr.op == proto::kSockBind)
      files_->NameChanged(UnixSocketPath(req.str[0], g.ctx), g.ctx);
    HandleSocketOp(req, *root_, g.ctx, policy_.network, fd);
    return false;
  }
  HandleProcessOp(g, req);
  return false;
}

bool Supervisor::ServePage(int channel) {
  auto it = guests_.find(channel);
  if (it == guests_.end() || !it->second->page || !it->second->page->Posted()) return false;
  // What the guest sent on its socket before posting comes first (a
  // kReaped must not be overtaken by the stat that follows it).
  uint32_t sent = it->second->page->SockSent();
  draining_ = true;
  // Bounded: `sent` is the guest's word, and a guest that keeps its
  // socket busy must not keep the supervisor here; its request then waits
  // for a later round (legitimately only a notification or two precede it).
  // (Each datagram read later tries the page again: OnChannel.)
  constexpr int kMaxDrain = 16;
  bool behind = false;
  for (int drained = 0;; ++drained) {
    it = guests_.find(channel);
    if (it == guests_.end() || !it->second->page) break;
    uint32_t before = it->second->sock_reads;
    if (static_cast<int32_t>(sent - before) <= 0) break;
    if (drained == kMaxDrain) {
      // Behind only if something is still queued: with the socket empty
      // no datagram would ever bring this request back (a parked page is
      // polled by nobody), so it is served now.
      pollfd p{channel, POLLIN, 0};
      behind = poll(&p, 1, 0) > 0;
      break;
    }
    OnChannel(channel);
    it = guests_.find(channel);
    if (it == guests_.end() || it->second->sock_reads == before) break;  // nothing queued
  }
  draining_ = false;
  if (behind || it == guests_.end() || !it->second->page || !it->second->page->Posted())
    return false;
  Guest& g = *it->second;
  SharedPage& page = *g.page;
  page.Poll();
  const uint32_t guest_cpu = page.GuestCpu();
  size_t n = page.TakeRequest(page_request_.get());
  ReceivedRequest req;
  int eno = EINVAL;
  rootfs::FileServer::Reply r;
  if (n == 0 || rootfs::ParseRequest(page_request_.get(), n, &req, &eno) != RecvStatus::kOk)
    r.result = -eno;
  else if (req.hdr.op < proto::kOpen || req.hdr.op > proto::kFchown)
    r.result = -EPROTO;  // only file ops without fds come this way
  else if (g.host_pid == 0)
    r.result = -EPERM;
  else
    r = files_->Serve(req, g.ctx);
  if (req.hdr.op == proto::kOpen) AfterOpen(g, req, &r);
  size_t len = 0;
  if (!r.fd)
    len = rootfs::EncodeResponse(page.AnswerArea(), proto::kShmRespCap, req.hdr.op, r.result,
                                 r.aux0, r.payload);
  if (len != 0) {
    page.Answered(len);
  } else {
    SendResponse(channel, req.hdr.op, r.result, r.aux0, r.payload, r.fd.get());
    page.AnsweredOnSocket();
  }
  // After the answer: the guest goes on while the kernel moves us.
  const int64_t now = NowNs();
  apart_.Served(guest_cpu, sched_getcpu(), guests_.size() > kFewGuests || pressure_.Busy(now), now);
  // (Only this guest's page learns it now: another's may say so for one
  // request longer, which costs it a wait without yields.)
  page.SetAvoidedCpu(apart_.avoided());
  return true;
}

// Opens of existing files take one openat2 instead of two calls and a
// reopen through /proc (~3.5 us less per open here) when no device node
// can be opened by mistake: the root on a nodev mount (RootFs::Resolve,
// open_flags). So the supervisor, in a mount namespace of its own (a slave
// of the host's: unmounts there still reach it), puts a nodev bind mount
// of the root over its path and opens the root again from it (fds opened
// before keep their host paths). Guests are unaffected: they are not in
// this namespace and never open paths. A namespace costs ~0.15 ms (made
// and torn down), so only a sandbox that has opened kNodevAfterOpens files
// gets one: a short command's start-up never pays for it, and it is made
// once the supervisor has nothing to answer (Run), not in the middle of
// the open that made the count. Without privilege (rootless), or with the host's / as root,
// opens keep the two-step way.
void Supervisor::CountOpen() {
  if (++opens_ == kNodevAfterOpens) nodev_due_ = true;
}

void Supervisor::MountRootNodev() {
  const std::string path = root_->root_path();
  if (root_->root_nodev() || path == "/") return;
  struct statvfs sv;
  if (statvfs(path.c_str(), &sv) != 0) return;
  if (unshare(CLONE_NEWNS) != 0) {
    Log(std::string("root stays as it is: no mount namespace: ") + strerror(errno));
    return;
  }
  unsigned long keep = 0;
  if (sv.f_flag & ST_RDONLY) keep |= MS_RDONLY;
  if (sv.f_flag & ST_NOSUID) keep |= MS_NOSUID;
  if (sv.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) keep |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) keep |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) keep |= MS_RELATIME;
  std::string err;
  if (mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0 ||
      mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0 ||
      mount(nullptr, path.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_NODEV | keep, nullptr) != 0) {
    Log("root stays as it is: nodev bind mount of " + path + ": " + strerror(errno));
    return;
  }
  if (!root_->ReopenRoot(&err)) Log(err);
}

bool Supervisor::PollPages() {
  int first = -1;
  for (auto& [ch, g] : guests_)
    if (g->page && g->page->polled() && g->page->Posted()) {
      first = ch;
      break;
    }
  if (first < 0) return false;  // the common case: no allocation
  // Serving may drop guests (a drained datagram can be a hangup): go by
  // channel numbers, not iterators.
  std::vector<int> posted{first};
  for (auto it = guests_.upper_bound(first); it != guests_.end(); ++it)
    if (it->second->page && it->second->page->polled() && it->second->page->Posted())
      posted.push_back(it->first);
  bool any = false;
  for (int ch : posted) any |= ServePage(ch);
  return any;
}

bool Supervisor::ParkPages() {
  std::vector<int> posted;
  for (auto& [ch, g] : guests_)
    if (g->page && g->page->polled() && g->page->Park()) posted.push_back(ch);
  bool any = false;
  for (int ch : posted) any |= ServePage(ch);
  return any;
}

void Supervisor::OfferForkVpid(Guest& g) {
  if (g.fork_vpid != 0 || !g.page) return;
  g.fork_vpid = next_vpid_++;
  g.page->OfferForkVpid(g.fork_vpid);
}

int Supervisor::NewPageFd(Guest& g) {
  if (spare_page_) {
    g.page = std::move(spare_page_);
    if (opath_served_) g.page->SetSandboxOpath();
    g.page->SetLookupTag(LookupTag(g));
    return std::exchange(spare_page_fd_, -1);
  }
  int fd = -1;
  std::string err;
  g.page = SharedPage::Create(&fd, &err);
  if (!g.page) Log(err);
  if (g.page && opath_served_) g.page->SetSandboxOpath();
  if (g.page) g.page->SetLookupTag(LookupTag(g));
  return fd;
}

void Supervisor::AfterOpen(Guest& g, const ReceivedRequest& req, rootfs::FileServer::Reply* r) {
  CountOpen();
  NoteExecOpen(g, req, r);
  if ((req.hdr.arg[0] & O_PATH) && r->result >= 0) OpathServed();
}

void Supervisor::OpathServed() {
  if (opath_served_) return;
  opath_served_ = true;
  for (auto& [ch, o] : guests_)
    if (o->page) o->page->SetSandboxOpath();
}

// Before sleeping: the next fork's shared page made now (a memfd, its seals
// and mapping cost ~10 us that a fork would wait for), dead pages unmapped.
void Supervisor::IdleWork() {
  SharedPage::UnmapRetired();
  apart_.Idle(NowNs());
  // A reaper that exited right after its wait never sent its deferred
  // kReaped: such zombies are found by their pidfds.
  if (!zombies_.empty()) PurgeReapedZombies();
  if (forked_ && !spare_page_ && !draining_) {
    std::string err;
    spare_page_ = SharedPage::Create(&spare_page_fd_, &err);
  }
  // A guest without CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH (a `runc spec`
  // root, any other user) looks up through the search ring with its
  // class's registered credentials (rootfs/search_ring.hpp): the ring
  // (~50-130 us to set up here) and the class's registration (~20 us) are
  // made now, while nobody waits (the init's is made while the creator
  // spawns it), rather than in its first lookup.
  if (warm_ring_due_) {
    warm_ring_due_ = false;
    for (const auto& [ch, g] : guests_) {
      if (shutting_down_ || init_gone_) break;
      if (g->exited) continue;
      const rootfs::Creds& c = g->ctx.creds;
      if (c.HasCap(rootfs::kCapDacOverride) || c.HasCap(rootfs::kCapDacReadSearch)) continue;
      rootfs::SearchRing* ring = rootfs::SearchRing::Get();
      if (!ring) break;
      ring->PersonalityFor(c);
    }
  }
}

bool Supervisor::HasHandler(pid_t host_pid, int sig) {
  std::ifstream in("/proc/" + std::to_string(host_pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("SigCgt:", 0) == 0) {
      uint64_t mask = std::stoull(line.substr(7), nullptr, 16);
      return (mask >> (sig - 1)) & 1;
    }
  }
  return false;
}

// The host pid a pidfd names, from our /proc fdinfo of it: -1 once that
// process was reaped, 0 if `fd` is no pidfd.
pid_t PidfdHostPid(int fd) {
  std::ifstream in("/proc/self/fdinfo/" + std::to_string(fd));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Pid:", 0) == 0) return static_cast<pid_t>(std::stol(line.substr(4)));
  return 0;
}

// A forked child says hello (kChildHello) first thing on its own channel
// and waits for no answer; its parent does not wait for it either. So
// whatever needs a child's host pid before that hello was read (a kill
// right after fork, a /proc listing, ps) reads it first here: it is the
// first message on that channel and is sent microseconds after the clone.
// Bounded: a second after a child's registration at most, never a hang.
//
// A fork with an offered vpid (kFork) is not answered: its notice may still
// be queued on the parent's channel when someone else already knows the
// child's vpid. A parent whose page says it took its offer gets its queued
// notices read here first (ReadNotices reads them up to its kFork).
void Supervisor::RegisterPending() {
  std::vector<int> forking;
  for (auto& [ch, g] : guests_)
    if (g->fork_vpid != 0 && g->page && g->page->ForkVpidTaken() && !g->exited)
      forking.push_back(ch);
  for (int ch : forking) ReadNotices(ch);
  std::vector<int> pending;
  for (auto& [ch, g] : guests_)
    if (g->forked && g->host_pid == 0 && !g->exited) pending.push_back(ch);
  for (int ch : pending) {
    // Waited for until a second after its registration, not a second per
    // call: a guest that makes children that never say hello stalls
    // nobody for longer than that.
    auto it = guests_.find(ch);
    if (it == guests_.end()) continue;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        it->second->born + std::chrono::seconds(1) - std::chrono::steady_clock::now());
    int ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1000));
    pollfd p{ch, POLLIN, 0};
    if (poll(&p, 1, ms) > 0) OnChannel(ch);  // the hello, or the close of a child gone
  }
}

// ByVpid, once the process's unanswered kExecDone (sent ahead of anything
// its new image does, without waiting) has been read: /proc never shows an
// image it already left, whichever channel the supervisor reads first.
Guest* Supervisor::AfterExecNotices(uint32_t vpid) {
  Guest* g = ByVpid(vpid);
  if (g && !g->exited && g->channel >= 0) ReadNotices(g->channel);
  return ByVpid(vpid);
}

// The notices queued at the head of a channel, in order (IsNotice: a
// kExecDone, kReaped, or a kFork with an offered vpid, which may follow up
// to eight deferred kReaped), each seen with MSG_PEEK first: never a
// request, whose answer its sender waits for. Stale doorbells are dropped:
// one stays behind when the supervisor polled the page it rang for. (With
// a request posted now, the doorbell may be its own: left for the main
// loop.)
void Supervisor::ReadNotices(int ch) {
  // Never nested: a notice's own handling can ask /proc about a process
  // (kExecDone resolving /proc/<pid>/exe), which must not read further
  // notices from within (a guest could queue them to recurse without end).
  if (in_notices_) return;
  in_notices_ = true;
  struct Reset {
    bool* f;
    ~Reset() { *f = false; }
  } reset{&in_notices_};
  for (int i = 0; i < 16; ++i) {
    auto it = guests_.find(ch);
    if (it == guests_.end()) return;
    Guest* g = it->second.get();
    proto::Request head{};
    ssize_t n = recv(ch, &head, sizeof head, MSG_PEEK | MSG_DONTWAIT);
    if (n < static_cast<ssize_t>(sizeof head) || head.magic != proto::kMagic) return;
    if (head.op == proto::kDoorbell) {
      // With a request posted now the doorbell may be its own, unless it
      // was sent before that request (the page counts the datagrams that
      // were).
      if (g->page && g->page->Posted() &&
          static_cast<int32_t>(g->page->SockSent() - g->sock_reads) <= 0)
        return;
      if (recv(ch, &head, sizeof head, MSG_DONTWAIT) > 0) ++g->sock_reads;
      continue;
    }
    if (!IsNotice(head)) return;
    OnChannelOnce(ch);  // not OnChannel: no page request served in here
  }
}

long Supervisor::Kill(Guest& from, int64_t vpid, int sig, int64_t tid, int64_t value, bool queue) {
  if (sig < 0 || sig > 64) return -EINVAL;
  RegisterPending();
  std::vector<Guest*> targets;
  if (vpid > 0) {
    Guest* t = ByVpid(static_cast<uint32_t>(vpid));
    if (!t || !t->host_pid) return -ESRCH;
    if (t->exited) return tid > 0 ? -ESRCH : 0;  // a zombie takes signals, to no effect
    targets.push_back(t);
  } else if (vpid == 0 || vpid < -1) {
    uint32_t pgid = vpid == 0 ? from.vpgid : static_cast<uint32_t>(-vpid);
    for (auto& [ch, g] : guests_)
      if (!g->exited && g->host_pid && g->vpgid == pgid) targets.push_back(g.get());
    if (targets.empty()) return -ESRCH;
  } else {  // -1: every process but init and the caller
    for (auto& [ch, g] : guests_)
      if (!g->exited && g->host_pid && !g->is_init && g.get() != &from) targets.push_back(g.get());
    if (targets.empty()) return -ESRCH;
  }
  for (Guest* t : targets) {
    // A thread must belong to the process named: checked before any other
    // rule, so a foreign tid is ESRCH whatever the signal and the target.
    if (tid > 0) {
      std::string p = "/proc/" + std::to_string(t->host_pid) + "/task/" + std::to_string(tid);
      if (access(p.c_str(), F_OK) != 0) return -ESRCH;
    }
    if (sig == 0) continue;
    // Pid 1 only receives, from inside (itself included), the signals it
    // has a handler for: never SIGKILL or SIGSTOP, as in a PID namespace.
    if (t->is_init && (sig == SIGKILL || sig == SIGSTOP || !HasHandler(t->host_pid, sig))) continue;
    // The receiver sees the sender's virtual pid and uid. The kernel lets
    // another process set only negative si_codes, so this is SI_QUEUE
    // (as sigqueue(3) sends) rather than SI_USER/SI_TKILL.
    siginfo_t info{};
    info.si_signo = sig;
    info.si_code = SI_QUEUE;
    info.si_pid = static_cast<pid_t>(from.ctx.vpid);
    info.si_uid = from.ctx.creds.ruid;
    info.si_value.sival_ptr = reinterpret_cast<void*>(queue ? value : 0);
    long r;
    if (tid > 0) {
      r = syscall(SYS_rt_tgsigqueueinfo, t->host_pid, tid, sig, &info);
    } else {
      r = syscall(SYS_pidfd_send_signal, t->pidfd, sig, &info, 0);
    }
    if (r < 0 && targets.size() == 1) return -errno;
  }
  return 0;
}

// What a uid change does to the capabilities on Linux (capabilities(7),
// "Effect of user ID changes on capabilities"; PR_SET_KEEPCAPS is
// modelled, the other securebits are not):
//  - none of the real, effective and saved ids is 0 any more where one was:
//    permitted and effective are cleared (unless keepcaps);
//  - the effective id leaves 0: effective is cleared; it returns to 0:
//    effective becomes permitted;
//  - the filesystem id leaves 0: the file capabilities leave effective; it
//    returns to 0: they come back from permitted.
void FixCapsAfterSetuid(rootfs::Creds& c, bool fs_only, uint32_t old_r, uint32_t old_e,
                        uint32_t old_s, uint32_t old_f) {
  // CAP_CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID,
  // LINUX_IMMUTABLE, MKNOD, MAC_OVERRIDE.
  constexpr uint64_t kFsCaps = 0x1full | (1ull << 9) | (1ull << 27) | (1ull << 32);
  if (fs_only) {
    if (old_f == 0 && c.fsuid != 0) c.cap_effective &= ~kFsCaps;
    if (old_f != 0 && c.fsuid == 0) c.cap_effective |= c.cap_permitted & kFsCaps;
    return;
  }
  if ((old_r == 0 || old_e == 0 || old_s == 0) && c.ruid != 0 && c.euid != 0 && c.suid != 0 &&
      !c.keep_caps) {
    c.cap_permitted = c.cap_effective = 0;
    return;
  }
  if (old_e == 0 && c.euid != 0) c.cap_effective = 0;
  if (old_e != 0 && c.euid == 0) c.cap_effective = c.cap_permitted;
}

long Supervisor::SetIds(Guest& g, const ReceivedRequest& req, int64_t* aux0, int64_t* aux1) {
  rootfs::Creds& c = g.ctx.creds;
  int64_t which = req.hdr.arg[0];
  bool uid = which == proto::kSetResUid || which == proto::kSetFsUid;
  bool priv = (c.cap_effective & (uid ? kCapSetuid : kCapSetgid)) != 0;
  uint32_t& r = uid ? c.ruid : c.rgid;
  uint32_t& e = uid ? c.euid : c.egid;
  uint32_t& s = uid ? c.suid : c.sgid;
  uint32_t& f = uid ? c.fsuid : c.fsgid;
  auto allowed = [&](int64_t v) { return priv || v == r || v == e || v == s; };
  int64_t a = req.hdr.arg[1], b = req.hdr.arg[2], d = req.hdr.arg[3];
  if (which == proto::kSetCaps) {
    // capset: permitted may only shrink, effective stays within it (the
    // libOS's own rule), and inheritable may only gain what is both
    // permitted and in the bounding set (Linux without CAP_SETPCAP).
    const uint64_t eff = static_cast<uint64_t>(a), prm = static_cast<uint64_t>(b),
                   inh = static_cast<uint64_t>(d);
    if ((prm & ~c.cap_permitted) || (eff & ~prm) ||
        (inh & ~(c.cap_inheritable | (c.cap_bounding & c.cap_permitted))))
      return -EPERM;
    c.cap_effective = eff;
    c.cap_permitted = prm;
    c.cap_inheritable = inh;
    return 0;
  }
  if (which == proto::kSetKeepCaps) {
    if (a != 0 && a != 1) return -EINVAL;
    c.keep_caps = a != 0;
    return 0;
  }
  if (which == proto::kSetGroups) {
    if (!(c.cap_effective & kCapSetgid)) return -EPERM;
    c.groups.clear();
    const std::string& s0 = req.str[0];
    for (size_t i = 0; i + 4 <= s0.size(); i += 4) {
      uint32_t gid;
      memcpy(&gid, s0.data() + i, 4);
      c.groups.push_back(gid);
    }
    return 0;
  }
  const uint32_t old_r = r, old_e = e, old_s = s, old_f = f;
  if (which == proto::kSetFsUid || which == proto::kSetFsGid) {
    if (allowed(a) || a == f) f = static_cast<uint32_t>(a);
  } else if (a == -2 && d == -2) {  // setuid(b)/setgid(b)
    if (priv)
      r = e = s = f = static_cast<uint32_t>(b);
    else if (b == r || b == s)
      e = f = static_cast<uint32_t>(b);
    else
      return -EPERM;
  } else if (d == -3) {  // setreuid(a, b)
    if (a != -1 && !(priv || a == r || a == e)) return -EPERM;
    if (b != -1 && !allowed(b)) return -EPERM;
    if (a != -1) r = static_cast<uint32_t>(a);
    if (b != -1) e = static_cast<uint32_t>(b);
    if (a != -1 || (b != -1 && b != old_r)) s = e;
  } else {  // setresuid(a, b, d)
    for (int64_t v : {a, b, d})
      if (v != -1 && !allowed(v)) return -EPERM;
    if (a != -1) r = static_cast<uint32_t>(a);
    if (b != -1) e = static_cast<uint32_t>(b);
    if (d != -1) s = static_cast<uint32_t>(d);
  }
  // Every call of the setuid family sets the filesystem id to the
  // effective one, whichever ids it changed (Linux does the same).
  if (which != proto::kSetFsUid && which != proto::kSetFsGid) f = e;
  if (uid) FixCapsAfterSetuid(c, which == proto::kSetFsUid, old_r, old_e, old_s, old_f);
  *aux0 = static_cast<int64_t>(r | (static_cast<uint64_t>(e) << 32));
  *aux1 = static_cast<int64_t>(s | (static_cast<uint64_t>(f) << 32));
  return 0;
}

// args[0] of a process's first image looked up in its PATH as its libOS
// would, when the first entry that holds it is a regular file this process
// may execute; "" otherwise (a relative PATH entry, a match it may not
// run...), and the libOS searches and reports the error itself.
std::string Supervisor::FindInPath(const Guest& g, const std::string& exe) const {
  if (exe.empty() || exe.find('/') != std::string::npos) return "";
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : g.spec.env)  // the last PATH= wins, as in the libOS
    if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
  auto no_virtual = [](const std::string&, rootfs::VNode*) { return 0; };
  size_t start = 0;
  for (;;) {
    size_t colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    std::string dir = path.substr(start, colon - start);
    if (dir.empty() || dir[0] != '/') return "";
    std::string cand = dir + "/" + exe;
    rootfs::Resolved r;
    int e = root_->Resolve(cand, true, no_virtual, &r, &g.ctx.creds, false);
    if (e == 0 && r.kind == rootfs::Resolved::kHost && S_ISREG(r.st.st_mode) &&
        rootfs::MayAccess(g.ctx.creds, r.st, rootfs::kMayExec))
      return cand;
    if (e == 0 ? r.kind != rootfs::Resolved::kMissing : (e != -ENOENT && e != -ENOTDIR)) return "";
    if (colon == path.size()) return "";
    start = colon + 1;
  }
}

void Supervisor::ReplyLaunch(Guest& g) {
  const ProcessSpec& p = g.spec;
  proto::LaunchInfo li{};
  li.vpid = g.ctx.vpid;
  li.vppid = g.vppid;
  li.uid = li.euid = li.suid = p.uid;
  li.gid = li.egid = li.sgid = p.gid;
  li.umask = p.umask;
  li.argc = static_cast<uint32_t>(p.args.size());
  li.envc = static_cast<uint32_t>(p.env.size());
  li.flags = 0;
  if (g.is_init && spec_.wait_for_start && !started_) li.flags |= proto::kLaunchWaitForStart;
  if (!spec_.debug_log.empty()) li.flags |= proto::kLaunchDebug;
  if (p.no_new_privileges) li.flags |= proto::kLaunchNoNewPrivs;
  if (!spec_.app_seccomp_bpf.empty()) li.flags |= proto::kLaunchAppSeccomp;
  li.cap_effective = p.uid == 0 ? p.cap_effective : 0;
  li.cap_permitted = p.uid == 0 ? p.cap_permitted : 0;
  li.cap_inheritable = p.cap_inheritable;
  li.cap_bounding = p.cap_bounding;
  li.cap_ambient = p.cap_ambient;
  for (const Rlimit& r : p.rlimits)
    if (r.resource == RLIMIT_NOFILE)
      li.nofile_hard = r.hard > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(r.hard);
  std::string strings;
  auto add = [&](const std::string& s) {
    strings.append(s);
    strings.push_back('\0');
  };
  add(p.args.empty() ? "" : p.args[0]);
  add(p.cwd);
  add(hostname_);
  for (const auto& a : p.args) add(a);
  for (const auto& e : p.env) add(e);
  std::string found = p.args.empty() ? "" : FindInPath(g, p.args[0]);
  // A hint only: left out where it would not fit the reply.
  if (!found.empty() &&
      sizeof li + strings.size() + found.size() + 1 <= static_cast<size_t>(rootfs::kMaxPayload)) {
    li.flags |= proto::kLaunchExeFound;
    add(found);
  }
  li.strings_len = static_cast<uint32_t>(strings.size());
  std::string payload(reinterpret_cast<const char*>(&li), sizeof li);
  payload += strings;
  if (payload.size() > rootfs::kMaxPayload) {
    SendResponse(g.channel, proto::kGetLaunch, -E2BIG, 0, {});
    return;
  }
  SendResponse(g.channel, proto::kGetLaunch, 0, 0, payload);
}

void Supervisor::HandleProcessOp(Guest& g, const ReceivedRequest& req) {
  const uint32_t op = req.hdr.op;
  int ch = g.channel;
  switch (op) {
    case proto::kHello: {
      if (g.host_pid != 0 || !req.has_cred || req.cred.pid <= 0) {
        SendResponse(ch, op, -EPROTO, 0, {});
        return;
      }
      g.host_pid = req.cred.pid;
      g.ctx.host_pid = req.cred.pid;
      g.pidfd = static_cast<int>(syscall(SYS_pidfd_open, g.host_pid, 0));
      if (g.pidfd >= 0) {
        pidfd_to_channel_[g.pidfd] = ch;
        Watch(g.pidfd, kTagPidfd);
      }
      std::string err;
      // Into the cgroup before the application runs a single instruction.
      if (cgroup_ && !cgroup_->Join(g.host_pid, &err)) {
        Log(err);
        SendResponse(ch, op, -EIO, 0, {});
        return;
      }
      auto prog = BuildPartitionFilter(static_cast<uint64_t>(req.hdr.arg[0]), policy_, &err);
      if (prog.empty()) {
        Log("filter: " + err);
        SendResponse(ch, op, -EINVAL, 0, {});
        return;
      }
      std::string payload(reinterpret_cast<const char*>(prog.data()),
                          prog.size() * sizeof(sock_filter));
      // The process's shared page comes with it (no round trip of its own),
      // and the lookup cache of its class of credentials.
      int page_fd = g.page ? -1 : NewPageFd(g);
      // Its own class's only (rootfs/lookup_cache.hpp).
      const int lookup_fd = LookupFd(LookupTag(g));
      // A first image's launch (a forked process has none) comes next,
      // unasked (proto::kHelloLaunchFollows).
      const bool launch = !g.forked;
      const int64_t which = (page_fd >= 0 ? proto::kHelloPageFd : 0) |
                            (lookup_fd >= 0 ? proto::kHelloLookupFd : 0) |
                            (launch ? proto::kHelloLaunchFollows : 0);
      SendResponse(ch, op, static_cast<int64_t>(prog.size()), which, payload,
                   page_fd >= 0 ? page_fd : lookup_fd, false, page_fd >= 0 ? lookup_fd : -1);
      if (page_fd >= 0) close(page_fd);
      if (launch) ReplyLaunch(g);
      return;
    }
    case proto::kGetLaunch:
      if (g.forked) break;
      ReplyLaunch(g);
      return;
    case proto::kGetAppFilter:
      // The container's own filter: its instruction count, the program as payload.
      SendResponse(ch, op, static_cast<int64_t>(spec_.app_seccomp_bpf.size() / 8),
                   static_cast<int64_t>(spec_.app_seccomp_flags), spec_.app_seccomp_bpf);
      return;
    case proto::kLog:
      Log("[" + std::to_string(g.ctx.vpid) + "] " + req.str[0]);
      SendResponse(ch, op, 0, 0, {});
      return;
    case proto::kAwaitStart:
      if (g.is_init) ReplyLoaded(true, "");
      if (!g.is_init || started_) {
        SendResponse(ch, op, 0, 0, {});
      } else {
        g.await_start_pending = true;
      }
      return;
    case proto::kUname: {
      struct utsname u;
      uname(&u);
      struct utsname v {};
      memcpy(v.sysname, u.sysname, sizeof v.sysname);
      snprintf(v.nodename, sizeof v.nodename, "%s", hostname_.c_str());
      memcpy(v.release, u.release, sizeof v.release);
      memcpy(v.version, u.version, sizeof v.version);
      memcpy(v.machine, u.machine, sizeof v.machine);
      snprintf(v.domainname, sizeof v.domainname, "%s",
               domainname_.empty() ? "(none)" : domainname_.c_str());
      SendResponse(ch, op, 0, 0, std::string_view(reinterpret_cast<const char*>(&v), sizeof v));
      return;
    }
    case proto::kSetHostname: {
      if (!(g.ctx.creds.cap_effective & kCapSysAdmin)) {
        SendResponse(ch, op, -EPERM, 0, {});
        return;
      }
      if (req.hdr.arg[0] == 0)
        hostname_ = req.str[0];
      else
        domainname_ = req.str[0];
      SendResponse(ch, op, 0, 0, {});
      return;
    }
    case proto::kSetIds: {
      int64_t a0 = 0, a1 = 0;
      const uint32_t tag_before = LookupTag(g);
      long r = SetIds(g, req, &a0, &a1);
      // Before the answer: the guest's next lookup must see it. A process
      // now of another class of credentials gets that class's lookup cache
      // with the answer (the libOS maps it over the old one).
      const uint32_t tag = LookupTag(g);
      if (g.page) g.page->SetLookupTag(tag);
      const int lookup_fd = tag != tag_before ? LookupFd(tag) : -1;
      if (tag != tag_before) warm_ring_due_ = true;
      proto::Response resp{};
      resp.op = op;
      resp.result = r;
      resp.aux[0] = a0;
      resp.aux[1] = a1;
      const proto::CapsAfterSetIds caps{g.ctx.creds.cap_effective, g.ctx.creds.cap_permitted};
      SendResponse(ch, resp, std::string_view(reinterpret_cast<const char*>(&caps), sizeof caps),
                   lookup_fd);
      return;
    }
    case proto::kFork: {
      // arg0 0: answered with the vpid; else the vpid we offered, taken.
      const bool offered = req.hdr.arg[0] != 0;
      if (req.fds.size() != 1 || g.host_pid == 0 ||
          (offered && (g.fork_vpid == 0 || req.hdr.arg[0] != g.fork_vpid))) {
        if (!offered)
          SendResponse(ch, op, -EINVAL, 0, {});
        else
          Log("vpid " + std::to_string(g.ctx.vpid) + ": kFork with a vpid not offered refused");
        return;  // the child's channel closes with the request's fds
      }
      // A fork that did not wait cannot be failed any more: its child dies
      // at its first request (its channel closes here). The offer is spent
      // all the same: the next fork gets a new one.
      auto refuse = [&](const std::string& why, int err) {
        Log("vpid " + std::to_string(g.ctx.vpid) + ": fork refused: " + why);
        if (offered)
          g.fork_vpid = 0, OfferForkVpid(g);
        else
          SendResponse(ch, op, -err, 0, {});
      };
      // A channel is a SOCK_SEQPACKET socket: anything else (a pipe) would
      // sit here as a child that never says hello, stalling every
      // RegisterPending for its bound.
      int type = 0;
      socklen_t tl = sizeof type;
      if (getsockopt(req.fds[0].get(), SOL_SOCKET, SO_TYPE, &type, &tl) != 0 ||
          type != SOCK_SEQPACKET) {
        refuse("its channel is no SOCK_SEQPACKET socket", EINVAL);
        return;
      }
      uint32_t vpid = offered ? g.fork_vpid : next_vpid_++;
      if (offered) g.fork_vpid = 0;
      auto child = std::make_unique<Guest>();
      child->channel = fcntl(req.fds[0].get(), F_DUPFD_CLOEXEC, 3);
      if (child->channel < 0) {
        refuse(std::string("no fd for the child's channel: ") + strerror(errno), EAGAIN);
        return;
      }
      child->forked = true;
      child->born = std::chrono::steady_clock::now();
      child->vppid = g.ctx.vpid;
      child->ctx = g.ctx;
      child->ctx.vpid = vpid;
      child->vpgid = g.vpgid;
      child->vsid = g.vsid;
      child->host_pgid = g.HostPgid();
      child->ctx.host_pid = 0;
      child->exe = g.exe;
      child->cmdline = g.cmdline;
      child->environ = g.environ;
      forked_ = true;
      starting_ = true;
      // The child's shared page goes first on its own channel (it reads it
      // before any reply), so the parent's fork waits for none of this.
      // (Without a page: a welcome all the same, and the child keeps the
      // socket.)
      int page_fd = NewPageFd(*child);
      // Polled from the start: its exec's open comes within ~0.1 ms, while
      // the start spin runs (a parked page makes the child ring instead).
      if (child->page) child->page->Poll();
      // Never blocking: the socket is the guest's, and a copy kept of this
      // end with a full buffer would hang us here.
      bool welcomed = SendResponse(child->channel, proto::kChildWelcome, page_fd >= 0 ? 0 : -ENOMEM,
                                   0, {}, page_fd, true);
      const int welcome_errno = errno;
      if (page_fd >= 0) close(page_fd);
      // A child that has already exited (its fork did not wait for us)
      // takes no welcome either, and must still be registered: its hello
      // and its exit are queued (EPIPE / ECONNRESET, not EAGAIN).
      if (!welcomed && welcome_errno == EAGAIN) {
        close(child->channel);
        refuse("its channel takes no welcome", EAGAIN);
        return;
      }
      AddGuest(std::move(child));
      OfferForkVpid(g);
      if (!offered) SendResponse(ch, op, vpid, 0, {});
      return;
    }
    case proto::kChildHello: {
      if (!g.forked || g.host_pid != 0 || !req.has_cred || req.cred.pid <= 0) {
        // Never answered (the child reads no reply to it): it stays
        // unregistered, and its file operations get EPERM.
        Log("vpid " + std::to_string(g.ctx.vpid) + ": malformed kChildHello ignored");
        return;
      }
      g.host_pid = req.cred.pid;
      g.ctx.host_pid = req.cred.pid;
      starting_ = true;
      g.pidfd = static_cast<int>(syscall(SYS_pidfd_open, g.host_pid, 0));
      // Already exited and reaped by its parent (whose wait can come before
      // this hello is read): nothing of it is left to name.
      if (g.pidfd < 0 && errno == ESRCH) g.exited = true;
      if (g.pidfd >= 0) {
        pidfd_to_channel_[g.pidfd] = ch;
        Watch(g.pidfd, kTagPidfd);
      }
      if (cgroup_ && join_children_) {
        std::string err;
        if (!cgroup_->Join(g.host_pid, &err) && errno != ESRCH) Log(err);
      }
      // Forked while the init was exiting: KillAll could not name it yet.
      if (init_gone_ && g.pidfd >= 0) syscall(SYS_pidfd_send_signal, g.pidfd, SIGKILL, nullptr, 0);
      return;  // unanswered (see RegisterPending)
    }
    case proto::kKill:
      SendResponse(ch, op,
                   Kill(g, req.hdr.arg[0], static_cast<int>(req.hdr.arg[1]), req.hdr.arg[2],
                        req.hdr.arg[3], req.hdr.arg[4] != 0),
                   0, {});
      return;
    case proto::kExecDone: {
      // The path as resolved (a symlink such as /proc/self/exe must not
      // become the next exec's target).
      // (Known already if the libOS opened the image as the exec's main one.)
      if (!g.exec_image.empty())
        g.exe = std::move(g.exec_image);
      else
        g.exe = files_->CanonicalPath(req.str[0], g.ctx);
      g.exec_image.clear();
      g.ctx.creds.keep_caps = false;  // execve clears PR_SET_KEEPCAPS
      if (g.exe.empty()) g.exe = req.str[0];
      // str1: argv joined with NULs, then (from arg0 - 1 on) the
      // environment; arg0 0: the launch's image, whose are the spec's.
      if (req.hdr.arg[0] >= 1 || !req.str[1].empty()) {
        uint64_t cut = static_cast<uint64_t>(req.hdr.arg[0]) - 1;
        if (req.hdr.arg[0] < 1 || cut > req.str[1].size()) cut = req.str[1].size();
        g.cmdline = req.str[1].substr(0, cut);
        g.environ = req.str[1].substr(cut);
      }
      g.execed = true;
      starting_ = true;
      if (req.hdr.arg[1] == proto::kExecDoneNoReply) return;
      std::string payload = g.exe;
      payload.push_back('\0');
      int64_t nfds = AppendOpenFds(g.host_pid, &payload);
      SendResponse(ch, op, 0, nfds, payload);
      return;
    }
    case proto::kSetPgid: {
      uint32_t target = req.hdr.arg[0] == 0 ? g.ctx.vpid : static_cast<uint32_t>(req.hdr.arg[0]);
      int64_t pg = req.hdr.arg[1] == 0 ? target : req.hdr.arg[1];
      RegisterPending();  // a child forked a moment ago: its host pid leads its new group
      Guest* t = AfterExecNotices(target);  // an exec'd child keeps its group
      long r = 0;
      if (req.hdr.arg[0] < 0 || req.hdr.arg[1] < 0)
        r = -EINVAL;
      else if (!t || (t != &g && t->vppid != g.ctx.vpid))
        r = -ESRCH;
      else if (t != &g && t->execed)
        r = -EACCES;  // a child that has exec'd keeps its group
      else if (t->vsid != g.vsid)
        r = -EPERM;
      else if (t->vsid == t->ctx.vpid)
        r = -EPERM;  // a session leader keeps its group
      pid_t host_pgid = 0;
      if (r == 0 && static_cast<uint32_t>(pg) != target) {
        r = -EPERM;
        for (auto& [ch2, o] : guests_)
          if (!o->exited && o->vpgid == static_cast<uint32_t>(pg) && o->vsid == g.vsid) {
            r = 0;
            host_pgid = o->HostPgid();
            break;
          }
      } else if (r == 0) {
        host_pgid = t->host_pid;  // a new group, led by the target
      }
      if (r == 0 && host_pgid == 0) r = -ESRCH;  // not said hello: cannot be in step
      if (r == 0) t->vpgid = static_cast<uint32_t>(pg), t->host_pgid = host_pgid;
      // aux: the host group the caller moves the target into (the libOS does
      // that itself: only a process or its parent may).
      SendResponse(ch, op, r, r == 0 ? host_pgid : 0, {});
      return;
    }
    case proto::kSetSid: {
      // As Linux: refused while any group carries the caller's pid (its own,
      // or one it made and left), which is also when the host refuses.
      bool leads = false;
      for (auto& [ch2, o] : guests_) leads |= o->vpgid == g.ctx.vpid;
      PurgeReapedZombies();
      for (auto& [vpid, z] : zombies_) leads |= z->vpgid == g.ctx.vpid;
      if (leads) {
        SendResponse(ch, op, -EPERM, 0, {});
        return;
      }
      g.vsid = g.vpgid = g.ctx.vpid;
      g.host_pgid = 0;  // the libOS's host setsid makes it its own group
      SendResponse(ch, op, g.vsid, 0, {});
      return;
    }
    case proto::kGetPgid: {
      Guest* t = req.hdr.arg[0] == 0 ? &g : ByVpid(static_cast<uint32_t>(req.hdr.arg[0]));
      if (!t) {
        SendResponse(ch, op, -ESRCH, 0, {});
        return;
      }
      SendResponse(ch, op, req.hdr.arg[1] == 1 ? t->vsid : t->vpgid, 0, {});
      return;
    }
    case proto::kHostPgid: {
      // The host group kept in step with virtual group arg0 (waitid P_PGID);
      // members that exited but are not reaped count (their group is still
      // theirs on the host).
      uint32_t pg = static_cast<uint32_t>(req.hdr.arg[0]);
      long r = -ESRCH;
      for (auto& [ch2, o] : guests_)
        if (o->vpgid == pg && o->HostPgid() > 0) r = o->HostPgid();
      if (r < 0) {
        PurgeReapedZombies();
        for (auto& [vpid, z] : zombies_)
          if (z->vpgid == pg) r = z->HostPgid();
      }
      SendResponse(ch, op, r, 0, {});
      return;
    }
    case proto::kStopOtherThreads: {
      // Every thread but the caller (the one that sent this) gets SIGSYS;
      // the libOS turns that into a thread exit. Bounded wait: 2 s.
      pid_t self_tid = static_cast<pid_t>(req.hdr.arg[0]);
      std::string dir = "/proc/" + std::to_string(g.host_pid) + "/task";
      long r = -ETIMEDOUT;
      for (int round = 0; round < 400; ++round) {
        int others = 0;
        if (DIR* d = opendir(dir.c_str())) {
          while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            pid_t tid = atoi(e->d_name);
            if (tid == self_tid) continue;
            ++others;
            if (round % 50 == 0) syscall(SYS_tgkill, g.host_pid, tid, SIGSYS);
          }
          closedir(d);
        }
        if (others == 0) {
          r = 0;
          break;
        }
        usleep(5000);
      }
      SendResponse(ch, op, r, 0, {});
      return;
    }
    case proto::kSetOwner: {
      long r;
      int64_t v = req.hdr.arg[0];
      Guest* t = v > 0 ? ByVpid(static_cast<uint32_t>(v)) : nullptr;
      if (req.fds.size() != 1 || v < 0)
        r = -EINVAL;  // process-group owners: virtual groups have no host group
      else if (v > 0 && (!t || t->exited || !t->host_pid))
        r = -ESRCH;
      else
        r = fcntl(req.fds[0].get(), F_SETOWN, v > 0 ? t->host_pid : 0) < 0 ? -errno : 0;
      SendResponse(ch, op, r, 0, {});
      return;
    }
    case proto::kPidfdOpen: {
      RegisterPending();  // a child forked a moment ago has a host pid by now
      int64_t v = req.hdr.arg[0];
      Guest* t = v > 0 ? ByVpid(static_cast<uint32_t>(v)) : nullptr;
      if (v <= 0)
        SendResponse(ch, op, -EINVAL, 0, {});
      else if (!t || !t->host_pid || t->pidfd < 0)
        SendResponse(ch, op, -ESRCH, 0, {});
      else  // the app's fd shares our open pidfd: nothing it can set on it matters to us
        SendResponse(ch, op, 0, 0, {}, t->pidfd);
      return;
    }
    case proto::kPidfdSignal: {
      long r = -EBADF;
      if (req.fds.size() == 1) {
        pid_t host = PidfdHostPid(req.fds[0].get());
        Guest* t = host > 0 ? ByHost(host) : nullptr;
        if (host == -1 || (host > 0 && !t))
          r = -ESRCH;  // reaped (or, impossibly, not the sandbox's)
        else if (t)
          r = Kill(g, t->ctx.vpid, static_cast<int>(req.hdr.arg[0]), 0, req.hdr.arg[2],
                   req.hdr.arg[1] != 0);
      }
      SendResponse(ch, op, r, 0, {});
      return;
    }
    case proto::kReaped: {  // unanswered
      auto z = zombies_.find(static_cast<uint32_t>(req.hdr.arg[0]));
      if (z != zombies_.end() && (z->second->vppid == g.ctx.vpid || g.is_init))
        DropZombie(z->first);
      return;
    }
    case proto::kHostToVpid: {
      Guest* t = ByHost(static_cast<pid_t>(req.hdr.arg[0]));
      SendResponse(ch, op, t ? static_cast<int64_t>(t->ctx.vpid) : int64_t{-ESRCH}, 0, {});
      return;
    }
    default:
      break;
  }
  SendResponse(ch, op, -ENOSYS, 0, {});
}

void Supervisor::ReplyLoaded(bool ok, const std::string& why) {
  if (ok) init_loaded_ = true;
  for (int fd : loaded_waiters_) {
    if (ok)
      SendControl(fd, {{"ok", true}});
    else
      SendControl(fd, {{"ok", false}, {"error", why}});
  }
  loaded_waiters_.clear();
}

void Supervisor::StartContainer() {
  started_ = true;
  for (auto& [ch, g] : guests_)
    if (g->await_start_pending) {
      g->await_start_pending = false;
      SendResponse(ch, proto::kAwaitStart, 0, 0, {});
    }
}

void Supervisor::OnControl(int fd) {
  json msg;
  std::vector<int> fds;
  std::string err;
  RegisterPending();  // ps, kill, stats name every process, just-forked ones too
  if (!RecvControl(fd, &msg, &fds, &err)) {
    epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
    controls_.erase(fd);
    close(fd);
    return;
  }
  auto fail = [&](const std::string& e) { SendControl(fd, {{"ok", false}, {"error", e}}); };
  std::string op = msg.value("op", "");
  if (op == "register") {
    if (fds.size() != 1) {
      for (int f : fds) close(f);
      return fail("register: expected one channel fd");
    }
    // Every guest joins the sandbox's namespaces.
    if (std::string ns_err; !AwaitNamespaces(&ns_err)) {
      close(fds[0]);
      return fail(ns_err);
    }
    auto g = std::make_unique<Guest>();
    try {
      g->spec = ProcessSpecFromJson(msg.at("process"));
    } catch (const std::exception& e) {
      close(fds[0]);
      return fail(std::string("register: malformed process: ") + e.what());
    }
    if (init_gone_) {
      close(fds[0]);
      return fail("container is stopped");
    }
    g->channel = fds[0];
    g->is_init = msg.value("init", false);
    g->ctx.vpid = next_vpid_++;
    g->vppid = 0;
    // As runc's container processes: each starts its own session.
    g->vpgid = g->vsid = g->ctx.vpid;
    g->ctx.cwd = g->spec.cwd;
    rootfs::Creds& c = g->ctx.creds;
    c.ruid = c.euid = c.suid = c.fsuid = g->spec.uid;
    c.rgid = c.egid = c.sgid = c.fsgid = g->spec.gid;
    c.groups = g->spec.additional_gids;
    c.cap_effective = g->spec.uid == 0 ? g->spec.cap_effective : 0;
    // As its libOS has them (ReplyLaunch). A non-root process starts with
    // none (runc would give it the ambient set: not modelled yet).
    c.cap_permitted = g->spec.uid == 0 ? g->spec.cap_permitted : 0;
    c.cap_inheritable = g->spec.cap_inheritable;
    c.cap_bounding = g->spec.cap_bounding;
    c.umask = g->spec.umask;
    g->exe = g->spec.args.empty() ? "" : g->spec.args[0];
    for (const auto& a : g->spec.args) g->cmdline += a + std::string(1, '\0');
    for (const auto& e : g->spec.env) g->environ += e + std::string(1, '\0');
    uint32_t vpid = g->ctx.vpid;
    AddGuest(std::move(g));
    warm_ring_due_ = true;  // a new class, perhaps (a fork inherits its parent's)
    // The guest joins the sandbox's namespaces: "ns" names the fds in order.
    std::vector<int> reply_fds;
    json ns = json::array();
    if (ipcns_fd_ >= 0) reply_fds.push_back(ipcns_fd_), ns.push_back("ipc");
    if (netns_fd_ >= 0) reply_fds.push_back(netns_fd_), ns.push_back("net");
    SendControl(fd, {{"ok", true}, {"vpid", vpid}, {"host_uid", host_uid()}, {"ns", ns}},
                reply_fds);
  } else if (op == "wait_loaded") {
    // Create returns once the init's image is loaded and it waits for
    // start (or fails if it died on the way, e.g. no such executable).
    if (init_loaded_)
      SendControl(fd, {{"ok", true}});
    else if (init_gone_)
      fail("the container's process exited before it was started");
    else
      loaded_waiters_.push_back(fd);
  } else if (op == "start") {
    if (started_) return fail("container already started");
    // The answer first: the creator's wake-up then does not land behind
    // the init's run on the CPU they shared (a foreground `run` waited out
    // echo's whole run before it could note the start).
    SendControl(fd, {{"ok", true}});
    StartContainer();
  } else if (op == "kill") {
    int sig = msg.value("signal", SIGTERM);
    bool all = msg.value("all", false);
    if (sig < 0 || sig > 64) return fail("invalid signal " + std::to_string(sig));
    if (all) {
      KillAll(sig, true);
    } else {
      Guest* init = nullptr;
      for (auto& [ch, g] : guests_)
        if (g->is_init && !g->exited) init = g.get();
      if (!init || !init->host_pid) return fail("container not running");
      // From outside the sandbox: like an ancestor PID namespace, only
      // SIGKILL/SIGSTOP are forced on an init without a handler.
      if (sig == SIGKILL || sig == SIGSTOP || HasHandler(init->host_pid, sig))
        syscall(SYS_pidfd_send_signal, init->pidfd, sig, nullptr, 0);
    }
    SendControl(fd, {{"ok", true}});
  } else if (op == "ps") {
    json procs = json::array();
    for (auto& [ch, g] : guests_)
      if (!g->exited && g->host_pid) procs.push_back({{"pid", g->host_pid}, {"vpid", g->ctx.vpid}});
    SendControl(
        fd,
        {{"ok", true}, {"processes", procs}, {"host_uid", host_uid()}, {"cgroup", CgroupPath()}});
  } else if (op == "set_limits") {
    OnSetLimits(fd, msg);
  } else if (op == "stats") {
    if (cgroup_) {
      SendControl(fd, {{"ok", true}, {"stats", ToJson(cgroup_->Stats())}});
    } else {
      // No limits, no cgroup: the same counters from /proc.
      std::vector<pid_t> pids = host_uid() ? LiveProcessesOf(host_uid()) : std::vector<pid_t>{};
      if (!host_uid())
        for (auto& [ch, g] : guests_)
          if (g->host_pid && !g->exited) pids.push_back(g->host_pid);
      SendControl(fd, {{"ok", true}, {"stats", ToJson(StatsOfProcesses(pids))}});
    }
  } else if (op == "pause" || op == "resume") {
    KillAll(op == "pause" ? SIGSTOP : SIGCONT, true);
    SendControl(fd, {{"ok", true}});
  } else if (op == "shutdown") {
    shutting_down_ = true;
    init_gone_ = true;
    KillAll(SIGKILL, true);
    // Guests that never said hello have no pidfd: drop them now.
    for (auto it = guests_.begin(); it != guests_.end();) {
      if (it->second->pidfd < 0) {
        epoll_ctl(epfd_, EPOLL_CTL_DEL, it->first, nullptr);
        close(it->first);
        it = guests_.erase(it);
      } else {
        ++it;
      }
    }
    SendControl(fd, {{"ok", true}});
  } else {
    for (int f : fds) close(f);
    fail("unknown control op \"" + op + "\"");
  }
}

}  // namespace

namespace {
uid_t g_sweep_uid = 0;
char g_lease_path[256];  // the uid lease's lock file, removed once the uid is swept
// SIGTERM (the creator of a die-with-caller sandbox died, or an operator
// stops the supervisor): every process of the sandbox goes with it.
void OnTerminate(int) {
  if (g_sweep_uid != 0) {
    pid_t p = fork();
    if (p == 0) {
      if (setresgid(g_sweep_uid, g_sweep_uid, g_sweep_uid) == 0 &&
          setresuid(g_sweep_uid, g_sweep_uid, g_sweep_uid) == 0)
        kill(-1, SIGKILL);
      _exit(0);
    }
    if (p > 0 && waitpid(p, nullptr, 0) == p && g_lease_path[0]) unlink(g_lease_path);
  }
  _exit(143);
}
}  // namespace

void SetSweepUidForSignals(uid_t uid, const std::string& lease_path) {
  g_sweep_uid = uid;
  if (lease_path.size() < sizeof g_lease_path) strcpy(g_lease_path, lease_path.c_str());
  signal(SIGTERM, OnTerminate);
}

int RunSupervisor(int control_fd, SupervisorHints hints) {
  Supervisor s(control_fd, hints);
  return s.Run();
}

}  // namespace litebox::runtime
