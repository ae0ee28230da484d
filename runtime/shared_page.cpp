#include "runtime/shared_page.hpp"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace litebox::runtime {

namespace proto = litebox::proto;

std::unique_ptr<SharedPage> SharedPage::Create(int* fd_out, std::string* err) {
  *fd_out = -1;
  int fd = memfd_create("litebox-page", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    *err = std::string("memfd_create: ") + strerror(errno);
    return nullptr;
  }
  void* p = MAP_FAILED;
  if (ftruncate(fd, proto::kShmSize) == 0 &&
      fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0)
    p = mmap(nullptr, proto::kShmSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    *err = std::string("shared page: ") + strerror(errno);
    close(fd);
    return nullptr;
  }
  auto page = std::unique_ptr<SharedPage>(new SharedPage(static_cast<char*>(p)));
  // Not polled until it has been used: the guest rings first.
  page->ctl()->sup_sleeping = 1;
  *fd_out = fd;
  return page;
}

namespace {
std::vector<char*> g_retired;
}  // namespace

SharedPage::~SharedPage() {
  g_retired.push_back(base_);
  if (g_retired.size() > 256) UnmapRetired();  // bounded, whatever the idle time
}

void SharedPage::UnmapRetired() {
  for (char* p : g_retired) munmap(p, proto::kShmSize);
  g_retired.clear();
}

void SharedPage::SetSandboxOpath() {
  __atomic_store_n(&ctl()->sandbox_opath, 1, __ATOMIC_RELAXED);
}

bool SharedPage::Posted() const {
  return __atomic_load_n(&ctl()->state, __ATOMIC_ACQUIRE) == proto::kShmPosted;
}

uint32_t SharedPage::GuestCpu() const {
  return __atomic_load_n(&ctl()->guest_cpu, __ATOMIC_RELAXED);
}

void SharedPage::SetAvoidedCpu(uint32_t cpu) {
  __atomic_store_n(&ctl()->sup_avoids_cpu, cpu, __ATOMIC_RELAXED);
}

void SharedPage::SetLookupTag(uint32_t tag) {
  __atomic_store_n(&ctl()->lookup_tag, tag, __ATOMIC_SEQ_CST);
}

uint32_t SharedPage::SockSent() const {
  return __atomic_load_n(&ctl()->sock_sent, __ATOMIC_RELAXED);
}

size_t SharedPage::TakeRequest(char* buf) const {
  uint32_t n = __atomic_load_n(&ctl()->req_len, __ATOMIC_RELAXED);
  if (n < sizeof(proto::Request) || n > proto::kShmReqCap) return 0;
  memcpy(buf, base_ + proto::kShmReqOffset, n);
  return n;
}

char* SharedPage::AnswerArea() {
  return base_ + proto::kShmRespOffset;
}

void SharedPage::Publish(uint32_t state) {
  __atomic_store_n(&ctl()->state, state, __ATOMIC_SEQ_CST);
  // Dekker with the guest's wait(): it sets guest_waiting, then rechecks
  // the state before it sleeps.
  if (__atomic_load_n(&ctl()->guest_waiting, __ATOMIC_SEQ_CST) != 0)
    syscall(SYS_futex, &ctl()->state, FUTEX_WAKE, 1, nullptr, nullptr, 0);
}

void SharedPage::Answered(size_t len) {
  __atomic_store_n(&ctl()->resp_len, static_cast<uint32_t>(len), __ATOMIC_RELAXED);
  Publish(proto::kShmAnswered);
}

void SharedPage::AnsweredOnSocket() {
  Publish(proto::kShmOnSocket);
}

void SharedPage::OfferForkVpid(uint32_t vpid) {
  __atomic_store_n(&ctl()->fork_vpid, vpid, __ATOMIC_RELEASE);
}

bool SharedPage::ForkVpidTaken() const {
  return __atomic_load_n(&ctl()->fork_vpid, __ATOMIC_ACQUIRE) == 0;
}

void SharedPage::Poll() {
  if (polled_) return;
  polled_ = true;
  __atomic_store_n(&ctl()->sup_sleeping, 0, __ATOMIC_RELAXED);
}

bool SharedPage::Park() {
  polled_ = false;
  // Dekker with the guest's post(): it stores the state, then reads this.
  __atomic_store_n(&ctl()->sup_sleeping, 1, __ATOMIC_SEQ_CST);
  return Posted();
}

}  // namespace litebox::runtime
