// containerd.task.v2.Task for LiteBox sandboxes: one shim serves every
// container of a pod (grouping), each routed by its id. Containers run only
// through runtime::Sandbox; the shim owns their IO, rootfs mounts, exit
// statuses (it is their subreaper) and events.
#pragma once

#include <time.h>
#include <unistd.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "github.com/containerd/containerd/api/types/task/task.pb.h"
#include "runtime/sandbox.hpp"
#include "shim-v2/events/publisher.hpp"
#include "shim-v2/io/process_io.hpp"
#include "shim-v2/rootfs/mounts.hpp"
#include "shim-v2/ttrpc/server.hpp"

namespace litebox::shim::task {

constexpr char kTaskService[] = "containerd.task.v2.Task";

// One process of a container: the init (exec_id "") or an exec.
struct Proc {
  Proc() = default;
  Proc(const Proc&) = delete;
  Proc& operator=(const Proc&) = delete;
  ~Proc() {
    if (pidfd >= 0) close(pidfd);
  }
  std::string exec_id;
  uint32_t pid = 0;
  containerd::v1::types::Status status = containerd::v1::types::CREATED;
  bool exited = false;
  uint32_t exit_status = 0;
  timespec exited_at{};
  io::IoConfig io_config;
  std::unique_ptr<io::ProcessIo> io;
  bool close_stdin_at_start = false;  // CloseIO before an exec started
  runtime::ProcessSpec spec;          // exec: what Start runs
  // exec: opened before the reaper can reap pid, so Kill never signals a
  // recycled pid (the exit is reaped before OnExit marks p exited).
  int pidfd = -1;
};

struct Container {
  std::string id, bundle, rootfs_dir;
  bool rootfs_mounted = false;
  std::unique_ptr<runtime::Sandbox> sandbox;
  std::shared_ptr<Proc> init;
  std::map<std::string, std::shared_ptr<Proc>> execs;
  bool init_exit_pending = false;  // init died; its exit waits for the execs'
  int init_wait_status = 0;
};

class TaskService {
 public:
  // publisher must outlive the service. on_shutdown runs (once) when
  // Shutdown finds no container left.
  TaskService(std::string ns, events::Publisher* publisher, std::function<void()> on_shutdown,
              bool debug);
  void Register(ttrpc::Server* server);
  size_t ContainerCount();

  // Each takes the serialized request and returns the serialized reply.
  ttrpc::Reply State(const std::string& req);
  ttrpc::Reply Create(const std::string& req);
  ttrpc::Reply Start(const std::string& req);
  ttrpc::Reply Delete(const std::string& req);
  ttrpc::Reply Pids(const std::string& req);
  ttrpc::Reply Pause(const std::string& req);
  ttrpc::Reply Resume(const std::string& req);
  ttrpc::Reply Checkpoint(const std::string& req);
  ttrpc::Reply Kill(const std::string& req);
  ttrpc::Reply Exec(const std::string& req);
  ttrpc::Reply ResizePty(const std::string& req);
  ttrpc::Reply CloseIO(const std::string& req);
  ttrpc::Reply Update(const std::string& req);
  ttrpc::Reply Wait(const std::string& req);
  ttrpc::Reply Stats(const std::string& req);
  ttrpc::Reply Connect(const std::string& req);
  ttrpc::Reply Shutdown(const std::string& req);

 private:
  // Pause and Resume: one state change, its sandbox call and its event.
  ttrpc::Reply SetPaused(const std::string& id, bool pause);
  // Looks up id / exec_id under mu_; on failure *reply holds the NotFound.
  bool Find(const std::string& id, const std::string& exec_id, std::shared_ptr<Container>* c,
            std::shared_ptr<Proc>* p, ttrpc::Reply* reply);
  // Reaper callback (reaper thread).
  void OnExit(const std::string& id, const std::string& exec_id, int exit_status);
  // Marks p exited, publishes /tasks/exit, wakes waiters. Caller holds mu_.
  void FinishExit(Container& c, Proc& p, int exit_status);
  bool AnyExecRunning(const Container& c) const;
  // An exec that will never run (its start failed, or it was deleted
  // unstarted): wake its waiters with status 255, publish nothing. Caller holds mu_.
  void Abandon(Proc& p);
  void Log(const std::string& line);

  std::string ns_;
  events::Publisher* publisher_;
  std::function<void()> on_shutdown_;
  bool debug_;
  std::mutex mu_;
  std::condition_variable exited_cv_;
  std::map<std::string, std::shared_ptr<Container>> containers_;
  bool shutting_down_ = false;
};

}  // namespace litebox::shim::task
