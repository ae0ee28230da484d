// `kill`, `delete`, `pause`, `resume`, `update`: commands that change a
// container after create, each checking the status first as runc does.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

#include "oci/to_sandbox.hpp"
#include "runtime/cli/oci_commands.hpp"
#include "runtime/cli/oci_flags.hpp"
#include "runtime/cli/oci_globals.hpp"
#include "runtime/cli/oci_hooks.hpp"
#include "runtime/sandbox.hpp"

namespace litebox::cli {

namespace {

bool Live(oci::Status s) {
  return s == oci::Status::kCreated || s == oci::Status::kRunning || s == oci::Status::kPaused;
}

// Waits up to ~2 s for a recorded process to be gone (a zombie counts as gone).
void AwaitGone(pid_t pid, uint64_t start_time) {
  for (int i = 0; i < 400 && pid > 0 && SameProcessAlive(pid, start_time); ++i) usleep(5000);
}

// Removes every trace of a container: its sandbox (killing whatever still
// runs in it) and its state under --root.
int DestroyContainer(const ContainerRecord& rec) {
  std::string err;
  if (auto sb = runtime::Sandbox::Attach(rec.sandbox_dir, &err)) {
    if (!sb->Destroy(&err)) LogLine("warning", "delete " + rec.id + ": " + err);
  }
  // The supervisor may be gone already while the init is not (or the other
  // way round): make sure neither survives.
  if (SameProcessAlive(rec.init_pid, rec.init_start_time)) kill(rec.init_pid, SIGKILL);
  AwaitGone(rec.init_pid, rec.init_start_time);
  AwaitGone(rec.supervisor_pid, rec.supervisor_start_time);
  if (SameProcessAlive(rec.supervisor_pid, rec.supervisor_start_time)) {
    kill(rec.supervisor_pid, SIGKILL);
    AwaitGone(rec.supervisor_pid, rec.supervisor_start_time);
  }
  std::error_code ec;
  std::filesystem::remove_all(rec.sandbox_dir, ec);
  RemoveSandboxParent(rec.sandbox_dir);
  std::filesystem::remove_all(ContainerDir(Globals().root, rec.id), ec);
  if (ec) return OciFail("delete " + rec.id + ": removing its state: " + ec.message());
  // poststop: after everything is gone; a failure is only a warning (runc).
  oci::State final_state = ToOciState(rec);
  if (!RunHooks("poststop", rec.poststop_hooks, final_state, &err))
    LogLine("warning", "delete " + rec.id + ": " + err);
  return 0;
}

}  // namespace

int OciKillCommand(Args& args) {
  bool all = false;
  FlagSet fs("kill");
  fs.Bool({"all", "a"}, &all);
  std::string err, id;
  int rc = 0;
  if (!fs.Parse(args, &err)) return OciFail(err);
  if (!TakeId(args, "kill", &id, &rc)) return rc;
  // runc also accepts flags after the id (`kill ID --all 9` is not used,
  // but `kill ID 9` is): the signal is the next positional.
  std::string sigtext = args.empty() ? "SIGTERM" : args.front();
  int sig = ParseSignal(sigtext);
  if (sig < 0) return OciFail("kill: unknown signal \"" + sigtext + "\"");
  ContainerRecord rec;
  if (!LoadOrFail(id, &rec, &rc)) return rc;
  oci::Status st = CurrentStatus(rec);
  if (!Live(st) && !all) return OciFail("container not running");
  auto sb = runtime::Sandbox::Attach(rec.sandbox_dir, &err);
  if (!sb) {
    // --all on a stopped container with nothing left to signal is fine (runc).
    if (all && !Live(CurrentStatus(rec))) return 0;
    return OciFail("container not running");
  }
  if (!sb->Kill(sig, all, &err)) {
    if (!Live(CurrentStatus(rec))) return all ? 0 : OciFail("container not running");
    return OciFail("kill " + id + ": " + err);
  }
  return 0;
}

int OciDeleteCommand(Args& args) {
  bool force = false;
  FlagSet fs("delete");
  fs.Bool({"force", "f"}, &force);
  std::string err, id;
  int rc = 0;
  if (!fs.Parse(args, &err)) return OciFail(err);
  if (!TakeId(args, "delete", &id, &rc)) return rc;
  ContainerRecord rec;
  auto loaded = LoadRecord(Globals().root, id);
  if (!loaded) {
    // A create that died before writing its state leaves a bare directory:
    // --force clears it; otherwise it does not exist (yet).
    std::string cdir = ContainerDir(Globals().root, id);
    if (force && access(cdir.c_str(), F_OK) == 0 &&
        access((cdir + "/state.json").c_str(), F_OK) != 0) {
      std::error_code ec;
      std::filesystem::remove_all(cdir, ec);
      return ec ? OciFail("delete " + id + ": removing " + cdir + ": " + ec.message()) : 0;
    }
    return OciFail(loaded.error().message());
  }
  rec = *loaded;
  ContainerLock lock(Globals().root, id);
  oci::Status st = CurrentStatus(rec);
  // As runc: a created container (never started) is deleted without
  // --force too (engines delete it when start fails); running and paused
  // ones need --force.
  if (st != oci::Status::kStopped && st != oci::Status::kCreated && !force)
    return OciFail("cannot delete container " + id +
                   " that is not stopped: " + oci::StatusName(st));
  return DestroyContainer(rec);
}

int OciPauseCommand(Args& args) {
  std::string id, err;
  int rc = 0;
  if (!TakeId(args, "pause", &id, &rc)) return rc;
  ContainerRecord rec;
  if (!LoadOrFail(id, &rec, &rc)) return rc;
  ContainerLock lock(Globals().root, id);
  oci::Status st = CurrentStatus(rec);
  if (st == oci::Status::kPaused) return OciFail("container " + id + " is already paused");
  if (st != oci::Status::kRunning) return OciFail("container not running");
  auto sb = runtime::Sandbox::Attach(rec.sandbox_dir, &err);
  if (!sb || !sb->Pause(&err)) return OciFail("pause " + id + ": " + err);
  rec.status = oci::Status::kPaused;
  if (!SaveRecord(Globals().root, rec, &err)) return OciFail(err);
  return 0;
}

int OciResumeCommand(Args& args) {
  std::string id, err;
  int rc = 0;
  if (!TakeId(args, "resume", &id, &rc)) return rc;
  ContainerRecord rec;
  if (!LoadOrFail(id, &rec, &rc)) return rc;
  ContainerLock lock(Globals().root, id);
  oci::Status st = CurrentStatus(rec);
  if (st == oci::Status::kStopped) return OciFail("container not running");
  if (st != oci::Status::kPaused) return OciFail("container not paused");
  auto sb = runtime::Sandbox::Attach(rec.sandbox_dir, &err);
  if (!sb || !sb->Resume(&err)) return OciFail("resume " + id + ": " + err);
  rec.status = oci::Status::kRunning;
  if (!SaveRecord(Globals().root, rec, &err)) return OciFail(err);
  return 0;
}

namespace {

// runc's byte values: a number with an optional k/m/g/t suffix (1024-based,
// as docker's RAMInBytes), or -1 for unlimited.
std::optional<int64_t> ParseBytes(const std::string& v) {
  if (v == "-1") return -1;
  char* end = nullptr;
  errno = 0;
  double n = strtod(v.c_str(), &end);
  if (errno != 0 || end == v.c_str() || n < 0) return std::nullopt;
  std::string unit = end;
  for (char& ch : unit) ch = char(tolower(ch));
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();
  if (!unit.empty() && unit.back() == 'i') unit.pop_back();
  double mult = 1;
  if (unit == "k")
    mult = 1024.0;
  else if (unit == "m")
    mult = 1024.0 * 1024;
  else if (unit == "g")
    mult = 1024.0 * 1024 * 1024;
  else if (unit == "t")
    mult = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty())
    return std::nullopt;
  return int64_t(n * mult);
}

std::optional<int64_t> ParseInt(const std::string& v) {
  char* end = nullptr;
  errno = 0;
  long long n = strtoll(v.c_str(), &end, 10);
  if (errno != 0 || end == v.c_str() || *end) return std::nullopt;
  return int64_t(n);
}

}  // namespace

