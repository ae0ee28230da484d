// AF_UNIX socket conformance: socketpair (stream, seqpacket, SCM_RIGHTS,
// SO_PEERCRED) and path-bound listen/connect/accept in the scratch directory.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>

#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

class SocketsTest : public ScratchTest {
 protected:
  // A write on a socket whose connect failed must fail the case, not kill
  // the whole binary with SIGPIPE.
  void SetUp() override {
    ScratchTest::SetUp();
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, &saved_sigpipe_);
  }
  void TearDown() override {
    sigaction(SIGPIPE, &saved_sigpipe_, nullptr);
    ScratchTest::TearDown();
  }
  struct sigaction saved_sigpipe_ {};

 public:  // public so helper threads started by a case can call them
  // sockaddr_un for `name` inside the scratch dir; the path must fit sun_path.
  sockaddr_un Addr(const std::string& name, socklen_t* len) {
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::string p = Path(name);
    EXPECT_LT(p.size(), sizeof a.sun_path) << "socket path too long: " << p;
    strncpy(a.sun_path, p.c_str(), sizeof a.sun_path - 1);
    *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + p.size() + 1);
    return a;
  }
  Fd Listener(const std::string& name, int type = SOCK_STREAM) {
    Fd s(socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
    EXPECT_GE(s.get(), 0) << strerror(errno);
    socklen_t len;
    sockaddr_un a = Addr(name, &len);
    EXPECT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), len), 0) << strerror(errno);
    EXPECT_EQ(listen(s, 8), 0) << strerror(errno);
    return s;
  }
  Fd Connect(const std::string& name, int type = SOCK_STREAM) {
    Fd c(socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
    socklen_t len;
    sockaddr_un a = Addr(name, &len);
    EXPECT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), len), 0) << strerror(errno);
    return c;
  }
};

struct Pair {
  Fd a, b;
  explicit Pair(int type = SOCK_STREAM) {
    int sv[2];
    EXPECT_EQ(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0) << strerror(errno);
    a.reset(sv[0]);
    b.reset(sv[1]);
  }
};

TEST_F(SocketsTest, SocketpairStreamCarriesDataBothWays) {
  Pair p;
  ASSERT_EQ(write(p.a, "ping", 4), 4);
  char buf[8] = {};
  ASSERT_EQ(read(p.b, buf, sizeof buf), 4);
  EXPECT_STREQ(buf, "ping");
  ASSERT_EQ(send(p.b, "pong", 4, 0), 4);
  memset(buf, 0, sizeof buf);
  ASSERT_EQ(recv(p.a, buf, sizeof buf, 0), 4);
  EXPECT_STREQ(buf, "pong");
}

