// Thin wrappers over host calls the proxy uses everywhere.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "rootfs/unique_fd.hpp"

namespace litebox::rootfs {

// openat2(2) (glibc 2.36 has no wrapper). Returns the fd or -errno.
int Openat2(int dirfd, const char* path, uint64_t flags, uint64_t resolve, uint64_t mode = 0);

// Opens one name (no '/', not "." or "..") below an O_PATH directory fd as
// O_PATH|O_NOFOLLOW, refusing anything that would leave the directory.
// Returns the fd or -errno.
int OpenPathBeneath(int dirfd, const std::string& name);

// "/proc/self/fd/N": the supervisor reopens its own O_PATH fds through this
// magic link (never a guest-controlled path).
std::string SelfFdPath(int fd);

// Reopens the object behind an O_PATH fd with real open flags. Returns the
// fd or -errno.
int Reopen(int path_fd, int flags);

// readlink(2) into a string; empty with errno set on failure.
std::string ReadLink(int dirfd, const std::string& path);

// Whole file as a string (host /proc files, which report size 0).
// False with errno set on failure.
bool ReadHostFile(const std::string& path, std::string* out);

}  // namespace litebox::rootfs
