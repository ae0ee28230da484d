// Memory syscalls the application cannot make natively: brk (the host
// break belongs to the libOS image) and mincore (a page-cache side channel).
#include "libos/dispatch.hpp"
#include "libos/rt/sys.hpp"

using namespace lb;

namespace {
constexpr uint64_t kPage = 4096;
constexpr uint64_t kBrkMax = 1ull << 40;  // never more than this above brk_start
}  // namespace

LB_SYSCALL_DIRECT(brk) {
  Guard g(g_proc.lock);
  uint64_t want = static_cast<uint64_t>(c.a[0]);
  if (want == 0 || want < g_proc.brk_start || want - g_proc.brk_start > kBrkMax)
    return static_cast<long>(g_proc.brk_cur);
  uint64_t need = (want + kPage - 1) & ~(kPage - 1);
  if (need > g_proc.brk_mapped) {
    // Grow without clobbering anything the application mapped there.
    long r =
        sys(__NR_mmap, g_proc.brk_mapped, need - g_proc.brk_mapped, k::PROT_READ | k::PROT_WRITE,
            k::MAP_PRIVATE | k::MAP_ANONYMOUS | k::MAP_FIXED_NOREPLACE, -1, 0);
    if (is_err(r) || static_cast<uint64_t>(r) != g_proc.brk_mapped) {
      if (!is_err(r)) sys(__NR_munmap, r, need - g_proc.brk_mapped);
      return static_cast<long>(g_proc.brk_cur);  // failure: the old break
    }
    g_proc.brk_mapped = need;
  } else if (need < g_proc.brk_mapped) {
    sys(__NR_munmap, need, g_proc.brk_mapped - need);
    g_proc.brk_mapped = need;
  }
  g_proc.brk_cur = want;
  return static_cast<long>(want);
}

LB_SYSCALL_DIRECT(mincore) {
  // Every mapped page is reported resident; unmapped ranges give ENOMEM.
  uint64_t addr = static_cast<uint64_t>(c.a[0]), len = static_cast<uint64_t>(c.a[1]);
  if (addr & (kPage - 1)) return -k::EINVAL;
  long r = sys(__NR_msync, addr, len, 1 /*MS_ASYNC*/);
  if (r < 0) return r;
  uint64_t pages = (len + kPage - 1) / kPage;
  memset(reinterpret_cast<void*>(c.a[2]), 1, pages);
  return 0;
}
