// Keeping a new child on the CPU its creator runs on.
//
// The scheduler starts a new task on the idlest CPU. On a VM an idle vCPU
// can take milliseconds to be scheduled by the host (3.7 ms seen here for
// the end-of-sandbox sweep's child), while the creator sits waiting for
// the child (vfork) or for its first answer (the supervisor). Pinning the
// creator's thread to its current CPU around the clone makes the child
// inherit that one CPU; the creator gets its mask back at once, and so does
// a forked child (the destructor runs in it too) or a vfork-style one
// (RestoreIn) before it does any real work.
#pragma once

#include <sched.h>

namespace litebox::runtime {

class PinToThisCpu {
 public:
  PinToThisCpu();   // pins the calling thread; a no-op if that fails
  ~PinToThisCpu();  // restores the calling thread's mask
  PinToThisCpu(const PinToThisCpu&) = delete;
  PinToThisCpu& operator=(const PinToThisCpu&) = delete;

  // In the child: back to the creator's original mask. A raw syscall, so a
  // vfork-style child may call it.
  void RestoreIn() const;

 private:
  cpu_set_t original_;
  bool pinned_ = false;
};

}  // namespace litebox::runtime
