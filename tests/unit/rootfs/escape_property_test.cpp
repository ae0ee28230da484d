// Property: in a root full of random symlinks (absolute host paths, ".."
// chains, links to links, loops) and behind a bind mount, no path a guest
// can send opens, stats, creates or links anything outside the sandbox.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "harness.hpp"
#include "rootfs/host_fs.hpp"
#include "rootfs/vpath.hpp"

namespace litebox::rootfs::test {
namespace {

class EscapePropertyTest : public RootfsTest {
 protected:
  void SetUp() override {
    RootfsTest::SetUp();
    bind_ = base_ + "/bindsrc";
    ASSERT_EQ(mkdir(bind_.c_str(), 0755), 0);
    WriteHost(bind_ + "/b", "bound", 0644);
    Reopen(false, {{"/mnt", Mount::kBind, bind_, false}});
  }
  // True if a host path belongs to the sandbox (root, bind source, or the
  // private tmpfs dirs under the scratch parent), never outside_.
  bool Inside(const std::string& host) {
    return PathIsUnder(host, root_) || PathIsUnder(host, bind_) ||
           (PathIsUnder(host, base_) && host.find("/litebox-rootfs-") != std::string::npos);
  }
  std::string bind_;
};

TEST_F(EscapePropertyTest, RandomSymlinkTreesNeverLeadOutside) {
  std::mt19937 rng(2024);
  const std::vector<std::string> pieces = {
      "..", "../..",   "../../..", "/",   ".",    "etc",  "dir",  "sub", "l0", "l1",  "l2",
      "l3", "outside", "decoy",    "mnt", "proc", "self", "root", "cwd", "fd", "dev", "b"};
  auto random_path = [&](bool absolute) {
    std::string p = absolute ? "/" : "";
    int n = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
      if (i) p += "/";
      p += pieces[rng() % pieces.size()];
    }
    return p;
  };
  // Plant links in the root, a subdir and the bind source.
  const std::vector<std::string> dirs = {root_, root_ + "/dir", root_ + "/dir/sub", bind_};
  for (int i = 0; i < 4; ++i) {
    for (const auto& d : dirs) {
      std::string target;
      switch (rng() % 4) {
        case 0:
          target = decoy_;
          break;
        case 1:
          target = outside_;
          break;
        case 2:
          target = random_path(true);
          break;
        default:
          target = random_path(false);
          break;
      }
      symlink(target.c_str(), (d + "/l" + std::to_string(i)).c_str());
    }
  }
  int opened = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string path = random_path(rng() % 4 != 0);
    int which = static_cast<int>(rng() % 4);
    Reply r;
    if (which == 0) {
      r = Open(path, O_RDONLY);
    } else if (which == 1) {
      r = Open(path, O_PATH);
    } else if (which == 2) {
      r = Open(path + "/new" + std::to_string(i), O_WRONLY | O_CREAT | O_EXCL, 0644);
    } else {
      r = Call(proto::kLink, {AT_SYMLINK_FOLLOW}, path, "/tmp/hl" + std::to_string(i));
    }
    ASSERT_EQ(r.payload.find(kDecoy), std::string::npos) << path;
    if (r.fd) {
      ++opened;
      std::string host = ReadLink(AT_FDCWD, SelfFdPath(r.fd.get()));
      bool virtual_fd = host.rfind("/memfd:lbx:", 0) == 0 || host.rfind("/dev/", 0) == 0 ||
                        host.rfind("pipe:", 0) == 0;
      ASSERT_TRUE(virtual_fd || Inside(host)) << path << " -> " << host;
      struct stat st;
      ASSERT_EQ(fstat(r.fd.get(), &st), 0);
      ASSERT_FALSE(st.st_ino == decoy_st_.st_ino && st.st_dev == decoy_st_.st_dev) << path;
    }
  }
  EXPECT_GT(opened, 100);  // the walk does reach things: the property is not vacuous
  // Nothing was created or linked outside, and the decoy is intact.
  int entries = 0;
  for (auto it = std::filesystem::directory_iterator(outside_);
       it != std::filesystem::directory_iterator(); ++it)
    ++entries;
  EXPECT_EQ(entries, 1);
  struct stat st;
  ASSERT_EQ(stat(decoy_.c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
  EXPECT_EQ(ReadHost(decoy_), kDecoy);
}

}  // namespace
}  // namespace litebox::rootfs::test
