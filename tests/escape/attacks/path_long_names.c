// Oversized and odd paths: 5000 bytes, a name of 300 bytes, 3000 `../`,
// embedded control bytes. Each must fail cleanly (ENAMETOOLONG/ENOENT).
#include "attack.h"

static char big[20000];

int main(void) {
  announce();
  memset(big, 'a', 5000);
  big[0] = '/';
  big[5000] = 0;
  try_read("path_5000", big);
  memset(big, 'b', 300);
  big[0] = '/';
  big[300] = 0;
  try_read("name_300", big);
  big[0] = 0;
  for (int i = 0; i < 1300; ++i) strcat(big + 0, "../");
  strcat(big, "decoy/secret");
  try_read("dotdot_3900", big);
  try_read("control_bytes", "/tmp/\x01\x02\x7f/../../decoy/secret");
  try_read("empty_path", "");
  return done();
}
