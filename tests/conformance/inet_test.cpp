// AF_INET/AF_INET6 socket conformance on the loopback: what socket(2)
// returns (fd number, flags, type), TCP and UDP round trips, refused
// connects, sockets made by a forked child. Natively these run on the
// host's lo; in LiteBox (run.sh passes --network new) on the sandbox's own,
// whose namespace the supervisor makes at the first socket and where it
// makes every such socket.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tests/conformance/child.hpp"
#include "tests/conformance/scratch.hpp"

namespace conformance {
namespace {

sockaddr_in Loopback(uint16_t port = 0) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

uint16_t PortOf(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return 0;
  return ntohs(a.sin_port);
}

// A TCP listener on 127.0.0.1 with a port the kernel picked.
Fd TcpListener() {
  Fd s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_GE(s.get(), 0) << strerror(errno);
  sockaddr_in a = Loopback();
  EXPECT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
  EXPECT_EQ(listen(s, 8), 0) << strerror(errno);
  EXPECT_NE(PortOf(s), 0);
  return s;
}

Fd TcpConnect(uint16_t port) {
  Fd c(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_GE(c.get(), 0) << strerror(errno);
  sockaddr_in a = Loopback(port);
  EXPECT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
  return c;
}

TEST(InetTest, SocketTakesTheLowestFreeFd) {
  int a = dup(0), b = dup(0);
  ASSERT_GE(a, 0);
  ASSERT_GT(b, a);
  close(a);
  Fd s(socket(AF_INET, SOCK_STREAM, 0));
  EXPECT_EQ(s.get(), a);
  close(b);
}

TEST(InetTest, SockNonblockAndCloexecBecomeFlags) {
  Fd plain(socket(AF_INET, SOCK_DGRAM, 0));
  ASSERT_GE(plain.get(), 0) << strerror(errno);
  EXPECT_EQ(fcntl(plain, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_EQ(fcntl(plain, F_GETFD) & FD_CLOEXEC, 0);
  Fd both(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  ASSERT_GE(both.get(), 0) << strerror(errno);
  EXPECT_NE(fcntl(both, F_GETFL) & O_NONBLOCK, 0);
  EXPECT_NE(fcntl(both, F_GETFD) & FD_CLOEXEC, 0);
}

TEST(InetTest, SocketOptionsNameDomainTypeAndProtocol) {
  Fd s(socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP));
  ASSERT_GE(s.get(), 0) << strerror(errno);
  int v = 0;
  socklen_t len = sizeof v;
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &len), 0);
  EXPECT_EQ(v, AF_INET6);
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len), 0);
  EXPECT_EQ(v, SOCK_STREAM);
  ASSERT_EQ(getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &len), 0);
  EXPECT_EQ(v, IPPROTO_TCP);
}

TEST(InetTest, ATypeWithAProtocolItDoesNotCarryIsEprotonosupport) {
  errno = 0;
  EXPECT_EQ(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), -1);
  EXPECT_EQ(errno, EPROTONOSUPPORT);
  errno = 0;
  EXPECT_EQ(socket(AF_INET6, SOCK_DGRAM, IPPROTO_TCP), -1);
  EXPECT_EQ(errno, EPROTONOSUPPORT);
}

TEST(InetTest, TcpRoundTripOnLoopback) {
  Fd l = TcpListener();
  Fd c = TcpConnect(PortOf(l));
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  Fd a(accept4(l, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC));
  ASSERT_GE(a.get(), 0) << strerror(errno);
  EXPECT_EQ(ntohs(peer.sin_port), PortOf(c));
  EXPECT_EQ(peer.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
  ASSERT_EQ(write(c, "ping", 4), 4);
  char buf[8] = {};
  ASSERT_EQ(read(a, buf, sizeof buf), 4);
  EXPECT_EQ(std::string(buf, 4), "ping");
  ASSERT_EQ(write(a, "pong!", 5), 5);
  ASSERT_EQ(read(c, buf, sizeof buf), 5);
  EXPECT_EQ(std::string(buf, 5), "pong!");
  c.reset();
  EXPECT_EQ(read(a, buf, sizeof buf), 0);  // the peer's close is an EOF
}

TEST(InetTest, UdpDatagramCarriesTheSendersAddress) {
  Fd r(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  Fd s(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP));
  ASSERT_GE(r.get(), 0) << strerror(errno);
  ASSERT_GE(s.get(), 0) << strerror(errno);
  sockaddr_in a = Loopback();
  ASSERT_EQ(bind(r, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
  sockaddr_in to = Loopback(PortOf(r));
  ASSERT_EQ(sendto(s, "dgram", 5, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 5)
      << strerror(errno);
  char buf[16];
  sockaddr_in from{};
  socklen_t len = sizeof from;
  pollfd p{r, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 5000), 1);
  ASSERT_EQ(recvfrom(r, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len), 5);
  EXPECT_EQ(std::string(buf, 5), "dgram");
  EXPECT_EQ(ntohs(from.sin_port), PortOf(s));
}

TEST(InetTest, ConnectToAPortNobodyListensOnIsRefused) {
  // A port that was free a moment ago: bound, never listened on.
  Fd hold(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a = Loopback();
  ASSERT_EQ(bind(hold, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
  uint16_t port = PortOf(hold);
  Fd c(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in to = Loopback(port);
  errno = 0;
  EXPECT_EQ(connect(c, reinterpret_cast<sockaddr*>(&to), sizeof to), -1);
  EXPECT_EQ(errno, ECONNREFUSED);
}

TEST(InetTest, AForkedChildsSocketReachesItsParentsListener) {
  Fd l = TcpListener();
  uint16_t port = PortOf(l);
  Child child([port] {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0) return 2;
    sockaddr_in a = Loopback(port);
    if (connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 3;
    return write(c, "child", 5) == 5 ? 0 : 4;
  });
  Fd a(accept4(l, nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_GE(a.get(), 0) << strerror(errno);
  char buf[8] = {};
  EXPECT_EQ(read(a, buf, sizeof buf), 5);
  EXPECT_EQ(std::string(buf, 5), "child");
  int st = child.Wait();
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "status " << st;
}

TEST(InetTest, Ipv6LoopbackRoundTrip) {
  Fd l(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_GE(l.get(), 0) << strerror(errno);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  ASSERT_EQ(bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
  ASSERT_EQ(listen(l, 4), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(getsockname(l, reinterpret_cast<sockaddr*>(&a), &len), 0);
  Fd c(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_EQ(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << strerror(errno);
  Fd s(accept4(l, nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_GE(s.get(), 0) << strerror(errno);
  ASSERT_EQ(write(c, "six", 3), 3);
  char buf[4] = {};
  EXPECT_EQ(read(s, buf, sizeof buf), 3);
  EXPECT_EQ(std::string(buf, 3), "six");
}

}  // namespace
}  // namespace conformance
