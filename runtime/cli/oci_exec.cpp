// `exec`: another process in a running container, from a process.json
// (--process, what engines send) or from arguments with the container's
// own process as template (what a user types), forked from this process.
// With --detach it outlives us and the caller's subreaper reaps it;
// otherwise we wait and return its exit status.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>

#include "oci/spec.hpp"
#include "oci/to_sandbox.hpp"
#include "runtime/cli/oci_commands.hpp"
#include "runtime/cli/oci_console.hpp"
#include "runtime/cli/oci_flags.hpp"
#include "runtime/cli/oci_globals.hpp"
#include "runtime/sandbox.hpp"

namespace litebox::cli {

namespace {

struct ExecOptions {
  std::string process_file, pid_file, console_socket, cwd, user, preserve_fds = "0";
  std::vector<std::string> env, additional_gids, caps;
  bool detach = false, tty = false, no_new_privs = false, ignore_paused = false;
};

void ForwardToPid(int sig, void* ctx) {
  kill(*static_cast<pid_t*>(ctx), sig);
}

// process.json, or the container's process with the command-line overrides.
oci::Result<oci::Process> ExecProcess(const ContainerRecord& rec, const ExecOptions& o,
                                      const Args& args) {
  if (!o.process_file.empty()) {
    std::ifstream in(o.process_file);
    if (!in) return oci::Error{"--process", o.process_file + ": cannot open"};
    std::string text(std::istreambuf_iterator<char>(in), {});
    auto p = oci::ParseProcess(text);
    if (!p) return oci::Error{o.process_file, p.error().message()};
    return p;
  }
  if (args.empty()) return oci::Error{"exec", "no command given (arguments or --process)"};
  auto spec = oci::ParseSpecFile(rec.bundle + "/config.json");
  if (!spec) return spec.error();
  oci::Process p = spec->process.value_or(oci::Process{});
  p.args.assign(args.begin(), args.end());
  p.terminal = o.tty;
  if (!o.cwd.empty()) p.cwd = o.cwd;
  for (const auto& e : o.env) {
    std::string key = e.substr(0, e.find('='));
    std::erase_if(p.env, [&](const std::string& x) { return x.substr(0, x.find('=')) == key; });
    p.env.push_back(e);
  }
  if (!o.user.empty()) {
    char* end = nullptr;
    p.user.uid = static_cast<uint32_t>(strtoul(o.user.c_str(), &end, 10));
    if (end == o.user.c_str() || (*end && *end != ':'))
      return oci::Error{"--user", "expected UID[:GID], got \"" + o.user + "\""};
    p.user.gid = *end == ':' ? static_cast<uint32_t>(strtoul(end + 1, nullptr, 10)) : 0;
  }
  for (const auto& g : o.additional_gids)
    p.user.additional_gids.push_back(static_cast<uint32_t>(strtoul(g.c_str(), nullptr, 10)));
  if (o.no_new_privs) p.no_new_privileges = true;
  if (!o.caps.empty()) {
    if (!p.capabilities) p.capabilities.emplace();
    for (auto* set :
         {&p.capabilities->bounding, &p.capabilities->effective, &p.capabilities->permitted})
      set->insert(set->end(), o.caps.begin(), o.caps.end());
  }
  return p;
}

}  // namespace

int OciExecCommand(Args& args) {
  ExecOptions o;
  FlagSet fs("exec");
  fs.String({"process", "p"}, &o.process_file);
  fs.Bool({"detach", "d"}, &o.detach);
  fs.String({"pid-file"}, &o.pid_file);
  fs.String({"console-socket"}, &o.console_socket);
  fs.Bool({"tty", "t"}, &o.tty);
  fs.String({"cwd"}, &o.cwd);
  fs.Strings({"env", "e"}, &o.env);
  fs.String({"user", "u"}, &o.user);
  fs.Strings({"additional-gids", "g"}, &o.additional_gids);
  fs.Strings({"cap", "c"}, &o.caps);
  fs.Bool({"no-new-privs"}, &o.no_new_privs);
  fs.Bool({"ignore-paused"}, &o.ignore_paused);
  fs.String({"preserve-fds"}, &o.preserve_fds);
  fs.IgnoredString({"process-label"});
  fs.IgnoredString({"apparmor"});
  fs.IgnoredString({"cgroup"});
  std::string err, id;
  int rc = 0;
  if (!fs.Parse(args, &err)) return OciFail(err);
  if (!TakeId(args, "exec", &id, &rc)) return rc;
  ContainerRecord rec;
  if (!LoadOrFail(id, &rec, &rc)) return rc;
  oci::Status st = CurrentStatus(rec);
  if (st == oci::Status::kStopped) return OciFail("cannot exec in a stopped container");
  if (st == oci::Status::kPaused && !o.ignore_paused)
    return OciFail("cannot exec in a paused container (use --ignore-paused to override)");

  auto process = ExecProcess(rec, o, args);
  if (!process) return OciFail("exec: " + process.error().message());
  auto pspec = oci::ToProcessSpec(*process);
  if (!pspec) return OciFail("exec: " + pspec.error().message());
  bool terminal = process->terminal;
  if (terminal && o.console_socket.empty() && o.detach)
    return OciFail("cannot allocate tty if litebox will detach without setting console socket");
  if (!terminal && !o.console_socket.empty())
    return OciFail("cannot use console socket if litebox will not detach or allocate tty");

  runtime::Stdio stdio{0, 1, 2};
  stdio.preserve_fds = atoi(o.preserve_fds.c_str());
  Pty pty;
  if (terminal && !o.console_socket.empty()) {
    if (!OpenPty(process->console_size, &pty, &err) || !SendConsole(o.console_socket, pty, &err))
      return OciFail("exec: " + err);
    stdio = {pty.slave, pty.slave, pty.slave};
  } else if (terminal) {
    pspec->terminal = false;  // shares this process's terminal (see run)
  }
  auto sb = runtime::Sandbox::Attach(rec.sandbox_dir, &err);
  if (!sb) return OciFail("exec: container not running: " + err);
  std::optional<SignalForwarder> forwarder;
  if (!o.detach) forwarder.emplace();  // before the process can run
  pid_t pid = sb->Exec(*pspec, stdio, &err);
  if (pid < 0) return OciFail("exec " + id + ": " + err);
  if (!o.pid_file.empty() && !WritePidFile(o.pid_file, pid, &err)) {
    kill(pid, SIGKILL);
    return OciFail(err);
  }
  if (o.detach) return 0;
  return forwarder->Wait(pid, ForwardToPid, &pid);
}

}  // namespace litebox::cli
