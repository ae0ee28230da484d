// prctl options outside the allowlist: PR_SET_MM (rewrite own exe link and
// memory map fields), PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_PTRACER
// (let the decoy trace us... or any), PR_SET_IO_FLUSHER, and arch_prctl
// outside its list.
#include "attack.h"

int main(void) {
  announce();
  step("pr_set_mm_exe", RAW5(SYS_prctl, 35 /* PR_SET_MM */, 13 /* EXE_FILE */, 0, 0, 0));
  step("pr_set_mm_start_code", RAW5(SYS_prctl, 35, 1, 0x1000, 0, 0));
  step("pr_capbset_drop", RAW2(SYS_prctl, 24, 21));
  step("pr_set_securebits", RAW2(SYS_prctl, 28, 0x2f));
  step("pr_set_ptracer_any", RAW2(SYS_prctl, 0x59616d61, -1));
  step("pr_set_io_flusher", RAW2(SYS_prctl, 57, 1));
  step("pr_cap_ambient_raise", RAW5(SYS_prctl, 47, 2, 21, 0, 0));
  step("pr_get_no_new_privs", RAW2(SYS_prctl, 39, 0));
  step("arch_prctl_set_cpuid", RAW2(SYS_arch_prctl, 0x1012, 0));
  step("arch_prctl_map_vdso", RAW2(SYS_arch_prctl, 0x2001, 0x10000000));
  return done();
}
