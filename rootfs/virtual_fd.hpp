// Turning synthesized content into things a guest can hold: sealed memfds,
// linux_dirent64 listings, and synthesized struct stat.
#pragma once

#include <sys/stat.h>

#include <string>
#include <string_view>
#include <vector>

#include "rootfs/rootfs.hpp"
#include "rootfs/vnode.hpp"

namespace litebox::rootfs {

// memfd named "lbx:<vpath>" (so the fd maps back to its virtual path)
// holding `content`, sealed against any change. Returns the fd or -errno.
int MakeSealedMemfd(const std::string& vpath, std::string_view content);

// linux_dirent64 records for ".", ".." and `entries`, d_off = 1-based index.
std::string DirentRecords(const std::vector<DirEntry>& entries);

// struct stat of a virtual node: S_IFDIR 0555, S_IFLNK 0777, S_IFREG 0444
// (size 0, as /proc reports), or the host node's own stat for devices.
struct stat VirtualStat(const std::string& vpath, const VNode& node);

// Prefix of the memfd names above, as readlink(/proc/self/fd/N) shows them.
inline constexpr std::string_view kMemfdPrefix = "/memfd:lbx:";

// Maps what readlink(/proc/<pid>/fd/N) shows for a guest fd to the path the
// sandbox sees: files under the root or a mount, the proxy's memfds, the
// host devices /dev serves, and "pipe:[..]"-style names. Everything else is
// outside the sandbox: false.
bool HostFdTargetToVirtual(const RootFs& fs, const std::string& host_target, std::string* vpath);

// The host device nodes /dev hands out (identity-mapped names).
bool IsServedDevice(std::string_view host_path);

}  // namespace litebox::rootfs
