// Small subcommands: `spec`, `policy`, `__supervise`.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "oci/spec.hpp"
#include "runtime/cli/commands.hpp"
#include "runtime/seccomp_policy.hpp"
#include "runtime/supervisor.hpp"

namespace litebox::cli {

int SpecCommand(Args& args) {
  std::string bundle = ".";
  bool rootless = false;
  while (!args.empty()) {
    std::string f = args.front();
    args.pop_front();
    if (f == "--rootless")
      rootless = true;
    else if ((f == "--bundle" || f == "-b") && !args.empty())
      bundle = args.front(), args.pop_front();
    else if (f.rfind("--bundle=", 0) == 0)
      bundle = f.substr(9);
    else
      return Fail("spec: unknown flag " + f, 2);
  }
  std::string path = bundle + "/config.json";
  if (access(path.c_str(), F_OK) == 0)
    return Fail("spec: File " + path + " exists. Remove it first", 1);
  std::ofstream out(path);
  out << oci::SerializeSpec(oci::DefaultSpec(rootless)) << "\n";
  if (!out) return Fail("spec: cannot write " + path, 1);
  return 0;
}

int PolicyCommand(Args& args) {
  if (args.empty() || args.front() != "--stats") return Fail("usage: litebox policy --stats", 2);
  fputs(runtime::FormatPolicyStats(runtime::ComputePolicyStats()).c_str(), stdout);
  return 0;
}

int SuperviseCommand(Args& args) {
  int fd = -1;
  while (!args.empty()) {
    std::string f = args.front();
    args.pop_front();
    if (f == "--control-fd" && !args.empty()) fd = std::stoi(args.front()), args.pop_front();
  }
  if (fd < 0) return Fail("__supervise: --control-fd required", 2);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  return runtime::RunSupervisor(fd);
}

}  // namespace litebox::cli
