// linux.resources as runc applies them: a memory limit the container's
// program exceeds gets it OOM-killed (the same program under a larger limit
// exits 0); a pids limit makes fork fail inside; `update` on a running
// container creates its cgroup, moves its processes in and the new limit
// shows in the host's cgroup files. Skipped (77) on a host without a usable
// cgroup hierarchy.
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "harness.hpp"
#include "runtime/cgroup.hpp"

namespace litebox::test {
namespace {

std::string WithResources(const std::string& bundle, const nlohmann::json& resources) {
  auto cfg = nlohmann::json::parse(ReadFile(bundle + "/config.json"));
  cfg["linux"]["resources"] = resources;
  WriteFile(bundle + "/config.json", cfg.dump());
  return bundle;
}

// The cgroup path of `controller` that /proc/<pid>/cgroup names ("" if none).
std::string CgroupOf(pid_t pid, const std::string& controller) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    // id:controllers:path
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::stringstream ctls(line.substr(a + 1, b - a - 1));
    std::string c;
    while (std::getline(ctls, c, ','))
      if (c == controller || (controller.empty() && line.substr(a + 1, b - a - 1).empty()))
        return line.substr(b + 1);
  }
  return "";
}

class ResourcesTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    runtime::CgroupLimits probe;
    probe.memory = 1 << 30;
    probe.pids = 100;
    std::string why = runtime::Cgroup::Unusable(probe);
    if (!why.empty()) GTEST_SKIP() << "no usable cgroup hierarchy: " << why;
  }
};

// busybox dd reads its whole 96 MiB block into one buffer: every page is
// touched, so the cgroup is charged for all of it. Under a 48 MiB limit the
// OOM killer SIGKILLs dd (the shell reports 137); under 256 MiB it exits 0.
TEST_F(ResourcesTest, MemoryLimitOomKillsTheContainerAndALargerOneDoesNot) {
  CmdResult probe = Litebox({"run", "--bundle",
                             WithResources(Bundle("small2", {"sh", "-c",
                                                             "dd if=/dev/zero of=/dev/null "
                                                             "bs=96M count=1 2>/dev/null; "
                                                             "echo rc=$?"}),
                                           {{"memory", {{"limit", 48 << 20}, {"swap", 48 << 20}}}}),
                             "m2"});
  EXPECT_NE(probe.out.find("rc=137"), std::string::npos) << probe.out << probe.err;
  CmdResult big = Litebox(
      {"run", "--bundle",
       WithResources(Bundle("big", {"sh", "-c",
                                    "dd if=/dev/zero of=/dev/null bs=96M count=1 2>/dev/null; "
                                    "echo rc=$?"}),
                     {{"memory", {{"limit", 256 << 20}}}}),
       "m3"});
  EXPECT_NE(big.out.find("rc=0"), std::string::npos) << big.out << big.err;
  ExpectNoChildren();
  EXPECT_TRUE(RootEntries().empty());
}

TEST_F(ResourcesTest, PidsLimitMakesForkFailInside) {
  // Eight background sleeps: under a limit of 4 tasks (the shell is one)
  // the fifth fork fails and busybox sh says so; without a limit none does.
  const std::vector<std::string> script = {
      "sh", "-c", "for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait; echo done"};
  CmdResult r = Litebox(
      {"run", "--bundle", WithResources(Bundle("p", script), {{"pids", {{"limit", 4}}}}), "p1"});
  EXPECT_NE((r.out + r.err).find("can't fork"), std::string::npos) << r.out << r.err;
  CmdResult u = Litebox({"run", "--bundle", Bundle("u", script), "p2"});
  EXPECT_EQ(u.status, 0) << u.err;
  EXPECT_EQ((u.out + u.err).find("can't fork"), std::string::npos) << u.out << u.err;
  EXPECT_NE(u.out.find("done"), std::string::npos) << u.out << u.err;
  ExpectNoChildren();
}

TEST_F(ResourcesTest, UpdateMovesARunningContainerIntoANewCgroup) {
  if (access("/sys/fs/cgroup/pids/cgroup.procs", F_OK) != 0)
    GTEST_SKIP() << "reads cgroup v1 files (this host has no v1 pids hierarchy)";
  std::string b = Bundle("u", {"sh", "-c", "echo ready; while :; do sleep 0.1; done"});
  pid_t init = Create("u1", b);
  ASSERT_GT(init, 0);
  ASSERT_EQ(Litebox({"start", "u1"}).status, 0);
  ASSERT_TRUE(WaitForText(dir_ + "/u1.out", "ready"));
  std::string before = CgroupOf(init, "pids");
  CmdResult up = Litebox({"update", "--pids-limit", "50", "--memory", "200m", "u1"});
  ASSERT_EQ(up.status, 0) << up.err;
  std::string after = CgroupOf(init, "pids");
  EXPECT_NE(after, before);
  ASSERT_FALSE(after.empty());
  EXPECT_EQ(ReadFile("/sys/fs/cgroup/pids" + after + "/pids.max"), "50\n");
  EXPECT_EQ(ReadFile("/sys/fs/cgroup/memory" + CgroupOf(init, "memory") + "/memory.limit_in_bytes"),
            std::to_string(200 << 20) + "\n");
  // A process forked after the move (the loop's sleeps) is in it too.
  CmdResult ps = Litebox({"ps", "--format", "json", "u1"});
  ASSERT_EQ(ps.status, 0) << ps.err;
  for (auto p : nlohmann::json::parse(ps.out)) {
    std::string cg = CgroupOf(p.get<pid_t>(), "pids");
    if (cg.empty() && !Alive(p.get<pid_t>())) continue;  // a sleep that just ended
    EXPECT_EQ(cg, after) << "pid " << p;
  }
  // A second update changes the same cgroup.
  ASSERT_EQ(Litebox({"update", "--pids-limit", "60", "u1"}).status, 0);
  EXPECT_EQ(ReadFile("/sys/fs/cgroup/pids" + after + "/pids.max"), "60\n");
  EXPECT_NE(Litebox({"update", "--memory", "lots", "u1"}).status, 0);
  EXPECT_EQ(Litebox({"kill", "u1", "9"}).status, 0);
  WaitChild(init);
  EXPECT_EQ(Litebox({"delete", "u1"}).status, 0);
  // The cgroup goes with the container.
  for (int i = 0; i < 100 && access(("/sys/fs/cgroup/pids" + after).c_str(), F_OK) == 0; ++i)
    usleep(20000);
  EXPECT_NE(access(("/sys/fs/cgroup/pids" + after).c_str(), F_OK), 0) << after << " left";
}

}  // namespace
}  // namespace litebox::test
