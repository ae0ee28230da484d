// mount(2) in every shape that would give a container host files: a bind of
// the decoy's host directory, a new tmpfs, a remount of /, proc.
#include <sys/mount.h>

#include "attack.h"

int main(void) {
  announce();
  RAW2(SYS_mkdir, "/tmp/m", 0755);
  step("bind_decoy_dir", RAW5(SYS_mount, host("ESC_DECOY_DIR"), "/tmp/m", 0, MS_BIND, 0));
  try_read("read_bound", "/tmp/m/secret");
  step("tmpfs", RAW5(SYS_mount, "none", "/tmp/m", "tmpfs", 0, 0));
  step("remount_root", RAW5(SYS_mount, "none", "/", 0, MS_REMOUNT | MS_BIND, 0));
  step("proc", RAW5(SYS_mount, "proc", "/tmp/m", "proc", 0, 0));
  step("umount2_root", RAW2(SYS_umount2, "/", MNT_DETACH));
  step("umount2_proc", RAW2(SYS_umount2, "/proc", 0));
  step("pivot_root", RAW2(SYS_pivot_root, "/tmp", "/tmp/m"));
  step("open_tree", RAW3(428, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */));
  step("fsopen", RAW2(430, "tmpfs", 0));
  step("move_mount", RAW5(429, -1, "", AT_FDCWD, "/tmp/m", 0));
  step("mount_setattr", RAW5(442, AT_FDCWD, "/", 0, 0, 0));
  return done();
}
