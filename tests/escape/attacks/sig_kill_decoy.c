// Signals to the decoy's host pid through every call that sends one:
// kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal.
#include <signal.h>

#include "attack.h"

int main(void) {
  announce();
  long pid = host_num("ESC_DECOY_PID");
  step("kill_9", RAW2(SYS_kill, pid, SIGKILL));
  step("kill_stop", RAW2(SYS_kill, pid, SIGSTOP));
  step("kill_0_probe", RAW2(SYS_kill, pid, 0));
  step("tkill", RAW2(SYS_tkill, pid, SIGKILL));
  step("tgkill", RAW3(SYS_tgkill, pid, pid, SIGKILL));
  siginfo_t si;
  memset(&si, 0, sizeof si);
  si.si_code = -1;  // SI_QUEUE
  step("rt_sigqueueinfo", RAW3(SYS_rt_sigqueueinfo, pid, SIGKILL, &si));
  step("rt_tgsigqueueinfo", RAW4(SYS_rt_tgsigqueueinfo, pid, pid, SIGKILL, &si));
  long pfd = step("pidfd_open", RAW2(SYS_pidfd_open, pid, 0));
  step("pidfd_send_signal", RAW4(SYS_pidfd_send_signal, pfd >= 0 ? pfd : 0, SIGKILL, 0, 0));
  // Last: a wrong translation of an unknown process group once killed the
  // caller itself.
  step("kill_pgrp", RAW2(SYS_kill, -pid, SIGKILL));
  return done();
}
