// `create`, `start` and `run`: a container's way from a bundle to a running
// init process, in runc's steps. `create` leaves the init loaded and waiting
// (a child of create, so the caller's subreaper reaps it once create exits)
// and records where its sandbox is; `start` lets it run.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include "oci/spec.hpp"
#include "oci/to_sandbox.hpp"
#include "runtime/cli/oci_commands.hpp"
#include "runtime/cli/oci_console.hpp"
#include "runtime/cli/oci_flags.hpp"
#include "runtime/cli/oci_globals.hpp"
#include "runtime/cli/oci_hooks.hpp"
#include "runtime/sandbox.hpp"

namespace litebox::cli {

namespace {

struct CreateOptions {
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;
  std::string preserve_fds = "0";
};

void AddCreateFlags(FlagSet& fs, CreateOptions* o) {
  fs.String({"bundle", "b"}, &o->bundle);
  fs.String({"pid-file"}, &o->pid_file);
  fs.String({"console-socket"}, &o->console_socket);
  fs.String({"preserve-fds"}, &o->preserve_fds);
  // Kernel-namespace knobs with nothing to do on the library OS.
  fs.IgnoredBool({"no-pivot"});
  fs.IgnoredBool({"no-new-keyring"});
}

// A container being created: removes everything it made unless committed.
struct Creation {
  std::string container_dir;
  std::string sandbox_dir;
  std::unique_ptr<runtime::Sandbox> sandbox;
  bool committed = false;
  ~Creation() {
    if (committed) return;
    std::string ignored;
    if (sandbox) sandbox->Destroy(&ignored);
    std::error_code ec;
    if (!sandbox_dir.empty()) {
      std::filesystem::remove_all(sandbox_dir, ec);
      RemoveSandboxParent(sandbox_dir);
    }
    if (!container_dir.empty()) std::filesystem::remove_all(container_dir, ec);
  }
};

// Creates container `id`. foreground: `run` without --detach (a terminal
// may use this process's own stdio instead of a console socket).
int CreateContainer(const std::string& id, const CreateOptions& o, bool foreground,
                    std::unique_ptr<Creation>* out, ContainerRecord* rec) {
  const std::string& root = Globals().root;
  char abs[4096];
  if (!realpath(o.bundle.c_str(), abs))
    return OciFail("bundle " + o.bundle + ": " + strerror(errno));
  std::string bundle = abs;
  auto spec = oci::ParseSpecFile(bundle + "/config.json");
  if (!spec) return OciFail(spec.error().message());
  if (!spec->process) return OciFail(bundle + "/config.json: process: missing");
  std::vector<std::string> ignored;
  auto sbspec = oci::ToSandboxSpec(*spec, bundle, id, &ignored);
  if (!sbspec) return OciFail(bundle + "/config.json: " + sbspec.error().message());
  for (const auto& line : ignored) LogLine("warning", "config.json: ignored: " + line);
  for (const auto& line : runtime::Cgroup::DropUnenforceable(&sbspec->limits))
    LogLine("warning", "config.json: " + line);

  bool terminal = spec->process->terminal;
  if (terminal && o.console_socket.empty() && !foreground)
    return OciFail(
        "cannot allocate tty if litebox will detach without setting console socket "
        "(process.terminal is true)");
  if (!terminal && !o.console_socket.empty())
    return OciFail("cannot use console socket if litebox will not detach or allocate tty");

  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return OciFail("--root " + root + ": " + ec.message());
  auto c = std::make_unique<Creation>();
  std::string cdir = ContainerDir(root, id);
  if (mkdir(cdir.c_str(), 0711) != 0) {
    if (errno == EEXIST) return OciFail("container \"" + id + "\" already exists");
    return OciFail("mkdir " + cdir + ": " + strerror(errno));
  }
  c->container_dir = cdir;
  ContainerLock lock(root, id);

  std::string sandbox_dir = SandboxDirFor(root, id);
  if (access(sandbox_dir.c_str(), F_OK) == 0) {
    // No container record owns it (we just made the container dir): left by
    // a create or supervisor that was killed. Reuse the name unless a
    // supervisor still answers there.
    std::string e;
    if (runtime::Sandbox::Attach(sandbox_dir, &e))
      return OciFail("create " + id + ": sandbox directory " + sandbox_dir +
                     " belongs to a running sandbox without a container record");
    std::filesystem::remove_all(sandbox_dir, ec);
    LogLine("warning", "create " + id + ": removed stale sandbox directory " + sandbox_dir);
  }
  c->sandbox_dir = sandbox_dir;
  std::filesystem::create_directories(std::filesystem::path(c->sandbox_dir).parent_path(), ec);
  runtime::SandboxSpec& s = *sbspec;
  s.state_dir = c->sandbox_dir;
  s.wait_for_start = true;
  s.sweep_on_shutdown = foreground;  // `run` reaps the init, then Destroy
  if (Globals().debug && !Globals().log_file.empty() && !Globals().log_json)
    s.debug_log = Globals().log_file;

  runtime::Stdio stdio{0, 1, 2};
  stdio.preserve_fds = atoi(o.preserve_fds.c_str());
  Pty pty;
  std::string err;
  if (terminal && !o.console_socket.empty()) {
    if (!OpenPty(spec->process->console_size, &pty, &err) ||
        !SendConsole(o.console_socket, pty, &err))
      return OciFail(err);
    stdio = {pty.slave, pty.slave, pty.slave};
  } else if (terminal) {
    // `run` in the foreground without a console socket: the container shares
    // this process's stdio and its terminal (it cannot become the
    // controlling terminal of a second session, so no TIOCSCTTY).
    s.init.terminal = false;
  }
  c->sandbox = runtime::Sandbox::Create(s, stdio, &err);
  if (!c->sandbox) {
    // Create removed its state dir; keep our cleanup from racing a namesake.
    c->sandbox_dir.clear();
    RemoveSandboxParent(SandboxDirFor(root, id));
    return OciFail("create " + id + ": " + err);
  }

  rec->id = id;
  rec->bundle = bundle;
  rec->rootfs = s.rootfs;
  rec->created =
      std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  rec->annotations = spec->annotations;
  rec->init_pid = c->sandbox->init_pid();
  auto start = ProcessStartTime(rec->init_pid);
  if (!start) return OciFail("create " + id + ": the init process exited before it was started");
  rec->init_start_time = *start;
  rec->supervisor_pid = c->sandbox->supervisor_pid();
  rec->supervisor_start_time = ProcessStartTime(rec->supervisor_pid).value_or(0);
  rec->sandbox_dir = c->sandbox_dir;
  rec->status = oci::Status::kCreated;
  HookSet hooks = SelectHooks(*spec);
  rec->poststart_hooks = hooks.poststart;
  rec->poststop_hooks = hooks.poststop;
  if (!SaveRecord(root, *rec, &err)) return OciFail(err);
  // As runc: prestart/createRuntime hooks see the created container (its
  // pid, status "created") before create returns; a failing one undoes it.
  // runc runs prestart (deprecated) and createRuntime at the same point.
  if (!RunHooks("prestart", hooks.prestart, ToOciState(*rec), &err) ||
      !RunHooks("createRuntime", hooks.create_runtime, ToOciState(*rec), &err))
    return OciFail("create " + id + ": " + err);
  if (!o.pid_file.empty() && !WritePidFile(o.pid_file, rec->init_pid, &err)) return OciFail(err);
  LogLine("debug", "created " + id + ": init pid " + std::to_string(rec->init_pid));
  *out = std::move(c);
  return 0;
}

// Lets a created container's init run and records it running; the caller
// holds the container's lock.
int StartCreated(runtime::Sandbox& sb, ContainerRecord& rec) {
  std::string err;
  if (!sb.Start(&err)) return OciFail("start " + rec.id + ": " + err);
  rec.status = oci::Status::kRunning;
  if (!SaveRecord(Globals().root, rec, &err)) return OciFail(err);
  if (!RunHooks("poststart", rec.poststart_hooks, ToOciState(rec), &err)) {
    // runc terminates a container whose poststart hook fails.
    std::string ignored;
    sb.Kill(SIGKILL, true, &ignored);
    return OciFail("start " + rec.id + ": " + err);
  }
  return 0;
}

int StartContainer(const std::string& id) {
  ContainerRecord rec;
  int rc = 0;
  if (!LoadOrFail(id, &rec, &rc)) return rc;
  ContainerLock lock(Globals().root, id);
  switch (CurrentStatus(rec)) {
    case oci::Status::kCreated:
      break;
    case oci::Status::kStopped:
      return OciFail("cannot start a container that has stopped");
    case oci::Status::kRunning:
      return OciFail("cannot start an already running container");
    default:
      return OciFail("cannot start a container in the " +
                     std::string(oci::StatusName(CurrentStatus(rec))) + " state");
  }
  std::string err;
  auto sb = runtime::Sandbox::Attach(rec.sandbox_dir, &err);
  if (!sb) return OciFail("start " + id + ": " + err);
  return StartCreated(*sb, rec);
}

void ForwardToInit(int sig, void* ctx) {
  std::string err;
  static_cast<runtime::Sandbox*>(ctx)->Kill(sig, false, &err);
}

}  // namespace

int OciCreateCommand(Args& args) {
  CreateOptions o;
  FlagSet fs("create");
  AddCreateFlags(fs, &o);
  std::string err, id;
  int rc = 0;
  if (!fs.Parse(args, &err)) return OciFail(err);
  if (!TakeId(args, "create", &id, &rc)) return rc;
  std::unique_ptr<Creation> c;
  ContainerRecord rec;
  if ((rc = CreateContainer(id, o, false, &c, &rec)) != 0) return rc;
  c->committed = true;  // the container outlives this process
  return 0;
}

int OciStartCommand(Args& args) {
  std::string id;
  int rc = 0;
  if (!TakeId(args, "start", &id, &rc)) return rc;
  return StartContainer(id);
}

int OciRunCommand(Args& args) {
  CreateOptions o;
  bool detach = false, keep = false;
  FlagSet fs("run");
  AddCreateFlags(fs, &o);
  fs.Bool({"detach", "d"}, &detach);
  fs.Bool({"keep"}, &keep);
  fs.IgnoredBool({"no-subreaper"});
  std::string err, id;
  int rc = 0;
  if (!fs.Parse(args, &err)) return OciFail(err);
  if (!TakeId(args, "run", &id, &rc)) return rc;
  if (detach && keep) return OciFail("run: --keep cannot be used with --detach");
  std::optional<SignalForwarder> forwarder;
  if (!detach) forwarder.emplace();  // before the container can run
  std::unique_ptr<Creation> c;
  ContainerRecord rec;
  if ((rc = CreateContainer(id, o, !detach, &c, &rec)) != 0) return rc;
  {
    // The container this process just made: no record to read back, no
    // second control connection (~0.3 ms of each run).
    ContainerLock lock(Globals().root, id);
    if (CurrentStatus(rec) != oci::Status::kCreated)  // killed meanwhile
      return OciFail("cannot start a container that has stopped");
    if ((rc = StartCreated(*c->sandbox, rec)) != 0) return rc;  // c's destructor cleans up
  }
  if (detach) {
    c->committed = true;
    return 0;
  }
  // Foreground: this process is the init's parent; wait, then clean up.
  int status = forwarder->Wait(rec.init_pid, ForwardToInit, c->sandbox.get());
  if (keep) {
    c->committed = true;
    return status;
  }
  // The record's file goes while the supervisor winds down (on a
  // disk-backed --root its unlink is the slow part of the clean-up); the
  // directory, which keeps the id taken, goes last, with ~Creation.
  c->sandbox->BeginShutdown();
  unlink((c->container_dir + "/state.json").c_str());
  if (!c->sandbox->Destroy(&err)) LogLine("warning", "run " + id + ": " + err);
  return status;  // ~Creation removes the container directory
}

}  // namespace litebox::cli
