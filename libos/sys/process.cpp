// Processes and threads: clone/fork/vfork, in-process execve, wait, and the
// virtual pids that go with them (DESIGN §4).
#include "libos/abi/constants.h"
#include "libos/abi/proto.h"
#include "libos/channel.hpp"
#include "libos/dispatch.hpp"
#include "libos/elf.hpp"
#include "libos/loader.hpp"
#include "libos/path.hpp"
#include "libos/rt/sys.hpp"
#include "libos/shared_page.hpp"
#include "libos/site_patch.hpp"

using namespace lb;

extern "C" [[noreturn]] void lb_resume(k::ucontext* uc);

namespace {

constexpr uint64_t kSigsys = k::sigbit(k::SIGSYS);
void load_special_ranges();

// --- children: host pid <-> vpid ------------------------------------------
struct Child {
  int host;
  int vpid;
};
constexpr int kMaxChildren = 1024;
Child g_children[kMaxChildren];
LB_HOT int g_nchildren = 0;

void child_add(int host, int vpid) {
  Guard g(g_proc.lock);
  if (g_nchildren < kMaxChildren) g_children[g_nchildren++] = {host, vpid};
}
void child_remove(int host) {
  Guard g(g_proc.lock);
  for (int i = 0; i < g_nchildren; ++i)
    if (g_children[i].host == host) {
      g_children[i] = g_children[--g_nchildren];
      return;
    }
}
int host_of_vpid(int vpid) {
  Guard g(g_proc.lock);
  for (int i = 0; i < g_nchildren; ++i)
    if (g_children[i].vpid == vpid) return g_children[i].host;
  return 0;
}
}  // namespace

int lb::child_host_local(int vpid) {
  return host_of_vpid(vpid);
}

int lb::child_vpid_local(int host) {
  Guard g(g_proc.lock);
  for (int i = 0; i < g_nchildren; ++i)
    if (g_children[i].host == host) return g_children[i].vpid;
  return 0;
}

