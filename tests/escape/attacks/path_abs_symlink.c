// Absolute symlinks to host paths: one planted in the image by the driver
// (/planted_abs -> the decoy's host path, /planted_dir -> its host dir) and
// one made at run time. Inside the sandbox an absolute target means the
// sandbox root, where the decoy's host path does not exist.
#include "attack.h"

int main(void) {
  announce();
  const char* decoy = host("ESC_DECOY");
  const char* dir = host("ESC_DECOY_DIR");
  try_read("planted_abs", "/planted_abs");
  try_read("planted_dir_component", "/planted_dir/secret");
  step("symlink_create", RAW2(SYS_symlink, decoy, "/tmp/evil"));
  try_read("created_abs", "/tmp/evil");
  step("symlink_create_dir", RAW2(SYS_symlink, dir, "/tmp/evildir"));
  try_read("created_dir_component", "/tmp/evildir/secret");
  // O_NOFOLLOW | O_PATH style lookups must not resolve anything either.
  long fd =
      step("nofollow_open", RAW4(SYS_openat, AT_FDCWD, "/tmp/evil", O_RDONLY | O_NOFOLLOW, 0));
  dump_fd("nofollow_open", fd);
  return done();
}
