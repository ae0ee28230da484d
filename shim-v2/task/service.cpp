// Registration, lookups and the RPCs that do not change a process's life:
// State, Pids, Pause, Resume, Checkpoint, Kill, ResizePty, CloseIO, Update,
// Wait, Stats, Connect, Shutdown. Lifecycle RPCs are in lifecycle.cpp.
#include "shim-v2/task/service.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "github.com/containerd/cgroups/stats/v1/metrics.pb.h"
#include "github.com/containerd/containerd/api/events/task.pb.h"
#include "github.com/containerd/containerd/runtime/v2/runc/options/oci.pb.h"
#include "github.com/containerd/containerd/runtime/v2/task/shim.pb.h"
#include "shim-v2/task/bundle_spec.hpp"
#include "shim-v2/task/rpc_codec.hpp"

namespace litebox::shim::task {

namespace v2 = containerd::task::v2;
namespace types = containerd::v1::types;
using ttrpc::Reply;

namespace {

Reply OkEmpty() {
  return Reply::Ok("");
}

// Errors from the sandbox that mean "that process is gone" are NotFound, as
// containerd's runc shim maps runc's "not running"/"no such process".
Reply SandboxError(const std::string& what, const std::string& err) {
  bool gone = err.find("not running") != std::string::npos ||
              err.find("no such process") != std::string::npos ||
              err.find("does not exist") != std::string::npos;
  return Reply::Error(gone ? ttrpc::kNotFound : ttrpc::kUnknown, what + ": " + err);
}

}  // namespace

TaskService::TaskService(std::string ns, events::Publisher* publisher,
                         std::function<void()> on_shutdown, bool debug)
    : ns_(std::move(ns)),
      publisher_(publisher),
      on_shutdown_(std::move(on_shutdown)),
      debug_(debug) {}

void TaskService::Log(const std::string& line) {
  fprintf(stderr, "litebox-shim[%d]: %s\n", getpid(), line.c_str());
}

void TaskService::Register(ttrpc::Server* server) {
  using Fn = Reply (TaskService::*)(const std::string&);
  const std::pair<const char*, Fn> methods[] = {
      {"State", &TaskService::State},         {"Create", &TaskService::Create},
      {"Start", &TaskService::Start},         {"Delete", &TaskService::Delete},
      {"Pids", &TaskService::Pids},           {"Pause", &TaskService::Pause},
      {"Resume", &TaskService::Resume},       {"Checkpoint", &TaskService::Checkpoint},
      {"Kill", &TaskService::Kill},           {"Exec", &TaskService::Exec},
      {"ResizePty", &TaskService::ResizePty}, {"CloseIO", &TaskService::CloseIO},
      {"Update", &TaskService::Update},       {"Wait", &TaskService::Wait},
      {"Stats", &TaskService::Stats},         {"Connect", &TaskService::Connect},
      {"Shutdown", &TaskService::Shutdown},
  };
  for (const auto& [name, fn] : methods) {
    server->Register(
        kTaskService, name, [this, fn = fn, name = std::string(name)](const ttrpc::Call& call) {
          Reply r = (this->*fn)(call.payload);
          if (debug_ || !r.ok())
            Log(name + (r.ok() ? std::string(": ok")
                               : ": error " + std::to_string(r.code) + " " + r.message));
          return r;
        });
  }
}

size_t TaskService::ContainerCount() {
  std::lock_guard<std::mutex> lock(mu_);
  return containers_.size();
}

bool TaskService::Find(const std::string& id, const std::string& exec_id,
                       std::shared_ptr<Container>* c, std::shared_ptr<Proc>* p, Reply* reply) {
  auto it = containers_.find(id);
  if (it == containers_.end()) {
    *reply = Reply::Error(ttrpc::kNotFound, "container " + id + ": container not created");
    return false;
  }
  *c = it->second;
  if (exec_id.empty()) {
    if (p) *p = it->second->init;
    return true;
  }
  auto e = it->second->execs.find(exec_id);
  if (e == it->second->execs.end()) {
    *reply = Reply::Error(ttrpc::kNotFound, "process does not exist " + exec_id);
    return false;
  }
  if (p) *p = e->second;
  return true;
}

Reply TaskService::State(const std::string& bytes) {
  v2::StateRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  std::shared_ptr<Proc> p;
  if (!Find(req.id(), req.exec_id(), &c, &p, &err)) return err;
  v2::StateResponse resp;
  resp.set_id(req.id());
  resp.set_bundle(c->bundle);
  resp.set_pid(p->pid);
  resp.set_status(p->status);
  resp.set_stdin(p->io_config.stdin_path);
  resp.set_stdout(p->io_config.stdout_path);
  resp.set_stderr(p->io_config.stderr_path);
  resp.set_terminal(p->io_config.terminal);
  resp.set_exit_status(p->exit_status);
  if (p->exited) {
    resp.mutable_exited_at()->set_seconds(p->exited_at.tv_sec);
    resp.mutable_exited_at()->set_nanos(int32_t(p->exited_at.tv_nsec));
  }
  resp.set_exec_id(req.exec_id());
  return Ok(resp);
}

Reply TaskService::Pids(const std::string& bytes) {
  v2::PidsRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  if (!Find(req.id(), "", &c, nullptr, &err)) return err;
  v2::PidsResponse resp;
  if (c->init->exited) return Ok(resp);  // nothing left to list
  std::string serr;
  auto procs = c->sandbox->Processes(&serr);
  if (!procs) return SandboxError("list processes of " + req.id(), serr);
  for (const auto& ps : *procs) {
    auto* info = resp.add_processes();
    info->set_pid(uint32_t(ps.host_pid));
    for (const auto& [exec_id, e] : c->execs) {
      if (e->pid != uint32_t(ps.host_pid) || e->exited) continue;
      // What containerd's runc shim attaches, so `ctr task ps` shows the exec id.
      containerd::runc::v1::ProcessDetails d;
      d.set_exec_id(exec_id);
      info->mutable_info()->set_type_url(d.GetDescriptor()->full_name());
      d.SerializeToString(info->mutable_info()->mutable_value());
    }
  }
  return Ok(resp);
}

Reply TaskService::Pause(const std::string& bytes) {
  v2::PauseRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  return SetPaused(req.id(), true);
}

Reply TaskService::Resume(const std::string& bytes) {
  v2::ResumeRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  return SetPaused(req.id(), false);
}

Reply TaskService::SetPaused(const std::string& id, bool pause) {
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  Reply err;
  if (!Find(id, "", &c, nullptr, &err)) return err;
  const types::Status from = pause ? types::RUNNING : types::PAUSED;
  if (c->init->status != from)
    return Reply::Error(ttrpc::kFailedPrecondition, "container " + id +
                                                        (pause ? " is not running: cannot pause"
                                                               : " is not paused: cannot resume"));
  std::string serr;
  bool ok = pause ? c->sandbox->Pause(&serr) : c->sandbox->Resume(&serr);
  if (!ok) return SandboxError((pause ? "pause " : "resume ") + id, serr);
  c->init->status = pause ? types::PAUSED : types::RUNNING;
  if (pause) {
    containerd::events::TaskPaused ev;
    ev.set_container_id(id);
    publisher_->Publish("/tasks/paused", ev);
  } else {
    containerd::events::TaskResumed ev;
    ev.set_container_id(id);
    publisher_->Publish("/tasks/resumed", ev);
  }
  return OkEmpty();
}

Reply TaskService::Checkpoint(const std::string& bytes) {
  v2::CheckpointTaskRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  return Reply::Error(ttrpc::kUnimplemented,
                      "checkpoint of " + req.id() + ": not supported by the litebox runtime");
}

Reply TaskService::Kill(const std::string& bytes) {
  v2::KillRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  std::shared_ptr<Proc> p;
  if (!Find(req.id(), req.exec_id(), &c, &p, &err)) return err;
  int sig = int(req.signal());
  if (sig <= 0 || sig >= NSIG)
    return Reply::Error(ttrpc::kInvalidArgument, "kill: invalid signal " + std::to_string(sig));
  // containerd and CRI treat NotFound here as "already dead".
  if (p->exited || (req.exec_id().empty() && c->init_exit_pending))
    return Reply::Error(ttrpc::kNotFound, "process already finished: not found");
  std::string serr;
  if (req.exec_id().empty()) {
    if (!c->sandbox->Kill(sig, req.all(), &serr)) return SandboxError("kill " + req.id(), serr);
    return OkEmpty();
  }
  if (p->pid == 0)
    return Reply::Error(ttrpc::kFailedPrecondition,
                        "exec " + req.exec_id() + " has not been started: nothing to kill");
  // An exec is a host process the shim forked (through Sandbox::Exec),
  // signalled through its pidfd: once reaped, its pid may be another's.
  int rc = p->pidfd >= 0 ? int(syscall(SYS_pidfd_send_signal, p->pidfd, sig, nullptr, 0))
                         : kill(pid_t(p->pid), sig);
  if (rc != 0) {
    if (errno == ESRCH)
      return Reply::Error(ttrpc::kNotFound, "process already finished: not found");
    return Reply::Error(ttrpc::kUnknown, "kill exec " + req.exec_id() + ": " + strerror(errno));
  }
  return OkEmpty();
}

Reply TaskService::ResizePty(const std::string& bytes) {
  v2::ResizePtyRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  std::shared_ptr<Proc> p;
  if (!Find(req.id(), req.exec_id(), &c, &p, &err)) return err;
  // Like containerd's runc shim, a process without a terminal ignores resizes
  // (clients send them blindly on SIGWINCH).
  if (!p->io_config.terminal) return OkEmpty();
  if (!p->io)
    return Reply::Error(ttrpc::kFailedPrecondition,
                        "resize " + req.id() + "/" + req.exec_id() + ": process not started");
  std::string serr;
  if (!p->io->ResizePty(req.width(), req.height(), &serr))
    return Reply::Error(ttrpc::kUnknown, "resize pty of " + req.id() + ": " + serr);
  return OkEmpty();
}

Reply TaskService::CloseIO(const std::string& bytes) {
  v2::CloseIORequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  std::shared_ptr<Proc> p;
  if (!Find(req.id(), req.exec_id(), &c, &p, &err)) return err;
  if (!req.stdin()) return OkEmpty();
  if (p->io)
    p->io->CloseStdin();
  else
    p->close_stdin_at_start = true;
  return OkEmpty();
}

Reply TaskService::Update(const std::string& bytes) {
  v2::UpdateTaskRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  if (!Find(req.id(), "", &c, nullptr, &err)) return err;
  if (!req.has_resources() || req.resources().value().empty())
    return OkEmpty();  // annotations only: nothing in the sandbox depends on them
  // containerd sends the OCI LinuxResources object as JSON in the Any.
  runtime::CgroupLimits limits;
  std::string perr;
  if (!ParseUpdateResources(req.resources().value(), &limits, &perr))
    return Reply::Error(ttrpc::kInvalidArgument, "update " + req.id() + ": " + perr);
  if (limits.empty()) return OkEmpty();
  std::string why = runtime::Cgroup::Unusable(limits);
  if (!why.empty())
    return Reply::Error(ttrpc::kFailedPrecondition, "update " + req.id() + ": " + why);
  if (c->init->exited || c->init_exit_pending)
    return Reply::Error(ttrpc::kFailedPrecondition,
                        "update " + req.id() + ": container not running");
  std::string serr;
  if (!c->sandbox->SetLimits(limits, &serr)) return SandboxError("update " + req.id(), serr);
  return OkEmpty();
}

Reply TaskService::Wait(const std::string& bytes) {
  v2::WaitRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::unique_lock<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  std::shared_ptr<Proc> p;
  if (!Find(req.id(), req.exec_id(), &c, &p, &err)) return err;
  exited_cv_.wait(lock, [&] { return p->exited; });
  v2::WaitResponse resp;
  resp.set_exit_status(p->exit_status);
  resp.mutable_exited_at()->set_seconds(p->exited_at.tv_sec);
  resp.mutable_exited_at()->set_nanos(int32_t(p->exited_at.tv_nsec));
  return Ok(resp);
}

Reply TaskService::Stats(const std::string& bytes) {
  v2::StatsRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  std::shared_ptr<Container> c;
  if (!Find(req.id(), "", &c, nullptr, &err)) return err;
  std::string serr;
  auto st = c->sandbox->Stats(&serr);
  if (!st) return Reply::Error(ttrpc::kNotFound, "stats of " + req.id() + ": " + serr);
  // cgroup v1 Metrics, as containerd-shim-runc-v2 sends on a v1 host.
  ::io::containerd::cgroups::v1::Metrics m;
  m.mutable_pids()->set_current(st->pids_current);
  m.mutable_pids()->set_limit(st->pids_limit);
  auto* cpu = m.mutable_cpu()->mutable_usage();
  cpu->set_total(st->cpu_usage_ns);
  cpu->set_user(st->cpu_user_ns);
  cpu->set_kernel(st->cpu_system_ns);
  auto* mem = m.mutable_memory();
  mem->set_cache(st->memory_cache);
  mem->set_rss(st->memory_rss);
  mem->set_total_cache(st->memory_cache);
  mem->set_total_rss(st->memory_rss);
  mem->mutable_usage()->set_usage(st->memory_usage);
  mem->mutable_usage()->set_max(st->memory_max_usage);
  mem->mutable_usage()->set_limit(st->memory_limit);
  mem->mutable_usage()->set_failcnt(st->memory_failcnt);
  m.mutable_memory_oom_control()->set_oom_kill(st->oom_kills);
  v2::StatsResponse resp;
  resp.mutable_stats()->set_type_url("io.containerd.cgroups.v1.Metrics");
  resp.mutable_stats()->set_value(m.SerializeAsString());
  return Ok(resp);
}

Reply TaskService::Connect(const std::string& bytes) {
  v2::ConnectRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  v2::ConnectResponse resp;
  resp.set_shim_pid(uint32_t(getpid()));
  auto it = containers_.find(req.id());  // unknown id: still a successful liveness check
  resp.set_task_pid(it == containers_.end() ? 0 : it->second->init->pid);
  return Ok(resp);
}

Reply TaskService::Shutdown(const std::string& bytes) {
  v2::ShutdownRequest req;
  Reply err;
  if (!Parse(bytes, &req, &err)) return err;
  std::lock_guard<std::mutex> lock(mu_);
  if (!containers_.empty() || shutting_down_) return OkEmpty();  // other tasks still need us
  shutting_down_ = true;
  if (on_shutdown_) on_shutdown_();
  return OkEmpty();
}

}  // namespace litebox::shim::task
