// The RPCs that move a process through its life: Create, Exec, Start,
// Delete, and the exits the reaper reports. Event order (containerd's
// runtime v2 README): create -> start -> exit -> delete for the init,
// exec-added -> exec-started -> exit for an exec, the init's exit after
// every exec's. Each event is queued while mu_ is held, so the queue order
// is the order of these state changes.
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <thread>

#include "github.com/containerd/containerd/api/events/task.pb.h"
#include "github.com/containerd/containerd/runtime/v2/task/shim.pb.h"
#include "shim-v2/cli/commands.hpp"
#include "shim-v2/task/bundle_spec.hpp"
#include "shim-v2/task/reaper.hpp"
#include "shim-v2/task/rpc_codec.hpp"
#include "shim-v2/task/service.hpp"

namespace litebox::shim::task {

namespace v2 = containerd::task::v2;
namespace types = containerd::v1::types;
using ttrpc::Reply;

namespace {

// How long an exit waits for the process's output to reach the FIFOs.
constexpr int kExitDrainMs = 1500;  // above process_io.cpp's kClientDrainMs

void SetTime(google::protobuf::Timestamp* t, const timespec& ts) {
  t->set_seconds(ts.tv_sec);
  t->set_nanos(int32_t(ts.tv_nsec));
}

// containerd's identifier rule (identifiers.Validate): alphanumeric
// components joined by single '.', '_' or '-', at most 76 characters. The
// id names the state directory, so anything else (a '/', "..") is refused
// here too, whoever the caller is.
bool ValidId(const std::string& id) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (id.empty() || id.size() > 76 || !alnum(id.front()) || !alnum(id.back())) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    if (alnum(c)) continue;
    if ((c != '.' && c != '_' && c != '-') || !alnum(id[i + 1])) return false;
  }
  return true;
}

const char* StatusName(types::Status s) {
  switch (s) {
    case types::CREATED:
      return "created";
    case types::RUNNING:
      return "running";
    case types::STOPPED:
      return "stopped";
    case types::PAUSED:
      return "paused";
    case types::PAUSING:
      return "pausing";
    default:
      return "unknown";
  }
}

}  // namespace

bool TaskService::AnyExecRunning(const Container& c) const {
  for (const auto& [id, e] : c.execs)
    if (e->pid != 0 && !e->exited) return true;
  return false;
}

void TaskService::FinishExit(Container& c, Proc& p, int exit_status) {
  clock_gettime(CLOCK_REALTIME, &p.exited_at);
  p.exited = true;
  p.exit_status = uint32_t(exit_status);
  p.status = types::STOPPED;
  containerd::events::TaskExit ev;
  ev.set_container_id(c.id);
  // Docker tells the init's exit from an exec's by id == container id.
  ev.set_id(p.exec_id.empty() ? c.id : p.exec_id);
  ev.set_pid(p.pid);
  ev.set_exit_status(p.exit_status);
  SetTime(ev.mutable_exited_at(), p.exited_at);
  publisher_->Publish("/tasks/exit", ev);
  exited_cv_.notify_all();
}

void TaskService::Abandon(Proc& p) {
  if (p.exited) return;
  clock_gettime(CLOCK_REALTIME, &p.exited_at);
  p.exited = true;
  p.exit_status = 255;
  p.status = types::STOPPED;
  exited_cv_.notify_all();
}

