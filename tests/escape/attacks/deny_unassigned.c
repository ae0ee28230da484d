// Numbers the table does not classify (337-423, 471-600, 1000, 0x3fffffff):
// ENOSYS from the filter, never a trap into an unknown handler.
#include "attack.h"

int main(void) {
  announce();
  long bad = 0;
  long nrs[] = {337, 380, 423, 471, 472, 500, 600, 1000, 0x3fffffff};
  for (unsigned i = 0; i < sizeof nrs / sizeof nrs[0]; ++i) {
    char label[64];
    snprintf(label, sizeof label, "nr_%ld", nrs[i]);
    long r = step(label, raw6(nrs[i], 1, 2, 3, 4, 5, 6));
    if (r != -ENOSYS) ++bad;
  }
  return done();
}
