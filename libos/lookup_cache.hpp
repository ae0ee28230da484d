// The guest's end of the sandbox's lookup cache (libos/abi/proto.h,
// "Lookup cache"): a read-only mapping of the supervisor's memfd, shared
// by every process of the sandbox (fork children inherit it, an exec keeps
// it), from which a process the supervisor allows (ShmControl::lookup_tag)
// answers repeated lookups without a round trip.
#pragma once

#include "libos/channel.hpp"

namespace lb::lookup {

// Maps the memfd that came with the hello reply and closes it. False if
// it cannot be mapped (every lookup is then asked).
bool map(int fd);
// The answer to `r` from the cache, if it holds one now for this
// process's tag (page::lookup_tag(); 0: none): true with *result,
// r.payload and r.payload_len set as a reply would.
bool answer(Rpc& r, uint32_t tag, long* result);
// After a change of credentials: with `tag` 0 the process may no longer
// read the cache, and its mapping is replaced by empty memory at once
// (the entries are what a process with the DAC capabilities may look up).
void credentials_changed(uint32_t tag);

}  // namespace lb::lookup
