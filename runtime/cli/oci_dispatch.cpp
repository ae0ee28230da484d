// Name -> runc-compatible subcommand.
#include "runtime/cli/oci_commands.hpp"

namespace litebox::cli {

int DispatchOciCommand(const std::string& cmd, Args& args) {
  static const struct {
    const char* name;
    int (*run)(Args&);
  } kCommands[] = {
      {"create", OciCreateCommand},
      {"start", OciStartCommand},
      {"run", OciRunCommand},
      {"state", OciStateCommand},
      {"list", OciListCommand},
      {"kill", OciKillCommand},
      {"delete", OciDeleteCommand},
      {"exec", OciExecCommand},
      {"ps", OciPsCommand},
      {"pause", OciPauseCommand},
      {"resume", OciResumeCommand},
      {"update", OciUpdateCommand},
      {"features", OciFeaturesCommand},
      {"checkpoint", OciCheckpointCommand},
      {"restore", OciRestoreCommand},
  };
  for (const auto& c : kCommands)
    if (cmd == c.name) return c.run(args);
  return kNotOciCommand;
}

}  // namespace litebox::cli