namespace {
int vpid_of_host(int host) {
  {
    Guard g(g_proc.lock);
    for (int i = 0; i < g_nchildren; ++i)
      if (g_children[i].host == host) return g_children[i].vpid;
  }
  Rpc r;
  r.op = proto::kHostToVpid;
  r.arg[0] = host;
  long v = rpc(r);
  return v > 0 ? static_cast<int>(v) : host;
}

// --- threads ---------------------------------------------------------------
extern "C" [[noreturn]] void lb_thread_entry() {
  Thread* t = current_thread_from_sp(reinterpret_cast<uintptr_t>(__builtin_frame_address(0)));
  t->host_tid = static_cast<int>(sys(__NR_gettid));
  sites::thread_start(t);
  lb_resume(&t->start_uc);
}

long clone_thread(SyscallCtx& c, unsigned long flags, long newsp, long ptid, long ctid, long tls) {
  if (!newsp) return -k::EINVAL;
  Thread* t = thread_alloc();
  if (!t) return -k::EAGAIN;
  // The child starts as if returning from clone: the app's registers with
  // rax = 0 on the new stack, the app's mask, our alternate stack.
  t->start_uc = *c.uc;
  t->start_uc.flags &= ~k::UC_FP_XSTATE;
  t->start_uc.mc.fpstate = 0;
  t->start_uc.mc.rax = 0;
  t->start_uc.mc.rsp = static_cast<uint64_t>(newsp);
  t->start_uc.sigmask = c.uc->sigmask & ~kSigsys;
  t->start_uc.stack = {thread_stack_base(t), 0, 0, thread_stack_size()};
  t->start_uc.link = nullptr;
  // The gate's `ret` pops the child's first return address off this stack.
  uint64_t sp = (reinterpret_cast<uint64_t>(t) + abi::kThreadRegionSize - 256) & ~15ull;
  *reinterpret_cast<uint64_t*>(sp) = reinterpret_cast<uint64_t>(&lb_thread_entry);
  g_proc.threads_made = true;
  long r = sys(__NR_clone, static_cast<long>(flags), static_cast<long>(sp), ptid, ctid, tls);
  return r;
}

// --- fork ------------------------------------------------------------------
long do_fork(SyscallCtx& c, unsigned long flags, long newsp, long ptid, long ctid, long tls) {
  // Read once before the first fork, so that every descendant's execve
  // finds the kernel's mappings already known.
  load_special_ranges();
  int sv[2];
  long e = sys(__NR_socketpair, k::AF_UNIX, k::SOCK_SEQPACKET | 02000000 /*CLOEXEC*/, 0,
               reinterpret_cast<long>(sv));
  if (e < 0) return e;
  channel_lock();
  Rpc r;
  r.op = proto::kFork;
  r.fds[0] = sv[0];
  r.nfds = 1;
  // With a vpid set aside for us, the supervisor is told and the fork goes
  // on without waiting for it (a round trip is ~40 us of a ~100 us fork
  // here, most of it two wake-ups); the first fork asks.
  long vpid = page::take_fork_vpid();
  if (vpid > 0) {
    // The child's hello may be sent before the supervisor has this end:
    // it must carry our credentials all the same (the kernel adds them when
    // the receiving socket asks for them at send time).
    int one = 1;
    sys(__NR_setsockopt, sv[0], k::SOL_SOCKET, 16 /*SO_PASSCRED*/, reinterpret_cast<long>(&one),
        sizeof one);
    r.arg[0] = vpid;
    notify_locked(r);
  } else {
    vpid = rpc_locked(r);
  }
  sys(__NR_close, sv[0]);
  if (vpid <= 0) {
    channel_unlock();
    sys(__NR_close, sv[1]);
    return vpid < 0 ? vpid : -k::EAGAIN;
  }
  // A vfork child would share our alternate stack (the kernel keeps it for
  // CLONE_VFORK), so every fork is a real copy; the child gets the stack
  // the application asked for.
  unsigned long f = flags & ~(k::CLONE_VM | k::CLONE_VFORK | k::CLONE_SETTLS);
  long pid = sys(__NR_clone, static_cast<long>(f), 0, ptid, ctid, tls);
  if (pid == 0) {
    // Our alternate stack below this frame holds only the parent's dead
    // frames: dropped, a page we use next is a fresh zero page instead of
    // a copy of the parent's (an exec goes ~7 pages deep), and the parent
    // writing its own copy after us needs no copy either.
    {
      uint64_t sp;
      asm volatile("mov %%rsp, %0" : "=r"(sp));
      const uint64_t lo = reinterpret_cast<uint64_t>(thread_stack_base(c.thread));
      const uint64_t hi = (sp - 256) & ~uint64_t{4095};  // below the red zone
      // Only when we do run on that stack (the dispatcher always does).
      if (hi > lo && sp < lo + thread_stack_size())
        sys(__NR_madvise, static_cast<long>(lo), static_cast<long>(hi - lo), 4 /*DONTNEED*/);
    }
    channel_reset_in_child();  // our page comes in our channel's welcome
    sites::reset_in_child();
    // Our own channel replaces the parent's at abi::kChannelFd (dup3 at the
    // gate: GATE_DUP_CHANNEL). The number may be at or above the soft
    // RLIMIT_NOFILE, which dup3 obeys, so lift the soft limit for this one
    // dup (prlimit64 is a gate number).
    uint64_t lim[2], wide[2];
    sys(__NR_prlimit64, 0, 7, 0, reinterpret_cast<long>(lim));
    wide[0] = lim[1], wide[1] = lim[1];
    sys(__NR_prlimit64, 0, 7, reinterpret_cast<long>(wide), 0);
    long d = sys(__NR_dup3, sv[1], abi::kChannelFd, 0);
    sys(__NR_prlimit64, 0, 7, reinterpret_cast<long>(lim), 0);
    if (d < 0) exit_group(128 + k::SIGKILL);
    sys(__NR_close, sv[1]);
    c.thread->host_tid = static_cast<int>(sys(__NR_gettid));
    g_proc.host_pid = c.thread->host_tid;
    g_proc.vppid = g_proc.vpid;
    g_proc.vpid = static_cast<uint32_t>(vpid);
    g_nchildren = 0;
    g_proc.threads_made = false;  // fork copies the calling thread only
    g_proc.pgid_state = Process::kPgidAskAlways;
    // Unanswered: the channel is ordered, so the supervisor knows us before
    // it reads anything else we send, and whoever needs our host pid
    // earlier (the parent's kill, a /proc listing) makes it read this first.
    Rpc h;
    h.op = proto::kChildHello;
    notify(h);
    if (newsp) c.uc->mc.rsp = static_cast<uint64_t>(newsp);
    if (flags & k::CLONE_SETTLS) {
      sys(__NR_arch_prctl, 0x1002 /*ARCH_SET_FS*/, tls);
    }
    return 0;
  }
  channel_unlock();
  sys(__NR_close, sv[1]);
  if (pid < 0) return pid;
  child_add(static_cast<int>(pid), static_cast<int>(vpid));
  return vpid;
}

}  // namespace

LB_SYSCALL(clone) {
  unsigned long flags = static_cast<unsigned long>(c.a[0]);
  long newsp = c.a[1], ptid = c.a[2], ctid = c.a[3], tls = c.a[4];
  constexpr unsigned long kNs = k::CLONE_NEWNS | k::CLONE_NEWCGROUP | k::CLONE_NEWUTS |
                                k::CLONE_NEWIPC | k::CLONE_NEWUSER | k::CLONE_NEWPID |
                                k::CLONE_NEWNET;
  if (flags & (kNs | k::CLONE_PTRACE)) return -k::EPERM;
  if (flags & k::CLONE_THREAD) {
    if (!(flags & k::CLONE_VM) || !(flags & k::CLONE_SIGHAND)) return -k::EINVAL;
    return clone_thread(c, flags, newsp, ptid, ctid, tls);
  }
  if ((flags & k::CLONE_VM) && !(flags & k::CLONE_VFORK)) {
    // A process sharing our memory but not our signal handlers: the libOS
    // cannot keep two processes' state in one address space.
    return -k::EINVAL;
  }
  if (flags & k::CLONE_FILES) {
    // Nor our fd table: the child's own channel would replace ours at
    // abi::kChannelFd in it.
    return -k::EINVAL;
  }
  return do_fork(c, flags, newsp, ptid, ctid, tls);
}
LB_SYSCALL(fork) {
  return do_fork(c, k::SIGCHLD, 0, 0, 0, 0);
}
LB_SYSCALL(vfork) {
  return do_fork(c, k::SIGCHLD, 0, 0, 0, 0);
}

