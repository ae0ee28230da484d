// UidLease: two live sandboxes never share a host uid, and a lease left by
// a dead supervisor is swept (its processes killed) before reuse.
#include "runtime/uid_lease.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace litebox::runtime {
namespace {

class UidLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (setresuid to the leased uid)";
    char tmpl[] = "/tmp/litebox-uidlease-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // A process running as `uid` (as a sandbox's guest would), paused.
  pid_t SpawnAs(uid_t uid) {
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
      // Not the test's lease fds: a flock is held while any copy of its fd is open.
      for (int fd = 3; fd < 1024; ++fd)
        if (fd != p[1]) close(fd);
      if (setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0) _exit(1);
      (void)!write(p[1], "x", 1);
      for (;;) pause();
    }
    close(p[1]);
    char c;
    EXPECT_EQ(read(p[0], &c, 1), 1);
    close(p[0]);
    return pid;
  }
  // How a child ended: the signal that killed it, or -1 if still running
  // after `ms` milliseconds (then it is killed and reaped here).
  static int EndSignal(pid_t pid, int ms) {
    int st = 0;
    for (int i = 0; i < ms; ++i) {
      if (waitpid(pid, &st, WNOHANG) == pid) return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
      usleep(1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
  }
  std::string dir_;
  static constexpr uid_t kUid = UidLease::kFirstUid + 4242;
};

TEST_F(UidLeaseTest, LiveLeasesNeverShareAUid) {
  std::string err;
  auto a = UidLease::Acquire("a", &err, dir_, kUid);
  ASSERT_TRUE(a) << err;
  auto b = UidLease::Acquire("b", &err, dir_, kUid);
  ASSERT_TRUE(b) << err;
  EXPECT_EQ(a->uid(), kUid);
  EXPECT_NE(a->uid(), b->uid());
  std::ifstream owner(a->path());
  std::string line;
  std::getline(owner, line);
  EXPECT_EQ(line, "a");
  // Released: the file goes and the uid is free again.
  a->Release();
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/" + std::to_string(kUid)));
  auto c = UidLease::Acquire("c", &err, dir_, kUid);
  ASSERT_TRUE(c) << err;
  EXPECT_EQ(c->uid(), kUid);
}

TEST_F(UidLeaseTest, RandomStartsStayInTheRange) {
  std::string err;
  for (int i = 0; i < 20; ++i) {
    auto l = UidLease::Acquire("r", &err, dir_);
    ASSERT_TRUE(l) << err;
    EXPECT_GE(l->uid(), UidLease::kFirstUid);
    EXPECT_LT(l->uid() - UidLease::kFirstUid, UidLease::kUidCount);
  }
}

TEST_F(UidLeaseTest, StaleLeaseIsSweptBeforeReuse) {
  // A supervisor died (SIGKILL) with a guest still running under its uid:
  // the lock file stays, unlocked.
  std::string err;
  auto dead = UidLease::Acquire("dead", &err, dir_, kUid);
  ASSERT_TRUE(dead) << err;
  pid_t orphan = SpawnAs(kUid);
  dead->Abandon();
  auto next = UidLease::Acquire("next", &err, dir_, kUid);
  ASSERT_TRUE(next) << err;
  EXPECT_EQ(next->uid(), kUid);
  EXPECT_EQ(EndSignal(orphan, 2000), SIGKILL) << "the dead sandbox's process outlived reuse";
}

TEST_F(UidLeaseTest, OrphanKillSparesAUidANewSandboxHolds) {
  std::string err;
  auto held = UidLease::Acquire("live", &err, dir_, kUid);
  ASSERT_TRUE(held) << err;
  pid_t guest = SpawnAs(kUid);
  // Another sandbox's creator sees its own (dead) supervisor's uid: the
  // lease is held by a live one, whose process must survive.
  KillOrphansOfLease(kUid, dir_);
  EXPECT_EQ(EndSignal(guest, 200), -1) << "a live sandbox's process was killed";
  guest = SpawnAs(kUid);
  held->Abandon();  // now its supervisor is dead
  KillOrphansOfLease(kUid, dir_);
  EXPECT_EQ(EndSignal(guest, 2000), SIGKILL);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/" + std::to_string(kUid)));
}

TEST_F(UidLeaseTest, UnusableDirectoryIsNamed) {
  std::string err;
  std::string file = dir_ + "/not-a-dir";
  std::ofstream(file) << "x";
  EXPECT_FALSE(UidLease::Acquire("x", &err, file + "/sub"));
  EXPECT_NE(err.find(file), std::string::npos) << err;
}

}  // namespace
}  // namespace litebox::runtime
