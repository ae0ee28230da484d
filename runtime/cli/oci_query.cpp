// Read-only commands: `state`, `list`, `ps`, `features`, and the clear
// refusals of `checkpoint`/`restore`.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "oci/names.hpp"
#include "oci/state.hpp"
#include "runtime/cli/oci_commands.hpp"
#include "runtime/cli/oci_flags.hpp"
#include "runtime/cli/oci_globals.hpp"
#include "runtime/sandbox.hpp"

namespace litebox::cli {

int OciStateCommand(Args& args) {
  std::string id;
  int rc = 0;
  if (!TakeId(args, "state", &id, &rc)) return rc;
  ContainerRecord rec;
  if (!LoadOrFail(id, &rec, &rc)) return rc;
  fputs(oci::SerializeState(ToOciState(rec)).c_str(), stdout);
  return 0;
}

int OciListCommand(Args& args) {
  std::string format = "table";
  bool quiet = false;
  FlagSet fs("list");
  fs.String({"format", "f"}, &format);
  fs.Bool({"quiet", "q"}, &quiet);
  std::string err;
  if (!fs.Parse(args, &err)) return OciFail(err);
  if (format != "table" && format != "json")
    return OciFail("list: invalid format option \"" + format + "\" (table or json)");
  std::vector<oci::State> states;
  for (const auto& id : ListIds(Globals().root)) {
    auto rec = LoadRecord(Globals().root, id);
    if (!rec) {
      LogLine("warning", "list: skipping " + id + ": " + rec.error().message());
      continue;
    }
    states.push_back(ToOciState(*rec));
  }
  if (quiet) {
    for (const auto& s : states) printf("%s\n", s.id.c_str());
    return 0;
  }
  if (format == "json") {
    // runc prints a JSON array of state objects ("null" when there is none).
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& s : states)
      arr.push_back(nlohmann::ordered_json::parse(oci::SerializeState(s)));
    printf("%s\n", states.empty() ? "null" : arr.dump().c_str());
    return 0;
  }
  printf("%-20s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
  for (const auto& s : states)
    printf("%-20s %-8d %-10s %-40s %-32s %s\n", s.id.c_str(), s.pid, oci::StatusName(s.status),
           s.bundle.c_str(), oci::FormatRfc3339Nano(s.created).c_str(), s.owner.c_str());
  return 0;
}

int OciPsCommand(Args& args) {
  std::string format = "table";
  FlagSet fs("ps");
  fs.String({"format", "f"}, &format);
  std::string err, id;
  int rc = 0;
  if (!fs.Parse(args, &err)) return OciFail(err);
  if (format != "table" && format != "json")
    return OciFail("ps: invalid format option \"" + format + "\" (table or json)");
  if (!TakeId(args, "ps", &id, &rc)) return rc;
  ContainerRecord rec;
  if (!LoadOrFail(id, &rec, &rc)) return rc;
  std::vector<pid_t> pids;
  if (CurrentStatus(rec) != oci::Status::kStopped) {
    auto sb = runtime::Sandbox::Attach(rec.sandbox_dir, &err);
    std::optional<std::vector<runtime::ProcessState>> procs;
    if (sb) procs = sb->Processes(&err);
    if (!procs) {
      if (CurrentStatus(rec) != oci::Status::kStopped) return OciFail("ps " + id + ": " + err);
    } else {
      for (const auto& p : *procs) pids.push_back(p.host_pid);
    }
  }
  if (format == "json") {
    printf("%s\n", nlohmann::json(pids).dump().c_str());
    return 0;
  }
  // Table: what `ps` prints for exactly these pids (runc runs `ps -ef` and
  // filters), with extra arguments after the id as ps options.
  if (pids.empty()) {
    printf("UID          PID    PPID  C STIME TTY          TIME CMD\n");
    return 0;
  }
  std::string list;
  for (pid_t p : pids) list += (list.empty() ? "" : ",") + std::to_string(p);
  std::vector<std::string> argv{"ps"};
  if (args.empty()) argv.push_back("-f");
  for (const auto& a : args) argv.push_back(a);
  argv.push_back("-p");
  argv.push_back(list);
  pid_t child = fork();
  if (child == 0) {
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execvp("ps", cargv.data());
    _exit(127);
  }
  int st = 0;
  waitpid(child, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st) == 127) return OciFail("ps: could not run ps(1)");
  return 0;
}

int OciFeaturesCommand(Args& args) {
  if (!args.empty()) return OciFail("features: unexpected argument \"" + args.front() + "\"");
  // What LiteBox honours (runc's `features` shape). Namespaces are emulated
  // by the library OS rather than created in the kernel. Seccomp profiles
  // apply on top of the partition (x86-64 only; no notify listener).
  // AppArmor and SELinux are not applied (config.json fields for them are
  // accepted and logged as ignored). linux.resources memory/cpu/pids are
  // applied through cgroup v1 or v2 (not through systemd).
  nlohmann::ordered_json caps = nlohmann::ordered_json::array();
  for (const std::string& c : oci::CapabilityNames()) caps.push_back(c);
  nlohmann::ordered_json f = {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", oci::kOciVersion},
      {"hooks", nlohmann::ordered_json::array()},
      {"mountOptions", {"bind", "rbind", "ro", "rw", "nosuid", "nodev", "noexec"}},
      {"linux",
       {{"namespaces", {"cgroup", "ipc", "mount", "network", "pid", "user", "uts"}},
        {"capabilities", caps},
        {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}}},
        {"seccomp",
         {{"enabled", true},
          {"actions",
           {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
            "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"}},
          {"operators",
           {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
            "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"}},
          {"archs", {"SCMP_ARCH_X86_64"}},
          {"knownFlags",
           {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}},
          {"supportedFlags",
           {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
            "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}}}},
        {"apparmor", {{"enabled", false}}},
        {"selinux", {{"enabled", false}}}}},
      {"annotations", {{"io.github.litebox.runtime", "library OS (no kernel namespaces)"}}}};
  printf("%s\n", f.dump(4).c_str());
  return 0;
}

int OciCheckpointCommand(Args& args) {
  return OciFail(
      "checkpoint is not supported by litebox (no CRIU support for library-OS sandboxes)");
}

int OciRestoreCommand(Args& args) {
  return OciFail("restore is not supported by litebox (no CRIU support for library-OS sandboxes)");
}

}  // namespace litebox::cli
