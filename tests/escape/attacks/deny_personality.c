// personality(): READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE, PER_LINUX32 and
// garbage; the query form (0xffffffff) and PER_LINUX are fine.
#include <sys/personality.h>

#include "attack.h"

int main(void) {
  announce();
  step("query", RAW1(SYS_personality, 0xffffffff));
  step("per_linux", RAW1(SYS_personality, PER_LINUX));
  step("read_implies_exec", RAW1(SYS_personality, READ_IMPLIES_EXEC));
  step("addr_no_randomize", RAW1(SYS_personality, ADDR_NO_RANDOMIZE));
  step("per_linux32", RAW1(SYS_personality, PER_LINUX32));
  step("garbage", RAW1(SYS_personality, 0x7fff0000));
  step("query_after", RAW1(SYS_personality, 0xffffffff));
  return done();
}
