// kill(-1, SIGKILL) and kill(0, ...) from a child: on the host, -1 means
// every process the caller may signal. Inside it may reach only the
// sandbox: the decoy, the driver and the supervisor must live on.
#include <signal.h>
#include <sys/wait.h>

#include "attack.h"

int main(void) {
  announce();
  long child = RAW0(SYS_fork);
  if (child == 0) {
    // In the child: signal everything, then report (it may kill itself).
    long r = RAW2(SYS_kill, -1, SIGKILL);
    out("STEP child_kill_minus1 %s %ld\n", r < 0 ? errname(-r) : "OK", r);
    RAW1(SYS_exit, 0);
  }
  int st = 0;
  wait4(child, &st, 0, NULL);
  step("child_waited", 0);
  step("kill_minus1_term", RAW2(SYS_kill, -1, SIGTERM));
  step("kill_driver", RAW2(SYS_kill, host_num("ESC_DRIVER_PID"), SIGKILL));
  step("kill_host_init", RAW2(SYS_kill, 1, 0));
  return done();
}
