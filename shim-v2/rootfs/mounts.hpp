// containerd's rootfs mounts (CreateTaskRequest.rootfs) onto <bundle>/rootfs,
// as containerd's runc shim does: each entry in order, all on one target.
#pragma once

#include <string>
#include <vector>

namespace litebox::shim::rootfs {

struct Mount {
  std::string type, source;
  std::vector<std::string> options;
};

// mount(2) flags + data string from containerd option words ("rbind", "ro",
// "lowerdir=..."). Unknown words go to data, joined with ','.
struct MountArgs {
  unsigned long flags = 0;
  std::string data;
  bool loop = false;
};
MountArgs ParseOptions(const std::vector<std::string>& options);

// Mounts every entry on target (created 0711 if missing). On failure undoes
// what it mounted and names the failing entry in *err.
bool MountAll(const std::vector<Mount>& mounts, const std::string& target, std::string* err);
// Unmounts everything stacked on target. Not mounted is success.
bool UnmountAll(const std::string& target, std::string* err);

}  // namespace litebox::shim::rootfs
