// process.terminal: the pty master arrives over --console-socket in one
// message with SCM_RIGHTS, and the container's stdio is the slave.
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "harness.hpp"

namespace litebox::test {
namespace {

int Listen(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
  EXPECT_EQ(listen(fd, 1), 0);
  return fd;
}

// Accepts one connection and receives the fd and payload of one message.
int ReceiveMaster(int listener, std::string* name) {
  pollfd p{listener, POLLIN, 0};
  if (poll(&p, 1, 5000) != 1) return -1;
  int c = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  char buf[256];
  iovec iov{buf, sizeof buf};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = recvmsg(c, &msg, MSG_CMSG_CLOEXEC);
  close(c);
  cmsghdr* h = CMSG_FIRSTHDR(&msg);
  if (n < 0 || !h || h->cmsg_type != SCM_RIGHTS) return -1;
  name->assign(buf, static_cast<size_t>(n));
  int fd;
  memcpy(&fd, CMSG_DATA(h), sizeof fd);
  return fd;
}

std::string ReadUntil(int fd, const std::string& text, int timeout_ms) {
  std::string got;
  for (int waited = 0; waited < timeout_ms && got.find(text) == std::string::npos;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) == 1) {
      char buf[512];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    } else {
      waited += 50;
    }
  }
  return got;
}

TEST_F(CliTest, TerminalMasterIsSentOverTheConsoleSocket) {
  std::string sock = dir_ + "/con.sock";
  int listener = Listen(sock);
  std::string b = Bundle("b",
                         {"sh", "-c",
                          "test -t 0 && test -t 1 && echo stdio-is-a-tty; read line; "
                          "echo got:$line; exit 0"},
                         {{"terminal", true}, {"consoleSize", {{"height", 30}, {"width", 101}}}});
  CmdResult r = Litebox(
      {"create", "--bundle", b, "--pid-file", dir_ + "/t.pid", "--console-socket", sock, "t1"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string name;
  int master = ReceiveMaster(listener, &name);
  close(listener);
  ASSERT_GE(master, 0) << "no fd arrived on the console socket";
  EXPECT_EQ(name.rfind("/dev/pts/", 0), 0u) << name;
  int ptn = -1;
  EXPECT_EQ(ioctl(master, TIOCGPTN, &ptn), 0) << "not a pty master";
  EXPECT_EQ(name, "/dev/pts/" + std::to_string(ptn));
  winsize ws{};
  EXPECT_EQ(ioctl(master, TIOCGWINSZ, &ws), 0);
  EXPECT_EQ(ws.ws_row, 30);
  EXPECT_EQ(ws.ws_col, 101);
  pid_t pid = atoi(ReadFile(dir_ + "/t.pid").c_str());
  ASSERT_EQ(Litebox({"start", "t1"}).status, 0);
  std::string out = ReadUntil(master, "stdio-is-a-tty", 5000);
  EXPECT_NE(out.find("stdio-is-a-tty"), std::string::npos) << out;
  ASSERT_EQ(write(master, "hi-there\n", 9), 9);
  out = ReadUntil(master, "got:hi-there", 5000);
  EXPECT_NE(out.find("got:hi-there"), std::string::npos) << out;
  EXPECT_EQ(WaitChild(pid), 0);
  close(master);
  EXPECT_EQ(Litebox({"delete", "t1"}).status, 0);
  EXPECT_TRUE(RootEntries().empty());
  ExpectNoChildren();
}

TEST_F(CliTest, ExecWithATerminalSendsItsOwnPty) {
  std::string b = Bundle("b", {"sh", "-c", "echo ready; while :; do sleep 0.1; done"});
  pid_t init = Create("t2", b);
  ASSERT_EQ(Litebox({"start", "t2"}).status, 0);
  ASSERT_TRUE(WaitForText(dir_ + "/t2.out", "ready"));
  std::string sock = dir_ + "/exec.sock";
  int listener = Listen(sock);
  // conmon's call: exec --process F --detach --console-socket S --pid-file P.
  nlohmann::json p{{"terminal", true},
                   {"user", {{"uid", 0}, {"gid", 0}}},
                   {"args", {"sh", "-c", "test -t 0 && echo exec-tty; read x; exit $x"}},
                   {"env", {"PATH=/bin"}},
                   {"cwd", "/"}};
  WriteFile(dir_ + "/p.json", p.dump());
  CmdResult r = Litebox({"exec", "--process", dir_ + "/p.json", "--detach", "--console-socket",
                         sock, "--pid-file", dir_ + "/x.pid", "t2"});
  ASSERT_EQ(r.status, 0) << r.err;
  std::string name;
  int master = ReceiveMaster(listener, &name);
  close(listener);
  ASSERT_GE(master, 0);
  pid_t xpid = atoi(ReadFile(dir_ + "/x.pid").c_str());
  std::string out = ReadUntil(master, "exec-tty", 5000);
  EXPECT_NE(out.find("exec-tty"), std::string::npos) << out;
  ASSERT_EQ(write(master, "9\n", 2), 2);
  EXPECT_EQ(WaitChild(xpid), 9);
  close(master);
  // The container's own output never went to the exec's terminal.
  EXPECT_EQ(ReadFile(dir_ + "/t2.out").find("exec-tty"), std::string::npos);
  EXPECT_EQ(Litebox({"delete", "--force", "t2"}).status, 0);
  EXPECT_EQ(WaitChild(init), 128 + 9);
  ExpectNoChildren();
}

}  // namespace
}  // namespace litebox::test
