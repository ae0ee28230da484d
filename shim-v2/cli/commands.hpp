// The shim's three modes. Each returns the process exit code.
#pragma once

#include "shim-v2/cli/flags.hpp"

namespace litebox::shim::cli {

// `start`: claim (or reuse) the socket, write <bundle>/address, spawn the
// daemon with the listener as fd 3, print the address.
int RunStart(const Flags& flags, const char* argv0);
// `delete`: forced cleanup of a container whose shim is gone; prints a
// binary containerd.task.v2.DeleteResponse.
int RunDelete(const Flags& flags);

// Where the shim keeps each sandbox's state_dir: /run/litebox-shim/<ns>/<id>.
std::string StateDir(const std::string& ns, const std::string& id);

}  // namespace litebox::shim::cli
