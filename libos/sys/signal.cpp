// Signal syscalls. SIGSYS belongs to the libOS: it stays unblocked (also
// inside application handlers) and its disposition is virtual.
#include "libos/abi/proto.h"
#include "libos/channel.hpp"
#include "libos/dispatch.hpp"
#include "libos/rt/sys.hpp"

using namespace lb;

namespace {
constexpr uint64_t kSigsys = k::sigbit(k::SIGSYS);
constexpr uint64_t kUnblockable = k::sigbit(k::SIGKILL) | k::sigbit(k::SIGSTOP) | kSigsys;
}  // namespace

// The kernel's SIGCHLD siginfo names the child by its host pid and host
// uid; sigtimedwait's answer is fixed up after the call, and an
// application's SA_SIGINFO handler for it is therefore installed
// behind this trampoline, which puts the child's virtual pid (from this
// process's own child table) and the caller's virtual uid in before calling
// it. Runs as a signal handler: no request to the supervisor, only the
// table's lock, which no thread holds with signals unblocked.
namespace {
void virtualize_sigchld(k::siginfo* si) {
  if (si->code <= 0) return;  // CLD_* codes are the kernel's; SI_QUEUE came through us
  if (int v = child_vpid_local(si->chld.pid); v > 0) si->chld.pid = v;
  si->chld.uid = g_proc.ruid;
}
}  // namespace

extern "C" void lb_sigchld_trampoline(int sig, k::siginfo* si, void* uc) {
  if (si) virtualize_sigchld(si);
  auto handler = reinterpret_cast<void (*)(int, k::siginfo*, void*)>(
      __atomic_load_n(&g_proc.actions[k::SIGCHLD].handler, __ATOMIC_RELAXED));
  uintptr_t h = reinterpret_cast<uintptr_t>(handler);
  if (h > 1) handler(sig, si, uc);
}

namespace {
bool wants_trampoline(long sig, const k::sigaction& a) {
  uintptr_t h = reinterpret_cast<uintptr_t>(a.handler);
  return sig == k::SIGCHLD && (a.flags & k::SA_SIGINFO) && h > 1;
}
}  // namespace

LB_SYSCALL_DIRECT(rt_sigaction) {
  long sig = c.a[0];
  auto* act = reinterpret_cast<const k::sigaction*>(c.a[1]);
  auto* old = reinterpret_cast<k::sigaction*>(c.a[2]);
  if (c.a[3] != 8) return -k::EINVAL;
  if (sig < 1 || sig > k::kNSig) return -k::EINVAL;
  if (sig == k::SIGSYS) {
    Guard g(g_proc.lock);
    if (old) *old = g_proc.actions[sig];
    if (act) g_proc.actions[sig] = *act;
    return 0;
  }
  k::sigaction host;
  const k::sigaction* hp = nullptr;
  if (act) {
    host = *act;
    host.mask &= ~kSigsys;
    if (wants_trampoline(sig, *act)) host.handler = reinterpret_cast<void*>(&lb_sigchld_trampoline);
    hp = &host;
  }
  k::sigaction prev{};
  if (old) {
    Guard g(g_proc.lock);
    prev = g_proc.actions[sig];
  }
  long r = sys(__NR_rt_sigaction, sig, reinterpret_cast<long>(hp), reinterpret_cast<long>(old), 8);
  // The application sees its own handler, never the trampoline (unless
  // SA_RESETHAND has since put the default back in the kernel).
  if (r == 0 && old && old->handler == reinterpret_cast<void*>(&lb_sigchld_trampoline))
    old->handler = prev.handler;
  if (r == 0 && act) {
    Guard g(g_proc.lock);
    g_proc.actions[sig] = *act;
  }
  return r;
}

// The application's mask lives in the SIGSYS frame (rt_sigreturn installs
// whatever we leave in uc_sigmask) or with the trap-free entry, which
// restores it: no host call here.
LB_SYSCALL_DIRECT(rt_sigprocmask) {
  long how = c.a[0];
  auto* set = reinterpret_cast<const uint64_t*>(c.a[1]);
  auto* old = reinterpret_cast<uint64_t*>(c.a[2]);
  if (c.a[3] != 8) return -k::EINVAL;
  uint64_t cur = *c.app_mask;
  uint64_t next = cur;
  if (set) {
    switch (how) {
      case k::SIG_BLOCK:
        next = cur | *set;
        break;
      case k::SIG_UNBLOCK:
        next = cur & ~*set;
        break;
      case k::SIG_SETMASK:
        next = *set;
        break;
      default:
        return -k::EINVAL;
    }
  }
  if (old) *old = cur;
  *c.app_mask = next & ~kUnblockable;
  return 0;
}

