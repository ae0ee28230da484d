// Trap-free syscall sites. A seccomp trap costs ~2 us here (signal frame
// with the whole FPU state, then rt_sigreturn), more than most emulations
// themselves. So a call site that traps four times for a row the libOS answers
// in full (EMULATE, handler LB_SYSCALL_DIRECT) is rewritten: its
// `mov $nr, %eax` (5 bytes right before the `syscall`, which stays) becomes
// a jmp to a per-site stub near it, which calls rt/direct_entry.S and
// returns behind the syscall. Security does not change: the application
// could always jump into the libOS (DESIGN §3), and the filter still judges
// every host call. Only sites in private r-x mappings of files, outside the
// libOS, are touched; the original bytes are checked (the immediate must be
// the trapped number) and written atomically when threads may run them.
#pragma once

#include <stdint.h>

#include "libos/state.hpp"

namespace lb::sites {

// Turns the rewrite on if the CPU lets user code read its GS base
// (AT_HWCAP2 FSGSBASE) and points this thread's GS base at its block.
void init(Thread* main_thread);
// The same for a new thread, before it runs application code.
void thread_start(Thread* t);
// The thread block of the calling thread (GS base); null if off.
Thread* current_thread();
// A trap of `nr` (a direct row) from the site ending at `rip`.
void note_trap(long nr, uint64_t rip);
// After an in-process execve unmapped the old image: its sites and stubs
// are gone.
void exec_reset();
// The loader mapped [lo, hi) read+execute from an image file.
void add_text(uint64_t lo, uint64_t hi);
// A fork child: another thread of the parent may have held the lock (it
// reads /proc/self/maps under it); the state it guards stays usable.
void reset_in_child();

}  // namespace lb::sites
