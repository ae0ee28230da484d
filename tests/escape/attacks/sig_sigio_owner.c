// Signals the kernel sends on our behalf: F_SETOWN / F_SETOWN_EX with the
// decoy's host pid on an O_ASYNC pipe and F_SETSIG SIGKILL, then make the
// pipe readable. Also a POSIX timer aimed at the decoy's tid.
#include <signal.h>
#include <time.h>

#include "attack.h"

struct f_owner_ex_ {
  int type;
  int pid;
};

int main(void) {
  announce();
  long pid = host_num("ESC_DECOY_PID");
  int p[2];
  step("pipe2", RAW2(SYS_pipe2, p, 0));
  step("setown_decoy", RAW3(SYS_fcntl, p[0], F_SETOWN, pid));
  struct f_owner_ex_ ex = {0 /* F_OWNER_TID */, (int)pid};
  step("setown_ex_decoy", RAW3(SYS_fcntl, p[0], 15 /* F_SETOWN_EX */, &ex));
  step("setsig_kill", RAW3(SYS_fcntl, p[0], 10 /* F_SETSIG */, SIGKILL));
  step("set_async", RAW3(SYS_fcntl, p[0], F_SETFL, O_ASYNC | O_NONBLOCK));
  RAW3(SYS_write, p[1], "x", 1);
  sleep_ms(100);
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = 4;  // SIGEV_THREAD_ID
  sev.sigev_signo = SIGKILL;
  sev._sigev_un._tid = (int)pid;
  int timer = -1;
  step("timer_create_decoy_tid", RAW3(SYS_timer_create, CLOCK_MONOTONIC, &sev, &timer));
  return done();
}
