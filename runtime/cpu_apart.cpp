#include "runtime/cpu_apart.hpp"

#include <algorithm>

namespace litebox::runtime {

CpuApart::CpuApart() {
  CPU_ZERO(&home_);
  sched_getaffinity(0, sizeof home_, &home_);
}

void CpuApart::Restore() {
  if (sched_setaffinity(0, sizeof home_, &home_) != 0) {
    // The home set is gone (a cpuset shrank under us): take what we are
    // allowed now as home.
    CPU_ZERO(&home_);
    sched_getaffinity(0, sizeof home_, &home_);
  }
  narrowed_ = false;
}

void CpuApart::Served(uint32_t guest_cpu, int own_cpu, bool busy, int64_t now_ns) {
  apart_ = false;
  if (busy) {
    // Polling is off: let the scheduler put the supervisor wherever there
    // is room when it wakes.
    if (narrowed_) Restore();
    return;
  }
  if (guest_cpu == 0 || guest_cpu > CPU_SETSIZE || own_cpu < 0) return;
  const int cpu = static_cast<int>(guest_cpu - 1);
  if (own_cpu != cpu) {
    apart_ = true;
    return;
  }
  if (now_ns - last_move_ns_ < kMinIntervalNs) return;
  // Whatever the host changed since (taskset, a cpuset) is the home set
  // while we are not narrowed.
  if (!narrowed_) sched_getaffinity(0, sizeof home_, &home_);
  cpu_set_t others = home_;
  CPU_CLR(cpu, &others);
  if (CPU_COUNT(&others) == 0) return;
  last_move_ns_ = now_ns;
  if (sched_setaffinity(0, sizeof others, &others) == 0) {
    narrowed_ = apart_ = true;
    avoided_ = cpu;
  }
}

void CpuApart::Idle(int64_t now_ns) {
  apart_ = false;
  if (narrowed_ && now_ns - last_move_ns_ >= kKeepNs) Restore();
}

void SpinBudget::Refill(int64_t now_ns) {
  if (now_ns > last_ns_) tokens_ = std::min(kBurstNs, tokens_ + (now_ns - last_ns_) / kRateDen);
  last_ns_ = std::max(last_ns_, now_ns);
}

bool SpinBudget::Allows(int64_t ns, int64_t now_ns) {
  Refill(now_ns);
  return tokens_ >= ns;
}

void SpinBudget::Spent(int64_t ns, int64_t now_ns) {
  Refill(now_ns);
  tokens_ -= std::max<int64_t>(0, ns);
}

}  // namespace litebox::runtime