int OciUpdateCommand(Args& args) {
  std::string resources, memory, memory_swap, cpu_share, cpu_quota, cpu_period, pids_limit;
  FlagSet fs("update");
  fs.String({"resources", "r"}, &resources);
  fs.String({"memory"}, &memory);
  fs.String({"memory-swap"}, &memory_swap);
  fs.String({"cpu-share"}, &cpu_share);
  fs.String({"cpu-quota"}, &cpu_quota);
  fs.String({"cpu-period"}, &cpu_period);
  fs.String({"pids-limit"}, &pids_limit);
  // runc's other knobs: accepted, not applied (said so below).
  std::vector<std::string> unapplied;
  for (const char* name : {"blkio-weight", "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus",
                           "cpuset-mems", "kernel-memory", "kernel-memory-tcp",
                           "memory-reservation", "l3-cache-schema", "mem-bw-schema"})
    fs.Strings({name}, &unapplied);
  std::string err, id;
  int rc = 0;
  if (!fs.Parse(args, &err)) return OciFail(err);
  if (!TakeId(args, "update", &id, &rc)) return rc;
  ContainerRecord rec;
  if (!LoadOrFail(id, &rec, &rc)) return rc;
  ContainerLock lock(Globals().root, id);
  if (CurrentStatus(rec) == oci::Status::kStopped) return OciFail("container not running");
  nlohmann::json doc = nlohmann::json::object();
  runtime::CgroupLimits limits;
  if (!resources.empty()) {
    std::string text;
    if (resources == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else {
      std::ifstream in(resources);
      if (!in) return OciFail("update: --resources " + resources + ": cannot open");
      text.assign(std::istreambuf_iterator<char>(in), {});
    }
    // The same parser and rules as config.json's linux.resources.
    auto parsed = oci::ParseResources(text);
    if (!parsed)
      return OciFail("update: --resources " + resources + ": " + parsed.error().message());
    limits = oci::ToCgroupLimits(*parsed);
    doc = parsed->raw;
  }
  // One-value flags win over the same field of --resources, as in runc.
  struct Knob {
    const char* flag;
    const std::string* value;
    bool bytes;
    std::function<void(int64_t)> set;
  };
  const Knob knobs[] = {
      {"memory", &memory, true, [&](int64_t v) { limits.memory = v; }},
      {"memory-swap", &memory_swap, true, [&](int64_t v) { limits.memory_swap = v; }},
      {"cpu-share", &cpu_share, false, [&](int64_t v) { limits.cpu_shares = uint64_t(v); }},
      {"cpu-quota", &cpu_quota, false, [&](int64_t v) { limits.cpu_quota = v; }},
      {"cpu-period", &cpu_period, false, [&](int64_t v) { limits.cpu_period = uint64_t(v); }},
      {"pids-limit", &pids_limit, false, [&](int64_t v) { limits.pids = v; }},
  };
  for (const Knob& k : knobs) {
    if (k.value->empty()) continue;
    auto v = k.bytes ? ParseBytes(*k.value) : ParseInt(*k.value);
    if (!v)
      return OciFail("update: --" + std::string(k.flag) + " " + *k.value + ": not a valid value");
    k.set(*v);
  }
  if (!unapplied.empty())
    LogLine("warning", "update " + id +
                           ": blkio, cpuset, rt, kernel-memory and reservation limits are not "
                           "applied by litebox");
  if (!limits.empty()) {
    std::string why = runtime::Cgroup::Unusable(limits);
    if (!why.empty()) return OciFail("update " + id + ": " + why);
    auto sb = runtime::Sandbox::Attach(rec.sandbox_dir, &err);
    if (!sb || !sb->SetLimits(limits, &err)) return OciFail("update " + id + ": " + err);
  }
  rec.resources_json = doc.dump();
  if (!SaveRecord(Globals().root, rec, &err)) return OciFail(err);
  return 0;
}

}  // namespace litebox::cli
