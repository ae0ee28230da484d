// Socket families a container must never get: netlink (route, audit,
// uevent), packet, raw IP, and the rarer ones with a history of kernel bugs.
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "attack.h"

int main(void) {
  announce();
  step("netlink_route", RAW3(SYS_socket, AF_NETLINK, SOCK_RAW, 0));
  step("netlink_audit", RAW3(SYS_socket, AF_NETLINK, SOCK_RAW, 9));
  step("netlink_uevent", RAW3(SYS_socket, AF_NETLINK, SOCK_DGRAM, 15));
  step("packet_raw", RAW3(SYS_socket, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
  step("packet_dgram", RAW3(SYS_socket, AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL)));
  step("inet_raw", RAW3(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_RAW));
  step("inet_raw_icmp", RAW3(SYS_socket, AF_INET, SOCK_RAW, IPPROTO_ICMP));
  step("inet6_raw", RAW3(SYS_socket, AF_INET6, SOCK_RAW, IPPROTO_RAW));
  step("inet_packet", RAW3(SYS_socket, AF_INET, SOCK_PACKET, 0));
  step("alg", RAW3(SYS_socket, 38 /* AF_ALG */, SOCK_SEQPACKET, 0));
  step("vsock", RAW3(SYS_socket, 40 /* AF_VSOCK */, SOCK_STREAM, 0));
  step("xdp", RAW3(SYS_socket, 44 /* AF_XDP */, SOCK_RAW, 0));
  step("key", RAW3(SYS_socket, 15 /* AF_KEY */, SOCK_RAW, 2));
  step("tipc", RAW3(SYS_socket, 30 /* AF_TIPC */, SOCK_RDM, 0));
  step("unix_raw_type", RAW3(SYS_socket, AF_UNIX, SOCK_RAW, 0));
  int pair[2];
  step("socketpair_dgram", RAW4(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, pair));
  step("socketpair_inet", RAW4(SYS_socketpair, AF_INET, SOCK_STREAM, 0, pair));
  return done();
}
