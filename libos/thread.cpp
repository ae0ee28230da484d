#include "libos/rt/sys.hpp"
#include "libos/state.hpp"

namespace lb {

Process g_proc;

Thread* thread_alloc() {
  const uint64_t size = abi::kThreadRegionSize;
  // Over-allocate, then trim to an aligned region.
  long r = sys(__NR_mmap, 0, 2 * size, k::PROT_READ | k::PROT_WRITE,
               k::MAP_PRIVATE | k::MAP_ANONYMOUS | k::MAP_NORESERVE, -1, 0);
  if (is_err(r)) return nullptr;
  uint64_t base = static_cast<uint64_t>(r);
  uint64_t aligned = (base + size - 1) & ~(size - 1);
  if (aligned > base) sys(__NR_munmap, base, aligned - base);
  uint64_t end = base + 2 * size, aend = aligned + size;
  if (end > aend) sys(__NR_munmap, aend, end - aend);
  // Guard page between the block and the stack growing down onto it.
  sys(__NR_mprotect, aligned + kThreadBlock - kGuard, kGuard, k::PROT_NONE);
  own_range_add(aligned, size);
  auto* t = reinterpret_cast<Thread*>(aligned);
  t->magic = kThreadMagic;
  return t;
}

}  // namespace lb
