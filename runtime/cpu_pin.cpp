#include "runtime/cpu_pin.hpp"

#include <sys/syscall.h>
#include <unistd.h>

namespace litebox::runtime {

PinToThisCpu::PinToThisCpu() {
  CPU_ZERO(&original_);
  const int cpu = sched_getcpu();
  if (cpu < 0 || sched_getaffinity(0, sizeof original_, &original_) != 0) return;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  pinned_ = sched_setaffinity(0, sizeof one, &one) == 0;
}

PinToThisCpu::~PinToThisCpu() {
  if (pinned_) sched_setaffinity(0, sizeof original_, &original_);
}

void PinToThisCpu::RestoreIn() const {
  if (pinned_) syscall(SYS_sched_setaffinity, 0, sizeof original_, &original_);
}

}  // namespace litebox::runtime