void TaskService::OnExit(const std::string& id, const std::string& exec_id, int exit_status) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = containers_.find(id);
  if (it == containers_.end()) return;
  std::shared_ptr<Container> c = it->second;
  std::shared_ptr<Proc> p = c->init;
  if (!exec_id.empty()) {
    auto e = c->execs.find(exec_id);
    if (e == c->execs.end()) return;
    p = e->second;
  }
  std::string err;
  // The init is gone: like a PID namespace's init, it takes every other
  // process of the container with it.
  if (exec_id.empty() && c->sandbox && !c->sandbox->Kill(SIGKILL, true, &err) && debug_)
    Log("kill remaining processes of " + id + ": " + err);
  // The exit goes out once the process's output is in the FIFOs and the
  // client has read it (bounded: a background child may hold an exec's
  // pipe): containerd 1.6's task.Delete closes its ends of the FIFOs before
  // it calls Delete, so what the client has not read by then is lost.
  // Nothing resets p->io while the process has not exited.
  if (p->io && !p->exited) {
    lock.unlock();
    bool drained = p->io->WaitOutput(kExitDrainMs);
    lock.lock();
    if (!drained)
      Log("container " + id + (exec_id.empty() ? "" : " exec " + exec_id) + ": output still open " +
          std::to_string(kExitDrainMs) +
          " ms after the exit (a process outside it holds the pipe?)");
  }
  if (!exec_id.empty()) {
    FinishExit(*c, *p, exit_status);
    if (c->init_exit_pending && !AnyExecRunning(*c)) {
      c->init_exit_pending = false;
      FinishExit(*c, *c->init, c->init_wait_status);
    }
    return;
  }
  if (!AnyExecRunning(*c)) {
    FinishExit(*c, *c->init, exit_status);
    return;
  }
  c->init_exit_pending = true;
  c->init_wait_status = exit_status;
  // Do not let a stuck exec hold the init's exit back for ever.
  std::thread([this, c] {
    std::unique_lock<std::mutex> lock(mu_);
    exited_cv_.wait_for(lock, std::chrono::seconds(2), [&] { return !c->init_exit_pending; });
    if (c->init_exit_pending) {
      Log("container " + c->id + ": execs still running 2 s after the init exited");
      c->init_exit_pending = false;
      FinishExit(*c, *c->init, c->init_wait_status);
    }
  }).detach();
}

Reply TaskService::Create(const std::string& bytes) {
  v2::CreateTaskRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  const std::string& id = req.id();
  if (!ValidId(id))
    return Reply::Error(ttrpc::kInvalidArgument,
                        "create: container id '" + id +
                            "' is not valid (letters and digits joined by '.', '_' or '-', "
                            "at most 76 characters)");
  std::lock_guard<std::mutex> lock(mu_);
  if (containers_.count(id))
    return Reply::Error(ttrpc::kAlreadyExists, "container " + id + ": already exists");
  if (!req.checkpoint().empty())
    return Reply::Error(ttrpc::kUnimplemented,
                        "create " + id + " from checkpoint: not supported by the litebox runtime");
  if (req.bundle().empty() || req.bundle()[0] != '/')
    return Reply::Error(ttrpc::kInvalidArgument,
                        "create " + id + ": bundle path '" + req.bundle() + "' is not absolute");

  auto c = std::make_shared<Container>();
  c->id = id;
  c->bundle = req.bundle();
  c->rootfs_dir = c->bundle + "/rootfs";
  c->init = std::make_shared<Proc>();
  c->init->io_config = {req.stdin(), req.stdout(), req.stderr(), req.terminal(), id, ns_};
  std::string serr;

  std::vector<rootfs::Mount> mounts;
  for (const auto& m : req.rootfs())
    mounts.push_back({m.type(), m.source(), {m.options().begin(), m.options().end()}});
  if (!mounts.empty()) {
    if (!rootfs::MountAll(mounts, c->rootfs_dir, &serr))
      return Reply::Error(ttrpc::kUnknown, "create " + id + ": " + serr);
    c->rootfs_mounted = true;
  }
  // Everything below undoes the mounts if it fails.
  auto fail = [&](int code, const std::string& msg) {
    std::string uerr;
    if (c->rootfs_mounted && !rootfs::UnmountAll(c->rootfs_dir, &uerr)) Log(uerr);
    return Reply::Error(code, "create " + id + ": " + msg);
  };

  std::string state_dir = cli::StateDir(ns_, id);
  runtime::SandboxSpec spec;
  std::vector<std::string> ignored;
  if (!LoadSandboxSpec(c->bundle, id, state_dir, &spec, &ignored, &serr))
    return fail(ttrpc::kInvalidArgument, serr);
  for (const auto& line : ignored) Log("container " + id + ": config ignored: " + line);
  spec.init.terminal = req.terminal();

  std::error_code ec;
  std::filesystem::remove_all(state_dir, ec);  // left over from a crashed shim
  std::filesystem::create_directories(std::filesystem::path(state_dir).parent_path(), ec);
  if (ec) return fail(ttrpc::kUnknown, "mkdir " + state_dir + ": " + ec.message());

  c->init->io = io::ProcessIo::Open(c->init->io_config, &serr);
  if (!c->init->io) return fail(ttrpc::kUnknown, "stdio: " + serr);

  {
    auto hold = Reaper::Instance().Hold();
    c->sandbox = runtime::Sandbox::Create(spec, c->init->io->guest_stdio(), &serr);
    if (c->sandbox) {
      c->init->pid = uint32_t(c->sandbox->init_pid());
      Reaper::Instance().Watch(c->sandbox->init_pid(),
                               [this, id](pid_t, int status) { OnExit(id, "", status); });
      // Destroy waits for the supervisor. Should it die under a running
      // sandbox, its guests are killed directly: they may never call it
      // again, and the task must still end (init's exit, as usual).
      if (c->sandbox->supervisor_pid() > 0)
        Reaper::Instance().Ignore(c->sandbox->supervisor_pid(), [uid = c->sandbox->host_uid()] {
          runtime::KillSandboxGuests(uid);
        });
    }
  }
  c->init->io->CloseGuestEnds();
  if (!c->sandbox) {
    c->init->io.reset();
    return fail(ttrpc::kUnknown, serr);
  }
  c->init->io->StartCopying();
  {
    // For the `delete` command, which runs when this shim is gone.
    std::ofstream pidfile(c->bundle + "/init.pid");
    pidfile << c->init->pid;
  }
  containers_[id] = c;

  containerd::events::TaskCreate ev;
  ev.set_container_id(id);
  ev.set_bundle(c->bundle);
  *ev.mutable_rootfs() = req.rootfs();
  ev.mutable_io()->set_stdin(req.stdin());
  ev.mutable_io()->set_stdout(req.stdout());
  ev.mutable_io()->set_stderr(req.stderr());
  ev.mutable_io()->set_terminal(req.terminal());
  ev.set_pid(c->init->pid);
  publisher_->Publish("/tasks/create", ev);

  v2::CreateTaskResponse resp;
  resp.set_pid(c->init->pid);
  return Ok(resp);
}