// --- wait --------------------------------------------------------------------
namespace {
constexpr long P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;
constexpr long WNOHANG = 1, WUNTRACED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x1000000;
constexpr int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_STOPPED = 5, CLD_CONTINUED = 6;

// Blocking waits run with the application's own mask, so its signals
// interrupt them (EINTR or SA_RESTART) as on Linux.
long waitid_with_app_mask(SyscallCtx& c, long idtype, long id, k::siginfo* si, long options,
                          long rusage) {
  bool blocking = !(options & WNOHANG);
  uint64_t app = *c.app_mask & ~kSigsys, all = ~0ull;
  if (blocking) sys(__NR_rt_sigprocmask, k::SIG_SETMASK, reinterpret_cast<long>(&app), 0, 8);
  long r = sys(__NR_waitid, idtype, id, reinterpret_cast<long>(si), options, rusage);
  if (blocking) sys(__NR_rt_sigprocmask, k::SIG_SETMASK, reinterpret_cast<long>(&all), 0, 8);
  return r;
}

// A child is gone for good: drop it here and tell the supervisor, which
// kept it as a zombie (kill(pid, 0), /proc/<pid>) until now.
void reaped(int host, int vpid) {
  child_remove(host);
  notify_later(proto::kReaped, vpid);  // its pidfd tells the supervisor meanwhile
}

bool translate_id(long* idtype, long* id) {
  if (*idtype == P_PID) {
    int h = host_of_vpid(static_cast<int>(*id));
    if (!h) return false;
    *id = h;
  } else if (*idtype == P_PGID && *id != 0) {
    // Host groups are kept in step with the virtual ones (identity.cpp's
    // setpgid and setsid), under other numbers: the supervisor knows which.
    // 0, the caller's own group, is the same group on the host.
    Rpc r;
    r.op = proto::kHostPgid;
    r.arg[0] = *id;
    long h = rpc(r);
    if (h <= 0) return false;
    *id = h;
  }
  return true;
}
}  // namespace

LB_SYSCALL_DIRECT(wait4) {
  long pid = static_cast<int>(c.a[0]);  // pid_t: the upper half of the register is junk
  auto* status = reinterpret_cast<int*>(c.a[1]);
  long options = static_cast<int>(c.a[2]);
  // Linux rejects unknown option bits before looking for children.
  constexpr long kWait4Options = WNOHANG | WUNTRACED | WCONTINUED | 0x20000000 /*__WNOTHREAD*/ |
                                 0x40000000 /*__WALL*/ |
                                 static_cast<long>(static_cast<int>(0x80000000)) /*__WCLONE*/;
  if (options & ~kWait4Options) return -k::EINVAL;
  long idtype, id = 0;
  if (pid < -1)
    idtype = P_PGID, id = -pid;
  else if (pid == -1)
    idtype = P_ALL;
  else if (pid == 0)
    idtype = P_PGID, id = 0;
  else
    idtype = P_PID, id = pid;
  if (!translate_id(&idtype, &id)) return -k::ECHILD;
  long wopts =
      WEXITED | (options & (WNOHANG | 0x20000000 /*__WNOTHREAD*/ | 0x40000000 | 0x80000000));
  if (options & WUNTRACED) wopts |= WUNTRACED;
  if (options & WCONTINUED) wopts |= WCONTINUED;
  k::siginfo si{};
  long r = waitid_with_app_mask(c, idtype, id, &si, wopts, c.a[3]);
  if (r < 0) return r;
  if (si.chld.pid == 0) return 0;  // WNOHANG, nothing yet
  int st = 0;
  switch (si.code) {
    case CLD_EXITED:
      st = (si.chld.status & 0xff) << 8;
      break;
    case CLD_KILLED:
      st = si.chld.status & 0x7f;
      break;
    case CLD_DUMPED:
      st = (si.chld.status & 0x7f) | 0x80;
      break;
    case CLD_STOPPED:
      st = ((si.chld.status & 0xff) << 8) | 0x7f;
      break;
    case CLD_CONTINUED:
      st = 0xffff;
      break;
  }
  if (status) *status = st;
  int v = vpid_of_host(si.chld.pid);
  if (si.code == CLD_EXITED || si.code == CLD_KILLED || si.code == CLD_DUMPED)
    reaped(si.chld.pid, v);
  return v;
}

