// Calls that change another process given a pid: prlimit64, setpriority,
// ioprio_set, sched_setaffinity, sched_setscheduler, setpgid, with the
// decoy's host pid. The driver compares the decoy's limits and nice value.
#include <sched.h>
#include <sys/resource.h>

#include "attack.h"

int main(void) {
  announce();
  long pid = host_num("ESC_DECOY_PID");
  struct rlimit zero = {0, 0};
  step("prlimit_nofile", RAW4(SYS_prlimit64, pid, RLIMIT_NOFILE, &zero, 0));
  step("prlimit_cpu", RAW4(SYS_prlimit64, pid, RLIMIT_CPU, &zero, 0));
  step("setpriority", RAW3(SYS_setpriority, PRIO_PROCESS, pid, 19));
  step("setpriority_user0", RAW3(SYS_setpriority, PRIO_USER, 0, 19));
  step("ioprio_set", RAW3(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, pid, (3 << 13)));
  unsigned long mask = 1;
  step("sched_setaffinity", RAW3(SYS_sched_setaffinity, pid, sizeof mask, &mask));
  struct sched_param sp = {0};
  step("sched_setscheduler", RAW3(SYS_sched_setscheduler, pid, SCHED_IDLE, &sp));
  step("setpgid", RAW2(SYS_setpgid, pid, pid));
  step("migrate_pages", RAW4(SYS_migrate_pages, pid, 64, &mask, &mask));
  return done();
}
