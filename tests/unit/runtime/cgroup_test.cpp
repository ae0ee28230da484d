// runtime::Cgroup against the host's real hierarchy: limits land in the
// kernel's files, a joined process is listed in the cgroup and counted,
// Remove leaves nothing. Skipped without root or a mounted hierarchy.
#include "runtime/cgroup.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace litebox::runtime {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CgroupLimitsTest, RoundTripThroughTheControlProtocol) {
  CgroupLimits l;
  l.memory = 1048576;
  l.memory_swap = 2097152;
  l.cpu_shares = 512;
  l.cpu_quota = 50000;
  l.cpu_period = 100000;
  l.pids = 7;
  EXPECT_EQ(LimitsFromJson(ToJson(l)), l);
  EXPECT_TRUE(LimitsFromJson(ToJson(CgroupLimits{})).empty());
}

TEST(CgroupStatsTest, RoundTripThroughTheControlProtocol) {
  CgroupStats s;
  s.memory_usage = 1;
  s.oom_kills = 2;
  s.cpu_system_ns = 3;
  s.pids_limit = 4;
  CgroupStats t = StatsFromJson(ToJson(s));
  EXPECT_EQ(t.memory_usage, 1u);
  EXPECT_EQ(t.oom_kills, 2u);
  EXPECT_EQ(t.cpu_system_ns, 3u);
  EXPECT_EQ(t.pids_limit, 4u);
  EXPECT_EQ(ToJson(t), ToJson(s));
}

class CgroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CgroupLimits probe;
    probe.memory = 64 << 20;
    probe.pids = 10;
    std::string why = Cgroup::Unusable(probe);
    if (!why.empty()) GTEST_SKIP() << why;
    v1_ = access("/sys/fs/cgroup/pids/cgroup.procs", F_OK) == 0;
    path_ = "/litebox-unit-test/cg-" + std::to_string(getpid());
  }
  // The parent the test made (plain rmdir: it is busy while a sibling from
  // a concurrent run exists, and that is fine).
  void RemoveParent() {
    for (const char* c : {"memory", "cpu", "cpuacct", "pids", ""})
      rmdir((std::string("/sys/fs/cgroup/") + c + "/litebox-unit-test").c_str());
  }
  bool v1_ = false;
  std::string path_;
};

TEST_F(CgroupTest, LimitsJoinStatsRemove) {
  std::string err;
  auto cg = Cgroup::Create(path_, &err);
  ASSERT_TRUE(cg) << err;
  CgroupLimits l;
  l.memory = 64 << 20;
  l.pids = 10;
  l.cpu_quota = 50000;
  l.cpu_period = 100000;
  ASSERT_TRUE(cg->Apply(l, &err)) << err;
  if (v1_) {
    EXPECT_EQ(Read("/sys/fs/cgroup/memory" + path_ + "/memory.limit_in_bytes"), "67108864\n");
    EXPECT_EQ(Read("/sys/fs/cgroup/pids" + path_ + "/pids.max"), "10\n");
    EXPECT_EQ(Read("/sys/fs/cgroup/cpu" + path_ + "/cpu.cfs_quota_us"), "50000\n");
  } else {
    EXPECT_EQ(Read("/sys/fs/cgroup" + path_ + "/memory.max"), "67108864\n");
    EXPECT_EQ(Read("/sys/fs/cgroup" + path_ + "/pids.max"), "10\n");
  }
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  pid_t child = fork();
  if (child == 0) {
    close(go[1]);
    char c;
    (void)!read(go[0], &c, 1);
    _exit(0);
  }
  ASSERT_TRUE(cg->Join(child, &err)) << err;
  std::string procs =
      Read((v1_ ? "/sys/fs/cgroup/pids" : "/sys/fs/cgroup") + path_ + "/cgroup.procs");
  EXPECT_EQ(procs, std::to_string(child) + "\n");
  CgroupStats st = cg->Stats();
  EXPECT_EQ(st.pids_current, 1u);
  EXPECT_EQ(st.pids_limit, 10u);
  EXPECT_EQ(st.memory_limit, uint64_t(64 << 20));
  close(go[1]);
  waitpid(child, nullptr, 0);
  close(go[0]);
  ASSERT_TRUE(cg->Remove(&err)) << err;
  EXPECT_NE(access(((v1_ ? "/sys/fs/cgroup/pids" : "/sys/fs/cgroup") + path_).c_str(), F_OK), 0);
  RemoveParent();
}

TEST_F(CgroupTest, BadPathsAreRefused) {
  std::string err;
  EXPECT_FALSE(Cgroup::Create("/", &err));
  EXPECT_NE(err.find("invalid path"), std::string::npos) << err;
  EXPECT_FALSE(Cgroup::Create("/a/../../etc", &err));
}

TEST_F(CgroupTest, ABadValueNamesTheFile) {
  std::string err;
  auto cg = Cgroup::Create(path_, &err);
  ASSERT_TRUE(cg) << err;
  CgroupLimits l;
  l.cpu_quota = 5;  // below the kernel's 1 ms minimum
  EXPECT_FALSE(cg->Apply(l, &err));
  EXPECT_NE(err.find(v1_ ? "cpu.cfs_quota_us" : "cpu.max"), std::string::npos) << err;
  EXPECT_TRUE(cg->Remove(&err)) << err;
  RemoveParent();
}

}  // namespace
}  // namespace litebox::runtime
