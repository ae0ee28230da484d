// TCP/UDP to the host's loopback listener. `litebox do` gives no network
// by default, so socket(AF_INET) itself must be refused.
#include <netinet/in.h>
#include <sys/socket.h>

#include "attack.h"

int main(void) {
  announce();
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)host_num("ESC_TCP_PORT"));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  long s = step("tcp_socket", RAW3(SYS_socket, AF_INET, SOCK_STREAM, 0));
  if (s >= 0) step("tcp_connect", RAW3(SYS_connect, s, &a, sizeof a));
  s = step("tcp6_socket", RAW3(SYS_socket, AF_INET6, SOCK_STREAM, 0));
  s = step("udp_socket", RAW3(SYS_socket, AF_INET, SOCK_DGRAM, 0));
  if (s >= 0) step("udp_sendto", RAW6(SYS_sendto, s, "x", 1, 0, &a, sizeof a));
  s = step("ping_socket", RAW3(SYS_socket, AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
  return done();
}
