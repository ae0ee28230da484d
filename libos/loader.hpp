// The ELF loader (static, static-pie, dynamic with PT_INTERP, `#!`
// scripts): in-process execve and the first image of a process.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace lb {

struct ExecResult {
  uint64_t entry;  // first instruction (the interpreter's entry for dynamic images)
  uint64_t sp;     // initial stack pointer (argc, argv, envp, auxv)
};

// Phase 1 (nothing of the caller is touched): resolves `path` (#! chains
// included), opens the image and its interpreter through the proxy and
// checks their headers. Phase 2 (after `before_commit` has run, e.g. to
// unmap the old image): maps everything and builds the stack.
// argv/envp are NULL-terminated arrays of libOS-owned strings.
// Returns 0 or -errno; an error in phase 1 leaves the process as it was.
// `execfn` is the path as the caller gave it (AT_EXECFN and the task name
// come from it, as Linux takes them from execve's filename); null: `path`.
long exec_image(const char* path, char** argv, char** envp, ExecResult* out,
                void (*before_commit)(void*), void* arg, const char* execfn = nullptr);

// Tells the supervisor the process now runs g_proc.exe, learns the canonical exe path
// (g_proc.exe_canon) and, with `close_cloexec`, closes the application's
// close-on-exec fds from the open-fd list in its reply.
// `info`: argv joined with NULs (its first argv_len bytes), then the
// environment's entries, NUL-terminated (up to info_len).
void report_exec_done(const char* info, size_t argv_len, size_t info_len, bool close_cloexec);

}  // namespace lb