// The host alternate stack is the libOS's; the application's is virtual.
LB_SYSCALL(sigaltstack) {
  auto* ss = reinterpret_cast<const k::stack_t*>(c.a[0]);
  auto* old = reinterpret_cast<k::stack_t*>(c.a[1]);
  // The application's SA_ONSTACK handlers run on the libOS's stack: a
  // caller running on it is "on the alternate stack".
  uint64_t sp = c.uc->mc.rsp;
  uint64_t base = reinterpret_cast<uint64_t>(c.thread);
  bool on_stack = sp > base && sp <= base + abi::kThreadRegionSize;
  if (old) {
    *old = g_proc.app_altstack;
    if (on_stack && !(old->flags & k::SS_DISABLE)) old->flags |= k::SS_ONSTACK;
  }
  if (ss && on_stack) return -k::EPERM;
  if (ss) {
    if (ss->flags & ~(k::SS_DISABLE | (1 << 31))) return -k::EINVAL;
    if (!(ss->flags & k::SS_DISABLE) && ss->size < 2048) return -k::ENOMEM;
    g_proc.app_altstack = *ss;
  }
  return 0;
}

// sigsuspend = ppoll with no fds and the temporary mask (minus SIGSYS).
LB_SYSCALL_DIRECT(rt_sigsuspend) {
  if (c.a[1] != 8) return -k::EINVAL;
  uint64_t mask = *reinterpret_cast<const uint64_t*>(c.a[0]) & ~kUnblockable;
  long r;
  do r = sys(__NR_ppoll, 0, 0, 0, reinterpret_cast<long>(&mask), 8);
  while (r != -k::EINTR);
  return -k::EINTR;
}
LB_SYSCALL_DIRECT(pause) {
  uint64_t mask = *c.app_mask & ~kUnblockable;
  long r;
  do r = sys(__NR_ppoll, 0, 0, 0, reinterpret_cast<long>(&mask), 8);
  while (r != -k::EINTR);
  return -k::EINTR;
}

// A masked wait passes natively only with a NULL mask; with a mask we make
// the same call with SIGSYS taken out of it.
LB_SYSCALL_DIRECT(ppoll) {
  if (!c.a[3]) return sys(__NR_ppoll, c.a[0], c.a[1], c.a[2], 0, c.a[4]);
  uint64_t mask = *reinterpret_cast<const uint64_t*>(c.a[3]) & ~kUnblockable;
  return sys(__NR_ppoll, c.a[0], c.a[1], c.a[2], reinterpret_cast<long>(&mask), c.a[4]);
}
LB_SYSCALL_DIRECT(pselect6) {
  struct SigArg {
    const uint64_t* mask;
    uint64_t size;
  };
  auto* sa = reinterpret_cast<const SigArg*>(c.a[5]);
  if (!sa || !sa->mask) return sys(__NR_pselect6, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], 0);
  uint64_t mask = *sa->mask & ~kUnblockable;
  SigArg mine{&mask, 8};
  return sys(__NR_pselect6, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], reinterpret_cast<long>(&mine));
}
LB_SYSCALL_DIRECT(epoll_pwait) {
  if (!c.a[4]) return sys(__NR_epoll_pwait, c.a[0], c.a[1], c.a[2], c.a[3], 0, 8);
  uint64_t mask = *reinterpret_cast<const uint64_t*>(c.a[4]) & ~kUnblockable;
  return sys(__NR_epoll_pwait, c.a[0], c.a[1], c.a[2], c.a[3], reinterpret_cast<long>(&mask), 8);
}

LB_SYSCALL_DIRECT(rt_sigtimedwait) {
  // Waiting for SIGSYS is refused (it is the libOS's).
  if (c.a[3] != 8) return -k::EINVAL;
  uint64_t set = *reinterpret_cast<const uint64_t*>(c.a[0]) & ~kSigsys;
  // The signals waited for must be blocked while we wait; they are blocked
  // in the app's mask, and inside this handler everything is blocked.
  auto* info = reinterpret_cast<k::siginfo*>(c.a[1]);
  long r = sys(__NR_rt_sigtimedwait, reinterpret_cast<long>(&set), c.a[1], c.a[2], 8);
  if (r == k::SIGCHLD && info) virtualize_sigchld(info);
  return r;
}