Reply TaskService::Exec(const std::string& bytes) {
  v2::ExecProcessRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  if (!Find(req.id(), "", &c, nullptr, &err)) return err;
  if (!ValidId(req.exec_id()))
    return Reply::Error(ttrpc::kInvalidArgument,
                        "exec in " + req.id() + ": exec id '" + req.exec_id() + "' is not valid");
  if (c->execs.count(req.exec_id()))
    return Reply::Error(ttrpc::kAlreadyExists, "id " + req.exec_id() + ": already exists");
  if (c->init->exited || c->init_exit_pending)
    return Reply::Error(ttrpc::kFailedPrecondition,
                        "container " + req.id() + " is stopped: cannot exec " + req.exec_id());
  auto p = std::make_shared<Proc>();
  p->exec_id = req.exec_id();
  p->io_config = {req.stdin(), req.stdout(), req.stderr(), req.terminal(), req.id(), ns_};
  std::string serr;
  if (!ParseExecProcess(req.spec().value(), &p->spec, &serr))
    return Reply::Error(ttrpc::kInvalidArgument, "exec " + req.exec_id() + ": " + serr);
  p->spec.terminal = req.terminal();
  c->execs[p->exec_id] = p;
  containerd::events::TaskExecAdded ev;
  ev.set_container_id(req.id());
  ev.set_exec_id(req.exec_id());
  publisher_->Publish("/tasks/exec-added", ev);
  return Ok(google::protobuf::Empty());
}

Reply TaskService::Start(const std::string& bytes) {
  v2::StartRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  std::shared_ptr<Proc> p;
  if (!Find(req.id(), req.exec_id(), &c, &p, &err)) return err;
  std::string serr;
  v2::StartResponse resp;

  if (req.exec_id().empty()) {
    if (p->status != types::CREATED || p->exited)
      return Reply::Error(ttrpc::kFailedPrecondition, "container " + req.id() + " is " +
                                                          StatusName(p->status) + ": cannot start");
    if (!c->sandbox->Start(&serr))
      return Reply::Error(ttrpc::kUnknown, "start " + req.id() + ": " + serr);
    p->status = types::RUNNING;
    containerd::events::TaskStart ev;
    ev.set_container_id(req.id());
    ev.set_pid(p->pid);
    publisher_->Publish("/tasks/start", ev);
    resp.set_pid(p->pid);
    return Ok(resp);
  }

  if (c->init->exited || c->init_exit_pending)
    return Reply::Error(
        ttrpc::kFailedPrecondition,
        "container " + req.id() + " is stopped: cannot start exec " + req.exec_id());
  if (p->pid != 0 || p->exited)
    return Reply::Error(ttrpc::kFailedPrecondition,
                        "exec " + req.exec_id() + " was already started");
  p->io = io::ProcessIo::Open(p->io_config, &serr);
  if (!p->io) return Reply::Error(ttrpc::kUnknown, "exec " + req.exec_id() + ": stdio: " + serr);
  pid_t pid;
  {
    auto hold = Reaper::Instance().Hold();
    pid = c->sandbox->Exec(p->spec, p->io->guest_stdio(), &serr);
    if (pid > 0) p->pidfd = int(syscall(SYS_pidfd_open, pid, 0));
    if (pid > 0)
      Reaper::Instance().Watch(pid, [this, id = req.id(), exec_id = req.exec_id()](
                                        pid_t, int status) { OnExit(id, exec_id, status); });
  }
  p->io->CloseGuestEnds();
  if (pid <= 0) {
    p->io.reset();
    Abandon(*p);  // containerd's Wait for it was issued before Start
    return Reply::Error(ttrpc::kUnknown, "exec " + req.exec_id() + " in " + req.id() + ": " + serr);
  }
  p->io->StartCopying();
  if (p->close_stdin_at_start) p->io->CloseStdin();
  p->pid = uint32_t(pid);
  p->status = types::RUNNING;
  containerd::events::TaskExecStarted ev;
  ev.set_container_id(req.id());
  ev.set_exec_id(req.exec_id());
  ev.set_pid(p->pid);
  publisher_->Publish("/tasks/exec-started", ev);
  resp.set_pid(p->pid);
  return Ok(resp);
}

