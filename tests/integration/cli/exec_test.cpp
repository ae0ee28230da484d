// exec as the shim and conmon call it: --process FILE --detach --pid-file,
// the exec'd process reaped by us (the subreaper); and exec with arguments.
#include <signal.h>
#include <unistd.h>

#include "harness.hpp"

namespace litebox::test {
namespace {

class ExecTest : public CliTest {
 protected:
  pid_t StartLongRunning(const std::string& id) {
    std::string b = Bundle("b-" + id, {"sh", "-c", "echo ready; while :; do sleep 0.1; done"});
    pid_t pid = Create(id, b);
    EXPECT_EQ(Litebox({"start", id}).status, 0);
    EXPECT_TRUE(WaitForText(dir_ + "/" + id + ".out", "ready"));
    return pid;
  }
  std::string ProcessJson(const std::vector<std::string>& args) {
    nlohmann::json p{{"terminal", false},
                     {"user", {{"uid", 0}, {"gid", 0}}},
                     {"args", args},
                     {"env", {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "FROM_JSON=yes"}},
                     {"cwd", "/tmp"}};
    std::string path = dir_ + "/process-" + std::to_string(++n_) + ".json";
    WriteFile(path, p.dump());
    return path;
  }
  int n_ = 0;
};

TEST_F(ExecTest, DetachedExecFromProcessFileIsReapedByTheCaller) {
  pid_t init = StartLongRunning("e1");
  std::string pf = ProcessJson({"sh", "-c", "echo in=$FROM_JSON cwd=$(pwd); exit 6"});
  CmdResult r = Litebox({"exec", "--process", pf, "--detach", "--pid-file", dir_ + "/x.pid", "e1"},
                        "", dir_ + "/x.out", dir_ + "/x.err");
  ASSERT_EQ(r.status, 0) << ReadFile(dir_ + "/x.err");
  pid_t xpid = atoi(ReadFile(dir_ + "/x.pid").c_str());
  ASSERT_GT(xpid, 0);
  EXPECT_NE(xpid, init);
  EXPECT_EQ(WaitChild(xpid), 6);
  EXPECT_TRUE(WaitForText(dir_ + "/x.out", "in=yes cwd=/tmp"));
  EXPECT_TRUE(Alive(init));
  EXPECT_EQ(Litebox({"kill", "e1", "9"}).status, 0);
  EXPECT_EQ(WaitChild(init), 128 + SIGKILL);
  EXPECT_EQ(Litebox({"delete", "e1"}).status, 0);
  ExpectNoChildren();
}

TEST_F(ExecTest, ExecedProcessShowsInPsAndSeesTheContainerPids) {
  pid_t init = StartLongRunning("e2");
  std::string pf = ProcessJson({"sh", "-c", "echo exec-pid=$$; sleep 30"});
  ASSERT_EQ(Litebox({"exec", "-p", pf, "-d", "--pid-file", dir_ + "/x.pid", "e2"}, "",
                    dir_ + "/x.out", dir_ + "/x.err")
                .status,
            0)
      << ReadFile(dir_ + "/x.err");
  pid_t xpid = atoi(ReadFile(dir_ + "/x.pid").c_str());
  ASSERT_TRUE(WaitForText(dir_ + "/x.out", "exec-pid="));
  // Inside the sandbox it has a virtual pid other than 1.
  EXPECT_EQ(ReadFile(dir_ + "/x.out").find("exec-pid=1\n"), std::string::npos);
  CmdResult ps = Litebox({"ps", "-f", "json", "e2"});
  ASSERT_EQ(ps.status, 0) << ps.err;
  auto pids = nlohmann::json::parse(ps.out);
  bool has_init = false, has_exec = false;
  for (const auto& p : pids) has_init |= p == init, has_exec |= p == xpid;
  EXPECT_TRUE(has_init && has_exec) << "init " << init << " exec " << xpid << ": " << ps.out;
  // Table format prints ps(1) lines for the same pids.
  CmdResult table = Litebox({"ps", "e2"});
  EXPECT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find(std::to_string(xpid)), std::string::npos) << table.out;
  // kill --all reaches the exec'd process too.
  EXPECT_EQ(Litebox({"kill", "--all", "e2", "9"}).status, 0);
  EXPECT_EQ(WaitChild(xpid), 128 + SIGKILL);
  EXPECT_EQ(WaitChild(init), 128 + SIGKILL);
  EXPECT_EQ(Litebox({"delete", "e2"}).status, 0);
  ExpectNoChildren();
}

TEST_F(ExecTest, ForegroundExecWithArgumentsReturnsItsStatus) {
  pid_t init = StartLongRunning("e3");
  CmdResult r = Litebox({"exec", "--env", "A=1", "-e", "B=2", "--cwd", "/etc", "e3", "sh", "-c",
                         "echo $A$B $(pwd); exit 4"});
  EXPECT_EQ(r.status, 4) << r.err;
  EXPECT_EQ(r.out, "12 /etc\n");
  CmdResult u = Litebox({"exec", "--user", "65534:65534", "e3", "id", "-u"});
  EXPECT_EQ(u.status, 0) << u.err;
  EXPECT_EQ(u.out, "65534\n");
  EXPECT_EQ(Litebox({"kill", "e3", "9"}).status, 0);
  EXPECT_EQ(WaitChild(init), 128 + SIGKILL);
  // No exec into a stopped container.
  CmdResult late = Litebox({"exec", "e3", "true"});
  EXPECT_NE(late.status, 0);
  EXPECT_NE(late.err.find("stopped"), std::string::npos) << late.err;
  EXPECT_EQ(Litebox({"delete", "e3"}).status, 0);
  ExpectNoChildren();
}

TEST_F(ExecTest, MalformedProcessFileIsRejectedNamingTheField) {
  pid_t init = StartLongRunning("e4");
  std::string pf = dir_ + "/bad.json";
  WriteFile(pf, R"({"user":{"uid":0,"gid":0},"args":["true"],"cwd":"relative"})");
  CmdResult r = Litebox({"exec", "--process", pf, "--detach", "e4"});
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("cwd"), std::string::npos) << r.err;
  EXPECT_EQ(Litebox({"kill", "e4", "KILL"}).status, 0);
  EXPECT_EQ(WaitChild(init), 128 + SIGKILL);
  EXPECT_EQ(Litebox({"delete", "e4"}).status, 0);
  ExpectNoChildren();
}

}  // namespace
}  // namespace litebox::test
