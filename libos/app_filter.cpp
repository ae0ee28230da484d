#include "libos/app_filter.hpp"

#include "libos/rt/sys.hpp"
#include "libos/rt/util.hpp"

extern "C" char lb_gate_ip[];
extern "C" char lb_sigreturn_ip[];
extern "C" char lb_resume_ip[];

namespace lb::app_filter {
namespace {

// Classic BPF as seccomp takes it (linux/filter.h, linux/seccomp.h).
struct Insn {
  uint16_t code;
  uint8_t jt, jf;
  uint32_t k;
};
struct Fprog {
  uint16_t len;
  const Insn* filter;
};
struct SeccompData {
  int32_t nr;
  uint32_t arch;
  uint64_t ip;
  uint64_t args[6];
};
static_assert(sizeof(SeccompData) == 64);

constexpr uint32_t kRetKillProcess = 0x80000000u, kRetKillThread = 0, kRetTrap = 0x00030000u,
                   kRetErrno = 0x00050000u, kRetUserNotif = 0x7fc00000u, kRetTrace = 0x7ff00000u,
                   kRetLog = 0x7ffc0000u, kRetAllow = 0x7fff0000u;
constexpr uint32_t kActionFull = 0xffff0000u, kRetData = 0x0000ffffu;
constexpr uint32_t kAuditArchX86_64 = 0xc000003eu;
constexpr uint16_t kMaxInsns = 4096;
constexpr unsigned long kFlagTsync = 1, kFlagLog = 2, kFlagSpecAllow = 4;

// BPF opcode fields.
constexpr uint16_t kClass = 0x07, kLd = 0x00, kLdx = 0x01, kSt = 0x02, kStx = 0x03, kAlu = 0x04,
                   kJmp = 0x05, kRet = 0x06, kMisc = 0x07;
constexpr uint16_t kMode = 0xe0, kImm = 0x00, kAbs = 0x20, kMem = 0x60, kLen = 0x80;
constexpr uint16_t kSrcX = 0x08;
constexpr uint16_t kOp = 0xf0;

struct Filter {
  Filter* prev;  // older filter
  uint16_t len;
  Insn insns[1];  // len of them
};
Filter* g_filters = nullptr;  // newest first; inherited by fork (memory is copied)
Lock g_filters_lock;

// Runs one (kernel-validated) program over `d`. Out-of-range reads and
// jumps cannot happen in a program the kernel accepted; they KILL anyway.
uint32_t run(const Filter& f, const SeccompData& d) {
  uint32_t a = 0, x = 0, mem[16] = {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(&d);
  for (uint32_t pc = 0; pc < f.len; ++pc) {
    const Insn& i = f.insns[pc];
    uint32_t src = (i.code & kSrcX) ? x : i.k;
    switch (i.code & kClass) {
      case kLd:
        if ((i.code & kMode) == kAbs) {
          if (i.k > sizeof d - 4 || (i.k & 3)) return kRetKillProcess;
          memcpy(&a, bytes + i.k, 4);
        } else if ((i.code & kMode) == kImm) {
          a = i.k;
        } else if ((i.code & kMode) == kMem) {
          if (i.k >= 16) return kRetKillProcess;
          a = mem[i.k];
        } else if ((i.code & kMode) == kLen) {
          a = sizeof d;
        } else {
          return kRetKillProcess;
        }
        break;
      case kLdx:
        if ((i.code & kMode) == kImm) {
          x = i.k;
        } else if ((i.code & kMode) == kMem) {
          if (i.k >= 16) return kRetKillProcess;
          x = mem[i.k];
        } else if ((i.code & kMode) == kLen) {
          x = sizeof d;
        } else {
          return kRetKillProcess;
        }
        break;
      case kSt:
      case kStx:
        if (i.k >= 16) return kRetKillProcess;
        mem[i.k] = (i.code & kClass) == kSt ? a : x;
        break;
      case kAlu:
        switch (i.code & kOp) {
          case 0x00:
            a += src;
            break;
          case 0x10:
            a -= src;
            break;
          case 0x20:
            a *= src;
            break;
          case 0x30:
            a = src ? a / src : 0;
            break;
          case 0x40:
            a |= src;
            break;
          case 0x50:
            a &= src;
            break;
          case 0x60:
            a = src < 32 ? a << src : 0;
            break;
          case 0x70:
            a = src < 32 ? a >> src : 0;
            break;
          case 0x80:
            a = 0u - a;
            break;
          case 0x90:
            a = src ? a % src : 0;
            break;
          case 0xa0:
            a ^= src;
            break;
          default:
            return kRetKillProcess;
        }
        break;
      case kJmp: {
        uint32_t target;
        if ((i.code & kOp) == 0x00) {  // JA
          target = pc + 1 + i.k;
        } else {
          bool taken;
          switch (i.code & kOp) {
            case 0x10:
              taken = a == src;
              break;
            case 0x20:
              taken = a > src;
              break;
            case 0x30:
              taken = a >= src;
              break;
            case 0x40:
              taken = (a & src) != 0;
              break;
            default:
              return kRetKillProcess;
          }
          target = pc + 1 + (taken ? i.jt : i.jf);
        }
        if (target >= f.len) return kRetKillProcess;
        pc = target - 1;
        break;
      }
      case kRet:
        return (i.code & 0x18) == 0x10 ? a : i.k;  // BPF_A : BPF_K
      case kMisc:
        if (i.code & 0xf8) {
          a = x;  // TXA
        } else {
          x = a;  // TAX
        }
        break;
    }
  }
  return kRetKillProcess;
}

int32_t action_rank(uint32_t ret) {
  return static_cast<int32_t>(ret & kActionFull);
}

[[noreturn]] void die_of_sigsys() {
  // SIGSYS's default action, so the parent sees "killed by SIGSYS".
  k::sigaction dfl{};
  sys(__NR_rt_sigaction, k::SIGSYS, reinterpret_cast<long>(&dfl), 0, 8);
  uint64_t set = k::sigbit(k::SIGSYS);
  sys(__NR_rt_sigprocmask, 1 /*SIG_UNBLOCK*/, reinterpret_cast<long>(&set), 0, 8);
  sys(__NR_pidfd_send_signal, -10001 /*PIDFD_SELF_THREAD_GROUP*/, k::SIGSYS, 0, 0);
  exit_group(128 + k::SIGSYS);
}

// Size of the xsave area a signal frame's fpstate points to.
uint64_t fpstate_size(const void* fp) {
  struct SwBytes {
    uint32_t magic1, extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size, pad[7];
  };
  SwBytes sw;
  memcpy(&sw, static_cast<const char*>(fp) + 464, sizeof sw);
  if (sw.magic1 == 0x46505853u && sw.extended_size >= 512 && sw.extended_size <= 64 * 1024)
    return sw.extended_size;
  return 512;
}

}  // namespace

bool active() {
  return __atomic_load_n(&g_filters, __ATOMIC_ACQUIRE) != nullptr;
}

long install(unsigned long flags, const void* user_fprog) {
  if (flags & ~(kFlagTsync | kFlagLog | kFlagSpecAllow)) return -k::EINVAL;
  if (!user_fprog) return -k::EFAULT;
  Fprog in;
  memcpy(&in, user_fprog, sizeof in);
  // The kernel's limit less the prefix below.
  constexpr uint16_t kPrefix = 9;
  if (in.len == 0 || in.len > kMaxInsns - kPrefix || !in.filter) return -k::EINVAL;

  auto* f = static_cast<Filter*>(alloc(sizeof(Filter) + sizeof(Insn) * in.len));
  auto* wrapped = static_cast<Insn*>(alloc(sizeof(Insn) * (in.len + kPrefix)));
  if (!f || !wrapped) {
    if (f) free(f);
    if (wrapped) free(wrapped);
    return -k::ENOMEM;
  }
  f->len = in.len;
  memcpy(f->insns, in.filter, sizeof(Insn) * in.len);

  // ALLOW the libOS's own syscall sites; everything else meets the app's
  // program with A = 0, as the kernel starts it.
  auto ip = [](const char* p) { return reinterpret_cast<uint64_t>(p); };
  uint32_t hi = static_cast<uint32_t>(ip(lb_gate_ip) >> 32);
  auto lo = [&](const char* p) {
    // The three sites sit within bytes of each other; should one straddle a
    // 4 GiB line, compare it as the gate (it can then only be stricter).
    return static_cast<uint32_t>(ip(p) >> 32) == hi ? static_cast<uint32_t>(ip(p))
                                                    : static_cast<uint32_t>(ip(lb_gate_ip));
  };
  const Insn prefix[kPrefix] = {
      {kLd | 0x00 | kAbs, 0, 0, 12},             // 0: A = ip >> 32
      {kJmp | 0x10, 0, 6, hi},                   // 1: != hi -> 8
      {kLd | 0x00 | kAbs, 0, 0, 8},              // 2: A = ip & 0xffffffff
      {kJmp | 0x10, 3, 0, lo(lb_gate_ip)},       // 3: gate -> 7
      {kJmp | 0x10, 2, 0, lo(lb_sigreturn_ip)},  // 4: trampoline -> 7
      {kJmp | 0x10, 1, 0, lo(lb_resume_ip)},     // 5: thread start -> 7
      {kJmp | 0x00, 0, 0, 1},                    // 6: -> 8
      {kRet | 0x00, 0, 0, kRetAllow},            // 7
      {kLd | 0x00 | kImm, 0, 0, 0},              // 8: A = 0, then the app's
  };
  memcpy(wrapped, prefix, sizeof prefix);
  memcpy(wrapped + kPrefix, f->insns, sizeof(Insn) * in.len);
  Fprog out{static_cast<uint16_t>(in.len + kPrefix), wrapped};

  Guard g(g_filters_lock);
  long r = sys(__NR_seccomp, 1 /*SECCOMP_SET_MODE_FILTER*/, static_cast<long>(flags),
               reinterpret_cast<long>(&out));
  free(wrapped);
  if (r != 0) {  // invalid program (EINVAL), TSYNC conflict (a tid), ...
    free(f);
    return r;
  }
  f->prev = g_filters;
  __atomic_store_n(&g_filters, f, __ATOMIC_RELEASE);
  return 0;
}

bool check(const SyscallCtx& c, uint64_t call_ip, long* result) {
  const Filter* f = __atomic_load_n(&g_filters, __ATOMIC_ACQUIRE);
  if (!f) return false;
  SeccompData d;
  d.nr = static_cast<int32_t>(c.nr);
  d.arch = kAuditArchX86_64;
  d.ip = call_ip;
  for (int i = 0; i < 6; ++i) d.args[i] = static_cast<uint64_t>(c.a[i]);
  // The kernel's rule: the lowest action wins; among equals, the newest.
  uint32_t ret = kRetAllow;
  for (; f; f = f->prev) {
    uint32_t r = run(*f, d);
    if (action_rank(r) < action_rank(ret)) ret = r;
  }
  switch (ret & kActionFull) {
    case kRetAllow:
    case kRetLog:
      return false;
    case kRetErrno: {
      uint32_t e = ret & kRetData;
      *result = -static_cast<long>(e > 4095 ? 4095 : e);
      return true;
    }
    case kRetTrace:      // no tracer
    case kRetUserNotif:  // no listener (NEW_LISTENER is refused)
      *result = -k::ENOSYS;
      return true;
    default:
      // KILL and TRAP outrank or tie the partition's TRAP, so the kernel
      // already acted on them; the same program here cannot disagree.
      if ((ret & kActionFull) == kRetKillThread) {
        for (;;) sys(__NR_exit, 128 + k::SIGSYS);
      }
      die_of_sigsys();
  }
}

void deliver(k::siginfo* si, k::ucontext* uc) {
  k::sigaction act;
  {
    Guard g(g_proc.lock);
    act = g_proc.actions[k::SIGSYS];
    if (act.handler != nullptr && (act.flags & k::SA_RESETHAND))
      g_proc.actions[k::SIGSYS] = k::sigaction{};
  }
  // SIG_DFL (0) or SIG_IGN (1): a seccomp SIGSYS is forced, so both die.
  if (reinterpret_cast<uintptr_t>(act.handler) <= 1 || !(act.flags & k::SA_RESTORER))
    die_of_sigsys();

  // Build the frame the kernel would have built on the app's stack (or its
  // alternate stack), then make our own sigreturn resume in its handler.
  uint64_t sp = uc->mc.rsp;
  const k::stack_t& alt = g_proc.app_altstack;
  bool on_alt = !(alt.flags & k::SS_DISABLE) && sp - reinterpret_cast<uint64_t>(alt.sp) < alt.size;
  if ((act.flags & k::SA_ONSTACK) && !(alt.flags & k::SS_DISABLE) && !on_alt)
    sp = reinterpret_cast<uint64_t>(alt.sp) + alt.size;
  else
    sp -= 128;  // red zone
  uint64_t fp_src = uc->mc.fpstate;
  uint64_t fp_dst = 0;
  if (fp_src) {
    uint64_t n = fpstate_size(reinterpret_cast<const void*>(fp_src));
    sp = (sp - n) & ~63ull;
    memcpy(reinterpret_cast<void*>(sp), reinterpret_cast<const void*>(fp_src), n);
    fp_dst = sp;
  }
  struct Frame {
    void* pretcode;
    k::ucontext uc;
    k::siginfo info;
  };
  uint64_t frame_addr = ((sp - sizeof(Frame)) & ~15ull) - 8;
  auto* frame = reinterpret_cast<Frame*>(frame_addr);
  frame->pretcode = act.restorer;
  memcpy(&frame->uc, uc, sizeof *uc);
  frame->uc.mc.fpstate = fp_dst;
  memcpy(&frame->info, si, sizeof *si);

  uint64_t mask = uc->sigmask | act.mask;
  if (!(act.flags & k::SA_NODEFER)) mask |= k::sigbit(k::SIGSYS);
  uc->sigmask = mask & ~k::sigbit(k::SIGSYS);  // SIGSYS stays the libOS's
  uc->mc.rip = reinterpret_cast<uint64_t>(act.handler);
  uc->mc.rsp = frame_addr;
  uc->mc.rdi = k::SIGSYS;
  uc->mc.rsi = reinterpret_cast<uint64_t>(&frame->info);
  uc->mc.rdx = reinterpret_cast<uint64_t>(&frame->uc);
  uc->mc.rax = 0;
}

}  // namespace lb::app_filter
