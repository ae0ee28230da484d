// Datagrams to the host: sendto/sendmsg carry their address natively (the
// filter cannot read it), so an app holding any AF_UNIX datagram socket
// (socket(SOCK_DGRAM), socketpair(SOCK_DGRAM)) could post to the host's
// abstract datagram sockets. The driver binds one (and a path one) and
// checks nothing arrived.
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "attack.h"

static socklen_t abstract_addr(struct sockaddr_un* a, const char* name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  size_t n = strlen(name);
  memcpy(a->sun_path + 1, name, n);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static void fire(const char* label, long fd, struct sockaddr_un* a, socklen_t len) {
  char l[128];
  snprintf(l, sizeof l, "%s_sendto", label);
  step(l, RAW6(SYS_sendto, fd, "escape", 6, 0x4000 /* MSG_NOSIGNAL */, a, len));
  struct iovec iov = {(void*)"escape", 6};
  struct msghdr m = {a, len, &iov, 1, 0, 0, 0};
  snprintf(l, sizeof l, "%s_sendmsg", label);
  step(l, RAW3(SYS_sendmsg, fd, &m, 0x4000));
}

int main(void) {
  announce();
  struct sockaddr_un ab, path;
  socklen_t ablen = abstract_addr(&ab, host("ESC_ABSTRACT_DGRAM"));
  memset(&path, 0, sizeof path);
  path.sun_family = AF_UNIX;
  snprintf(path.sun_path, sizeof path.sun_path, "%s", host("ESC_UNIX_DGRAM"));
  long s = step("dgram_socket", RAW3(SYS_socket, AF_UNIX, SOCK_DGRAM, 0));
  if (s >= 0) {
    fire("socket_abstract", s, &ab, ablen);
    fire("socket_path", s, &path, sizeof path);
  }
  int pair[2];
  long r = step("dgram_socketpair", RAW4(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, pair));
  if (r == 0) {
    fire("pair_abstract", pair[0], &ab, ablen);
    fire("pair_path", pair[0], &path, sizeof path);
  }
  r = step("seqpacket_socketpair", RAW4(SYS_socketpair, AF_UNIX, SOCK_SEQPACKET, 0, pair));
  if (r == 0) fire("seqpacket_abstract", pair[0], &ab, ablen);
  // The supervisor channel is a SEQPACKET socket too.
  fire("channel_abstract", LB_CHANNEL_FD, &ab, ablen);
  return done();
}
