// `process.terminal`: a real pseudo-terminal whose master goes to the
// engine over --console-socket (one sendmsg, SCM_RIGHTS, the pty name as
// payload, as runc does) and whose slave becomes the container's stdio.
#pragma once

#include <string>

#include "oci/spec.hpp"

namespace litebox::cli {

struct Pty {
  int master = -1, slave = -1;
  std::string slave_name;
  ~Pty();
};

// Opens a pty (posix_openpt/grantpt/unlockpt) and applies size if given.
bool OpenPty(const std::optional<oci::ConsoleSize>& size, Pty* pty, std::string* err);
// Connects to the unix socket at path and sends pty.master in one message.
bool SendConsole(const std::string& socket_path, const Pty& pty, std::string* err);

}  // namespace litebox::cli