// --- signals to processes: the supervisor checks every target ------------
namespace {
long send_kill(long vpid, long sig, long tid, long value = 0, bool queue = false) {
  if (sig < 0 || sig > k::kNSig) return -k::EINVAL;
  Rpc r;
  r.op = proto::kKill;
  r.arg[0] = vpid;
  r.arg[1] = sig;
  r.arg[2] = tid;
  r.arg[3] = value;
  r.arg[4] = queue ? 1 : 0;
  return rpc(r);
}
}  // namespace
namespace {
// Signals to oneself go straight to the kernel with PIDFD_SELF (Linux
// 6.15+), carrying the siginfo Linux would (SI_USER / SI_TKILL) with the
// virtual pid and uid. Falls back to the supervisor on older kernels.
long self_signal(int sig, bool thread, int code) {
  // The sandbox's init ignores its own signals unless it handles them
  // (SIGKILL and SIGSTOP included), as pid 1 of a PID namespace does.
  if (g_proc.vpid == 1 && g_proc.actions[sig].handler == nullptr) return 0;
  k::siginfo info{};
  info.signo = sig;
  info.code = code;
  info.kill.pid = static_cast<int>(g_proc.vpid);
  info.kill.uid = g_proc.ruid;
  return sys(__NR_pidfd_send_signal, thread ? -10000 : -10001, sig, reinterpret_cast<long>(&info),
             0);
}
}  // namespace

// Only PIDFD_SELF passes the filter; any other pidfd names a process of the
// sandbox (pidfd_open and CLONE_PIDFD give no others), which the supervisor
// signals under kill's rules.
LB_SYSCALL_DIRECT(pidfd_send_signal) {
  int fd = static_cast<int>(c.a[0]), sig = static_cast<int>(c.a[1]);
  if (static_cast<unsigned>(c.a[3]) != 0) return -k::EINVAL;  // PIDFD_SIGNAL_* scopes: not yet
  if (sig < 0 || sig > k::kNSig) return -k::EINVAL;
  if (!abi::IsAppFd(fd)) return -k::EBADF;  // before the siginfo, as Linux
  long has_info = 0, value = 0;
  if (c.a[2]) {
    auto* info = reinterpret_cast<const k::siginfo*>(c.a[2]);
    if (info->signo != sig) return -k::EINVAL;
    if (info->code >= 0) return -k::EPERM;  // as Linux, for another process
    has_info = 1;
    value = *reinterpret_cast<const int64_t*>(info->pad + 8);  // si_value
  }
  return rpc_on_fd(proto::kPidfdSignal, fd, sig, has_info, value);
}

// The supervisor's own pidfd of the process, shared with us.
LB_SYSCALL_DIRECT(pidfd_open) {
  int pid = static_cast<int>(c.a[0]);
  unsigned flags = static_cast<unsigned>(c.a[1]);
  if (flags & ~static_cast<unsigned>(k::O_NONBLOCK | k::O_EXCL)) return -k::EINVAL;
  if (flags & k::O_EXCL) return -k::EINVAL;  // PIDFD_THREAD: threads have host tids, not yet
  if (pid <= 0) return -k::EINVAL;
  Rpc r;
  r.op = proto::kPidfdOpen;
  r.arg[0] = pid;
  r.cloexec = true;  // a pidfd is always close-on-exec
  long e = rpc(r);
  if (e < 0) return e;
  if (r.fd_out < 0) return -k::EIO;
  if (flags & k::O_NONBLOCK) sys(__NR_fcntl, r.fd_out, k::F_SETFL, k::O_NONBLOCK);
  return r.fd_out;
}

// pid_t and int arguments: the upper halves of the registers are junk.
LB_SYSCALL_DIRECT(kill) {
  int pid = static_cast<int>(c.a[0]), sig = static_cast<int>(c.a[1]);
  if (pid == static_cast<int>(g_proc.vpid) && sig > 0 && sig <= k::kNSig) {
    long r = self_signal(sig, false, 0 /*SI_USER*/);
    if (r != -k::EINVAL && r != -k::EBADF) return r;
  }
  return send_kill(pid, sig, 0);
}
LB_SYSCALL_DIRECT(tgkill) {
  int pid = static_cast<int>(c.a[0]), tid = static_cast<int>(c.a[1]),
      sig = static_cast<int>(c.a[2]);
  if (pid == static_cast<int>(g_proc.vpid) && tid == c.thread->host_tid && sig > 0 &&
      sig <= k::kNSig) {
    long r = self_signal(sig, true, -6 /*SI_TKILL*/);
    if (r != -k::EINVAL && r != -k::EBADF) return r;
  }
  return send_kill(pid, sig, tid);
}
LB_SYSCALL_DIRECT(tkill) {
  // tkill names a thread by host tid (gettid is native).
  return send_kill(g_proc.vpid, static_cast<int>(c.a[1]), static_cast<int>(c.a[0]));
}

