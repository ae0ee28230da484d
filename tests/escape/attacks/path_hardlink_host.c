// Hard links to host files: link(2)/linkat(2) naming the decoy by its host
// path or by `..`, then read the new name.
#include "attack.h"

int main(void) {
  announce();
  const char* decoy = host("ESC_DECOY");
  step("link_host_path", RAW2(SYS_link, decoy, "/tmp/h1"));
  try_read("read_h1", "/tmp/h1");
  step("link_dotdot", RAW2(SYS_link, "/../decoy/secret", "/tmp/h2"));
  try_read("read_h2", "/tmp/h2");
  step("linkat_follow_planted", RAW5(SYS_linkat, AT_FDCWD, "/planted_abs", AT_FDCWD, "/tmp/h3",
                                     0x400 /* AT_SYMLINK_FOLLOW */));
  try_read("read_h3", "/tmp/h3");
  step("linkat_follow_rel", RAW5(SYS_linkat, AT_FDCWD, "/planted_rel", AT_FDCWD, "/tmp/h4", 0x400));
  try_read("read_h4", "/tmp/h4");
  // AT_EMPTY_PATH on an fd: links whatever the fd is (a file inside).
  long fd = RAW4(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY, 0);
  step("linkat_empty_path", RAW5(SYS_linkat, fd, "", AT_FDCWD, "/tmp/h5", 0x1000));
  return done();
}
