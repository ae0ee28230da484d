// Turning an application's (dirfd, path) into a proxy request's path
// argument: absolute paths go as they are, cwd-relative ones get the
// virtual cwd prefixed, dirfd-relative ones attach the dirfd.
#pragma once

#include "libos/channel.hpp"
#include "libos/rt/util.hpp"

namespace lb {

// Fills path slot `slot` (0 or 1) of `r`. `scratch` must outlive the rpc
// and hold proto::kMaxPath + cwd bytes. Returns 0 or -errno (EFAULT for
// NULL, ENOENT for "" without AT_EMPTY_PATH, ENAMETOOLONG).
long set_path(Rpc& r, int slot, long dirfd, const char* path, char* scratch, unsigned long cap);

// What /proc/thread-self names for the calling thread, "<vpid>/task/<tid>"
// (tids are the host's, as gettid says; only the libOS knows the caller).
void put_thread_self(Buf& b);

// Opens a path through the proxy; returns the fd or -errno.
// *kind (if given) receives the reply's proto::FdKind, on failures too.
long proxy_open(long dirfd, const char* path, long flags, long mode, long exec_check = 0,
                int64_t* kind = nullptr);

// Opens an image to exec (O_RDONLY | O_CLOEXEC, proto::kOpenForExecMain or
// kOpenForExecListFds) and keeps the reply's payload (the canonical path,
// then with the list: NUL and the open fds) in out[0..*out_len).
long proxy_open_exec(const char* path, int64_t how, char* out, size_t cap, size_t* out_len);

}  // namespace lb
