#include "libos/dispatch.hpp"

#include "libos/abi/constants.h"
#include "libos/app_filter.hpp"
#include "libos/channel.hpp"
#include "libos/rt/sys.hpp"
#include "libos/site_patch.hpp"

// Weak defaults for every row of the table.
#define SYS(nr, name, cls, chk, gate)                                   \
  extern "C" __attribute__((weak)) long sys_##name(lb::SyscallCtx& c) { \
    return lb::unimplemented(c, #name);                                 \
  }
#include "libos/syscall_table.def"
#undef SYS
// ...and a weak reference to the flag LB_SYSCALL_DIRECT defines (null
// where the handler is not direct). Read by address: the compiler may not
// assume the value of a weak definition, but it may fold one it can see.
#define SYS(nr, name, cls, chk, gate) extern "C" __attribute__((weak)) const bool lb_direct_##name;
#include "libos/syscall_table.def"
#undef SYS

extern "C" void lb_sigreturn();

namespace lb {

namespace {
using Handler = long (*)(SyscallCtx&);
Handler g_table[abi::kMaxSyscall + 1];
const char* g_names[abi::kMaxSyscall + 1];
// Rows whose sites may be patched: EMULATE rows (always trapped, so the
// handler answers every call) with an LB_SYSCALL_DIRECT handler.
bool g_direct[abi::kMaxSyscall + 1];

void log_call(const SyscallCtx& c, long r) {
  char b[256];
  Buf out(b, sizeof b);
  out.put("sys ").put(syscall_name(c.nr)).putc('(');
  for (int i = 0; i < 3; ++i) {
    if (i) out.put(", ");
    out.hex(static_cast<unsigned long>(c.a[i]));
  }
  out.put(") = ").dec(r);
  log_line(out.c_str());
}
}  // namespace

namespace {
constexpr bool is_emulate_class(const char* cls) {
  const char* e = "EMULATE";
  int i = 0;
  for (; cls[i] && e[i]; ++i)
    if (cls[i] != e[i]) return false;
  return cls[i] == e[i];
}
}  // namespace

const char* syscall_name(long nr) {
  if (nr < 0 || nr > abi::kMaxSyscall || !g_names[nr]) return "?";
  return g_names[nr];
}

long poll_with_app_mask(SyscallCtx& c, int fd, short events, long timeout_ns) {
  struct PollFd {
    int fd;
    short events, revents;
  } p{fd, events, 0};
  uint64_t mask = *c.app_mask & ~k::sigbit(k::SIGSYS);
  k::timespec ts{timeout_ns / 1'000'000'000, timeout_ns % 1'000'000'000};
  return sys(__NR_ppoll, fd >= 0 ? reinterpret_cast<long>(&p) : 0, fd >= 0 ? 1 : 0,
             timeout_ns >= 0 ? reinterpret_cast<long>(&ts) : 0, reinterpret_cast<long>(&mask), 8);
}

long unimplemented(SyscallCtx& c, const char* name) {
  char b[128];
  Buf out(b, sizeof b);
  out.put("unimplemented syscall ").put(name).put(" (").dec(c.nr).put(") -> ENOSYS");
  log_line(out.c_str());
  return -k::ENOSYS;
}

extern "C" void lb_sigsys(int, k::siginfo* si, k::ucontext* uc) {
  if (si->code != 1 /*SYS_SECCOMP*/) {
    // A SIGSYS sent as a signal, not raised by a filter. During an
    // execve from another thread it means "this thread is done"
    // (kStopOtherThreads); otherwise it is SIGSYS's default action.
    if (g_proc.exec_in_progress) {
      for (;;) sys(__NR_exit, 0);
    }
    exit_group(128 + k::SIGSYS);
  }
  if (si->err != abi::kTrapTag) {
    // A trap from a filter the application installed itself: its SIGSYS.
    app_filter::deliver(si, uc);
    return;
  }
  SyscallCtx c;
  c.nr = si->sys.syscall;
  c.a[0] = static_cast<long>(uc->mc.rdi);
  c.a[1] = static_cast<long>(uc->mc.rsi);
  c.a[2] = static_cast<long>(uc->mc.rdx);
  c.a[3] = static_cast<long>(uc->mc.r10);
  c.a[4] = static_cast<long>(uc->mc.r8);
  c.a[5] = static_cast<long>(uc->mc.r9);
  c.uc = uc;
  c.app_mask = &uc->sigmask;
  c.thread = current_thread_from_sp(reinterpret_cast<uintptr_t>(__builtin_frame_address(0)));
  long r;
  if (app_filter::active() &&
      app_filter::check(c, reinterpret_cast<uint64_t>(si->sys.call_addr), &r)) {
    // The application's own filter answered (ERRNO): no emulation.
  } else if (c.nr < 0 || c.nr > abi::kMaxSyscall || !g_table[c.nr]) {
    r = -k::ENOSYS;
  } else {
    r = g_table[c.nr](c);
  }
  if (g_proc.debug) log_call(c, r);
  uc->mc.rax = static_cast<uint64_t>(r);
  if (c.nr >= 0 && c.nr <= abi::kMaxSyscall && g_direct[c.nr]) sites::note_trap(c.nr, uc->mc.rip);
}

// The trap-free path (rt/direct_entry.S): the same dispatch as above, with
// every signal blocked as the SIGSYS handler's mask does (nothing may
// interrupt the libOS while it holds a lock). The entry puts f->mask back
// once it is on the application's stack again, so a signal pending by
// then is delivered there, as on return from a real syscall.
extern "C" long lb_direct_dispatch(long nr, DirectFrame* f) {
  // A filter the application installed may want its own trap (its SIGSYS
  // needs a signal frame): the ordinary path then.
  if (nr < 0 || nr > abi::kMaxSyscall || !g_direct[nr] || app_filter::active()) return kTakeTrap;
  uint64_t all = ~0ull;
  sys(__NR_rt_sigprocmask, k::SIG_SETMASK, reinterpret_cast<long>(&all),
      reinterpret_cast<long>(&f->mask), 8);
  SyscallCtx c;
  c.nr = nr;
  c.a[0] = static_cast<long>(f->rdi);
  c.a[1] = static_cast<long>(f->rsi);
  c.a[2] = static_cast<long>(f->rdx);
  c.a[3] = static_cast<long>(f->r10);
  c.a[4] = static_cast<long>(f->r8);
  c.a[5] = static_cast<long>(f->r9);
  c.uc = nullptr;
  c.app_mask = &f->mask;
  c.thread = sites::current_thread();
  long r = g_table[nr](c);
  if (g_proc.debug) log_call(c, r);
  return r;
}

void dispatch_init() {
#define SYS(nr, name, cls, chk, gate) \
  g_table[nr] = &sys_##name;          \
  g_names[nr] = #name;                \
  g_direct[nr] = &lb_direct_##name != nullptr && is_emulate_class(#cls);
#include "libos/syscall_table.def"
#undef SYS

  k::sigaction sa{};
  sa.handler = reinterpret_cast<void*>(&lb_sigsys);
  sa.flags = k::SA_SIGINFO | k::SA_ONSTACK | k::SA_RESTORER;
  sa.restorer = reinterpret_cast<void*>(&lb_sigreturn);
  sa.mask = ~0ull;  // nothing interrupts the libOS (see rt/util.hpp Lock)
  long r = sys(__NR_rt_sigaction, k::SIGSYS, reinterpret_cast<long>(&sa), 0, 8);
  if (r < 0) die("cannot install the SIGSYS handler", r);
}

}  // namespace lb
