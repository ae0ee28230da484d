// The host uid a sandbox's guests run under, leased so no two live
// sandboxes ever share one.
//
// Every process of a sandbox runs as one unprivileged host uid from a
// reserved range (DESIGN §2). Sharing that uid would let two sandboxes
// signal each other and reach each other's SysV objects, and the end-of-
// sandbox sweep (kill(-1) as the uid) would kill the other's processes. A
// hash of the sandbox id is not enough: ids repeat across containerd
// namespaces and state roots, and 2^20 hashed slots collide by the
// birthday bound within a few hundred sandboxes. So the uid is leased:
// <dir>/<uid> is a lock file whose flock the supervisor holds for the
// sandbox's life. A file found unlocked belonged to a supervisor that died
// without its sweep: its leftover processes are killed before the uid is
// reused.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

namespace litebox::runtime {

class UidLease {
 public:
  // Leases a free uid (root only). dir "" means DefaultDir(). `owner` is
  // written into the lock file for operators (the sandbox's state dir).
  // Probing starts at a random uid of the range, or at `first` if not 0.
  static std::unique_ptr<UidLease> Acquire(const std::string& owner, std::string* err,
                                           const std::string& dir = "", uid_t first = 0);
  ~UidLease();  // Release()
  UidLease(const UidLease&) = delete;
  UidLease& operator=(const UidLease&) = delete;

  uid_t uid() const { return uid_; }
  const std::string& path() const { return path_; }
  // Removes the lock file and drops the lock. Call after the uid's
  // processes are gone. Idempotent.
  void Release();
  // Drops the lock but leaves the file: the uid still runs processes (the
  // sweep gave up), so the next holder must sweep it first.
  void Abandon();

  // Where every sandbox on this machine keeps its lease: /run/litebox/uids,
  // or /dev/shm/litebox-uids when /run is not tmpfs (then every creat,
  // unlink and close of a lease file waited on the disk's journal: ~0.4 ms
  // of each sandbox's teardown here). The /dev/shm one is used only if it
  // is a directory of ours, mode 0700; the answer is the same for every
  // caller on the machine, so all agree on one set of leases.
  static std::string DefaultDir();
  static constexpr uid_t kFirstUid = 0x70000000u;  // far above /etc/subuid ranges
  static constexpr uid_t kUidCount = 1u << 20;

 private:
  UidLease() = default;
  uid_t uid_ = 0;
  int fd_ = -1;
  std::string path_;
};

// SIGKILLs every process running with real uid `uid` (kill(-1) sent as that
// uid from a vfork-style child). Root only; no-op for uid 0. Returns false
// when the uid had no task at all after that, not even a zombie or one just
// killed and not yet reaped (the kernel's per-user process count says so).
bool KillProcessesOfUid(uid_t uid);

// For a caller whose supervisor died under a running sandbox: kills what
// is left under `uid`, unless a new sandbox already holds the uid's lease
// (its Acquire swept the leftovers first), then removes the stale lease.
void KillOrphansOfLease(uid_t uid, const std::string& dir = "");

}  // namespace litebox::runtime
