// `..` chains: from the root, from a deep cwd, through openat dirfds, and
// the decoy's own host path taken literally. Every lookup must stay inside
// the rootfs, where none of these names exist.
#include "attack.h"

int main(void) {
  announce();
  const char* decoy = host("ESC_DECOY");
  char path[8192];
  try_read("host_abs_path", decoy);
  snprintf(path, sizeof path, "/../../../../../../../../..%s", decoy);
  try_read("root_dotdot_host_path", path);
  try_read("root_dotdot_rel", "/../decoy/secret");
  try_read("root_dotdot_rel2", "/../../decoy/secret");
  // A cwd deep in the tree, then climb far more than its depth.
  RAW2(SYS_mkdir, "/tmp/a", 0755);
  RAW2(SYS_mkdir, "/tmp/a/b", 0755);
  step("chdir_deep", RAW1(SYS_chdir, "/tmp/a/b"));
  for (int i = 0; i < 64; ++i) RAW1(SYS_chdir, "..");
  try_read("cwd_climb_rel", "decoy/secret");
  try_read("cwd_climb_dotdot", "../decoy/secret");
  long root = RAW4(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY, 0);
  step("open_root", root);
  long fd = step("openat_root_dotdot", RAW4(SYS_openat, root, "../decoy/secret", O_RDONLY, 0));
  dump_fd("openat_root_dotdot", fd);
  snprintf(path, sizeof path, "..%s", decoy);
  fd = step("openat_root_dotdot_host", RAW4(SYS_openat, root, path, O_RDONLY, 0));
  dump_fd("openat_root_dotdot_host", fd);
  // "/.." padded with "/./" and doubled slashes.
  try_read("dot_slash_mix", "/.//..//.//../decoy//./secret");
  return done();
}
