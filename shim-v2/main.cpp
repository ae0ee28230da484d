// containerd-shim-litebox-v1 / containerd-shim-io-litebox: the containerd
// runtime v2 shim for LiteBox. See docs/shim-v2-protocol.md.
#include <cstdio>
#include <string>
#include <vector>

#include "shim-v2/cli/commands.hpp"
#include "shim-v2/cli/flags.hpp"
#include "shim-v2/task/daemon.hpp"

int main(int argc, char** argv) {
  using namespace litebox::shim;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string err;
  auto flags = cli::ParseFlags(args, &err);
  if (!flags) {
    fprintf(stderr, "%s: %s\n", argv[0], err.c_str());
    return 2;
  }
  if (flags->version) {
    printf("%s:\n  Version:  0.1.0\n  Revision: litebox\n  Runtime:  litebox (library OS)\n",
           argv[0]);
    return 0;
  }
  if (flags->action == "start") return cli::RunStart(*flags, argv[0]);
  if (flags->action == "delete") return cli::RunDelete(*flags);
  return task::RunDaemon(*flags);
}
