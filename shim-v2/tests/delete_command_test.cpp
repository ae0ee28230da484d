// The `delete` binary command, run as containerd runs it: cwd = bundle,
// output = a binary DeleteResponse, rootfs unmounted.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "github.com/containerd/containerd/runtime/v2/task/shim.pb.h"

namespace {

namespace fs = std::filesystem;

std::string RunShell(const std::string& cmd, int* rc) {
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  *rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

TEST(DeleteCommand, UnmountsRootfsAndPrintsBinaryDeleteResponse) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root for the rootfs mount";
  fs::path base = fs::path("/tmp") / ("shim-delete-" + std::to_string(getpid()));
  fs::path bundle = base / "bundle", src = base / "src";
  fs::create_directories(bundle / "rootfs");
  fs::create_directories(src);
  std::ofstream(src / "marker") << "x";
  std::ofstream(bundle / "init.pid") << 4242;
  ASSERT_EQ(mount(src.c_str(), (bundle / "rootfs").c_str(), "", MS_BIND, nullptr), 0);
  ASSERT_TRUE(fs::exists(bundle / "rootfs" / "marker"));

  int rc;
  time_t before = time(nullptr);
  std::string out =
      RunShell("cd " + bundle.string() +
                   " && " SHIM_BINARY
                   " -namespace shimtest -address /run/none.sock -publish-binary /bin/true"
                   " -id del-test -bundle " +
                   bundle.string() + " delete 2>/dev/null",
               &rc);
  EXPECT_EQ(rc, 0);
  containerd::task::v2::DeleteResponse resp;
  ASSERT_TRUE(resp.ParseFromString(out)) << "stdout is not a DeleteResponse: " << out;
  EXPECT_EQ(resp.pid(), 4242u);
  EXPECT_EQ(resp.exit_status(), 137u);
  EXPECT_GE(resp.exited_at().seconds(), before);
  EXPECT_FALSE(fs::exists(bundle / "rootfs" / "marker")) << "rootfs still mounted";
  umount2((bundle / "rootfs").c_str(), MNT_DETACH);
  fs::remove_all(base);
}

TEST(DeleteCommand, RequiresIdAndNamespace) {
  int rc;
  std::string out = RunShell(SHIM_BINARY " -namespace x delete 2>&1", &rc);
  EXPECT_NE(rc, 0);
  EXPECT_NE(out.find("-id"), std::string::npos) << out;
}

}  // namespace
