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
    char tmpl[] = "/tmp/litebox-loadavg.XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override { unlink(path_.c_str()); }
  // The file as the kernel writes it, with `running` runnable tasks.
  void Write(int running) {
    std::ofstream(path_, std::ios::trunc) << "1.79 2.35 2.19 " << running << "/83 27308\n";
  }
  std::string path_;
};

constexpr int64_t kMs = 1'000'000;

TEST_F(CpuPressureTest, BusyOnceMoreTasksRunThanThereAreCpusForThreeSamples) {
  Write(2);
  CpuPressure p(path_.c_str(), 2);
  const int64_t t0 = 100 * kMs;
  EXPECT_FALSE(p.Busy(t0));  // 2 runnable on 2 CPUs: one of them may be us
  Write(3);
  EXPECT_FALSE(p.Busy(t0 + 1 * kMs)) << "within a window no new sample";
  EXPECT_FALSE(p.Busy(t0 + 5 * kMs));  // one sample over
  EXPECT_FALSE(p.Busy(t0 + 10 * kMs));
  EXPECT_TRUE(p.Busy(t0 + 15 * kMs));  // three in a row
  EXPECT_TRUE(p.Busy(t0 + 16 * kMs));
  Write(1);
  EXPECT_FALSE(p.Busy(t0 + 20 * kMs)) << "one sample under ends it";
  Write(3);
  EXPECT_FALSE(p.Busy(t0 + 25 * kMs));
}

TEST_F(CpuPressureTest, WithoutAReadableFileNeverBusy) {
  CpuPressure missing("/nonexistent/loadavg", 2);
  EXPECT_FALSE(missing.Busy(10 * kMs));
  EXPECT_FALSE(missing.Busy(100 * kMs));
  std::ofstream(path_, std::ios::trunc) << "garbage\n";
  CpuPressure garbled(path_.c_str(), 2);
  EXPECT_FALSE(garbled.Busy(10 * kMs));
  EXPECT_FALSE(garbled.Busy(100 * kMs));
}

}  // namespace
}  // namespace litebox::runtime