// --- timers ------------------------------------------------------------------
// POSIX timers are made through the gate (their clock is checked there).
// The itimers (alarm, setitimer) become libOS-held POSIX timers on the
// matching clock, delivering the same signals.
LB_SYSCALL_DIRECT(timer_create) {
  return sys(__NR_timer_create, c.a[0], c.a[1], c.a[2]);
}

namespace {
struct SigEvent {
  uint64_t value;
  int signo;
  int notify;
  int pad[12];
};
struct ITimerSpec {
  k::timespec interval, value;
};
struct TimeVal {
  long sec, usec;
};
struct ITimerVal {
  TimeVal interval, value;
};
constexpr long kClockFor[3] = {1 /*MONOTONIC for REAL*/, 2 /*PROCESS_CPUTIME*/, 2};
constexpr int kSigFor[3] = {k::SIGALRM, 26 /*SIGVTALRM*/, 27 /*SIGPROF*/};
int g_itimer[3] = {-1, -1, -1};
LB_HOT Lock g_itimer_lock;

long itimer_id(int which) {
  Guard g(g_itimer_lock);
  if (g_itimer[which] >= 0) return g_itimer[which];
  SigEvent ev{};
  ev.signo = kSigFor[which];
  ev.notify = 0;  // SIGEV_SIGNAL
  int id = -1;
  long r = sys(__NR_timer_create, kClockFor[which], reinterpret_cast<long>(&ev),
               reinterpret_cast<long>(&id));
  if (r < 0) return r;
  g_itimer[which] = id;
  return id;
}

long set_itimer(int which, const ITimerVal* nv, ITimerVal* old) {
  if (which < 0 || which > 2) return -k::EINVAL;
  long id = itimer_id(which);
  if (id < 0) return id;
  ITimerSpec n{}, o{};
  if (nv) {
    n.interval = {nv->interval.sec, nv->interval.usec * 1000};
    n.value = {nv->value.sec, nv->value.usec * 1000};
  }
  long r =
      nv ? sys(__NR_timer_settime, id, 0, reinterpret_cast<long>(&n), reinterpret_cast<long>(&o))
         : sys(__NR_timer_gettime, id, reinterpret_cast<long>(&o));
  if (r < 0) return r;
  if (old) {
    old->interval = {o.interval.sec, o.interval.nsec / 1000};
    old->value = {o.value.sec, (o.value.nsec + 999) / 1000};
  }
  return 0;
}
}  // namespace

LB_SYSCALL_DIRECT(setitimer) {
  return set_itimer(static_cast<int>(c.a[0]), reinterpret_cast<const ITimerVal*>(c.a[1]),
                    reinterpret_cast<ITimerVal*>(c.a[2]));
}
LB_SYSCALL_DIRECT(getitimer) {
  return set_itimer(static_cast<int>(c.a[0]), nullptr, reinterpret_cast<ITimerVal*>(c.a[1]));
}
LB_SYSCALL_DIRECT(alarm) {
  ITimerVal nv{}, old{};
  nv.value.sec = static_cast<unsigned int>(c.a[0]);
  long r = set_itimer(0, &nv, &old);
  if (r < 0) return r;
  return old.value.sec + (old.value.usec ? 1 : 0);
}

// sigqueue(3): the value travels with the signal; the supervisor sends it.
LB_SYSCALL_DIRECT(rt_sigqueueinfo) {
  auto* info = reinterpret_cast<const k::siginfo*>(c.a[2]);
  if (!info) return -k::EFAULT;
  long value;
  memcpy(&value, reinterpret_cast<const char*>(info) + 24, sizeof value);  // si_value
  return send_kill(static_cast<int>(c.a[0]), static_cast<int>(c.a[1]), 0, value, true);
}
LB_SYSCALL_DIRECT(rt_tgsigqueueinfo) {
  auto* info = reinterpret_cast<const k::siginfo*>(c.a[3]);
  if (!info) return -k::EFAULT;
  long value;
  memcpy(&value, reinterpret_cast<const char*>(info) + 24, sizeof value);
  return send_kill(static_cast<int>(c.a[0]), static_cast<int>(c.a[2]), static_cast<int>(c.a[1]),
                   value, true);
}
