// Global flags, `--version`, and the --log writer.
#include "runtime/cli/oci_globals.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "oci/state.hpp"
#include "runtime/cli/oci_flags.hpp"

#ifndef LITEBOX_COMMIT
#define LITEBOX_COMMIT "unknown"
#endif

namespace litebox::cli {

OciGlobals& Globals() {
  static OciGlobals g;
  return g;
}

namespace {

void Append(const std::string& path, const std::string& line) {
  // O_APPEND: several litebox invocations share one log (the shim's log.json).
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    fprintf(stderr, "litebox: cannot open log file %s: %m\n", path.c_str());
    return;
  }
  if (write(fd, line.data(), line.size()) < 0)
    fprintf(stderr, "litebox: cannot write log file %s: %m\n", path.c_str());
  close(fd);
}

const char kGlobalUsage[] =
    "usage: litebox [global flags] COMMAND [flags] [ARGS]\n"
    "global flags: --root DIR, --log FILE, --log-format text|json, --debug,\n"
    "              --systemd-cgroup, --rootless true|false|auto, --criu PATH, --version\n"
    "commands: create, start, run, state, list, kill, delete, exec, ps, pause, resume,\n"
    "          update, features, spec, checkpoint, restore, do, policy\n";

}  // namespace

void LogLine(const std::string& level, const std::string& msg) {
  const OciGlobals& g = Globals();
  if (level == "debug" && !g.debug) return;
  if (g.log_file.empty()) {
    if (g.debug && level != "error")
      fprintf(stderr, "litebox: %s: %s\n", level.c_str(), msg.c_str());
    return;
  }
  std::string now = oci::FormatRfc3339Nano(
      std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now()));
  if (g.log_json) {
    nlohmann::ordered_json j{{"level", level}, {"msg", msg}, {"time", now}};
    Append(g.log_file, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  } else {
    Append(g.log_file,
           "time=\"" + now + "\" level=" + level + " msg=" +
               nlohmann::json(msg).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
               "\n");
  }
}

int OciFail(const std::string& msg) {
  fprintf(stderr, "litebox: %s\n", msg.c_str());
  LogLine("error", msg);
  return 1;
}

int ParseGlobalFlags(Args& args) {
  OciGlobals& g = Globals();
  g.root = StateRoot();
  std::string log_format = "text";
  bool version = false, help = false;
  FlagSet fs("litebox");
  fs.String({"root"}, &g.root);
  fs.String({"log"}, &g.log_file);
  fs.String({"log-format"}, &log_format);
  fs.Bool({"debug"}, &g.debug);
  fs.Bool({"systemd-cgroup"}, &g.systemd_cgroup);
  fs.String({"criu"}, &g.criu);
  fs.String({"rootless"}, &g.rootless);
  fs.Bool({"version", "v"}, &version);
  fs.Bool({"help", "h"}, &help);
  // --rootless takes a value in runc; a bare `--rootless` (followed by the
  // command) means true, so it must not eat the command name.
  for (auto it = args.begin(); it != args.end() && it->size() > 1 && (*it)[0] == '-'; ++it) {
    std::string name = it->substr((*it)[1] == '-' ? 2 : 1);
    if (name == "root" || name == "log" || name == "log-format" || name == "criu") {
      if (++it == args.end()) break;  // skip the value
      continue;
    }
    if (name != "rootless") continue;
    auto next = it + 1;
    if (next != args.end() && (*next == "true" || *next == "false" || *next == "auto"))
      ++it;  // its value
    else
      it = args.insert(next, "true");
  }
  std::string err;
  if (!fs.Parse(args, &err)) return OciFail(err + "\n" + kGlobalUsage), 2;
  if (log_format != "text" && log_format != "json")
    return OciFail("--log-format: unknown format \"" + log_format + "\" (text or json)"), 2;
  g.log_json = log_format == "json";
  if (g.rootless != "true" && g.rootless != "false" && g.rootless != "auto")
    return OciFail("--rootless: expected true, false or auto, got \"" + g.rootless + "\""), 2;
  if (version) {
    printf("litebox version 0.1.0\ncommit: %s\nspec: 1.1.0\n", LITEBOX_COMMIT);
    return 0;
  }
  if (help) {
    fputs(kGlobalUsage, stdout);
    return 0;
  }
  if (g.root.empty()) return OciFail("--root must not be empty"), 2;
  return kNotOciCommand;
}

}  // namespace litebox::cli
