#include "runtime/cpu_pressure.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace litebox::runtime {

CpuPressure::CpuPressure(const char* path) {
  fd_ = open(path, O_RDONLY | O_CLOEXEC);
  uint64_t t;
  if (fd_ >= 0 && !ReadTotal(&t)) {
    close(fd_);
    fd_ = -1;
  }
}

CpuPressure::~CpuPressure() {
  if (fd_ >= 0) close(fd_);
}

// The first line: "some avg10=0.00 avg60=0.00 avg300=0.00 total=123456".
bool CpuPressure::ReadTotal(uint64_t* total_us) const {
  char buf[256];
  ssize_t n = pread(fd_, buf, sizeof buf - 1, 0);
  if (n <= 0) return false;
  buf[n] = 0;
  if (strncmp(buf, "some ", 5) != 0) return false;
  const char* t = strstr(buf, "total=");
  const char* eol = strchr(buf, '\n');
  if (t == nullptr || (eol != nullptr && t > eol)) return false;
  char* end = nullptr;
  *total_us = strtoull(t + 6, &end, 10);
  return end != t + 6;
}

bool CpuPressure::Busy(int64_t now_ns) {
  if (fd_ < 0) return false;
  if (now_ns - last_ns_ < kWindowNs) return busy_;
  uint64_t total;
  if (!ReadTotal(&total)) return busy_ = false;
  if (last_ns_ != 0) {
    const double waited_ns = static_cast<double>(total - last_total_us_) * 1000.0;
    busy_ = waited_ns > kBusyShare * static_cast<double>(now_ns - last_ns_);
  }
  last_ns_ = now_ns;
  last_total_us_ = total;
  return busy_;
}

}  // namespace litebox::runtime
