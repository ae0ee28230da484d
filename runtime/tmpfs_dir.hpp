// A private directory on /dev/shm for state that needs no disk.
//
// /run is normally tmpfs; on a host where it is not (this VM: ext4), each
// creat, mkdir, unlink and rmdir of LiteBox's short-lived state waits on
// the journal (0.1-0.4 ms apiece measured here). Such state then lives in
// /dev/shm/<name>, but only in a directory that is provably ours: owned by
// our euid, mode 0700, not a symlink (anyone may create names in /dev/shm).
#pragma once

#include <string>

namespace litebox::runtime {

// True when `path` is on tmpfs.
bool OnTmpfs(const std::string& path);

// "/dev/shm/<name>", created mode 0700 if missing, when /dev/shm is tmpfs
// and that directory is ours alone; "" otherwise.
std::string PrivateShmDir(const std::string& name);

}  // namespace litebox::runtime