TEST_F(SocketsTest, SocketpairEndsAreSocketsWithCloexec) {
  Pair p;
  struct stat st {};
  ASSERT_EQ(fstat(p.a, &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(fcntl(p.a, F_GETFD), FD_CLOEXEC);
  int type = 0;
  socklen_t len = sizeof type;
  ASSERT_EQ(getsockopt(p.a, SOL_SOCKET, SO_TYPE, &type, &len), 0);
  EXPECT_EQ(type, SOCK_STREAM);
}

TEST_F(SocketsTest, ShutdownWriteGivesPeerEOF) {
  Pair p;
  ASSERT_EQ(write(p.a, "last", 4), 4);
  ASSERT_EQ(shutdown(p.a, SHUT_WR), 0);
  char buf[8];
  EXPECT_EQ(read(p.b, buf, sizeof buf), 4);
  EXPECT_EQ(read(p.b, buf, sizeof buf), 0);
  ASSERT_EQ(write(p.b, "back", 4), 4);  // the other direction still works
  EXPECT_EQ(read(p.a, buf, sizeof buf), 4);
}

TEST_F(SocketsTest, ClosedPeerGivesEOFAndEPIPE) {
  struct sigaction ign {
  }, old{};
  ign.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ign, &old);
  Pair p;
  p.b.reset();
  char c;
  EXPECT_EQ(read(p.a, &c, 1), 0);
  EXPECT_EQ(write(p.a, "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
  sigaction(SIGPIPE, &old, nullptr);
}

TEST_F(SocketsTest, MsgNosignalSuppressesSigpipe) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;  // a SIGPIPE now would kill us: that is the check
  sigaction(SIGPIPE, &dfl, nullptr);
  Pair p;
  p.b.reset();
  EXPECT_EQ(send(p.a, "x", 1, MSG_NOSIGNAL), -1);
  EXPECT_EQ(errno, EPIPE);
}

TEST_F(SocketsTest, NonblockingEmptyRecvIsEAGAIN) {
  Pair p;
  char c;
  EXPECT_EQ(recv(p.a, &c, 1, MSG_DONTWAIT), -1);
  EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK);
}

TEST_F(SocketsTest, MsgPeekLeavesDataQueued) {
  Pair p;
  ASSERT_EQ(write(p.a, "peek", 4), 4);
  char buf[4];
  ASSERT_EQ(recv(p.b, buf, 4, MSG_PEEK), 4);
  ASSERT_EQ(recv(p.b, buf, 4, 0), 4);
  EXPECT_EQ(std::string(buf, 4), "peek");
}

TEST_F(SocketsTest, SendmsgRecvmsgWithIovecs) {
  Pair p;
  char h[] = "head:", b[] = "body";
  struct iovec out[2] = {{h, 5}, {b, 4}};
  struct msghdr m {};
  m.msg_iov = out;
  m.msg_iovlen = 2;
  ASSERT_EQ(sendmsg(p.a, &m, 0), 9);
  char r1[3], r2[6];
  struct iovec in[2] = {{r1, 3}, {r2, 6}};
  struct msghdr rm {};
  rm.msg_iov = in;
  rm.msg_iovlen = 2;
  ASSERT_EQ(recvmsg(p.b, &rm, 0), 9);
  EXPECT_EQ(std::string(r1, 3) + std::string(r2, 6), "head:body");
}

TEST_F(SocketsTest, ScmRightsPassesWorkingFd) {
  WriteFile(Path("passed"), "passed-content");
  Fd f(open(Path("passed").c_str(), O_RDONLY));
  Pair p;
  char byte = 'F';
  struct iovec iov = {&byte, 1};
  alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr m {};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = ctl;
  m.msg_controllen = sizeof ctl;
  struct cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  int fd = f.get();
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  ASSERT_EQ(sendmsg(p.a, &m, 0), 1) << strerror(errno);

  char rbyte = 0;
  struct iovec riov = {&rbyte, 1};
  alignas(struct cmsghdr) char rctl[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr rm {};
  rm.msg_iov = &riov;
  rm.msg_iovlen = 1;
  rm.msg_control = rctl;
  rm.msg_controllen = sizeof rctl;
  ASSERT_EQ(recvmsg(p.b, &rm, MSG_CMSG_CLOEXEC), 1) << strerror(errno);
  struct cmsghdr* rc = CMSG_FIRSTHDR(&rm);
  ASSERT_NE(rc, nullptr);
  ASSERT_EQ(rc->cmsg_type, SCM_RIGHTS);
  int got = -1;
  memcpy(&got, CMSG_DATA(rc), sizeof got);
  Fd received(got);
  EXPECT_NE(received.get(), f.get());
  EXPECT_EQ(fcntl(received, F_GETFD), FD_CLOEXEC);
  EXPECT_EQ(ReadAll(received), "passed-content");
}

TEST_F(SocketsTest, SoPeercredReportsOwnProcess) {
  Pair p;
  struct ucred cred {};
  socklen_t len = sizeof cred;
  ASSERT_EQ(getsockopt(p.a, SOL_SOCKET, SO_PEERCRED, &cred, &len), 0) << strerror(errno);
  EXPECT_EQ(cred.pid, getpid());
  EXPECT_EQ(cred.uid, geteuid());
  EXPECT_EQ(cred.gid, getegid());
}

TEST_F(SocketsTest, SeqpacketPreservesMessageBoundaries) {
  Pair p(SOCK_SEQPACKET);
  ASSERT_EQ(write(p.a, "one", 3), 3);
  ASSERT_EQ(write(p.a, "three", 5), 5);
  char buf[16];
  EXPECT_EQ(read(p.b, buf, sizeof buf), 3);
  EXPECT_EQ(read(p.b, buf, sizeof buf), 5);
  EXPECT_EQ(std::string(buf, 5), "three");
}

TEST_F(SocketsTest, SeqpacketTruncatesLongMessage) {
  Pair p(SOCK_SEQPACKET);
  ASSERT_EQ(write(p.a, "abcdefgh", 8), 8);
  char buf[4];
  struct iovec iov = {buf, sizeof buf};
  struct msghdr m {};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  EXPECT_EQ(recvmsg(p.b, &m, 0), 4);
  EXPECT_NE(m.msg_flags & MSG_TRUNC, 0);
}

TEST_F(SocketsTest, LargeStreamTransferThroughSocketpair) {
  Pair p;
  const size_t total = 4u << 20;
  struct Arg {
    int fd;
    size_t total;
  } arg{p.a.get(), total};
  pthread_t t;
  ASSERT_EQ(pthread_create(
                &t, nullptr,
                [](void* v) -> void* {
                  auto* a = static_cast<Arg*>(v);
                  char buf[32768];
                  size_t sent = 0;
                  while (sent < a->total) {
                    size_t n = std::min(sizeof buf, a->total - sent);
                    for (size_t i = 0; i < n; ++i) buf[i] = static_cast<char>((sent + i) % 253);
                    ssize_t w = send(a->fd, buf, n, MSG_NOSIGNAL);
                    if (w <= 0) return reinterpret_cast<void*>(1);
                    sent += static_cast<size_t>(w);
                  }
                  shutdown(a->fd, SHUT_WR);
                  return nullptr;
                },
                &arg),
            0);
  size_t got = 0, bad = 0;
  char buf[10000];
  for (;;) {
    ssize_t n = read(p.b, buf, sizeof buf);
    if (n < 0) ADD_FAILURE() << "read: " << strerror(errno);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) bad += buf[i] != static_cast<char>((got + i) % 253);
    got += static_cast<size_t>(n);
  }
  p.b.reset();  // unblocks the writer if we stopped early
  void* rc = nullptr;
  pthread_join(t, &rc);
  EXPECT_EQ(rc, nullptr);
  EXPECT_EQ(got, total);
  EXPECT_EQ(bad, 0u);
}

TEST_F(SocketsTest, ListenConnectAcceptOnPath) {
  Fd l = Listener("srv");
  Fd c = Connect("srv");  // completes via the backlog before accept
  Fd s(accept4(l, nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_GE(s.get(), 0) << strerror(errno);
  ASSERT_EQ(write(c, "hello", 5), 5);
  char buf[8] = {};
  ASSERT_EQ(read(s, buf, sizeof buf), 5);
  EXPECT_STREQ(buf, "hello");
  ASSERT_EQ(write(s, "bye", 3), 3);
  ASSERT_EQ(read(c, buf, sizeof buf), 3);
  EXPECT_EQ(std::string(buf, 3), "bye");
}

TEST_F(SocketsTest, AcceptFromAnotherThreadsConnect) {
  Fd l = Listener("srv");
  struct Arg {
    SocketsTest* self;
    int result = -1;
  } arg{this};
  pthread_t t;
  ASSERT_EQ(pthread_create(
                &t, nullptr,
                [](void* v) -> void* {
                  auto* a = static_cast<Arg*>(v);
                  usleep(20000);  // make accept() block first
                  Fd c = a->self->Connect("srv");
                  a->result = static_cast<int>(write(c, "T", 1));
                  return nullptr;
                },
                &arg),
            0);
  Fd s(accept(l, nullptr, nullptr));
  int accept_errno = errno;
  char c = 0;
  ssize_t n = s.get() >= 0 ? read(s, &c, 1) : -1;
  pthread_join(t, nullptr);  // before any ASSERT: the thread uses `arg` and `this`
  ASSERT_GE(s.get(), 0) << strerror(accept_errno);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(c, 'T');
  EXPECT_EQ(arg.result, 1);
}

TEST_F(SocketsTest, PollOnListenerReportsPendingConnection) {
  Fd l = Listener("srv");
  struct pollfd pfd = {l, POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 0);
  Fd c = Connect("srv");
  EXPECT_EQ(poll(&pfd, 1, 1000), 1);
}

TEST_F(SocketsTest, BoundPathIsASocketFile) {
  Fd l = Listener("srv");
  struct stat st {};
  ASSERT_EQ(stat(Path("srv").c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
}

TEST_F(SocketsTest, GetsocknameReturnsBoundPath) {
  Fd l = Listener("srv");
  sockaddr_un a{};
  socklen_t len = sizeof a;
  ASSERT_EQ(getsockname(l, reinterpret_cast<sockaddr*>(&a), &len), 0);
  EXPECT_EQ(a.sun_family, AF_UNIX);
  EXPECT_EQ(std::string(a.sun_path), Path("srv"));
}

TEST_F(SocketsTest, GetpeernameOfConnectedClientIsServerPath) {
  Fd l = Listener("srv");
  Fd c = Connect("srv");
  sockaddr_un a{};
  socklen_t len = sizeof a;
  ASSERT_EQ(getpeername(c, reinterpret_cast<sockaddr*>(&a), &len), 0) << strerror(errno);
  EXPECT_EQ(std::string(a.sun_path), Path("srv"));
}

TEST_F(SocketsTest, BindOnExistingPathIsEADDRINUSE) {
  Fd l = Listener("srv");
  Fd s(socket(AF_UNIX, SOCK_STREAM, 0));
  socklen_t len;
  sockaddr_un a = Addr("srv", &len);
  EXPECT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), len), -1);
  EXPECT_EQ(errno, EADDRINUSE);
}

TEST_F(SocketsTest, ConnectToMissingPathIsENOENT) {
  Fd s(socket(AF_UNIX, SOCK_STREAM, 0));
  socklen_t len;
  sockaddr_un a = Addr("nobody", &len);
  EXPECT_EQ(connect(s, reinterpret_cast<sockaddr*>(&a), len), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(SocketsTest, ConnectToBoundButNotListeningIsECONNREFUSED) {
  Fd srv(socket(AF_UNIX, SOCK_STREAM, 0));
  socklen_t len;
  sockaddr_un a = Addr("quiet", &len);
  ASSERT_EQ(bind(srv, reinterpret_cast<sockaddr*>(&a), len), 0);
  Fd s(socket(AF_UNIX, SOCK_STREAM, 0));
  EXPECT_EQ(connect(s, reinterpret_cast<sockaddr*>(&a), len), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
}

TEST_F(SocketsTest, ConnectToRegularFileIsECONNREFUSED) {
  WriteFile(Path("plain"), "x");
  Fd s(socket(AF_UNIX, SOCK_STREAM, 0));
  socklen_t len;
  sockaddr_un a = Addr("plain", &len);
  EXPECT_EQ(connect(s, reinterpret_cast<sockaddr*>(&a), len), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
}

TEST_F(SocketsTest, UnlinkedSocketPathRefusesNewConnections) {
  Fd l = Listener("srv");
  ASSERT_EQ(unlink(Path("srv").c_str()), 0);
  Fd s(socket(AF_UNIX, SOCK_STREAM, 0));
  socklen_t len;
  sockaddr_un a = Addr("srv", &len);
  EXPECT_EQ(connect(s, reinterpret_cast<sockaddr*>(&a), len), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(SocketsTest, SeqpacketListenerKeepsBoundaries) {
  Fd l = Listener("seq", SOCK_SEQPACKET);
  Fd c = Connect("seq", SOCK_SEQPACKET);
  Fd s(accept(l, nullptr, nullptr));
  ASSERT_GE(s.get(), 0);
  ASSERT_EQ(write(c, "ab", 2), 2);
  ASSERT_EQ(write(c, "cde", 3), 3);
  char buf[8];
  EXPECT_EQ(read(s, buf, sizeof buf), 2);
  EXPECT_EQ(read(s, buf, sizeof buf), 3);
}

TEST_F(SocketsTest, RelativePathBindAfterChdir) {
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  Fd srv(socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  strcpy(a.sun_path, "rel.sock");
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 9);
  ASSERT_EQ(bind(srv, reinterpret_cast<sockaddr*>(&a), len), 0) << strerror(errno);
  ASSERT_EQ(listen(srv, 1), 0);
  struct stat st {};
  ASSERT_EQ(stat(Path("rel.sock").c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  Fd c = Connect("rel.sock");
  Fd s(accept(srv, nullptr, nullptr));
  EXPECT_GE(s.get(), 0);
}

}  // namespace
}  // namespace conformance
