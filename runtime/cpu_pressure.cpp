#include "runtime/cpu_pressure.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace litebox::runtime {

CpuPressure::CpuPressure(const char* path, int cpus) {
  if (cpus <= 0) {
    cpu_set_t set;
    cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  }
  cpus_ = cpus > 0 ? cpus : 1;
  fd_ = open(path, O_RDONLY | O_CLOEXEC);
  int r;
  if (fd_ >= 0 && !ReadRunning(&r)) {
    close(fd_);
    fd_ = -1;
  }
}

CpuPressure::~CpuPressure() {
  if (fd_ >= 0) close(fd_);
}

// "0.52 0.58 0.59 3/467 12345": the fourth field is running/total.
bool CpuPressure::ReadRunning(int* running) const {
  char buf[128];
  ssize_t n = pread(fd_, buf, sizeof buf - 1, 0);
  if (n <= 0) return false;
  buf[n] = 0;
  const char* p = buf;
  for (int field = 0; field < 3; ++field) {
    p = strchr(p, ' ');
    if (p == nullptr) return false;
    ++p;
  }
  char* end = nullptr;
  long r = strtol(p, &end, 10);
  if (end == p || *end != '/' || r < 0) return false;
  *running = static_cast<int>(r);
  return true;
}

bool CpuPressure::Busy(int64_t now_ns) {
  if (fd_ < 0) return false;
  if (now_ns - last_ns_ >= kWindowNs) {
    last_ns_ = now_ns;
    int running = 0;
    over_ = ReadRunning(&running) && running > cpus_ ? over_ + 1 : 0;
  }
  return over_ >= kBusySamples;
}

}  // namespace litebox::runtime
