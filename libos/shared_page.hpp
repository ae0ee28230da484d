// The guest's end of its shared request page (libos/abi/proto.h, "Shared
// page"): file requests without fds skip the socket. channel.cpp decides
// which requests go here and lays them out; this file maps the page, posts
// and waits.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace lb::page {

// Once per process tree, before its filter is installed: whether posts
// can say which CPU they come from (ShmControl::guest_cpu). Fork children
// inherit the answer with the memory.
void init_cpu_hint();
// Whether the page is mapped (after a successful map()).
bool ready();
// Maps the memfd that came with the hello reply or kChildWelcome and
// closes it.
// False if it cannot be mapped (the process keeps using the socket).
bool map(int fd);
// Where the request datagram goes (proto::kShmReqCap bytes).
char* request_area();
// The supervisor's word that an O_PATH fd exists in the sandbox.
bool sandbox_opath();
// The supervisor's word whether (non-zero) and with which entries this
// process may answer lookups from the sandbox's lookup cache
// (ShmControl::lookup_tag).
uint32_t lookup_tag();
// Publishes a request of `len` bytes; `sock_sent` = datagrams the process
// sent on its socket so far. True if the supervisor is not polling the
// page and must be rung (kDoorbell on the socket).
bool post(uint32_t len, uint32_t sock_sent);
// Waits for the answer: proto::kShmAnswered (answer() holds it) or
// kShmOnSocket (it is queued on the socket). Exits the process if the
// supervisor is gone.
uint32_t wait();
// The answer (Response + payload) and its length (0 if the supervisor
// wrote an impossible one).
const char* answer(size_t* len);
// The vpid the supervisor set aside for this process's next fork, taken
// (ShmControl::fork_vpid): 0 if none is offered now.
uint32_t take_fork_vpid();
// A fork child: the page belongs to the parent (and is not mapped here,
// MADV_DONTFORK); the child asks for its own when it needs one.
void forget_in_child();

}  // namespace lb::page
