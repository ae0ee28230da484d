#include "runtime/cli/oci_console.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace litebox::cli {

Pty::~Pty() {
  if (master >= 0) close(master);
  if (slave >= 0) close(slave);
}

bool OpenPty(const std::optional<oci::ConsoleSize>& size, Pty* pty, std::string* err) {
  pty->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (pty->master < 0 || grantpt(pty->master) != 0 || unlockpt(pty->master) != 0) {
    *err = std::string("allocating a pseudo-terminal: ") + strerror(errno);
    return false;
  }
  char name[128];
  if (ptsname_r(pty->master, name, sizeof name) != 0) {
    *err = std::string("ptsname: ") + strerror(errno);
    return false;
  }
  pty->slave_name = name;
  pty->slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (pty->slave < 0) {
    *err = "open " + pty->slave_name + ": " + strerror(errno);
    return false;
  }
  if (size && size->height && size->width) {
    winsize ws{};
    ws.ws_row = static_cast<unsigned short>(size->height);
    ws.ws_col = static_cast<unsigned short>(size->width);
    ioctl(pty->master, TIOCSWINSZ, &ws);
  }
  return true;
}

bool SendConsole(const std::string& socket_path, const Pty& pty, std::string* err) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) {
    *err = "--console-socket " + socket_path + ": path too long for a unix socket";
    return false;
  }
  strcpy(addr.sun_path, socket_path.c_str());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *err = "--console-socket " + socket_path + ": connect: " + strerror(errno);
    if (fd >= 0) close(fd);
    return false;
  }
  iovec iov{const_cast<char*>(pty.slave_name.data()), pty.slave_name.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &pty.master, sizeof(int));
  ssize_t n = sendmsg(fd, &msg, MSG_NOSIGNAL);
  int saved = errno;
  close(fd);
  if (n < 0) {
    *err = "--console-socket " + socket_path + ": sendmsg: " + strerror(saved);
    return false;
  }
  return true;
}

}  // namespace litebox::cli