LB_SYSCALL_DIRECT(waitid) {
  long idtype = static_cast<int>(c.a[0]), id = static_cast<int>(c.a[1]);
  auto* si = reinterpret_cast<k::siginfo*>(c.a[2]);
  if (idtype != P_ALL && idtype != P_PID && idtype != P_PGID && idtype != P_PIDFD)
    return -k::EINVAL;
  // A pidfd is the kernel's own handle on the process: used as it is.
  if (idtype != P_PIDFD && !translate_id(&idtype, &id)) return -k::ECHILD;
  k::siginfo tmp{};
  long r = waitid_with_app_mask(c, idtype, id, &tmp, c.a[3], c.a[4]);
  if (r < 0) return r;
  if (tmp.chld.pid) {
    int host = tmp.chld.pid;
    tmp.chld.pid = vpid_of_host(host);
    if (!(c.a[3] & WNOWAIT) && tmp.code != CLD_STOPPED && tmp.code != CLD_CONTINUED)
      reaped(host, tmp.chld.pid);
  }
  if (si) *si = tmp;
  return r;
}

// --- execve ------------------------------------------------------------------
namespace {

char** copy_strv(const char* const* v, long* total, long* err) {
  if (!v) {
    char** out = static_cast<char**>(alloc(sizeof(char*)));
    out[0] = nullptr;
    return out;
  }
  long n = 0;
  while (v[n]) {
    if (++n > 65536) {
      *err = -k::E2BIG;
      return nullptr;
    }
  }
  char** out = static_cast<char**>(alloc(sizeof(char*) * (n + 1)));
  for (long i = 0; i < n; ++i) {
    size_t len = strlen(v[i]);
    *total += static_cast<long>(len + 1 + 8);
    if (*total > (2 << 20)) {
      *err = -k::E2BIG;
      return nullptr;
    }
    out[i] = strndup(v[i], len);
  }
  out[n] = nullptr;
  return out;
}

void free_strv(char** v) {
  if (!v) return;
  for (char** p = v; *p; ++p) free(*p);
  free(v);
}

// Closes fd if it is marked close-on-exec (the host never runs execve for
// us: every way of finding the fds below ends here).
void close_if_cloexec(long fd) {
  long fl = sys(__NR_fcntl, fd, k::F_GETFD);
  if (fl > 0 && (fl & k::FD_CLOEXEC)) sys(__NR_close, fd);
}

// Closes the fds marked close-on-exec.
// The supervisor lists this process's open fds (/proc/self/fd); only if
// that fails are all numbers below the soft limit probed.
bool close_cloexec_listed() {
  long dir =
      proxy_open(k::AT_FDCWD, "/proc/self/fd", k::O_RDONLY | k::O_DIRECTORY | k::O_CLOEXEC, 0);
  if (dir < 0) return false;
  constexpr size_t kBuf = 32768;
  char* buf = static_cast<char*>(alloc(kBuf));
  bool ok = buf != nullptr;
  while (ok) {
    Rpc r;
    r.op = proto::kGetdents;
    r.fds[0] = static_cast<int>(dir);
    r.nfds = 1;
    r.arg[0] = kBuf;
    r.payload = buf;
    r.payload_cap = kBuf;
    long n = rpc(r);
    if (n < 0) {
      ok = false;
      break;
    }
    if (r.payload_len == 0) break;
    for (size_t off = 0; off + 19 < r.payload_len;) {
      uint16_t reclen;
      memcpy(&reclen, buf + off + 16, 2);
      if (reclen == 0) break;
      const char* name = buf + off + 19;
      long fd = 0;
      bool digits = *name != 0;
      for (const char* q = name; *q; ++q) {
        if (*q < '0' || *q > '9')
          digits = false;
        else
          fd = fd * 10 + (*q - '0');
      }
      if (digits && fd != dir && abi::IsAppFd(fd)) close_if_cloexec(fd);
      off += reclen;
    }
  }
  free(buf);
  sys(__NR_close, dir);
  return ok;
}

void close_cloexec_fds();

// The scan below is cheap while the soft limit stays small (~11 ns a slot).
constexpr uint64_t kScanMaxFds = 4096;

bool can_scan_fds() {
  return !g_proc.opath_seen && !page::sandbox_opath() && g_proc.nofile_soft_max <= kScanMaxFds;
}

// Closes the close-on-exec fds without asking anybody: one ppoll over
// every number that can be open (below the highest soft limit the process
// ever had) tells the open ones (not POLLNVAL), whose flags are then read.
// poll() reports O_PATH fds as not open, hence can_scan_fds(). The soft
// limit is lifted for the call if it is lower now (ppoll's nfds obeys it).
bool close_cloexec_scanned() {
  if (!can_scan_fds()) return false;
  struct PollFd {
    int fd;
    short events, revents;
  };
  // In slices on our stack, whose pages the exec has just used deeper
  // down: a heap array would be two fresh pages (faults) in a fork child.
  constexpr uint64_t kSlice = 512;
  PollFd p[kSlice];
  const uint64_t n = g_proc.nofile_soft_max;
  uint64_t lim[2] = {0, 0};
  sys(__NR_prlimit64, 0, 7 /*RLIMIT_NOFILE*/, 0, reinterpret_cast<long>(lim));
  const bool lift = lim[0] < kSlice && lim[0] < n;
  if (lift) {
    uint64_t wide[2] = {kSlice < n ? kSlice : n, lim[1]};
    sys(__NR_prlimit64, 0, 7, reinterpret_cast<long>(wide), 0);
  }
  long r = 0;
  for (uint64_t base = 0; base < n && r >= 0; base += kSlice) {
    const uint64_t m = n - base < kSlice ? n - base : kSlice;
    for (uint64_t i = 0; i < m; ++i) p[i] = {static_cast<int>(base + i), 0, 0};
    k::timespec zero{0, 0};
    r = sys(__NR_ppoll, reinterpret_cast<long>(p), static_cast<long>(m),
            reinterpret_cast<long>(&zero), 0, 8);
    constexpr short kNval = 0x20;
    for (uint64_t i = 0; i < m && r >= 0; ++i) {
      const long fd = static_cast<long>(base + i);
      if (!(p[i].revents & kNval) && abi::IsAppFd(fd)) close_if_cloexec(fd);
    }
  }
  if (lift) sys(__NR_prlimit64, 0, 7, reinterpret_cast<long>(lim), 0);
  return r >= 0;
}

// Closes the close-on-exec ones among `n` listed fd numbers (int32 each,
// unaligned): the list is the supervisor's, the flags are read now.
void close_cloexec_in(const char* list, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    int32_t fd;
    memcpy(&fd, list + i * sizeof fd, sizeof fd);
    if (abi::IsAppFd(fd)) close_if_cloexec(fd);
  }
}
}  // namespace

