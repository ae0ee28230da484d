// Global flags and their spellings, --version, features, and the text/JSON
// log formats, as engines pass them.
#include <sys/resource.h>
#include <unistd.h>

#include "harness.hpp"

namespace litebox::test {
namespace {

TEST_F(CliTest, VersionHasTheLinesDockerParses) {
  CmdResult v = Raw({LITEBOX_BIN, "--version"});
  EXPECT_EQ(v.status, 0);
  EXPECT_NE(v.out.find("version"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("\ncommit: "), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("spec: 1."), std::string::npos) << v.out;
}

TEST_F(CliTest, GlobalFlagSpellingsAllReachTheSameRoot) {
  std::string b = Bundle("b", {"sh", "-c", "exit 0"});
  // urfave/cli style: --f v, --f=v, -f v; plus flags engines pass that we accept.
  CmdResult c = Raw({LITEBOX_BIN, "--root=" + root_, "--systemd-cgroup", "--debug", "--log=" + log_,
                     "-log-format", "json", "--rootless", "create", "-b", b, "--no-pivot",
                     "-no-new-keyring", "--pid-file=" + dir_ + "/g.pid", "g1"});
  ASSERT_EQ(c.status, 0) << c.err;
  pid_t pid = atoi(ReadFile(dir_ + "/g.pid").c_str());
  CmdResult s = Raw(
      {LITEBOX_BIN, "-root", root_, "--criu", "/usr/sbin/criu", "--rootless=false", "state", "g1"});
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(nlohmann::json::parse(s.out)["pid"], pid);
  CmdResult l = Raw({LITEBOX_BIN, "--rootless", "true", "--root", root_, "list", "-q"});
  EXPECT_EQ(l.out, "g1\n") << l.err;
  CmdResult st = Raw({LITEBOX_BIN, "--root", root_, "start", "g1"});
  EXPECT_EQ(st.status, 0) << st.err;
  EXPECT_EQ(WaitChild(pid), 0);
  EXPECT_EQ(Raw({LITEBOX_BIN, "--root", root_, "delete", "g1"}).status, 0);
  // Another root does not see containers of this one.
  CmdResult other = Raw({LITEBOX_BIN, "--root", dir_ + "/other", "state", "g1"});
  EXPECT_NE(other.err.find("does not exist"), std::string::npos) << other.err;
  ExpectNoChildren();
}

TEST_F(CliTest, TextLogFormatWritesLogfmtErrorLines) {
  std::string text_log = dir_ + "/log.txt";
  CmdResult r = Raw({LITEBOX_BIN, "--root", root_, "--log", text_log, "start", "missing"});
  EXPECT_NE(r.status, 0);
  std::string log = ReadFile(text_log);
  EXPECT_NE(log.find("level=error"), std::string::npos) << log;
  EXPECT_NE(log.find("does not exist"), std::string::npos) << log;
  EXPECT_NE(log.find("time=\""), std::string::npos) << log;
  CmdResult bad = Raw({LITEBOX_BIN, "--log-format", "xml", "list"});
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("xml"), std::string::npos) << bad.err;
}

TEST_F(CliTest, FeaturesIsJsonNamingTheSpecVersions) {
  CmdResult f = Raw({LITEBOX_BIN, "features"});
  ASSERT_EQ(f.status, 0) << f.err;
  auto j = nlohmann::json::parse(f.out);
  EXPECT_EQ(j["ociVersionMax"], "1.1.0");
  EXPECT_TRUE(j["linux"]["namespaces"].is_array());
  EXPECT_EQ(j["linux"]["seccomp"]["enabled"], true);
}

}  // namespace
// The library OS's channel is fd 1024: `litebox do` from a shell with the
// usual soft limit of 1024 (hard limit higher) still starts, and the
// command gets its RLIMIT_NOFILE (the default, or --nofile).
TEST_F(CliTest, DoStartsFromASoftLimitOf1024AndGivesTheCommandItsLimit) {
  struct rlimit rl {};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_max < 2048) GTEST_SKIP() << "hard RLIMIT_NOFILE below 2048 here";
  const std::string cmd = std::string("ulimit -Sn 1024 && exec ") + LITEBOX_BIN + " do --rootfs " +
                          rootfs_ + " -- sh -c 'ulimit -Sn; ulimit -Hn'";
  CmdResult r = Raw({"/bin/sh", "-c", cmd});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "1024\n1024\n");
  const std::string cmd2 = std::string("ulimit -Sn 1024 && exec ") + LITEBOX_BIN +
                           " do --nofile 1500:2000 --rootfs " + rootfs_ +
                           " -- sh -c 'ulimit -Sn; ulimit -Hn'";
  r = Raw({"/bin/sh", "-c", cmd2});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "1500\n2000\n");
  r = Raw({LITEBOX_BIN, "do", "--nofile", "9:3", "--rootfs", rootfs_, "--", "true"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--nofile 9:3"), std::string::npos) << r.err;
}

}  // namespace litebox::test
