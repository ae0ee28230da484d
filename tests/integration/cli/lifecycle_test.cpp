// create -> start -> state -> kill -> delete, as containerd-shim-runc-v2
// and conmon drive it, with real busybox containers.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.hpp"

namespace litebox::test {
namespace {

TEST_F(CliTest, CreateLeavesInitLoadedButNotRunningUntilStart) {
  std::string b = Bundle("b", {"sh", "-c", "echo started-$$; exit 3"});
  pid_t pid = Create("c1", b);
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(Alive(pid)) << "init pid " << pid << " from the pid file is not running";
  auto st = State("c1");
  EXPECT_EQ(st["status"], "created");
  EXPECT_EQ(st["pid"], pid);
  EXPECT_EQ(st["id"], "c1");
  EXPECT_EQ(st["bundle"], b);
  EXPECT_EQ(st["ociVersion"], "1.1.0");
  EXPECT_TRUE(st.contains("created") && st.contains("rootfs") && st.contains("owner")) << st;
  // The application has not run: no output yet, even after a while.
  usleep(300 * 1000);
  EXPECT_EQ(ReadFile(dir_ + "/c1.out"), "");

  CmdResult s = Litebox({"start", "c1"});
  ASSERT_EQ(s.status, 0) << s.err;
  // Inside, the init is pid 1: $$ says so.
  EXPECT_TRUE(WaitForText(dir_ + "/c1.out", "started-1\n"));
  // We are the subreaper: the exit status comes to us from the kernel.
  EXPECT_EQ(WaitChild(pid), 3);
  st = State("c1");
  EXPECT_EQ(st["status"], "stopped");
  EXPECT_EQ(st["pid"], 0);
  CmdResult d = Litebox({"delete", "c1"});
  EXPECT_EQ(d.status, 0) << d.err;
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
  // Gone for good: state now says it does not exist.
  CmdResult again = Litebox({"state", "c1"});
  EXPECT_NE(again.status, 0);
  EXPECT_NE(again.err.find("does not exist"), std::string::npos) << again.err;
}

TEST_F(CliTest, KillDeliversSignalsByNumberAndNameThenDeleteCleansUp) {
  // The init traps TERM (pid 1 ignores signals it has no handler for).
  std::string b = Bundle("b", {"sh", "-c",
                               "trap 'echo got-term; exit 7' TERM; echo ready; "
                               "while :; do sleep 0.1; done"});
  pid_t pid = Create("k1", b);
  ASSERT_EQ(Litebox({"start", "k1"}).status, 0);
  ASSERT_TRUE(WaitForText(dir_ + "/k1.out", "ready"));
  EXPECT_EQ(State("k1")["status"], "running");
  CmdResult k = Litebox({"kill", "k1", "SIGTERM"});
  ASSERT_EQ(k.status, 0) << k.err;
  EXPECT_EQ(WaitChild(pid), 7);
  EXPECT_TRUE(WaitForText(dir_ + "/k1.out", "got-term"));
  // Killing a stopped container: runc's message, which the shim maps to NotFound.
  CmdResult k2 = Litebox({"kill", "k1", "9"});
  EXPECT_NE(k2.status, 0);
  EXPECT_NE(k2.err.find("container not running"), std::string::npos) << k2.err;
  // --all on a stopped container is not an error (the shim sends it after init exits).
  EXPECT_EQ(Litebox({"kill", "--all", "k1", "9"}).status, 0);
  EXPECT_EQ(Litebox({"delete", "k1"}).status, 0);
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
}

TEST_F(CliTest, KillByDecimalNumberAndDefaultSignal) {
  std::string b = Bundle("b", {"sh", "-c",
                               "trap 'exit 9' TERM; trap 'exit 4' USR1; echo ready; "
                               "while :; do sleep 0.1; done"});
  pid_t p1 = Create("n1", b);
  ASSERT_EQ(Litebox({"start", "n1"}).status, 0);
  ASSERT_TRUE(WaitForText(dir_ + "/n1.out", "ready"));
  EXPECT_EQ(Litebox({"kill", "n1", std::to_string(SIGUSR1)}).status,
            0);  // "10", as containerd sends
  EXPECT_EQ(WaitChild(p1), 4);
  EXPECT_EQ(Litebox({"delete", "n1"}).status, 0);

  pid_t p2 = Create("n2", b);
  ASSERT_EQ(Litebox({"start", "n2"}).status, 0);
  ASSERT_TRUE(WaitForText(dir_ + "/n2.out", "ready"));
  EXPECT_EQ(Litebox({"kill", "n2"}).status, 0);  // default SIGTERM
  EXPECT_EQ(WaitChild(p2), 9);
  EXPECT_EQ(Litebox({"delete", "n2"}).status, 0);
  ExpectNoChildren();
}

TEST_F(CliTest, SigkillEndsEveryProcessOfTheContainer) {
  std::string b = Bundle("b", {"sh", "-c", "sleep 100 & echo child=$!; wait"});
  pid_t pid = Create("s1", b);
  ASSERT_EQ(Litebox({"start", "s1"}).status, 0);
  ASSERT_TRUE(WaitForText(dir_ + "/s1.out", "child="));
  CmdResult ps = Litebox({"ps", "--format", "json", "s1"});
  ASSERT_EQ(ps.status, 0) << ps.err;
  auto pids = nlohmann::json::parse(ps.out);
  ASSERT_TRUE(pids.is_array());
  EXPECT_GE(pids.size(), 2u) << ps.out;  // sh and sleep
  bool has_init = false;
  for (const auto& p : pids) has_init |= p == pid;
  EXPECT_TRUE(has_init) << "ps lacks the init pid " << pid << ": " << ps.out;
  ASSERT_EQ(Litebox({"kill", "s1", "KILL"}).status, 0);
  EXPECT_EQ(WaitChild(pid), 128 + SIGKILL);
  for (const auto& p : pids) {
    for (int i = 0; i < 300 && Alive(p.get<pid_t>()); ++i) usleep(10000);
    EXPECT_FALSE(Alive(p.get<pid_t>())) << "pid " << p << " survived the init's death";
  }
  EXPECT_EQ(Litebox({"delete", "s1"}).status, 0);
  ExpectNoChildren();
}

TEST_F(CliTest, DeleteRefusesARunningContainerUnlessForced) {
  std::string b = Bundle("b", {"sh", "-c", "echo ready; while :; do sleep 0.1; done"});
  pid_t pid = Create("d1", b);
  ASSERT_EQ(Litebox({"start", "d1"}).status, 0);
  ASSERT_TRUE(WaitForText(dir_ + "/d1.out", "ready"));
  CmdResult d = Litebox({"delete", "d1"});
  EXPECT_NE(d.status, 0);
  EXPECT_NE(d.err.find("not stopped"), std::string::npos) << d.err;
  EXPECT_TRUE(Alive(pid));
  EXPECT_EQ(State("d1")["status"], "running");
  CmdResult f = Litebox({"delete", "--force", "d1"});
  EXPECT_EQ(f.status, 0) << f.err;
  EXPECT_EQ(WaitChild(pid), 128 + SIGKILL);
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
  // A second delete: "does not exist" (the shim ignores exactly that).
  CmdResult again = Litebox({"delete", "d1"});
  EXPECT_NE(again.status, 0);
  EXPECT_NE(again.err.find("does not exist"), std::string::npos) << again.err;
}

TEST_F(CliTest, DeleteOfACreatedContainerKillsItWithoutForceLikeRunc) {
  std::string b = Bundle("b", {"sh", "-c", "echo never"});
  pid_t p1 = Create("fc", b);
  ASSERT_TRUE(Alive(p1));
  CmdResult d = Litebox({"delete", "fc"});
  EXPECT_EQ(d.status, 0) << d.err;
  EXPECT_EQ(WaitChild(p1), 128 + SIGKILL);
  EXPECT_EQ(ReadFile(dir_ + "/fc.out"), "");
  EXPECT_TRUE(RootEntries().empty());
  pid_t p2 = Create("fc2", b);
  EXPECT_EQ(Litebox({"delete", "-f", "fc2"}).status, 0);
  EXPECT_EQ(WaitChild(p2), 128 + SIGKILL);
  EXPECT_EQ(ReadFile(dir_ + "/fc2.out"), "");
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
}

TEST_F(CliTest, ForceDeleteClearsWhatADeadCreateLeft) {
  // A create killed between mkdir and writing its state.
  ASSERT_EQ(mkdir((root_ + "/half").c_str(), 0711), 0);
  CmdResult d = Litebox({"delete", "half"});
  EXPECT_NE(d.status, 0);
  EXPECT_NE(d.err.find("does not exist"), std::string::npos) << d.err;
  EXPECT_EQ(Litebox({"delete", "--force", "half"}).status, 0);
  EXPECT_TRUE(RootEntries().empty());
}

TEST_F(CliTest, PauseStopsEveryProcessAndResumeContinues) {
  std::string b =
      Bundle("b", {"sh", "-c", "i=0; while :; do i=$((i+1)); echo tick$i; sleep 0.05; done"});
  pid_t pid = Create("p1", b);
  ASSERT_EQ(Litebox({"start", "p1"}).status, 0);
  ASSERT_TRUE(WaitForText(dir_ + "/p1.out", "tick2"));
  CmdResult p = Litebox({"pause", "p1"});
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_EQ(State("p1")["status"], "paused");
  usleep(200 * 1000);
  std::string frozen = ReadFile(dir_ + "/p1.out");
  usleep(400 * 1000);
  EXPECT_EQ(ReadFile(dir_ + "/p1.out"), frozen) << "output went on while paused";
  CmdResult again = Litebox({"pause", "p1"});
  EXPECT_NE(again.status, 0);
  CmdResult r = Litebox({"resume", "p1"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(State("p1")["status"], "running");
  size_t before = frozen.size();
  for (int i = 0; i < 200 && ReadFile(dir_ + "/p1.out").size() == before; ++i) usleep(10000);
  EXPECT_GT(ReadFile(dir_ + "/p1.out").size(), before) << "no output after resume";
  CmdResult r2 = Litebox({"resume", "p1"});
  EXPECT_NE(r2.status, 0);
  EXPECT_NE(r2.err.find("not paused"), std::string::npos) << r2.err;
  EXPECT_EQ(Litebox({"kill", "p1", "9"}).status, 0);
  EXPECT_EQ(WaitChild(pid), 128 + SIGKILL);
  EXPECT_EQ(Litebox({"delete", "p1"}).status, 0);
  ExpectNoChildren();
}

TEST_F(CliTest, UpdateResourcesFromStdinAndFile) {
  std::string b = Bundle("b", {"sh", "-c", "echo ready; while :; do sleep 0.1; done"});
  pid_t pid = Create("u1", b);
  ASSERT_EQ(Litebox({"start", "u1"}).status, 0);
  // What the shim sends: `update --resources - ID` with LinuxResources on stdin.
  CmdResult u = Litebox({"update", "--resources", "-", "u1"},
                        R"({"memory":{"limit":104857600},"cpu":{"shares":512}})");
  EXPECT_EQ(u.status, 0) << u.err;
  WriteFile(dir_ + "/res.json", R"({"pids":{"limit":50}})");
  CmdResult uf = Litebox({"update", "--resources=" + dir_ + "/res.json", "u1"});
  EXPECT_EQ(uf.status, 0) << uf.err;
  CmdResult bad = Litebox({"update", "--resources", "-", "u1"}, "{not json");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.err.find("not valid JSON"), std::string::npos) << bad.err;
  EXPECT_EQ(State("u1")["status"], "running");
  EXPECT_EQ(Litebox({"kill", "u1", "9"}).status, 0);
  EXPECT_EQ(WaitChild(pid), 128 + SIGKILL);
  EXPECT_EQ(Litebox({"delete", "u1"}).status, 0);
  ExpectNoChildren();
}

TEST_F(CliTest, RunInForegroundReturnsTheExitStatusAndLeavesNothing) {
  std::string b = Bundle("b", {"sh", "-c", "echo fg-out; exit 5"});
  CmdResult r = Litebox({"run", "--bundle", b, "r1"});
  EXPECT_EQ(r.status, 5) << r.err;
  EXPECT_EQ(r.out, "fg-out\n");
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
}

TEST_F(CliTest, RunDetachedThenListStateAndDelete) {
  std::string b = Bundle("b", {"sh", "-c", "echo ready; while :; do sleep 0.1; done"});
  CmdResult r = Litebox({"run", "-d", "-b", b, "--pid-file", dir_ + "/rd.pid", "rd"}, "",
                        dir_ + "/rd.out", dir_ + "/rd.err");
  ASSERT_EQ(r.status, 0) << ReadFile(dir_ + "/rd.err");
  pid_t pid = atoi(ReadFile(dir_ + "/rd.pid").c_str());
  ASSERT_TRUE(WaitForText(dir_ + "/rd.out", "ready"));
  EXPECT_EQ(State("rd")["status"], "running");
  CmdResult q = Litebox({"list", "-q"});
  EXPECT_EQ(q.out, "rd\n");
  CmdResult lj = Litebox({"list", "--format", "json"});
  auto arr = nlohmann::json::parse(lj.out);
  ASSERT_EQ(arr.size(), 1u) << lj.out;
  EXPECT_EQ(arr[0]["id"], "rd");
  EXPECT_EQ(arr[0]["pid"], pid);
  EXPECT_EQ(arr[0]["status"], "running");
  CmdResult lt = Litebox({"list"});
  EXPECT_NE(lt.out.find("rd "), std::string::npos) << lt.out;
  EXPECT_NE(lt.out.find("running"), std::string::npos) << lt.out;
  EXPECT_EQ(Litebox({"delete", "--force", "rd"}).status, 0);
  EXPECT_EQ(WaitChild(pid), 128 + SIGKILL);
  EXPECT_EQ(Litebox({"list", "--format", "json"}).out, "null\n");
  ExpectNoChildren();
}

}  // namespace
}  // namespace litebox::test

namespace litebox::test {
namespace {

TEST_F(CliTest, RunKeepLeavesAStoppedContainerToDelete) {
  std::string b = Bundle("b", {"sh", "-c", "exit 6"});
  CmdResult r = Litebox({"run", "--keep", "--bundle", b, "rk"});
  EXPECT_EQ(r.status, 6) << r.err;
  auto st = State("rk");
  EXPECT_EQ(st["status"], "stopped");
  EXPECT_EQ(st["pid"], 0);
  EXPECT_EQ(Litebox({"delete", "rk"}).status, 0);
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
}

TEST_F(CliTest, ForegroundRunForwardsSignalsToTheContainer) {
  std::string b = Bundle("b", {"sh", "-c",
                               "trap 'exit 12' TERM; echo ready; "
                               "while :; do sleep 0.1; done"});
  std::string out = dir_ + "/fg.out";
  pid_t run = fork();
  if (run == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl(LITEBOX_BIN, "litebox", "--root", root_.c_str(), "run", "--bundle", b.c_str(), "fg",
          nullptr);
    _exit(127);
  }
  ASSERT_TRUE(WaitForText(out, "ready")) << ReadFile(out);
  kill(run, SIGTERM);  // what a terminal's job control or systemd would send
  EXPECT_EQ(WaitChild(run), 12) << ReadFile(out);
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
}

}  // namespace
}  // namespace litebox::test

namespace litebox::test {
namespace {

// Real uid of a host process, from /proc/<pid>/status.
uid_t HostUidOf(pid_t pid) {
  std::string status = ReadFile("/proc/" + std::to_string(pid) + "/status");
  size_t at = status.find("\nUid:");
  return at == std::string::npos ? 0 : uid_t(strtoul(status.c_str() + at + 5, nullptr, 10));
}

TEST_F(CliTest, SameIdUnderTwoRootsGetsTwoHostUidsAndEndingOneSparesTheOther) {
  // Container ids repeat across state roots (and containerd namespaces).
  // Each sandbox's host uid must still be its own: a shared one would let
  // the sandboxes signal each other, and the end-of-sandbox sweep (kill(-1)
  // as that uid) of one would kill the other.
  if (geteuid() != 0) GTEST_SKIP() << "host uids need root";
  std::string b = Bundle("b", {"sh", "-c", "echo ready; while :; do sleep 0.1; done"});
  pid_t first = Create("twin", b);
  ASSERT_GT(first, 0);
  ASSERT_EQ(Litebox({"start", "twin"}).status, 0);
  ASSERT_TRUE(WaitForText(dir_ + "/twin.out", "ready"));
  std::string root1 = root_;
  root_ = dir_ + "/root2";
  pid_t second = Create("twin", b);
  ASSERT_GT(second, 0);
  uid_t u1 = HostUidOf(first), u2 = HostUidOf(second);
  EXPECT_NE(u1, 0u);
  EXPECT_NE(u2, 0u);
  EXPECT_NE(u1, u2) << "two live sandboxes share host uid " << u1;
  // End the second one entirely (kill, reap, delete: its supervisor sweeps its uid).
  EXPECT_EQ(Litebox({"kill", "twin", "9"}).status, 0);
  WaitChild(second);
  EXPECT_EQ(Litebox({"delete", "twin"}).status, 0);
  root_ = root1;
  usleep(200 * 1000);
  EXPECT_TRUE(Alive(first)) << "ending the other 'twin' killed this one";
  EXPECT_EQ(State("twin")["status"], "running");
  EXPECT_EQ(Litebox({"kill", "twin", "9"}).status, 0);
  WaitChild(first);
  EXPECT_EQ(Litebox({"delete", "twin"}).status, 0);
  ExpectNoChildren();
}

}  // namespace
}  // namespace litebox::test
