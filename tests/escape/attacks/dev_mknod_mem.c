// Device nodes: mknod of /dev/mem (c 1 1), /dev/kmem-like, a block device
// (sda, b 8 0) and /dev/port; then open whatever exists. Also the host
// device paths directly.
#include <sys/sysmacros.h>

#include "attack.h"

int main(void) {
  announce();
  step("mknod_mem", RAW3(SYS_mknod, "/tmp/mem", 020600, makedev(1, 1)));
  try_read("open_tmp_mem", "/tmp/mem");
  step("mknod_port", RAW3(SYS_mknod, "/tmp/port", 020600, makedev(1, 4)));
  step("mknod_sda", RAW3(SYS_mknod, "/tmp/sda", 060600, makedev(8, 0)));
  try_read("open_tmp_sda", "/tmp/sda");
  step("mknodat_dev_mem", RAW4(SYS_mknodat, AT_FDCWD, "/dev/mem", 020600, makedev(1, 1)));
  try_read("open_dev_mem", "/dev/mem");
  try_read("open_dev_kmsg", "/dev/kmsg");
  try_read("open_dev_sda", "/dev/sda");
  try_read("open_dev_vda", "/dev/vda");
  try_read("open_dev_port", "/dev/port");
  try_read("open_dev_kvm", "/dev/kvm");
  try_read("open_dev_fuse", "/dev/fuse");
  try_read("open_dev_tty0", "/dev/tty0");
  return done();
}
