// What a container created by `litebox create` leaves under --root so that
// later `litebox` processes (start, state, kill, delete, ...) find it:
// <root>/<id>/state.json, written atomically (temp file + rename).
//
// The sandbox's own state directory (control socket, empty chroot dir) lives
// elsewhere, under a short path: a unix socket path holds at most 107 bytes,
// and containerd's root (/run/containerd/runc/<ns>) plus a 64-character id
// plus "/control.sock" does not fit. Its last component must be the
// container id, because runtime::Sandbox derives the sandbox's host uid from
// it.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

#include "oci/result.hpp"
#include "oci/spec.hpp"
#include "oci/state.hpp"

namespace litebox::cli {

struct ContainerRecord {
  std::string id;
  std::string bundle;  // absolute
  std::string rootfs;  // absolute
  oci::Timestamp created{};
  std::map<std::string, std::string> annotations;
  std::string owner;
  pid_t init_pid = 0;
  uint64_t init_start_time = 0;  // /proc/<pid>/stat field 22, against pid reuse
  pid_t supervisor_pid = 0;
  uint64_t supervisor_start_time = 0;
  std::string sandbox_dir;  // runtime::SandboxSpec::state_dir
  // What the last command made of it; "stopped" is derived, never stored.
  oci::Status status = oci::Status::kCreated;
  std::string resources_json;  // last `update --resources` (applied by SetLimits)
  std::vector<oci::Hook> poststart_hooks, poststop_hooks;  // from config.json at create
};

std::string ContainerDir(const std::string& root, const std::string& id);
// Short sandbox state dir for (root, id): <base>/<hash of root>/<id>.
std::string SandboxDirFor(const std::string& root, const std::string& id);
// Removes the (now empty) <base>/<hash of root> directory if possible.
void RemoveSandboxParent(const std::string& sandbox_dir);

// Loads <root>/<id>/state.json. Error reason for an unknown id contains
// "does not exist" (engines match on it).
oci::Result<ContainerRecord> LoadRecord(const std::string& root, const std::string& id);
// Atomic write of <root>/<id>/state.json; false with *err.
bool SaveRecord(const std::string& root, const ContainerRecord& rec, std::string* err);
// Ids of every container under root, sorted.
std::vector<std::string> ListIds(const std::string& root);

// Start time of a live (not zombie) pid, or nullopt if it is gone.
std::optional<uint64_t> ProcessStartTime(pid_t pid);
// True if pid still is the process recorded with start_time (and not a zombie).
bool SameProcessAlive(pid_t pid, uint64_t start_time);

// The status right now: stopped once the init process is gone.
oci::Status CurrentStatus(const ContainerRecord& rec);
// runc's state document (pid 0 when stopped).
oci::State ToOciState(const ContainerRecord& rec);

// Writes text to path atomically (temp file in the same directory + rename).
bool WriteFileAtomic(const std::string& path, const std::string& text, std::string* err);

// Holds an exclusive flock on <root>/<id> for the lifetime of the object, so
// concurrent commands on one container (kill while delete) do not interleave.
class ContainerLock {
 public:
  ContainerLock(const std::string& root, const std::string& id);
  ~ContainerLock();
  ContainerLock(const ContainerLock&) = delete;
  ContainerLock& operator=(const ContainerLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace litebox::cli
