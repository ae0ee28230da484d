// The host's interfaces through SIOCGIFCONF, which the filter passes on any
// fd and the kernel answers for the socket's network namespace: on a
// socketpair end, on an AF_UNIX socket the supervisor made (bind is
// brokered: the fd is replaced by the supervisor's socket) and on an
// AF_INET socket. Run with a network namespace of the sandbox's own, each
// must list lo alone; a step's value is the number of other interfaces.
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "attack.h"

static long others_seen(long fd) {
  if (fd < 0) return fd;
  struct ifreq reqs[32];
  struct ifconf ifc;
  memset(reqs, 0, sizeof reqs);
  ifc.ifc_len = sizeof reqs;
  ifc.ifc_req = reqs;
  long r = RAW3(SYS_ioctl, fd, SIOCGIFCONF, &ifc);
  if (r < 0) return r;
  long others = 0;
  for (size_t i = 0; i < ifc.ifc_len / sizeof(struct ifreq); ++i) {
    out("DATA interface %s\n", reqs[i].ifr_name);
    if (strcmp(reqs[i].ifr_name, "lo") != 0) ++others;
  }
  return others;
}

int main(void) {
  announce();
  int sv[2];
  long r = step("socketpair", RAW4(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv));
  step("pair_ifconf_others", others_seen(r < 0 ? r : sv[0]));

  long s = step("unix_socket", RAW3(SYS_socket, AF_UNIX, SOCK_STREAM, 0));
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  strcpy(a.sun_path, "/tmp/ifconf.sock");
  if (s >= 0) step("unix_bind", RAW3(SYS_bind, s, &a, sizeof a));
  step("bound_ifconf_others", others_seen(s));

  long in = step("inet_socket", RAW3(SYS_socket, AF_INET, SOCK_DGRAM, 0));
  step("inet_ifconf_others", others_seen(in));
  return done();
}
