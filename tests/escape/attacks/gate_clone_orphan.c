// A plain clone made at the gate: a host child the supervisor never
// registered. It detaches (setsid at the gate) and sleeps 20 s; the sandbox
// ending must still end it (the driver looks for leftovers of the sandbox
// uid). Also CLONE_PARENT, which would make the child a sibling of the guest
// on the host.
#include <sched.h>
#include <signal.h>

#include "gate.h"

static void linger(void* g) {
  GATE(g, SYS_setsid, 0, 0, 0, 0, 0, 0);
  struct timespec ts = {20, 0};
  RAW2(SYS_nanosleep, &ts, 0);
  RAW1(SYS_exit, 0);
}

int main(void) {
  announce();
  void* g = find_gate();
  step("find_gate", g ? 0 : -ENOENT);
  if (!g) return done();
  long c = GATE(g, SYS_clone, SIGCHLD, 0, 0, 0, 0, 0);
  if (c == 0) linger(g);
  step("gate_clone_plain", c);
  c = GATE(g, SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0, 0);
  if (c == 0) linger(g);
  step("gate_clone_parent", c);
  sleep_ms(200);
  return done();
}
