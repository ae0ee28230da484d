// Kernel code loading and machine state: init_module, finit_module,
// delete_module, kexec_load, kexec_file_load, reboot, swapon/off, iopl,
// ioperm, acct, syslog, settimeofday, clock_settime, adjtimex.
#include <sys/time.h>
#include <sys/timex.h>

#include "attack.h"

int main(void) {
  announce();
  static char image[4096] =
      "\x7f"
      "ELF";
  step("init_module", RAW3(SYS_init_module, image, sizeof image, ""));
  step("finit_module", RAW3(SYS_finit_module, 0, "", 0));
  step("delete_module", RAW2(SYS_delete_module, "ext4", 0));
  step("kexec_load", RAW4(SYS_kexec_load, 0, 0, 0, 0));
  step("kexec_file_load", RAW5(SYS_kexec_file_load, 0, 0, 0, "", 4 /* KEXEC_FILE_NO_INITRAMFS */));
  // LINUX_REBOOT_CMD_CAD_OFF is harmless if it ever went through.
  step("reboot", RAW4(SYS_reboot, 0xfee1dead, 672274793, 0, 0));
  step("swapon", RAW2(SYS_swapon, "/etc/passwd", 0));
  step("swapoff", RAW1(SYS_swapoff, "/etc/passwd"));
  step("iopl", RAW1(SYS_iopl, 3));
  step("ioperm", RAW3(SYS_ioperm, 0x60, 8, 1));
  step("acct", RAW1(SYS_acct, "/tmp/acct"));
  char log[256];
  step("syslog_read", RAW3(SYS_syslog, 3 /* READ_ALL */, log, sizeof log));
  struct timeval tv = {1, 0};
  step("settimeofday", RAW2(SYS_settimeofday, &tv, 0));
  struct timespec ts = {1, 0};
  step("clock_settime", RAW2(SYS_clock_settime, 0, &ts));
  struct timex tx = {0};
  tx.modes = ADJ_OFFSET;
  step("adjtimex_set", RAW1(SYS_adjtimex, &tx));
  step("quotactl", RAW4(SYS_quotactl, 0, "/", 0, 0));
  step("vhangup", RAW0(SYS_vhangup));
  return done();
}
