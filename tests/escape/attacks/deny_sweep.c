// Every deny-class row of the syscall table, issued raw twice: all
// arguments zero, then all arguments ~0. The driver passes the numbers
// (parsed from libos/syscall_table.def) and expects each row's errno.
#include "attack.h"

int main(int argc, char** argv) {
  announce();
  for (int i = 1; i < argc; ++i) {
    long nr = strtol(argv[i], NULL, 10);
    char label[64];
    snprintf(label, sizeof label, "nr%ld_zero", nr);
    step(label, raw6(nr, 0, 0, 0, 0, 0, 0));
    snprintf(label, sizeof label, "nr%ld_ones", nr);
    step(label, raw6(nr, -1, -1, -1, -1, -1, -1));
  }
  return done();
}
