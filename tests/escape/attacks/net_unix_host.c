// AF_UNIX to the host's sockets: the listening socket at its host path
// (directly, via `..` and via the planted directory symlink) and the
// abstract one, with stream, seqpacket and datagram sockets; sendto with an
// address on a datagram socket. The driver checks both listeners saw nothing.
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "attack.h"

static socklen_t path_addr(struct sockaddr_un* a, const char* path) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  snprintf(a->sun_path, sizeof a->sun_path, "%s", path);
  return sizeof *a;
}

static socklen_t abstract_addr(struct sockaddr_un* a, const char* name) {
  memset(a, 0, sizeof *a);
  a->sun_family = AF_UNIX;
  size_t n = strlen(name);
  memcpy(a->sun_path + 1, name, n);
  return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static void attempt(const char* label, int type, struct sockaddr_un* a, socklen_t len) {
  char l[128];
  long s = RAW3(SYS_socket, AF_UNIX, type, 0);
  snprintf(l, sizeof l, "%s_socket", label);
  step(l, s);
  if (s < 0) return;
  snprintf(l, sizeof l, "%s_connect", label);
  step(l, RAW3(SYS_connect, s, a, len));
  RAW1(SYS_close, s);
}

int main(void) {
  announce();
  struct sockaddr_un a;
  socklen_t len;
  char p[200];
  len = path_addr(&a, host("ESC_UNIX_PATH"));
  attempt("path_stream", SOCK_STREAM, &a, len);
  attempt("path_seqpacket", SOCK_SEQPACKET, &a, len);
  len = path_addr(&a, "/../decoy/host.sock");
  attempt("dotdot_stream", SOCK_STREAM, &a, len);
  len = path_addr(&a, "/planted_dir/host.sock");
  attempt("planted_stream", SOCK_STREAM, &a, len);
  len = abstract_addr(&a, host("ESC_ABSTRACT"));
  attempt("abstract_stream", SOCK_STREAM, &a, len);
  attempt("abstract_seqpacket", SOCK_SEQPACKET, &a, len);
  // Datagram: sendto carries the address natively if the app ever holds an
  // unconnected datagram socket.
  long s = step("dgram_socket", RAW3(SYS_socket, AF_UNIX, SOCK_DGRAM, 0));
  if (s >= 0) step("dgram_sendto_abstract", RAW6(SYS_sendto, s, "x", 1, 0, &a, len));
  // sendto with an address on a connected socketpair (pass class).
  int sp[2];
  step("socketpair", RAW4(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sp));
  step("sendto_addr_on_pair", RAW6(SYS_sendto, sp[0], "x", 1, 0, &a, len));
  // Binding the host's abstract name (impersonating a host service).
  snprintf(p, sizeof p, "%s-imp", host("ESC_ABSTRACT"));
  len = abstract_addr(&a, p);
  s = RAW3(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
  step("bind_abstract", RAW3(SYS_bind, s, &a, len));
  len = path_addr(&a, host("ESC_CANARY"));
  s = RAW3(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
  step("bind_canary_host_path", RAW3(SYS_bind, s, &a, len));
  return done();
}
