// Command line, socket address and the socket claim of `start`.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "shim-v2/cli/address.hpp"
#include "shim-v2/cli/flags.hpp"

namespace litebox::shim::cli {
namespace {

TEST(Flags, AcceptsGoFlagSyntaxes) {
  std::string err;
  auto f = ParseFlags({"-namespace", "k8s.io", "--address=/run/c.sock", "-publish-binary=/bin/c",
                       "--id", "abc", "-debug", "start"},
                      &err);
  ASSERT_TRUE(f) << err;
  EXPECT_EQ(f->ns, "k8s.io");
  EXPECT_EQ(f->address, "/run/c.sock");
  EXPECT_EQ(f->publish_binary, "/bin/c");
  EXPECT_EQ(f->id, "abc");
  EXPECT_TRUE(f->debug);
  EXPECT_EQ(f->action, "start");
  f = ParseFlags({"-id", "x", "-bundle", "/b", "delete"}, &err);
  ASSERT_TRUE(f) << err;
  EXPECT_EQ(f->bundle, "/b");
  EXPECT_EQ(f->action, "delete");
  f = ParseFlags({"-v"}, &err);
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->version);
  f = ParseFlags({"--version"}, &err);
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->version);
}

TEST(Flags, ErrorsNameTheArgument) {
  std::string err;
  EXPECT_FALSE(ParseFlags({"-id"}, &err));
  EXPECT_NE(err.find("-id needs a value"), std::string::npos) << err;
  EXPECT_FALSE(ParseFlags({"-bogus", "1"}, &err));
  EXPECT_NE(err.find("-bogus"), std::string::npos) << err;
  EXPECT_FALSE(ParseFlags({"stop"}, &err));
  EXPECT_NE(err.find("'stop'"), std::string::npos) << err;
  EXPECT_FALSE(ParseFlags({"start", "delete"}, &err));
  EXPECT_FALSE(ParseFlags({"-debug=maybe"}, &err));
}

std::string Sha256sumOf(const std::string& s) {
  // An independent implementation: coreutils' sha256sum.
  std::string path = "/tmp/shim-sha-" + std::to_string(getpid());
  std::ofstream(path) << s;
  FILE* p = popen(("sha256sum " + path).c_str(), "r");
  char buf[128] = {};
  EXPECT_NE(fgets(buf, sizeof buf, p), nullptr);
  pclose(p);
  unlink(path.c_str());
  return std::string(buf, 64);
}

TEST(Address, IsSha256OfAddressNamespaceGroup) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string a = SocketAddress("/run/containerd/containerd.sock", "k8s.io", "sandbox1");
  EXPECT_EQ(a, "unix:///run/containerd/s/" +
                   Sha256sumOf("/run/containerd/containerd.sock/k8s.io/sandbox1"));
  EXPECT_LE(SocketPath(a).size(), 106u);
  EXPECT_EQ(SocketPath("unix:///x/y"), "/x/y");
  EXPECT_EQ(SocketPath("/x/y"), "");
}

std::string WriteConfig(const std::string& json) {
  std::string path = "/tmp/shim-config-" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << json;
  return path;
}

TEST(Address, GroupingFollowsAnnotations) {
  std::string key, err;
  auto path = WriteConfig(R"({"annotations":{"io.kubernetes.cri.sandbox-id":"pod1"}})");
  ASSERT_TRUE(GroupingKey(path, "c1", &key, &err)) << err;
  EXPECT_EQ(key, "pod1");
  path = WriteConfig(
      R"({"annotations":{"io.kubernetes.cri.sandbox-id":"pod1","io.containerd.runc.v2.group":"g"}})");
  ASSERT_TRUE(GroupingKey(path, "c1", &key, &err)) << err;
  EXPECT_EQ(key, "g");
  path = WriteConfig(R"({"ociVersion":"1.0.2"})");
  ASSERT_TRUE(GroupingKey(path, "c1", &key, &err)) << err;
  EXPECT_EQ(key, "c1");
  path = WriteConfig(R"({"annotations":{"io.containerd.runc.v2.group":7}})");
  EXPECT_FALSE(GroupingKey(path, "c1", &key, &err));
  EXPECT_NE(err.find("io.containerd.runc.v2.group"), std::string::npos) << err;
  unlink(path.c_str());
  EXPECT_FALSE(GroupingKey("/nonexistent/config.json", "c1", &key, &err));
  EXPECT_NE(err.find("/nonexistent/config.json"), std::string::npos) << err;
}

TEST(Listen, ClaimsReplacesStaleAndDetectsLive) {
  std::string path = "/tmp/shim-listen-" + std::to_string(getpid()) + "/s.sock";
  int fd = -1;
  std::string err;
  ASSERT_EQ(Listen(path, &fd, &err), ListenResult::kListening) << err;
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  int fd2 = -1;
  EXPECT_EQ(Listen(path, &fd2, &err), ListenResult::kInUse);  // a live server answers
  close(fd);  // now the file is stale: nobody answers
  ASSERT_EQ(Listen(path, &fd2, &err), ListenResult::kListening) << err;
  close(fd2);
  unlink(path.c_str());
  rmdir(("/tmp/shim-listen-" + std::to_string(getpid())).c_str());
}

TEST(WriteFileAtomic, WritesWithoutNewline) {
  std::string path = "/tmp/shim-address-" + std::to_string(getpid()), err;
  ASSERT_TRUE(WriteFileAtomic(path, "unix:///run/x", &err)) << err;
  std::ifstream in(path);
  std::string s((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(s, "unix:///run/x");
  unlink(path.c_str());
  EXPECT_FALSE(WriteFileAtomic("/nonexistent/dir/address", "x", &err));
  EXPECT_NE(err.find("/nonexistent/dir/address"), std::string::npos);
}

}  // namespace
}  // namespace litebox::shim::cli
