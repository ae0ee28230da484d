// Raw host system calls for the freestanding libOS. Every call the libOS
// makes goes through one syscall instruction, the gate (gate.S): the
// partition filter ALLOWs the gate-set numbers only from there, and the
// other numbers are judged by the table as for the application.
#pragma once

#include <asm/unistd_64.h>
#include <stddef.h>
#include <stdint.h>

extern "C" long lb_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
// Address of the instruction after the gate's `syscall` (what the kernel
// reports as seccomp_data.instruction_pointer for gate calls).
extern "C" char lb_gate_ip[];

namespace lb {

inline long sys(long nr, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0,
                long a5 = 0) {
  return lb_syscall6(nr, a0, a1, a2, a3, a4, a5);
}
template <typename A, typename B = long, typename C = long, typename D = long, typename E = long,
          typename F = long>
inline long sysc(long nr, A a0, B a1 = 0, C a2 = 0, D a3 = 0, E a4 = 0, F a5 = 0) {
  return lb_syscall6(nr, (long)a0, (long)a1, (long)a2, (long)a3, (long)a4, (long)a5);
}

inline bool is_err(long r) {
  return r < 0 && r > -4096;
}

[[noreturn]] inline void exit_group(int code) {
  for (;;) sys(__NR_exit_group, code);
}

}  // namespace lb
