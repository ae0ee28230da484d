// Relative symlinks that climb out: planted (/planted_rel -> ../decoy/secret,
// /planted_up -> ../../..) and created at run time with many `..`.
#include "attack.h"

int main(void) {
  announce();
  const char* decoy = host("ESC_DECOY");
  char path[8192];
  try_read("planted_rel", "/planted_rel");
  snprintf(path, sizeof path, "/planted_up%s", decoy);
  try_read("planted_up_host_path", path);
  step("symlink_rel", RAW2(SYS_symlink, "../../decoy/secret", "/tmp/rel"));
  try_read("created_rel", "/tmp/rel");
  step("symlink_up", RAW2(SYS_symlink, "../../../../../../../../../../..", "/tmp/up"));
  snprintf(path, sizeof path, "/tmp/up%s", decoy);
  try_read("created_up_host_path", path);
  try_read("created_up_rel", "/tmp/up/../decoy/secret");
  return done();
}
