// `litebox`: the developer entry (`do`), tools (`spec`, `policy`), and
// the hidden `__supervise` entry of the sandbox supervisor.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/cli/commands.hpp"

namespace litebox::cli {

int Fail(const std::string& msg, int code) {
  fprintf(stderr, "litebox: %s\n", msg.c_str());
  return code;
}

std::string StateRoot() {
  if (const char* r = getenv("LITEBOX_ROOT")) return r;
  return geteuid() == 0
             ? "/run/litebox"
             : std::string(getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR") : "/tmp") +
                   "/litebox";
}

}  // namespace litebox::cli

int main(int argc, char** argv) {
  using namespace litebox::cli;
  Args args(argv + 1, argv + argc);
  if (int rc = ParseGlobalFlags(args); rc != kNotOciCommand) return rc;
  if (args.empty()) return Fail("usage: litebox [global flags] COMMAND ... (litebox --help)", 2);
  std::string cmd = args.front();
  args.pop_front();
  if (cmd == "do") return DoCommand(args);
  if (cmd == "spec") return SpecCommand(args);
  if (cmd == "policy") return PolicyCommand(args);
  if (cmd == "__supervise") return SuperviseCommand(args);
  if (int rc = DispatchOciCommand(cmd, args); rc != kNotOciCommand) return rc;
  if (cmd == "--version" || cmd == "-v" || cmd == "version") {
    printf("litebox version 0.1.0\nspec: 1.1.0\n");
    return 0;
  }
  return Fail("unknown command \"" + cmd + "\"", 2);
}
