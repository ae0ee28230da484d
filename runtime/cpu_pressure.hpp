// Whether this machine's CPUs were contended lately, from the kernel's CPU
// pressure (PSI, /proc/pressure/cpu: "some" is the share of time at least
// one runnable task waited for a CPU). The supervisor polls its guests'
// pages only while that is low: polling saves a sleeping CPU's wake-up,
// but on a machine with no idle CPU it takes time from a guest
// (make -j2 ran 12% faster without it).
#pragma once

#include <cstdint>

namespace litebox::runtime {

class CpuPressure {
 public:
  // Without PSI (not built in, or disabled): never busy. `path` for tests.
  explicit CpuPressure(const char* path = "/proc/pressure/cpu");
  ~CpuPressure();
  CpuPressure(const CpuPressure&) = delete;
  CpuPressure& operator=(const CpuPressure&) = delete;

  // True if tasks waited for a CPU more than kBusyShare of the time over
  // the last window (at least kWindowNs; the file is read once a window).
  bool Busy(int64_t now_ns);

  static constexpr int64_t kWindowNs = 10'000'000;
  static constexpr double kBusyShare = 0.25;

 private:
  bool ReadTotal(uint64_t* total_us) const;

  int fd_ = -1;
  int64_t last_ns_ = 0;
  uint64_t last_total_us_ = 0;
  bool busy_ = false;
};

}  // namespace litebox::runtime
