// Other path-taking calls on host paths: extended attributes (get, set,
// list), inotify watches, statx, faccessat2, readlinkat, utimes, statfs,
// mq_open. Each must resolve inside the rootfs (ENOENT for host paths).
#include <sys/stat.h>

#include "attack.h"

int main(void) {
  announce();
  const char* decoy = host("ESC_DECOY");
  char buf[256];
  step("getxattr_host", RAW4(SYS_getxattr, decoy, "user.x", buf, sizeof buf));
  step("setxattr_host", RAW5(SYS_setxattr, decoy, "user.pwn", "1", 1, 0));
  step("setxattr_planted", RAW5(SYS_setxattr, "/planted_abs", "user.pwn", "1", 1, 0));
  step("listxattr_host", RAW3(SYS_listxattr, decoy, buf, sizeof buf));
  long in = RAW1(SYS_inotify_init1, 0);
  step("inotify_add_watch_host", RAW3(SYS_inotify_add_watch, in, host("ESC_DECOY_DIR"), 0xfff));
  step("inotify_add_watch_planted", RAW3(SYS_inotify_add_watch, in, "/planted_dir", 0xfff));
  struct statx sx;
  step("statx_host", RAW5(SYS_statx, AT_FDCWD, decoy, 0, 0xfff, &sx));
  step("statx_dotdot", RAW5(SYS_statx, AT_FDCWD, "/../decoy/secret", 0, 0xfff, &sx));
  step("faccessat2_host", RAW4(439, AT_FDCWD, decoy, 4, 0));
  step("readlinkat_planted", RAW4(SYS_readlinkat, AT_FDCWD, "/planted_dir", buf, sizeof buf));
  step("utimes_host", RAW2(SYS_utimes, decoy, 0));
  step("statfs_host_dir", RAW2(SYS_statfs, host("ESC_DECOY_DIR"), buf));
  step("mq_open_host", RAW4(SYS_mq_open, "lbesc", 0, 0, 0));
  step("uselib_host", RAW1(SYS_uselib, decoy));
  return done();
}
