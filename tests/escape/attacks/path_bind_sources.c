// Host files a runtime typically bind-mounts (resolv.conf, hosts, hostname)
// and host control sockets: with no mounts configured, none of the host's
// must be visible. The driver's decoy dir stands in for a bind source that
// was not mounted.
#include "attack.h"

int main(void) {
  announce();
  try_read("decoy_dir_as_mountpoint", "/decoy/secret");
  try_read("scratch_decoy", "/lbesc/decoy/secret");
  try_read("run_containerd_sock", "/run/containerd/containerd.sock");
  try_read("var_run_docker_sock", "/var/run/docker.sock");
  try_read("host_shadow", "/etc/shadow");
  try_read("host_machine_id", "/etc/machine-id");
  try_read("host_ssh_key", "/etc/ssh/ssh_host_ed25519_key");
  try_read("root_bash_history", "/root/.bash_history");
  try_read("work_dir", "/work/main/CMakeLists.txt");
  return done();
}
