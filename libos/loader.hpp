// The ELF loader (static, static-pie, dynamic with PT_INTERP, `#!`
// scripts): in-process execve and the first image of a process.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace lb {

struct ExecResult {
  uint64_t entry = 0;  // first instruction (the interpreter's entry for dynamic images)
  uint64_t sp = 0;     // initial stack pointer (argc, argv, envp, auxv)
  // In: where the reply to the main image's open goes (proxy_open_exec):
  // its canonical path and, with list_fds, the caller's open fds. Null:
  // nowhere. Out: open_reply_len bytes of it.
  char* open_reply = nullptr;
  size_t open_reply_cap = 0;
  bool list_fds = false;
  size_t open_reply_len = 0;
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

// The same when the exec's open already answered what the reply would
// (ExecResult::open_reply: the canonical path, and with `close_cloexec` the
// fd list): sets g_proc.exe_canon, closes the close-on-exec fds and tells
// the supervisor without waiting. False (nothing done) if the open reply
// lacks what is needed; then report_exec_done is the way.
bool report_exec_done_from_open(const ExecResult& res, const char* info, size_t argv_len,
                                size_t info_len, bool close_cloexec);

// At the start of a process image (libos_main, `sp` its initial stack
// pointer), before its first mmap: the kernel's vvar and vdso mappings
// (g_proc.special), which an in-process execve keeps.
void find_special_ranges(uint64_t sp);

}  // namespace lb
