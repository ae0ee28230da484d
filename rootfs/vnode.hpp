// A node of the synthesized trees (/proc, /dev): what a path names when the
// host file system is not involved.
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace litebox::rootfs {

struct DirEntry {
  std::string name;
  unsigned char type;  // DT_*
};

struct VNode {
  enum Kind { kDir, kFile, kLink, kDevice } kind = kFile;
  std::string content;            // kFile: bytes; kLink: target (virtual path, verbatim)
  std::vector<DirEntry> entries;  // kDir: children (without "." and "..")
  // kDevice: a host path the supervisor itself opens for the guest (a host
  // device node, or /proc/<hostpid>/fd/N to reopen a guest's own pipe).
  // Empty: the device cannot be opened here (-ENXIO).
  std::string host_path;
  // kLink: if set, following the link as the last component reopens this
  // host object instead of resolving `content` (pipes, sockets, terminals
  // under /proc/<pid>/fd/).
  std::string reopen_host_path;
  // kFile: opened for writing, the file is this host one instead (a
  // process's own /proc/<hostpid>/task/<tid>/comm, whose kernel write
  // renames only a thread of the writer's own thread group). Empty: the
  // file is read-only (-EACCES).
  std::string write_host_path;
  mode_t mode = 0;  // permission bits; 0 = default for the kind
  uint32_t uid = 0, gid = 0;
};

// Looks a clean virtual path up in the synthesized trees. Returns 1 and
// fills *node if the path is virtual, 0 if it belongs to the host file
// system (mounts), or -errno (e.g. -ENOENT inside /proc). Virtual nodes
// live only under kVirtualRoots: RootFs::Resolve's fast path relies on it to
// send every other path straight to the host without asking the lookup.
inline constexpr const char* kVirtualRoots[] = {"proc", "dev"};
using VirtualLookup = std::function<int(const std::string& vpath, VNode* node)>;

}  // namespace litebox::rootfs
