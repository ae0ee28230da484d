// Whether this machine's CPUs are all taken: more runnable tasks than CPUs
// (/proc/loadavg's "running/total" field, the supervisor itself included,
// sampled once a window). The supervisor polls its guests' pages only
// while some CPU is free: polling saves a sleeping CPU's wake-up, but on
// a machine with no idle CPU it takes time from a guest (make -j2 ran 12%
// faster without it). (The kernel's CPU pressure, PSI, was tried first: a
// guest and the supervisor waiting on each other on one CPU count as
// pressure there, and polling then stopped where it helps most.)
#pragma once

#include <cstdint>

namespace litebox::runtime {

class CpuPressure {
 public:
  // Without the file (or with one it cannot read): never busy. `path` and
  // `cpus` for tests; cpus 0: the CPUs this process may run on.
  explicit CpuPressure(const char* path = "/proc/loadavg", int cpus = 0);
  ~CpuPressure();
  CpuPressure(const CpuPressure&) = delete;
  CpuPressure& operator=(const CpuPressure&) = delete;

  // True if the last kBusySamples samples (taken at most once per
  // kWindowNs) all found more tasks runnable than there are CPUs: a moment
  // of it (a start-up, a kernel worker) is no reason to stop polling.
  bool Busy(int64_t now_ns);

  static constexpr int64_t kWindowNs = 5'000'000;
  static constexpr int kBusySamples = 3;

 private:
  bool ReadRunning(int* running) const;

  int fd_ = -1;
  int cpus_ = 1;
  int64_t last_ns_ = -kWindowNs;
  int over_ = 0;  // consecutive samples with more runnable tasks than CPUs
};

}  // namespace litebox::runtime
