// Big kernel attack surface never granted: bpf, perf_event_open,
// userfaultfd, io_uring, keyrings, modify_ldt, fanotify, memfd_secret,
// landlock, personality flags.
#include "attack.h"

int main(void) {
  announce();
  char attr[128] = {0};
  step("bpf_prog_load", RAW3(SYS_bpf, 5 /* BPF_PROG_LOAD */, attr, sizeof attr));
  step("bpf_map_create", RAW3(SYS_bpf, 0, attr, sizeof attr));
  unsigned int pattr[32] = {0};
  pattr[1] = sizeof pattr;  // size
  step("perf_event_open", RAW5(SYS_perf_event_open, pattr, 0, -1, -1, 0));
  step("perf_event_open_decoy",
       RAW5(SYS_perf_event_open, pattr, host_num("ESC_DECOY_PID"), -1, -1, 0));
  step("userfaultfd", RAW1(SYS_userfaultfd, 0));
  char params[120] = {0};
  step("io_uring_setup", RAW2(SYS_io_uring_setup, 8, params));
  step("io_uring_enter", RAW6(SYS_io_uring_enter, 0, 1, 0, 0, 0, 0));
  step("io_uring_register", RAW4(SYS_io_uring_register, 0, 0, 0, 0));
  step("keyctl", RAW2(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3));
  step("add_key", RAW5(SYS_add_key, "user", "x", "y", 1, -3));
  step("request_key", RAW4(SYS_request_key, "user", "x", 0, 0));
  char ldt[16] = {0};
  step("modify_ldt_write", RAW3(SYS_modify_ldt, 1, ldt, sizeof ldt));
  step("modify_ldt_read", RAW3(SYS_modify_ldt, 0, ldt, sizeof ldt));
  step("fanotify_init", RAW2(SYS_fanotify_init, 0, 0));
  step("memfd_secret", RAW1(447, 0));
  step("landlock_create", RAW3(444, 0, 0, 1));
  step("set_thread_area", RAW1(SYS_set_thread_area, ldt));
  step("pkey_alloc", RAW2(SYS_pkey_alloc, 0, 0));
  return done();
}
