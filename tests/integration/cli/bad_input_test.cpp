// Bad input: each a one-line error naming what is wrong, non-zero exit,
// nothing left under --root and no process left behind.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "harness.hpp"

namespace litebox::test {
namespace {

class BadInputTest : public CliTest {
 protected:
  void ExpectCleanFailure(const CmdResult& r, const std::string& text) {
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.err.find(text), std::string::npos) << "stderr: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "not one line: " << r.err;
    EXPECT_TRUE(RootEntries().empty()) << "left under --root: " << RootEntries().front();
    ExpectNoChildren();
    // The error is also the last line of the JSON log (the shim reads it).
    std::string log = ReadFile(log_);
    auto last = log.rfind('\n', log.size() - 2);
    auto line = nlohmann::json::parse(log.substr(last == std::string::npos ? 0 : last + 1));
    EXPECT_EQ(line["level"], "error");
    EXPECT_NE(line["msg"].get<std::string>().find(text), std::string::npos) << line;
    EXPECT_TRUE(line.contains("time"));
  }
};

TEST_F(BadInputTest, MissingBundle) {
  ExpectCleanFailure(Litebox({"create", "--bundle", dir_ + "/nope", "x1"}), dir_ + "/nope");
}

TEST_F(BadInputTest, MalformedConfigJson) {
  std::string b = Bundle("b", {"true"});
  WriteFile(b + "/config.json", "{\"ociVersion\": \"1.0.2\", \"process\": ");
  ExpectCleanFailure(Litebox({"create", "--bundle", b, "x2"}), "not valid JSON");
}

TEST_F(BadInputTest, InvalidFieldInConfigIsNamed) {
  std::string b = Bundle("b", {"true"}, {{"cwd", "not/absolute"}});
  ExpectCleanFailure(Litebox({"create", "--bundle", b, "x3"}), "process.cwd");
}

TEST_F(BadInputTest, RootfsThatIsNotADirectory) {
  std::string b = Bundle("b", {"true"});
  auto cfg = nlohmann::json::parse(ReadFile(b + "/config.json"));
  cfg["root"]["path"] = dir_ + "/no-rootfs";
  WriteFile(b + "/config.json", cfg.dump());
  ExpectCleanFailure(Litebox({"create", "--bundle", b, "x4"}), "no-rootfs");
}

TEST_F(BadInputTest, PidFileThatIsADirectoryIsLeftAlone) {
  // Records and pid files are replaced by swapping names (RENAME_EXCHANGE):
  // a directory in the pid file's place must not be swapped away.
  std::string b = Bundle("b", {"true"});
  std::string d = dir_ + "/piddir";
  ASSERT_EQ(mkdir(d.c_str(), 0755), 0);
  WriteFile(d + "/keep", "x");
  ExpectCleanFailure(Litebox({"create", "--bundle", b, "--pid-file", d, "x5"}), d);
  EXPECT_EQ(ReadFile(d + "/keep"), "x");
}

TEST_F(BadInputTest, UnknownContainerId) {
  for (auto cmd : {std::vector<std::string>{"state", "ghost"},
                   {"start", "ghost"},
                   {"kill", "ghost", "9"},
                   {"delete", "ghost"},
                   {"pause", "ghost"},
                   {"resume", "ghost"},
                   {"ps", "ghost"},
                   {"exec", "ghost", "true"}}) {
    SCOPED_TRACE(cmd[0]);
    ExpectCleanFailure(Litebox(cmd), "does not exist");
  }
}

TEST_F(BadInputTest, InvalidContainerId) {
  ExpectCleanFailure(Litebox({"create", "--bundle", Bundle("b", {"true"}), "../evil"}),
                     "invalid container id");
}

TEST_F(BadInputTest, DuplicateIdLeavesTheFirstContainerAlone) {
  std::string b = Bundle("b", {"sh", "-c", "echo first; exit 2"});
  pid_t pid = Create("dup", b);
  CmdResult r = Litebox({"create", "--bundle", b, "dup"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_EQ(RootEntries(), std::vector<std::string>{"dup"});
  EXPECT_EQ(State("dup")["status"], "created");
  EXPECT_EQ(State("dup")["pid"], pid);
  ASSERT_EQ(Litebox({"start", "dup"}).status, 0);
  EXPECT_EQ(WaitChild(pid), 2);
  EXPECT_TRUE(WaitForText(dir_ + "/dup.out", "first"));
  EXPECT_EQ(Litebox({"delete", "dup"}).status, 0);
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
}

TEST_F(BadInputTest, SecondStartFails) {
  std::string b = Bundle("b", {"sh", "-c", "echo ready; while :; do sleep 0.1; done"});
  pid_t pid = Create("s2", b);
  ASSERT_EQ(Litebox({"start", "s2"}).status, 0);
  CmdResult again = Litebox({"start", "s2"});
  EXPECT_NE(again.status, 0);
  EXPECT_NE(again.err.find("already running"), std::string::npos) << again.err;
  EXPECT_EQ(Litebox({"kill", "s2", "9"}).status, 0);
  EXPECT_EQ(WaitChild(pid), 128 + 9);
  CmdResult stopped = Litebox({"start", "s2"});
  EXPECT_NE(stopped.status, 0);
  EXPECT_NE(stopped.err.find("stopped"), std::string::npos) << stopped.err;
  EXPECT_EQ(Litebox({"delete", "s2"}).status, 0);
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
}

TEST_F(BadInputTest, UnknownSignalAndUnknownFlag) {
  std::string b = Bundle("b", {"sh", "-c", "sleep 5"});
  pid_t pid = Create("sg", b);
  CmdResult k = Litebox({"kill", "sg", "SIGNOPE"});
  EXPECT_NE(k.status, 0);
  EXPECT_NE(k.err.find("SIGNOPE"), std::string::npos) << k.err;
  CmdResult f = Litebox({"create", "--bogus", "x", "sg2"});
  EXPECT_NE(f.status, 0);
  EXPECT_NE(f.err.find("-bogus"), std::string::npos) << f.err;
  EXPECT_EQ(Litebox({"delete", "--force", "sg"}).status, 0);
  EXPECT_EQ(WaitChild(pid), 128 + 9);
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
}

TEST_F(BadInputTest, TerminalWithoutConsoleSocket) {
  std::string b = Bundle("b", {"sh"}, {{"terminal", true}});
  ExpectCleanFailure(Litebox({"create", "--bundle", b, "t0"}), "console socket");
}

TEST_F(BadInputTest, CheckpointAndRestoreAreRefused) {
  ExpectCleanFailure(Litebox({"checkpoint", "any"}), "not supported");
  ExpectCleanFailure(Litebox({"restore", "any"}), "not supported");
}

}  // namespace
}  // namespace litebox::test

namespace litebox::test {
namespace {

TEST_F(CliTest, StaleSandboxDirectoryOfAKilledCreateIsReclaimed) {
  std::string b = Bundle("b", {"sh", "-c", "echo ok; exit 0"});
  pid_t p1 = Create("st", b);
  // What a crash leaves: the sandbox directory without a container record.
  nlohmann::json rec = nlohmann::json::parse(ReadFile(root_ + "/st/state.json"));
  std::string sandbox_dir = rec["sandbox_dir"];
  ASSERT_EQ(kill(p1, SIGKILL), 0);
  EXPECT_EQ(WaitChild(p1), 128 + SIGKILL);
  ExpectNoChildren();  // the supervisor follows its init
  ASSERT_EQ(system(("mkdir -p " + sandbox_dir + "/empty && rm -rf " + root_ + "/st").c_str()), 0);
  pid_t p2 = Create("st", b);
  ASSERT_GT(p2, 0);
  EXPECT_NE(ReadFile(log_).find("removed stale sandbox directory"), std::string::npos);
  ASSERT_EQ(Litebox({"start", "st"}).status, 0);
  EXPECT_EQ(WaitChild(p2), 0);
  EXPECT_TRUE(WaitForText(dir_ + "/st.out", "ok"));
  EXPECT_EQ(Litebox({"delete", "st"}).status, 0);
  EXPECT_TRUE(RootEntries().empty());
  EXPECT_NE(access(sandbox_dir.c_str(), F_OK), 0) << sandbox_dir << " left after delete";
  ExpectNoChildren();
}

}  // namespace
}  // namespace litebox::test
