#include "runtime/cpu_pressure.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace litebox::runtime {
namespace {

class CpuPressureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/litebox-psi.XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override { unlink(path_.c_str()); }
  // The file as the kernel writes it, with "some" total = us.
  void Write(unsigned long long us) {
    std::ofstream(path_, std::ios::trunc) << "some avg10=1.00 avg60=2.00 avg300=3.00 total=" << us
                                          << "\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
  }
  std::string path_;
};

constexpr int64_t kMs = 1'000'000;

TEST_F(CpuPressureTest, BusyWhenTasksWaitedOverAQuarterOfTheWindow) {
  Write(1000);
  CpuPressure p(path_.c_str());
  const int64_t t0 = 100 * kMs;
  EXPECT_FALSE(p.Busy(t0));  // first sample: nothing to compare with
  Write(1000 + 5000);        // 5 ms of waiting in the next 10 ms
  EXPECT_TRUE(p.Busy(t0 + 10 * kMs));
  Write(6000 + 100);  // then 0.1 ms in 10 ms
  EXPECT_TRUE(p.Busy(t0 + 15 * kMs)) << "within a window the last verdict holds";
  EXPECT_FALSE(p.Busy(t0 + 20 * kMs));
  Write(6100 + 2000);  // 2 ms in 10 ms: 20%, under the line
  EXPECT_FALSE(p.Busy(t0 + 30 * kMs));
}

TEST_F(CpuPressureTest, WithoutPressureFileNeverBusy) {
  CpuPressure missing("/nonexistent/pressure/cpu");
  EXPECT_FALSE(missing.Busy(10 * kMs));
  EXPECT_FALSE(missing.Busy(100 * kMs));
  std::ofstream(path_, std::ios::trunc) << "garbage\n";
  CpuPressure garbled(path_.c_str());
  EXPECT_FALSE(garbled.Busy(10 * kMs));
  EXPECT_FALSE(garbled.Busy(100 * kMs));
}

}  // namespace
}  // namespace litebox::runtime