namespace {
// kExecDone for g_proc.exe: `info` is argv joined with NULs (its first
// argv_len bytes) then the environment's entries. Null info: the image of
// the launch (its argv and environment are the spec's, kept as they are);
// an exec always sends its own, even both empty.
Rpc exec_done_request(const char* info, size_t argv_len, size_t info_len) {
  Rpc r;
  r.op = proto::kExecDone;
  r.set_str(0, g_proc.exe);
  r.str[1] = info;
  r.str_len[1] = static_cast<uint32_t>(info_len);
  r.arg[0] = info ? static_cast<long>(argv_len) + 1 : 0;  // 0: no split, nothing to set
  return r;
}
}  // namespace

void lb::report_exec_done(const char* info, size_t argv_len, size_t info_len, bool close_cloexec) {
  char* reply = static_cast<char*>(alloc(proto::kMaxMessage));
  Rpc r = exec_done_request(info, argv_len, info_len);
  r.payload = reply;
  r.payload_cap = reply ? proto::kMaxMessage : 0;
  long e = rpc(r);
  // Payload: the canonical exe path, NUL, then aux0 open fds (int32 each).
  size_t path_len = 0;
  while (reply && path_len < r.payload_len && reply[path_len]) ++path_len;
  bool listed = e == 0 && reply && path_len < r.payload_len && r.aux[0] >= 0 &&
                (r.payload_len - path_len - 1) == static_cast<size_t>(r.aux[0]) * sizeof(int32_t);
  if (listed && path_len > 0) {
    if (g_proc.exe_canon) free(g_proc.exe_canon);
    g_proc.exe_canon = strndup(reply, path_len);
  }
  if (close_cloexec) {
    if (!listed) {
      close_cloexec_fds();
    } else {
      close_cloexec_in(reply + path_len + 1, static_cast<size_t>(r.aux[0]));
    }
  }
  free(reply);
}

bool lb::report_exec_done_from_open(const ExecResult& res, const char* info, size_t argv_len,
                                    size_t info_len, bool close_cloexec) {
  const char* p = res.open_reply;
  const size_t n = res.open_reply_len;
  if (!p || n == 0 || n > res.open_reply_cap) return false;
  size_t path_len = 0;
  while (path_len < n && p[path_len]) ++path_len;
  if (path_len == 0 || p[0] != '/') return false;
  const bool listed = path_len < n && (n - path_len - 1) % sizeof(int32_t) == 0;
  if (close_cloexec && !listed) return false;
  if (g_proc.exe_canon) free(g_proc.exe_canon);
  g_proc.exe_canon = strndup(p, path_len);
  if (close_cloexec) close_cloexec_in(p + path_len + 1, (n - path_len - 1) / sizeof(int32_t));
  Rpc r = exec_done_request(info, argv_len, info_len);
  r.arg[1] = proto::kExecDoneNoReply;
  notify(r);
  return true;
}

