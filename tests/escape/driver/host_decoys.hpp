// Host-side decoys for one escape attack, and the oracles over them.
//
// Everything an attack must not reach lives OUTSIDE the sandbox's rootfs, in
// the same scratch directory: a secret file with random content, a path that
// must never appear, listening sockets (path and abstract AF_UNIX, TCP on
// 127.0.0.1), bound datagram sockets (path and abstract), a `sleep 1000` process, and a SysV
// shared-memory segment with the token. Snapshot() records their state; Check() compares and
// returns a list of what changed (empty = the host survived).
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace escape {

// A file's observable identity: content hash and metadata.
struct FileState {
  bool exists = false;
  std::string content;
  unsigned mode = 0;
  unsigned uid = 0, gid = 0;
  long long mtime_ns = 0;
  bool operator==(const FileState&) const = default;
};
FileState StatFile(const std::string& path);

class HostDecoys {
 public:
  // Creates the scratch dir (short, under /tmp, so socket paths fit) and
  // every decoy. Throws std::runtime_error naming what failed.
  HostDecoys();
  ~HostDecoys();
  HostDecoys(const HostDecoys&) = delete;
  HostDecoys& operator=(const HostDecoys&) = delete;

  const std::string& dir() const { return dir_; }
  const std::string& token() const { return token_; }
  std::string rootfs() const { return dir_ + "/rootfs"; }
  std::string decoy_path() const { return dir_ + "/decoy/secret"; }
  std::string canary_path() const { return dir_ + "/decoy/canary"; }
  std::string unix_path() const { return dir_ + "/decoy/host.sock"; }
  std::string dgram_path() const { return dir_ + "/decoy/host.dgram"; }
  const std::string& abstract_name() const { return abstract_; }
  int tcp_port() const { return tcp_port_; }
  pid_t decoy_pid() const { return decoy_pid_; }
  int shm_id() const { return shm_id_; }
  int shm_key() const { return shm_key_; }
  int msg_id() const { return msg_id_; }

  // ESC_* variables for the attack (see attacks/attack.h).
  std::map<std::string, std::string> Env() const;

  // Files whose state must not change (decoy, private litebox binaries,
  // the terminal, host /proc/sys knobs); call once before the attack.
  void Watch(const std::string& path);
  void Snapshot();
  // Everything the attack changed or reached on the host, one line each.
  std::vector<std::string> Check();

 private:
  std::string dir_, token_, abstract_;
  int unix_fd_ = -1, abstract_fd_ = -1, tcp_fd_ = -1, tcp_port_ = 0;
  int dgram_path_fd_ = -1, dgram_abstract_fd_ = -1;  // datagram sockets: any datagram is an escape
  pid_t decoy_pid_ = -1;
  int shm_id_ = -1, shm_key_ = 0;
  int msg_id_ = -1;  // host message queue (0644) holding one message with the token
  std::vector<std::string> watched_;
  std::map<std::string, FileState> before_;
  std::string decoy_limits_, decoy_nice_, hostname_, shm_before_, msg_before_;
  std::vector<std::string> dir_entries_;
};

// Reads a whole host file ("" when missing).
std::string ReadHostFile(const std::string& path);
// Random hex string of 2*bytes characters from getrandom.
std::string RandomHex(size_t bytes);

}  // namespace escape
