// rootfs mounting with real mount(2) calls (the tests run as root).
#include "shim-v2/rootfs/mounts.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

namespace litebox::shim::rootfs {
namespace {

namespace fs = std::filesystem;

TEST(MountOptions, FlagWordsAndData) {
  MountArgs a = ParseOptions({"rbind", "ro", "nosuid", "lowerdir=/a:/b", "index=off"});
  EXPECT_EQ(a.flags, static_cast<unsigned long>(MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID));
  EXPECT_EQ(a.data, "lowerdir=/a:/b,index=off");
  a = ParseOptions({"ro", "rw", "loop"});
  EXPECT_EQ(a.flags & MS_RDONLY, 0u);
  EXPECT_TRUE(a.loop);
}

struct MountTest : ::testing::Test {
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "mount(2) needs root";
    base = fs::path("/tmp") / ("shim-mounts-" + std::to_string(getpid()));
    fs::create_directories(base / "src");
    fs::create_directories(base / "lower");
    fs::create_directories(base / "upper");
    fs::create_directories(base / "work");
    std::ofstream(base / "src" / "hello") << "hi";
    std::ofstream(base / "lower" / "from-lower") << "low";
    target = (base / "bundle" / "rootfs").string();
    fs::create_directories(base / "bundle");
  }
  void TearDown() override {
    if (base.empty()) return;
    std::string err;
    UnmountAll(target, &err);
    fs::remove_all(base);
  }
  fs::path base;
  std::string target;
};

TEST_F(MountTest, ReadOnlyBindThenUnmount) {
  std::string err;
  ASSERT_TRUE(MountAll({}, target, &err)) << err;  // creates the mount point only
  struct stat st;
  ASSERT_EQ(stat(target.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0711u);
  ASSERT_TRUE(MountAll({{"bind", (base / "src").string(), {"ro", "rbind"}}}, target, &err)) << err;
  EXPECT_TRUE(fs::exists(fs::path(target) / "hello"));
  int fd = open((target + "/new").c_str(), O_CREAT | O_WRONLY, 0644);
  EXPECT_EQ(fd, -1);
  EXPECT_EQ(errno, EROFS);
  ASSERT_TRUE(UnmountAll(target, &err)) << err;
  EXPECT_FALSE(fs::exists(fs::path(target) / "hello"));
  EXPECT_TRUE(UnmountAll(target, &err)) << "unmounting nothing is fine: " << err;
}

TEST_F(MountTest, OverlayLikeTheSnapshotter) {
  std::string err;
  std::vector<Mount> m = {
      {"overlay",
       "overlay",
       {"workdir=" + (base / "work").string(), "upperdir=" + (base / "upper").string(),
        "lowerdir=" + (base / "lower").string()}}};
  ASSERT_TRUE(MountAll(m, target, &err)) << err;
  EXPECT_TRUE(fs::exists(fs::path(target) / "from-lower"));
  std::ofstream(fs::path(target) / "written") << "w";
  EXPECT_TRUE(fs::exists(base / "upper" / "written"));
  ASSERT_TRUE(UnmountAll(target, &err)) << err;
  EXPECT_FALSE(fs::exists(fs::path(target) / "from-lower"));
}

TEST_F(MountTest, FailureNamesTheEntryAndUndoesEarlierMounts) {
  std::string err;
  std::vector<Mount> m = {{"bind", (base / "src").string(), {"rbind"}},
                          {"bind", (base / "missing").string(), {"rbind"}}};
  EXPECT_FALSE(MountAll(m, target, &err));
  EXPECT_NE(err.find("rootfs mount 1"), std::string::npos) << err;
  EXPECT_NE(err.find("missing"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(fs::path(target) / "hello")) << "first mount was not undone";
}

}  // namespace
}  // namespace litebox::shim::rootfs
