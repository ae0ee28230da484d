// Helper, installed setuid-root in the rootfs by the driver: reports the
// identity it got and tries what real root could do on the host.
#include <sys/mount.h>

#include "attack.h"

int main(void) {
  step("probe_euid", RAW0(SYS_geteuid));
  step("probe_ruid", RAW0(SYS_getuid));
  try_read("probe_host_decoy", host("ESC_DECOY"));
  try_read("probe_dotdot", "/../decoy/secret");
  step("probe_mount", RAW5(SYS_mount, "none", "/tmp", "tmpfs", 0, 0));
  step("probe_kill_decoy", RAW2(SYS_kill, host_num("ESC_DECOY_PID"), 9));
  step("probe_unshare", RAW1(SYS_unshare, 0x10000000));
  out("PROBE-DONE\n");
  return 0;
}