namespace {
void close_cloexec_fds() {
  if (close_cloexec_listed()) return;
  uint64_t lim[2] = {0, 0};
  sys(__NR_prlimit64, 0, 7 /*RLIMIT_NOFILE*/, 0, reinterpret_cast<long>(lim));
  // The fallback when /proc cannot list them: every number below the soft
  // limit (capped: the application may have raised it to millions).
  uint64_t max = lim[0] < (1u << 16) ? lim[0] : (1u << 16);
  for (uint64_t fd = 0; fd < max; ++fd) {
    if (abi::IsAppFd(static_cast<long>(fd))) close_if_cloexec(static_cast<long>(fd));
  }
}

// Handlers do not survive execve; ignored signals do.
void reset_signal_actions() {
  for (int sig = 1; sig <= k::kNSig; ++sig) {
    k::sigaction& a = g_proc.actions[sig];
    uintptr_t h = reinterpret_cast<uintptr_t>(a.handler);
    if (h == 0 || h == 1) continue;
    k::sigaction dfl{};
    if (sig != k::SIGSYS && sig != k::SIGKILL && sig != k::SIGSTOP)
      sys(__NR_rt_sigaction, sig, reinterpret_cast<long>(&dfl), 0, 8);
    a = dfl;
  }
  g_proc.app_altstack = {nullptr, k::SS_DISABLE, 0, 0};
}

// Reads the kernel's special mappings (vdso, vvar, vsyscall) from
// /proc/self/maps once; they keep their addresses across fork and across
// our in-process execve, so children inherit the list with the memory.
// (Usually find_special_ranges has found them at the start already.)
void load_special_ranges() {
  if (g_proc.nspecial >= 0) return;
  long fd = proxy_open(k::AT_FDCWD, "/proc/self/maps", k::O_RDONLY | k::O_CLOEXEC, 0);
  if (fd < 0) return;
  size_t cap = 1 << 20, len = 0;
  char* buf = static_cast<char*>(alloc(cap));
  if (!buf) {
    sys(__NR_close, fd);
    return;
  }
  for (;;) {
    long n =
        sys(__NR_read, fd, reinterpret_cast<long>(buf + len), static_cast<long>(cap - 1 - len));
    if (n <= 0) break;
    len += static_cast<size_t>(n);
    if (len >= cap - 1) break;
  }
  sys(__NR_close, fd);
  buf[len] = 0;
  int n = 0;
  for (const char* p = buf; *p;) {
    const char* line = p;
    while (*p && *p != '\n') ++p;
    const char* eol = p;
    if (*p) ++p;
    const char* q = line;
    uint64_t start = parse_hex(q);
    if (*q != '-') continue;
    ++q;
    uint64_t end = parse_hex(q);
    for (const char* r = q; r < eol; ++r)
      if (*r == '[' &&
          (starts_with(r, "[vdso]") || starts_with(r, "[vvar") || starts_with(r, "[vsyscall]"))) {
        if (n < Process::kMaxSpecial) g_proc.special[n][0] = start, g_proc.special[n][1] = end, ++n;
        break;
      }
  }
  free(buf);
  g_proc.nspecial = n;
}

// Unmaps every mapping that is not the libOS's (its image, heap, thread
// regions) or the kernel's (vdso, vvar, vsyscall): what a host execve
// would have thrown away with the old mm. munmap of the gaps between the
// ranges to keep, so no listing of the maps is needed per exec.
void unmap_old_image() {
  load_special_ranges();
  if (g_proc.nspecial < 0) return;
  constexpr int kMax = 512 + Process::kMaxSpecial;
  auto* keep = static_cast<uint64_t(*)[2]>(alloc(sizeof(uint64_t[2]) * kMax));
  if (!keep) return;
  int n = own_ranges_copy(keep, kMax - Process::kMaxSpecial);
  for (int i = 0; i < g_proc.nspecial; ++i)
    keep[n][0] = g_proc.special[i][0], keep[n][1] = g_proc.special[i][1], ++n;
  for (int i = 1; i < n; ++i)  // insertion sort by start: a few dozen ranges
    for (int j = i; j > 0 && keep[j][0] < keep[j - 1][0]; --j) {
      uint64_t s0 = keep[j][0], s1 = keep[j][1];
      keep[j][0] = keep[j - 1][0], keep[j][1] = keep[j - 1][1];
      keep[j - 1][0] = s0, keep[j - 1][1] = s1;
    }
  // The top of user space: 56-bit with 5-level paging, else 47-bit. A range
  // past it makes munmap fail as a whole, hence the retry.
  constexpr uint64_t kTop57 = 0x00fffffffffff000ull, kTop48 = 0x00007ffffffff000ull;
  uint64_t from = 0x1000;
  auto unmap_to = [&](uint64_t to) {
    if (to > from) sys(__NR_munmap, static_cast<long>(from), static_cast<long>(to - from));
  };
  for (int i = 0; i < n; ++i) {
    uint64_t lo = keep[i][0] & ~0xfffull, hi = (keep[i][1] + 0xfff) & ~0xfffull;
    if (lo >= kTop48) break;  // vsyscall and the like: not in user space
    unmap_to(lo);
    if (hi > from) from = hi;
  }
  if (from < kTop48) {
    if (sys(__NR_munmap, static_cast<long>(from), static_cast<long>(kTop57 - from)) < 0)
      unmap_to(kTop48);
  }
  free(keep);
}

// Linux's execve ends every other thread of the process first.
void stop_other_threads() {
  if (!g_proc.threads_made) return;  // never had another thread
  g_proc.exec_in_progress = true;
  Rpc r;
  r.op = proto::kStopOtherThreads;
  r.arg[0] = sys(__NR_gettid);
  rpc(r);
  g_proc.exec_in_progress = false;
  g_proc.threads_made = false;
}

void exec_teardown(void*) {
  stop_other_threads();
  // Close-on-exec fds are closed after the new image is mapped (its own
  // fds are close-on-exec too).
  reset_signal_actions();
  g_proc.keep_caps = false;  // as the supervisor's, at kExecDone
  unmap_old_image();
  sites::exec_reset();
  // The old image's thread bookkeeping words are gone with its memory.
  sys(__NR_set_tid_address, 0);
  sys(__NR_set_robust_list, 0, 24);
}

// The virtual path an fd names, as /proc/self/fd/N shows it (through the
// proxy): execveat resolves against it. -EBADF when the fd is not open.
long fd_vpath(long fd, char* out, size_t cap) {
  if (!abi::IsAppFd(fd)) return -k::EBADF;
  char link[40];
  Buf l(link, sizeof link);
  l.put("/proc/self/fd/").dec(fd);
  Rpc r;
  r.op = proto::kReadlink;
  r.set_str(0, l.c_str());
  r.payload = out;
  r.payload_cap = cap - 1;
  long e = rpc(r);
  if (e == -k::ENOENT) return -k::EBADF;
  if (e < 0) return e;
  out[r.payload_len] = 0;
  return out[0] == '/' ? 0 : -k::ENOENT;  // pipe:[..], anon_inode:..: nothing to run
}

long do_execve(SyscallCtx& c, long dirfd_arg, long path, long argv, long envp, long flags) {
  if (!path) return -k::EFAULT;
  const long dirfd = static_cast<int>(dirfd_arg);
  constexpr long kEmptyPath = 0x1000, kNoFollow = 0x100;  // AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW
  if (flags & ~(kEmptyPath | kNoFollow)) return -k::EINVAL;
  const char* app_path = reinterpret_cast<const char*>(path);
  if (!app_path[0] && !(flags & kEmptyPath)) return -k::ENOENT;
  long total = 0, err = 0;
  char** av = copy_strv(reinterpret_cast<const char* const*>(argv), &total, &err);
  char** ev = av ? copy_strv(reinterpret_cast<const char* const*>(envp), &total, &err) : nullptr;
  if (!av || !ev) {
    free_strv(av);
    return err ? err : -k::ENOMEM;
  }
  if (!av[0]) {
    // As Linux since 5.18: an image exec'd with no argv gets one empty
    // argument (argc 1), which programs that trust argv[0] rely on.
    free(av);
    av = static_cast<char**>(alloc(sizeof(char*) * 2));
    char* empty = av ? strdup("") : nullptr;
    if (!empty) {
      free(av);
      free_strv(ev);
      return -k::ENOMEM;
    }
    av[0] = empty, av[1] = nullptr;
  }
  // The path lives in memory the exec is about to unmap: copy it, made
  // absolute against the cwd or, for execveat, the directory fd (whose
  // own path an empty name with AT_EMPTY_PATH runs). AT_EXECFN is the name
  // as given; for a dirfd Linux gives /dev/fd/N[/name].
  char full[proto::kMaxPath + 512], execfn[proto::kMaxPath + 64];
  Buf b(full, sizeof full), fn(execfn, sizeof execfn);
  if (app_path[0] != '/' && dirfd != k::AT_FDCWD) {
    char base[proto::kMaxPath];
    long e = fd_vpath(dirfd, base, sizeof base);
    if (e < 0) {
      free_strv(av), free_strv(ev);
      return e;
    }
    b.put(base);
    fn.put("/dev/fd/").dec(dirfd);
    if (app_path[0]) b.putc('/').put(app_path), fn.putc('/').put(app_path);
  } else {
    if (app_path[0] != '/') {
      b.put(g_proc.cwd ? g_proc.cwd : "/");
      if (b.size() && b.c_str()[b.size() - 1] != '/') b.putc('/');
    }
    b.put(app_path[0] ? app_path : ".");
    fn.put(app_path);
  }
  if (b.overflow() || fn.overflow()) {
    free_strv(av), free_strv(ev);
    return -k::ENAMETOOLONG;
  }
  const char* p = b.c_str();
  if (flags & kNoFollow) {
    k::stat st;
    Rpc r;
    r.op = proto::kStat;
    r.set_str(0, p);
    r.arg[0] = k::AT_SYMLINK_NOFOLLOW;
    r.payload = &st;
    r.payload_cap = sizeof st;
    if (rpc(r) == 0 && r.payload_len == sizeof st && (st.mode & 0170000) == 0120000) {
      free_strv(av), free_strv(ev);
      return -k::ELOOP;
    }
  }
  // The close-on-exec fds: found by a scan of our own (after the teardown,
  // so no other thread is left to open one), else listed by the supervisor
  // with the image's open for a single-threaded process (no other thread
  // can open one before the teardown). Either way the report after the
  // exec needs no answer. A multi-threaded process that cannot scan asks
  // once its other threads are gone.
  const bool scan = can_scan_fds();
  ExecResult res;
  res.open_reply_cap = proto::kMaxMessage;
  res.open_reply = static_cast<char*>(alloc(res.open_reply_cap));
  res.list_fds = !scan && !g_proc.threads_made;
  long e = exec_image(p, av, ev, &res, &exec_teardown, nullptr, fn.c_str());
  if (e < 0) {
    free(res.open_reply);
    free_strv(av), free_strv(ev);
    return e;
  }
  // Tell the supervisor (for /proc/<pid>/exe, cmdline and environ); its
  // answer lists our open fds, of which the close-on-exec ones go now.
  // argv joined with NULs, as /proc/<pid>/cmdline shows it, then the
  // environment likewise; whole entries only, within one datagram.
  constexpr size_t kArgvCap = 32 * 1024, kInfoCap = 60 * 1024;
  char* info = static_cast<char*>(alloc(kInfoCap));
  size_t off = 0, argv_len = 0;
  for (int part = 0; part < 2 && info; ++part) {
    size_t cap = part == 0 ? kArgvCap : kInfoCap;
    for (char** a = part == 0 ? av : ev; a && *a; ++a) {
      size_t n = strlen(*a) + 1;
      if (off + n > cap) break;
      memcpy(info + off, *a, n);
      off += n;
    }
    if (part == 0) argv_len = off;
  }
  bool done = false;
  if (scan && close_cloexec_scanned())
    done = report_exec_done_from_open(res, info, argv_len, off, false);
  else if (res.list_fds)
    done = report_exec_done_from_open(res, info, argv_len, off, true);
  if (!done) report_exec_done(info, argv_len, off, true);
  free(res.open_reply);
  // From now on only we can change our group; one more answer may differ.
  if (g_proc.pgid_state == Process::kPgidAskAlways) g_proc.pgid_state = Process::kPgidAskOnce;
  free(info);
  free_strv(av), free_strv(ev);

  k::mcontext& m = c.uc->mc;
  uint16_t cs = m.cs, ss = m.ss;
  uint64_t fp = m.fpstate;
  memset(&m, 0, sizeof m);
  m.cs = cs, m.ss = ss, m.fpstate = fp;
  m.rip = res.entry;
  m.rsp = res.sp;
  m.eflags = 0x202;
  c.uc->sigmask &= ~kSigsys;
  return 0;
}

}  // namespace

