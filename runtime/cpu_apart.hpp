// Keeping the supervisor's thread off the CPU of the guest it serves.
//
// A guest that posts a request spins for the answer, and the supervisor
// polls for the next request: both are busy waits, and on one CPU each
// only gets on when the other yields. The scheduler leaves them together
// (the guest starts on the supervisor's CPU, cpu_pin.hpp, and wake-ups
// pull the woken task to the waker's CPU), so while the other CPU sat idle
// a stat took 25-50 us here instead of ~4 us: python3 -c pass made ~90
// such requests. The guest says which CPU it posted from (ShmControl::
// guest_cpu); when that is the supervisor's own and some other CPU is
// free, the supervisor narrows its affinity to the other CPUs and the
// kernel moves it there at once. When every CPU is taken (make -j2), or
// the supervisor goes to sleep a while after its last move, it gets its
// whole CPU set back.
#pragma once

#include <sched.h>

#include <cstdint>

namespace litebox::runtime {

class CpuApart {
 public:
  CpuApart();  // the calling thread's affinity now is its home set
  CpuApart(const CpuApart&) = delete;
  CpuApart& operator=(const CpuApart&) = delete;

  // A guest posted from CPU `guest_cpu` (ShmControl::guest_cpu: the CPU
  // number plus one; 0: unknown) while this thread ran on `own_cpu`
  // (sched_getcpu). `busy`: no CPU is free (CpuPressure), or too many
  // guests share the supervisor for one of them to matter.
  void Served(uint32_t guest_cpu, int own_cpu, bool busy, int64_t now_ns);
  // The supervisor is about to sleep: a narrowing older than kKeepNs ends
  // (an idle sandbox must not keep the supervisor off a CPU for good).
  void Idle(int64_t now_ns);

  bool narrowed() const { return narrowed_; }
  // The CPU left out while narrowed, plus one (0: not narrowed): the
  // supervisor cannot run there.
  uint32_t avoided() const { return narrowed_ ? static_cast<uint32_t>(avoided_) + 1 : 0; }
  // The last guest served (after any move) runs on another CPU than ours:
  // polling for its next request then takes no time from it.
  bool apart() const { return apart_; }

  // Moves happen at most this often: guests that keep following the
  // supervisor around (several of them, the scheduler) must not cost it a
  // system call per request.
  static constexpr int64_t kMinIntervalNs = 500'000;
  static constexpr int64_t kKeepNs = 50'000'000;

 private:
  void Restore();

  cpu_set_t home_;
  bool narrowed_ = false;
  int avoided_ = -1;
  bool apart_ = false;
  int64_t last_move_ns_ = INT64_MIN / 2;
};

// How long the supervisor may poll beyond its short spin: a token bucket
// of wall time (kRate of it, kBurstNs at once). A python3 start-up (~10 ms
// of requests every 50-200 us) fits in the burst; a guest that posts just
// often enough to keep the supervisor polling gets at most half a CPU of
// it, and only while the machine has CPUs to spare (CpuPressure).
class SpinBudget {
 public:
  static constexpr int64_t kBurstNs = 10'000'000;
  static constexpr int64_t kRateDen = 2;  // one ns of polling per kRateDen ns of time

  explicit SpinBudget(int64_t now_ns) : tokens_(kBurstNs), last_ns_(now_ns) {}
  // Whether `ns` of polling is affordable now (nothing is taken yet).
  bool Allows(int64_t ns, int64_t now_ns);
  // Polling that went on for `ns`.
  void Spent(int64_t ns, int64_t now_ns);

 private:
  void Refill(int64_t now_ns);
  int64_t tokens_;
  int64_t last_ns_;
};

}  // namespace litebox::runtime
