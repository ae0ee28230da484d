// Run as --user 1000:1000. Privilege through the channel: kSetIds to root,
// kKill of host pids and of everything, kHostToVpid probing, a forged
// kChildHello, a bogus kExecDone, kSetHostname with junk, a second kHello.
// Then check the virtual identity is still unprivileged.
#include <signal.h>

#include "channel.hpp"

using namespace litebox::proto;

int main() {
  announce();
  long decoy = host_num("ESC_DECOY_PID");
  Request q = chan::Make(kSetIds);
  q.arg[0] = kSetResUid;
  q.arg[1] = q.arg[2] = q.arg[3] = 0;
  chan::Report("setresuid_root", chan::Call(q));
  q = chan::Make(kSetIds);
  q.arg[0] = kSetResGid;
  q.arg[1] = q.arg[2] = q.arg[3] = 0;
  chan::Report("setresgid_root", chan::Call(q));
  q = chan::Make(kSetIds);
  q.arg[0] = kSetFsUid;
  q.arg[1] = 0;
  chan::Report("setfsuid_root", chan::Call(q));
  std::string groups(4, '\0');
  q = chan::Make(kSetIds, groups);
  q.arg[0] = kSetGroups;
  chan::Report("setgroups_root", chan::Call(q, groups));
  step("raw_setuid_0", RAW1(SYS_setuid, 0));
  step("geteuid_after", RAW0(SYS_geteuid));
  try_read("read_root_only", "/root");
  long fd = RAW4(SYS_openat, AT_FDCWD, "/etc/passwd", O_WRONLY, 0);
  step("write_etc_passwd", fd);
  q = chan::Make(kKill);
  q.arg[0] = decoy;
  q.arg[1] = SIGKILL;
  chan::Report("kill_decoy_hostpid", chan::Call(q));
  q = chan::Make(kKill);
  q.arg[0] = 1;
  q.arg[1] = 99;
  chan::Report("kill_bad_signal", chan::Call(q));
  q = chan::Make(kHostToVpid);
  q.arg[0] = decoy;
  chan::Report("host_to_vpid_decoy", chan::Call(q));
  q = chan::Make(kChildHello);
  chan::Report("forged_child_hello", chan::Call(q));
  q = chan::Make(kExecDone, "/bin/../../evil", std::string("a\0b", 3));
  chan::Report("bogus_exec_done", chan::Call(q, "/bin/../../evil", std::string("a\0b", 3)));
  std::string name(200, 'h');
  q = chan::Make(kSetHostname, name);
  chan::Report("sethostname_200", chan::Call(q, name));
  q = chan::Make(kSetHostname, "pwned");
  chan::Report("sethostname_unprivileged", chan::Call(q, "pwned"));
  q = chan::Make(kHello);
  q.arg[0] = 0;
  chan::Reply hello = chan::Call(q);
  step("second_hello", hello.result);
  chan::StillInSync("in_sync_after");
  step("geteuid_final", RAW0(SYS_geteuid));
  q = chan::Make(kKill);
  q.arg[0] = -decoy;
  q.arg[1] = SIGKILL;
  chan::Report("kill_decoy_pgrp", chan::Call(q));
  return done();
}
