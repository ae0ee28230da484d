// Threads racing on the one channel: 4 threads make emulated calls in a
// loop while another injects junk datagrams straight onto the channel. Replies
// may go to the wrong thread (self-harm); nothing may reach the host and
// the supervisor must survive (the process may die).
#include <pthread.h>

#include "attack.h"

static volatile int stop;

static void* opener(void* arg) {
  while (!stop) {
    long fd =
        RAW4(SYS_openat, AT_FDCWD, (long)arg & 1 ? "/../decoy/secret" : "/etc/passwd", O_RDONLY, 0);
    if (fd >= 0) {
      char buf[256];
      long n = RAW3(SYS_read, fd, buf, sizeof buf - 1);
      if (n > 0) {
        buf[n] = 0;
        if (strstr(buf, "LBSECRET")) out("DATA race %s\n", buf);
      }
      RAW1(SYS_close, fd);
    }
  }
  return 0;
}

static void* injector(void* arg) {
  char junk[96];
  memset(junk, 0x5a, sizeof junk);
  while (!stop) RAW6(SYS_sendto, LB_CHANNEL_FD, junk, sizeof junk, 0x4000 /* MSG_NOSIGNAL */, 0, 0);
  return 0;
}

int main(void) {
  announce();
  pthread_t t[5];
  for (long i = 0; i < 4; ++i) pthread_create(&t[i], 0, opener, (void*)i);
  pthread_create(&t[4], 0, injector, 0);
  sleep_ms(1500);
  stop = 1;
  for (int i = 0; i < 5; ++i) pthread_join(t[i], 0);
  step("joined", 0);
  return done();
}
