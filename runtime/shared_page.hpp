// The supervisor's end of one guest process's shared request page
// (libos/abi/proto.h, "Shared page"). The guest can write any byte of it at
// any time: every field is read once, the request is copied out before it
// is checked, and the memfd is sealed against resizing (a shrunk file would
// fault the supervisor).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "libos/abi/proto.h"

namespace litebox::runtime {

class SharedPage {
 public:
  // A new page, mapped here; *fd_out is the memfd to send to the guest (the
  // caller closes it once sent). Null with *err on failure.
  static std::unique_ptr<SharedPage> Create(int* fd_out, std::string* err);
  // Not unmapped at once: a munmap (and the memfd's teardown) costs ~15 us
  // here, which is no business of a guest's exit. UnmapRetired() does it,
  // called when the supervisor has nothing else to do.
  ~SharedPage();
  static void UnmapRetired();
  SharedPage(const SharedPage&) = delete;
  SharedPage& operator=(const SharedPage&) = delete;

  bool Posted() const;
  // The guest's count of socket datagrams sent before the posted request.
  uint32_t SockSent() const;
  // Copies the posted request into `buf` (proto::kShmReqCap bytes): its
  // length, or 0 if the length the guest wrote is impossible.
  size_t TakeRequest(char* buf) const;
  // Where an in-place answer is written (proto::kShmRespCap bytes).
  char* AnswerArea();
  // The answer of `len` bytes is in AnswerArea(), or (OnSocket) was sent on
  // the socket: publish it and wake a sleeping guest.
  void Answered(size_t len);
  void AnsweredOnSocket();
  // Polled: the guest need not ring. Park(): from now on it must; true if a
  // request was posted meanwhile (serve it).
  void Poll();
  bool Park();
  bool polled() const { return polled_; }
  // ShmControl::sandbox_opath.
  void SetSandboxOpath();
  // ShmControl::fork_vpid: offers `vpid` for the guest's next fork; whether
  // the guest has taken the one offered (swapped in 0) since.
  void OfferForkVpid(uint32_t vpid);
  bool ForkVpidTaken() const;
  // ShmControl::guest_cpu: the guest's word, a hint only.
  uint32_t GuestCpu() const;
  // ShmControl::sup_avoids_cpu: `cpu` (plus one) is a CPU the supervisor
  // will not run on until it says otherwise; 0: none.
  void SetAvoidedCpu(uint32_t cpu);
  // ShmControl::lookup_tag.
  void SetLookupTag(uint32_t tag);

 private:
  explicit SharedPage(char* base) : base_(base) {}
  proto::ShmControl* ctl() const { return reinterpret_cast<proto::ShmControl*>(base_); }
  void Publish(uint32_t state);

  char* base_;
  bool polled_ = false;
};

}  // namespace litebox::runtime
