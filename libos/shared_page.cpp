#include "libos/shared_page.hpp"

#include "libos/abi/constants.h"
#include "libos/abi/proto.h"
#include "libos/rt/kernel.hpp"
#include "libos/rt/sys.hpp"
#include "libos/rt/util.hpp"

namespace lb::page {

namespace proto = litebox::proto;

namespace {
LB_HOT char* g_base = nullptr;
// RDTSCP is there and TSC_AUX holds the CPU number (Linux keeps it there).
LB_HOT bool g_rdtscp = false;
// The CPU of the last post, plus one (0: unknown).
LB_HOT uint32_t g_post_cpu = 0;

proto::ShmControl* ctl() {
  return reinterpret_cast<proto::ShmControl*>(g_base);
}

// About 20 us at 3 GHz: a file op is answered within ~10 us while the
// supervisor polls; past this it is asleep or busy, and so should we be
// (spinning longer cost make -j2 ~3%: its CPUs are all busy).
constexpr uint64_t kSpinCycles = 60'000;
// Past ~5 us of spinning (an open takes ~5 us on the supervisor's side),
// yield now and then: on a busy machine the supervisor may be waiting for
// this very CPU (a yield with nobody else runnable here returns at once).
constexpr uint64_t kYieldAfterCycles = 15'000, kYieldEveryCycles = 6'000;
// A sleeping waiter checks this often that the supervisor still exists.
constexpr int64_t kSleepCheckNs = 200'000'000;

struct PollFd {
  int fd;
  short events, revents;
};
constexpr short kPollHup = 0x10, kPollRdHup = 0x2000, kPollErr = 0x8;

[[noreturn]] void supervisor_gone() {
  exit_group(128 + k::SIGKILL);
}
}  // namespace

void init_cpu_hint() {
  // The CPUID bit alone does not say the kernel keeps the CPU number in
  // TSC_AUX (clearcpuid=rdtscp, some hypervisors): one getcpu confirms it.
  uint32_t a = 0x80000001, b = 0, c = 0, d = 0;
  asm volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
  if (((d >> 27) & 1) == 0) return;
  unsigned aux = 0, cpu = ~0u;
  __builtin_ia32_rdtscp(&aux);
  g_rdtscp = sys(__NR_getcpu, reinterpret_cast<long>(&cpu), 0, 0) == 0 && (aux & 0xfff) == cpu;
}

bool ready() {
  return g_base != nullptr;
}

bool map(int fd) {
  long r = sys(__NR_mmap, 0, proto::kShmSize, 3 /*RW*/, 1 /*MAP_SHARED*/, fd, 0);
  sys(__NR_close, fd);
  if (is_err(r)) return false;
  // A fork child must not post on its parent's page.
  sys(__NR_madvise, r, proto::kShmSize, 10 /*MADV_DONTFORK*/);
  own_range_add(static_cast<uint64_t>(r), proto::kShmSize);
  g_base = reinterpret_cast<char*>(r);
  return true;
}

bool sandbox_opath() {
  return g_base && __atomic_load_n(&ctl()->sandbox_opath, __ATOMIC_RELAXED) != 0;
}

uint32_t lookup_tag() {
  return g_base ? __atomic_load_n(&ctl()->lookup_tag, __ATOMIC_ACQUIRE) : 0;
}

char* request_area() {
  return g_base + proto::kShmReqOffset;
}

bool post(uint32_t len, uint32_t sock_sent) {
  proto::ShmControl* c = ctl();
  c->req_len = len;
  c->sock_sent = sock_sent;
  c->guest_waiting = 0;
  if (g_rdtscp) {
    unsigned aux;
    __builtin_ia32_rdtscp(&aux);
    g_post_cpu = (aux & 0xfff) + 1;  // the node is above bit 12
    c->guest_cpu = g_post_cpu;
  }
  // seq_cst store then load: either the supervisor sees the post before it
  // parks, or we see it parked and ring (Dekker; both sides fence).
  __atomic_store_n(&c->state, proto::kShmPosted, __ATOMIC_SEQ_CST);
  return __atomic_load_n(&c->sup_sleeping, __ATOMIC_SEQ_CST) != 0;
}

uint32_t wait() {
  proto::ShmControl* c = ctl();
  const uint64_t t0 = __builtin_ia32_rdtsc();
  // Yielding is for a supervisor that waits for this very CPU; one that
  // cannot run here (it moved off it) only costs us a system call per
  // yield (~8 of them per fork+exec+wait of a dynamic binary before).
  const bool may_yield =
      g_post_cpu == 0 || __atomic_load_n(&c->sup_avoids_cpu, __ATOMIC_RELAXED) != g_post_cpu;
  uint64_t next_yield = may_yield ? t0 + kYieldAfterCycles : ~uint64_t{0};
  uint32_t s;
  while ((s = __atomic_load_n(&c->state, __ATOMIC_ACQUIRE)) == proto::kShmPosted) {
    uint64_t t = __builtin_ia32_rdtsc();
    if (t - t0 > kSpinCycles) break;
    if (t >= next_yield) {
      sys(__NR_sched_yield);
      next_yield = __builtin_ia32_rdtsc() + kYieldEveryCycles;
    }
    __builtin_ia32_pause();
  }
  if (s == proto::kShmPosted) {
    __atomic_store_n(&c->guest_waiting, 1, __ATOMIC_SEQ_CST);
    for (;;) {
      s = __atomic_load_n(&c->state, __ATOMIC_SEQ_CST);
      if (s != proto::kShmPosted) break;
      k::timespec ts{0, kSleepCheckNs};
      long r = sys(__NR_futex, reinterpret_cast<long>(&c->state), 0 /*FUTEX_WAIT*/,
                   proto::kShmPosted, reinterpret_cast<long>(&ts));
      if (r == -k::ETIMEDOUT) {
        PollFd p{abi::kChannelFd, kPollRdHup, 0};
        k::timespec zero{0, 0};
        long n = sys(__NR_ppoll, reinterpret_cast<long>(&p), 1, reinterpret_cast<long>(&zero), 0);
        if (n < 0 || (n > 0 && (p.revents & (kPollHup | kPollRdHup | kPollErr)))) supervisor_gone();
      }
    }
    __atomic_store_n(&c->guest_waiting, 0, __ATOMIC_RELAXED);
  }
  if (s != proto::kShmAnswered && s != proto::kShmOnSocket) supervisor_gone();
  return s;
}

const char* answer(size_t* len) {
  uint32_t n = ctl()->resp_len;
  *len = n <= proto::kShmRespCap ? n : 0;
  return g_base + proto::kShmRespOffset;
}

uint32_t take_fork_vpid() {
  if (!g_base) return 0;
  return __atomic_exchange_n(&ctl()->fork_vpid, 0u, __ATOMIC_ACQ_REL);
}

void forget_in_child() {
  if (g_base) own_range_remove(reinterpret_cast<uint64_t>(g_base));
  g_base = nullptr;
}

}  // namespace lb::page
