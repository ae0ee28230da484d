// The long-running shim process that `start` spawns: serves the Task
// service on the listener passed as fd 3 until Shutdown.
#pragma once

#include "shim-v2/cli/flags.hpp"

namespace litebox::shim::task {

int RunDaemon(const cli::Flags& flags);

}  // namespace litebox::shim::task