LB_SYSCALL(execve) {
  return do_execve(c, k::AT_FDCWD, c.a[0], c.a[1], c.a[2], 0);
}
LB_SYSCALL(execveat) {
  return do_execve(c, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]);
}

// The kernel maps [vvar] (and [vvar_vclock]) directly below [vdso]. Newer
// kernels put them top-down in the mmap area when they exec us, below our
// own image, and nothing else goes below them before our first mmap; older
// ones put them just above the stack. So at the start the mapped pages
// right below the vdso are vvar's (4 + 2 on 6.18) unless the stack comes
// right after: a stack is at least 32 pages (128 KiB at exec) and holds
// `sp`, and either makes the probe give up and the maps be read as before
// (load_special_ranges), as does a process without a vdso. The vdso's end
// is the furthest of its segments and its section headers (the kernel maps
// the whole image). This saves reading /proc/self/maps through the proxy
// (~0.2-0.5 ms) in every sandbox that forks or execs.
void lb::find_special_ranges(uint64_t sp) {
  const uint64_t vdso = g_proc.at_sysinfo_ehdr;
  if (vdso == 0 || (vdso & (elf::kPage - 1)) != 0) return;
  const auto* eh = reinterpret_cast<const elf::Ehdr*>(vdso);
  if (!elf::header_ok(*eh) || eh->phentsize != sizeof(elf::Phdr) || eh->phnum == 0 ||
      eh->phnum > elf::kMaxPhdrs || eh->phoff > elf::kPage - sizeof(elf::Phdr) * eh->phnum)
    return;
  uint64_t lo = 0, hi = 0;
  if (!elf::segments_ok(*eh, reinterpret_cast<const elf::Phdr*>(vdso + eh->phoff), &lo, &hi) ||
      lo != 0)
    return;
  constexpr uint64_t kMaxImage = 1 << 20;
  const uint64_t sh_end = eh->shoff + uint64_t{eh->shnum} * eh->shentsize;
  if (eh->shoff > kMaxImage || sh_end > kMaxImage || hi > kMaxImage) return;
  if (elf::page_up(sh_end) > hi) hi = elf::page_up(sh_end);
  // msync(MS_ASYNC) fails with ENOMEM exactly where something is not mapped.
  constexpr long kMsAsync = 1;
  if (sys(__NR_msync, static_cast<long>(vdso), static_cast<long>(hi), kMsAsync) != 0) return;
  constexpr int kMaxVvarPages = 16;
  const uint64_t floor = vdso - kMaxVvarPages * elf::kPage;
  if (sp >= floor && sp < vdso + hi) return;  // the stack is right there
  uint64_t start = vdso;
  for (;;) {
    if (start == floor) return;  // more than vvar: not ours to keep
    if (sys(__NR_msync, static_cast<long>(start - elf::kPage), elf::kPage, kMsAsync) != 0) break;
    start -= elf::kPage;
  }
  g_proc.special[0][0] = start;
  g_proc.special[0][1] = vdso + hi;
  g_proc.nspecial = 1;
}
