// A guest that never ends (spins, ignoring every signal it may ignore).
// The driver SIGKILLs `litebox do` after 2 s, as an operator or containerd
// would stop a stuck container: the sandbox's processes must not outlive
// the runtime that owned them.
#include <signal.h>

#include "attack.h"

int main(void) {
  announce();
  for (int s = 1; s < 32; ++s)
    if (s != SIGKILL && s != SIGSTOP && s != SIGSYS) signal(s, SIG_IGN);
  out("SPINNING\n");
  for (volatile unsigned long i = 0;; ++i) {
  }
  return done();
}