Reply TaskService::Delete(const std::string& bytes) {
  v2::DeleteRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::unique_lock<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  std::shared_ptr<Proc> p;
  if (!Find(req.id(), req.exec_id(), &c, &p, &err)) return err;
  v2::DeleteResponse resp;

  if (!req.exec_id().empty()) {
    if (p->pid != 0 && !p->exited)
      return Reply::Error(ttrpc::kFailedPrecondition,
                          "exec " + req.exec_id() + " is running: cannot delete");
    std::shared_ptr<Proc> keep = p;
    if (keep->pid == 0) Abandon(*keep);
    lock.unlock();
    if (keep->io) keep->io->WaitOutput(2000);  // let the client see its last output
    lock.lock();
    c->execs.erase(req.exec_id());
    keep->io.reset();
    resp.set_pid(keep->pid);
    resp.set_exit_status(keep->exit_status);
    SetTime(resp.mutable_exited_at(), keep->exited_at);
    return Ok(resp);
  }

  if (p->status == types::RUNNING || p->status == types::PAUSED)
    if (!p->exited && !c->init_exit_pending)
      return Reply::Error(ttrpc::kFailedPrecondition, "container " + req.id() + " is " +
                                                          StatusName(p->status) +
                                                          ": cannot delete (kill it first)");
  std::string serr;
  if (!p->exited) {
    // Created but never started (or its exit is still on the way): kill it
    // and wait for the reaper to report the exit.
    if (!c->init_exit_pending && !c->sandbox->Kill(SIGKILL, true, &serr))
      Log("delete " + req.id() + ": kill: " + serr);
    if (!exited_cv_.wait_for(lock, std::chrono::seconds(5), [&] { return p->exited; }))
      return Reply::Error(ttrpc::kDeadlineExceeded,
                          "delete " + req.id() + ": init did not exit 5 s after SIGKILL");
  }
  lock.unlock();
  if (p->io) p->io->WaitOutput(2000);
  lock.lock();
  pid_t supervisor = c->sandbox ? c->sandbox->supervisor_pid() : 0;
  if (c->sandbox && !c->sandbox->Destroy(&serr)) Log("delete " + req.id() + ": destroy: " + serr);
  c->sandbox.reset();
  if (supervisor > 0) Reaper::Instance().Unignore(supervisor);
  p->io.reset();
  for (auto& [eid, e] : c->execs) e->io.reset();
  if (c->rootfs_mounted && !rootfs::UnmountAll(c->rootfs_dir, &serr)) {
    Log("delete " + req.id() + ": " + serr);
    return Reply::Error(ttrpc::kUnknown, "delete " + req.id() + ": " + serr);
  }
  c->rootfs_mounted = false;
  containers_.erase(req.id());

  containerd::events::TaskDelete ev;
  ev.set_container_id(req.id());
  ev.set_pid(p->pid);
  ev.set_exit_status(p->exit_status);
  SetTime(ev.mutable_exited_at(), p->exited_at);
  publisher_->Publish("/tasks/delete", ev);

  resp.set_pid(p->pid);
  resp.set_exit_status(p->exit_status);
  SetTime(resp.mutable_exited_at(), p->exited_at);
  return Ok(resp);
}

}  // namespace litebox::shim::task
