// Writes aimed at the host: create the canary path (absolute host path, via
// `..`, via planted symlinks), truncate/overwrite the decoy, and every
// metadata call (chmod, chown, utimensat, truncate, rename, unlink, mkdir,
// mknod FIFO) on host paths. Whatever succeeds must land inside the rootfs;
// the driver checks the decoy, the canary path and the scratch directory.
#include "attack.h"

int main(void) {
  announce();
  const char* decoy = host("ESC_DECOY");
  const char* canary = host("ESC_CANARY");
  char path[8192];
  long fd;
  fd = step("creat_canary_abs", RAW4(SYS_openat, AT_FDCWD, canary, O_WRONLY | O_CREAT, 0644));
  if (fd >= 0) RAW1(SYS_close, fd);
  fd = step("creat_canary_dotdot",
            RAW4(SYS_openat, AT_FDCWD, "/../decoy/canary", O_WRONLY | O_CREAT, 0644));
  if (fd >= 0) RAW1(SYS_close, fd);
  fd = step("trunc_decoy_abs", RAW4(SYS_openat, AT_FDCWD, decoy, O_WRONLY | O_TRUNC, 0));
  if (fd >= 0) RAW3(SYS_write, fd, "pwned\n", 6);
  fd = step("trunc_planted_abs",
            RAW4(SYS_openat, AT_FDCWD, "/planted_abs", O_WRONLY | O_TRUNC | O_CREAT, 0644));
  if (fd >= 0) RAW3(SYS_write, fd, "pwned\n", 6);
  fd = step("trunc_planted_rel",
            RAW4(SYS_openat, AT_FDCWD, "/planted_rel", O_WRONLY | O_TRUNC | O_CREAT, 0644));
  if (fd >= 0) RAW3(SYS_write, fd, "pwned\n", 6);
  fd = step("append_planted_dir",
            RAW4(SYS_openat, AT_FDCWD, "/planted_dir/secret", O_WRONLY | O_APPEND, 0));
  if (fd >= 0) RAW3(SYS_write, fd, "pwned\n", 6);
  fd = step("creat_via_planted_dir",
            RAW4(SYS_openat, AT_FDCWD, "/planted_dir/canary", O_WRONLY | O_CREAT, 0644));
  step("chmod_decoy", RAW2(SYS_chmod, decoy, 0777));
  step("chmod_planted", RAW2(SYS_chmod, "/planted_abs", 0777));
  step("chown_decoy", RAW3(SYS_chown, decoy, 1234, 1234));
  step("lchown_planted_rel", RAW3(SYS_chown, "/planted_rel", 1234, 1234));
  step("truncate_decoy", RAW2(SYS_truncate, decoy, 0));
  step("truncate_planted", RAW2(SYS_truncate, "/planted_rel", 0));
  struct timespec ts[2] = {{1, 0}, {1, 0}};
  step("utimensat_decoy", RAW4(SYS_utimensat, AT_FDCWD, decoy, ts, 0));
  step("utimensat_planted", RAW4(SYS_utimensat, AT_FDCWD, "/planted_abs", ts, 0));
  step("rename_decoy_away", RAW2(SYS_rename, "/planted_dir/secret", "/tmp/stolen"));
  step("unlink_decoy", RAW1(SYS_unlink, decoy));
  step("unlink_via_planted_dir", RAW1(SYS_unlink, "/planted_dir/secret"));
  step("mkdir_canary", RAW2(SYS_mkdir, canary, 0755));
  snprintf(path, sizeof path, "/planted_dir/../canary2");
  step("mkdir_via_planted_dotdot", RAW2(SYS_mkdir, path, 0755));
  step("mknod_fifo_canary", RAW3(SYS_mknod, "/planted_dir/canary3", 010644, 0));
  step("symlink_at_canary", RAW2(SYS_symlink, "x", canary));
  step("rename_into_host", RAW2(SYS_rename, "/etc/passwd", "/planted_dir/canary4"));
  return done();
}
